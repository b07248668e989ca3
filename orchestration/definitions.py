"""The Dagster code location of the Sozialmonitor (loaded by workspace.yaml)."""
import dagster as dg

from orchestration.defs.sources import extraction_assets

defs = dg.Definitions(assets=[*extraction_assets])
