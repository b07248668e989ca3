"""The one partitioning of the monitoring: quarters, Europe/Berlin, from 2015-Q1."""
from dagster import BackfillPolicy, TimeWindowPartitionsDefinition

from orchestration.periods import FIRST_QUARTER, Quarter

# Quarter starts; a partition exists once its quarter is complete (Dagster's default end offset 0).
quarterly_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *",
    start=FIRST_QUARTER.partition_key,
    fmt="%Y-%m-%d",
    timezone="Europe/Berlin",
)

# A backfill of many quarters arrives in one run (one dbt invocation, one pass over the inbox).
single_run_backfill = BackfillPolicy.single_run()


def quarters_of(partition_keys: list[str] | tuple[str, ...]) -> list[Quarter]:
    return sorted(Quarter.parse(k) for k in partition_keys)
