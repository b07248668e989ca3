"""The quarterly refresh: everything from the inbox to the published file and the report site."""
import dagster as dg

from orchestration.partitions import quarterly_partitions

quarterly_refresh = dg.define_asset_job(
    name="quarterly_refresh",
    selection=dg.AssetSelection.all(),
    partitions_def=quarterly_partitions,
    executor_def=dg.in_process_executor,  # one process: the run holds the refresh lock, no per-step start-up
    description="Quarterly refresh: extraction of every source, dbt build with tests, quality gate (GX), "
    "publication, exports and the report site.",
    tags={"sozialmonitor/job": "quarterly_refresh"},
)
