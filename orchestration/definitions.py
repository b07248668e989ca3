"""The Dagster code location of the Sozialmonitor (loaded by workspace.yaml)."""
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
from orchestration.defs.jobs import quarterly_refresh
from orchestration.defs.resources import RefreshLock
from orchestration.defs.sources import extraction_assets

defs = dg.Definitions(
    assets=[*extraction_assets, dbt_monitoring],
    asset_checks=[*freshness_checks],
    jobs=[quarterly_refresh, freshness_job],
    schedules=[refresh_schedule, freshness_schedule],
    sensors=[inbox_sensor],
    resources={"dbt": dbt_resource(), "refresh_lock": RefreshLock()},
)
