"""Exports written with each publication, always from the published file (never beside it)."""
import dagster as dg

from orchestration.defs.publication import PUBLICATION_KEY
from orchestration.defs.resources import WorkerProcesses
from orchestration.partitions import quarterly_partitions, single_run_backfill
from orchestration.settings import get_settings

EXPORTS_KEY = dg.AssetKey(["publikation", "exporte"])


@dg.asset(
    key=EXPORTS_KEY,
    group_name="publikation",
    deps=[PUBLICATION_KEY],
    partitions_def=quarterly_partitions,
    backfill_policy=single_run_backfill,
    kinds={"excel", "geojson"},
    description="Sozialmonitoring.xlsx, Pflegeplanung.xlsx, Jugendhilfeplanung.xlsx and wohnplaetze.geojson "
    "(WGS84) beside the published file; each written atomically. A failed export never touches the publication.",
)
def exporte(context: dg.AssetExecutionContext, worker_processes: WorkerProcesses) -> dg.MaterializeResult:
    # imported here, not with the definitions: the workbook writer brings openpyxl (0.05 s) into every process
    # that loads them (UI, sensors, runs)
    from orchestration.publish.exports import ExportError, run_exports

    settings = get_settings()
    try:
        results = run_exports(settings.published_db, settings.published_dir, pool=worker_processes.pool)
    except ExportError as exc:
        raise dg.Failure(description=f"Exports failed (the publication itself is in place and unchanged): {exc}. "
                         "Re-run only this asset after fixing the cause.", allow_retries=False) from None
    table = "| Datei | Größe | Sekunden |\n|---|---|---|\n" + "\n".join(
        f"| {r.name} | {r.size_bytes / 1024:.0f} KB | {r.seconds:.1f} |" for r in results)
    return dg.MaterializeResult(metadata={
        "dateien": dg.MetadataValue.md(table),
        "verzeichnis": dg.MetadataValue.path(str(settings.published_dir)),
    })
