"""Run the extraction of one source outside Dagster (tests, the benchmark) or inside an asset."""
from __future__ import annotations

from orchestration.periods import Quarter
from orchestration.settings import Settings, get_settings
from orchestration.sources import source_module
from orchestration.sources.extraction import ExtractionReport, Log, SourceExtraction
from orchestration.warehouse import connection


def extract_source(source_id: str, quarters: list[Quarter] | None, *, run_id: str = "manual",
                   settings: Settings | None = None, log: Log = lambda _: None) -> ExtractionReport:
    settings = settings or get_settings()
    module = source_module(source_id)
    extraction = SourceExtraction(module.CONTRACT, getattr(module, "checks", None), settings, run_id, log,
                                  prepare=getattr(module, "prepare", None))
    with connection(settings.warehouse) as con:
        return extraction.run(con, quarters)
