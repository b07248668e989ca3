"""Dagster definitions, split by domain: sources, dbt, quality, publication, reports, automation."""
import warnings

import dagster as dg

# single-run backfill policies and pools are marked beta in this Dagster line; we rely on them knowingly
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
