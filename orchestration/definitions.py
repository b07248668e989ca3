"""The Dagster code location of the Sozialmonitor (loaded by workspace.yaml).

Read left to right in the asset graph: quellen (raw) -> staging -> intermediate -> core -> marts
-> publikation -> berichte. Checks: contract checks inside the extraction, delivery deadlines per source,
dbt tests (severity error blocks), GX suites per published mart (error blocks).
"""
import dagster as dg

import orchestration.defs  # noqa: F401  (warning filters)
from orchestration.defs.automation import (
    freshness_checks,
    freshness_job,
    freshness_schedule,
    inbox_sensor,
    refresh_schedule,
)
from orchestration.defs.dbt import dbt_monitoring, dbt_resource
from orchestration.defs.exports import EXPORTS_KEY, exporte
from orchestration.defs.jobs import quarterly_refresh
from orchestration.defs.publication import blocking_check_keys, build_publication_asset
from orchestration.defs.resources import RefreshLock, WorkerProcesses
from orchestration.defs.sources import extraction_assets
from orchestration.quality.checks import build_mart_asset_checks
from orchestration.partitions import quarterly_partitions, single_run_backfill
from orchestration.quality.suites import PUBLISHED_MARTS
from orchestration.reports.asset import build_reports_site_asset

dbt_keys = list(dbt_monitoring.keys)
published_keys = [k for k in dbt_keys if (k.path[0] == "marts" and k.path[-1].startswith("mart_"))
                  or (k.path[0] == "core" and k.path[-1].startswith("dim_"))]
gx_checks = build_mart_asset_checks([m for m in PUBLISHED_MARTS if dg.AssetKey(["marts", m]) in dbt_keys])
publikation = build_publication_asset(
    upstream=published_keys,
    check_keys=blocking_check_keys([dbt_monitoring, *gx_checks]),
)

# The site reads the published file and the exported GeoJSON; it never blocks or undoes the publication.
reports_site = build_reports_site_asset(EXPORTS_KEY, partitions_def=quarterly_partitions,
                                        backfill_policy=single_run_backfill)

defs = dg.Definitions(
    assets=[*extraction_assets, dbt_monitoring, publikation, exporte, reports_site],
    asset_checks=[*freshness_checks, *gx_checks],
    jobs=[quarterly_refresh, freshness_job],
    schedules=[refresh_schedule, freshness_schedule],
    sensors=[inbox_sensor],
    resources={"dbt": dbt_resource(), "refresh_lock": RefreshLock(), "worker_processes": WorkerProcesses()},
)
