"""Extraction assets: one per source, writing `raw.<table>` in the warehouse.

Quarterly and yearly sources are partitioned by quarter (a backfill arrives as one run); reference data
that changes "on change" (boundaries, street directory, crosswalk, house coordinates, measures) is
unpartitioned: every run loads any new version found in the inbox, so a single-quarter refresh never
lacks the reference it checks against.
"""

from types import ModuleType

import dagster as dg

from orchestration.partitions import quarterly_partitions, quarters_of, single_run_backfill
from orchestration.settings import get_settings
from orchestration.sources import REFERENCE_DEPENDENCIES, source_modules
from orchestration.sources.contract import Contract
from orchestration.sources.extraction import ExtractionReport, SourceExtraction
from orchestration.warehouse import connection

WAREHOUSE_POOL = "warehouse_writer"  # one writer: every step that writes the warehouse shares it


def raw_asset_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source_id])


def _kinds(contract: Contract) -> set[str]:
    return {"duckdb", *{spec.format for spec in contract.dateien}}


def _metadata_for_contract(contract: Contract) -> dict:
    return {
        "amt": contract.amt,
        "turnus": contract.turnus,
        "lieferfrist_tage": contract.lieferfrist_tage if contract.lieferfrist_tage is not None else "bei Änderung",
        "raw_tabellen": ", ".join(f"raw.{t}" for t in contract.tabellen),
        "vertrag": dg.MetadataValue.path(str(contract.path)),
    }


def report_metadata(report: ExtractionReport) -> dict:
    """What an engineer wants to see on the materialisation: files, hashes, rows, what is missing."""
    rows = [f"| {o.file} | {o.periode}{' ' + o.teil if o.teil else ''} | {o.status} | "
            f"{sum(o.rows.values()) if o.rows else ''} | `{o.sha256[:12]}` |" for o in report.outcomes]
    table = "| Datei | Periode | Status | Zeilen | sha256 |\n|---|---|---|---|---|\n" + "\n".join(rows)
    meta = {
        "dateien": len(report.outcomes),
        "geladen": len(report.loaded),
        "unveraendert": sum(o.status == "unveraendert" for o in report.outcomes),
        "duplikate": sum(o.status == "duplikat" for o in report.outcomes),
        "abgelehnt": len(report.failed),
        "zeilen_geladen": report.rows_loaded(),
        "sekunden": round(report.seconds, 2),
        "lieferungen": dg.MetadataValue.md(table if rows else "_keine Lieferung im Zeitraum_"),
    }
    if report.missing:
        meta["fehlende_lieferungen"] = dg.MetadataValue.md("\n".join(f"- {m}" for m in report.missing))
    if report.unrecognised:
        meta["unbekannte_dateien"] = dg.MetadataValue.md("\n".join(f"- {m}" for m in report.unrecognised))
    return meta


def failure_message(contract: Contract, report: ExtractionReport) -> str:
    lines = [f"Extraction of '{contract.titel}' ({contract.id}) failed: "
             f"{len(report.failed)} delivery file(s) rejected; nothing of them reached raw, "
             "data already loaded is unchanged."]
    for outcome in report.failed:
        lines.append(f"- {outcome.file} ({outcome.periode}{' ' + outcome.teil if outcome.teil else ''}): "
                     + "; ".join(outcome.problems[:3]))
        if outcome.quarantine_reason:
            lines.append(f"  quarantined, reason: {outcome.quarantine_reason}")
    lines.append(f"What to do: ask {contract.amt} for a corrected delivery, put it into "
                 f"data/inbox/{contract.id}/ and re-run the refresh; `sozialmonitor quarantine` lists the reasons.")
    return "\n".join(lines)


def build_extraction_asset(module: ModuleType) -> dg.AssetsDefinition:
    contract: Contract = module.CONTRACT
    partitioned = contract.partitioned

    @dg.asset(
        key=raw_asset_key(contract.id),
        group_name="quellen",
        description=f"{contract.titel} — {contract.amt}. {contract.beschreibung}",
        partitions_def=quarterly_partitions if partitioned else None,
        backfill_policy=single_run_backfill if partitioned else None,
        deps=[raw_asset_key(d) for d in REFERENCE_DEPENDENCIES.get(contract.id, ())],
        kinds=_kinds(contract),
        metadata=_metadata_for_contract(contract),
        tags={"quelle": contract.id, "schicht": "raw"},
        pool=WAREHOUSE_POOL,
        required_resource_keys={"refresh_lock"},
    )
    def _extract(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = get_settings()
        quarters = quarters_of(context.partition_keys) if partitioned else None
        extraction = SourceExtraction(contract, getattr(module, "checks", None), settings, context.run.run_id,
                                      log=context.log.info, prepare=getattr(module, "prepare", None))
        with connection(settings.warehouse) as con:
            report = extraction.run(con, quarters)
        if report.missing:
            context.log.warning(f"{contract.id}: due deliveries not in the inbox: {', '.join(report.missing)}")
        if report.failed:
            raise dg.Failure(description=failure_message(contract, report), metadata=report_metadata(report),
                             allow_retries=False)
        return dg.MaterializeResult(metadata=report_metadata(report))

    return _extract


extraction_assets = [build_extraction_asset(m) for m in source_modules()]
