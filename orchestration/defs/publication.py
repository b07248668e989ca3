"""Publication: the audited marts become the planners' file, in one atomic step, or not at all.

The asset sits downstream of every mart and behind every blocking check (dbt tests with severity
error, the GX suites). Dagster already skips it when a blocking check failed in the run; it still
re-verifies the latest result of every blocking check itself before writing, so that publishing alone
from the UI can never bypass the gate.
"""
import json
from datetime import datetime, timezone

import dagster as dg
import duckdb

from orchestration.defs.resources import RefreshLock
from orchestration.defs.sources import WAREHOUSE_POOL
from orchestration.partitions import quarterly_partitions, single_run_backfill
from orchestration.periods import Quarter
from orchestration.publish.publication import code_version, delivery_hashes, publish
from orchestration.settings import get_settings

PUBLICATION_KEY = dg.AssetKey(["publikation", "monitoring"])


def blocking_check_keys(assets_defs) -> list[dg.AssetCheckKey]:
    keys = []
    for assets_def in assets_defs:
        for spec in getattr(assets_def, "check_specs", []) or []:
            if spec.blocking:
                keys.append(spec.key)
    return keys


def verify_gate(instance: dg.DagsterInstance, check_keys: list[dg.AssetCheckKey]) -> tuple[list[str], list[dict]]:
    """(blocking problems, all latest check results) from the instance's event log."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    problems, results = [], []
    for key in check_keys:
        record = latest.get(key)
        name = f"{key.asset_key.to_user_string()}:{key.name}"
        if record is None:
            problems.append(f"{name} has never run")
            continue
        evaluation = record.event.dagster_event.event_specific_data if record.event and record.event.dagster_event else None
        passed = record.status == AssetCheckExecutionRecordStatus.SUCCEEDED
        severity = getattr(getattr(evaluation, "severity", None), "value", "ERROR")
        if record.status == AssetCheckExecutionRecordStatus.PLANNED:
            problems.append(f"{name} did not complete (run {record.run_id})")
        elif not passed and severity == "ERROR":
            problems.append(f"{name} failed in run {record.run_id}")
        metadata = {k: getattr(v, "value", v) for k, v in (getattr(evaluation, "metadata", None) or {}).items()}
        results.append({"key": key, "name": name, "passed": passed, "severity": severity,
                        "run_id": record.run_id, "metadata": metadata,
                        "description": getattr(evaluation, "description", None)})
    return problems, results


def newest_stichtag(warehouse) -> str | None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("SELECT max(stichtag) FROM marts.mart_sozialmonitoring").fetchone()
    finally:
        con.close()
    return row[0].isoformat() if row and row[0] else None


def quality_rows(check_results: list[dict], publikation_id: str) -> list[dict]:
    """mart_datenqualitaet: one row per GX expectation (from the check's JSON) and per dbt test."""
    rows = []
    for result in check_results:
        key: dg.AssetCheckKey = result["key"]
        suite = result["metadata"].get("ergebnis_json")
        if isinstance(suite, dict):  # a GX suite: one row per expectation
            from orchestration.quality import datenqualitaet_rows
            from orchestration.quality.runner import SuiteResult

            rows.extend(datenqualitaet_rows([SuiteResult.from_dict(suite)], publikation_id))
            continue
        rows.append({
            "publikation_id": publikation_id,
            "ebene": "gx" if key.name == "gx_suite" else ("frist" if key.name == "lieferung_aktuell" else "dbt"),
            "quelle": key.asset_key.path[-1] if key.asset_key.path[0] == "raw" else None,
            "objekt": key.asset_key.to_user_string(),
            "pruefung": key.name,
            "schweregrad": "error" if result["severity"] == "ERROR" else "warn",
            "status": "bestanden" if result["passed"] else ("fehler" if result["severity"] == "ERROR" else "warnung"),
            "beschreibung": result.get("description"),
            "details": json.dumps({k: v for k, v in result["metadata"].items()
                                   if isinstance(v, (int, float, str))}, ensure_ascii=False, default=str),
        })
    return rows


def build_publication_asset(upstream: list[dg.AssetKey], check_keys: list[dg.AssetCheckKey],
                            extra_tables_fn=None) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLICATION_KEY,
        group_name="publikation",
        deps=upstream,
        partitions_def=quarterly_partitions,
        backfill_policy=single_run_backfill,
        pool=WAREHOUSE_POOL,
        kinds={"duckdb"},
        description="data/published/monitoring.duckdb: marts, dimensions, mart_datenqualitaet and the "
        "publication log, written beside the old file and moved into place atomically (last 8 kept).",
    )
    def publikation(context: dg.AssetExecutionContext, refresh_lock: RefreshLock) -> dg.MaterializeResult:
        settings = get_settings()
        problems, results = verify_gate(context.instance, check_keys)
        if problems:
            raise dg.Failure(
                description="Not published: blocking checks have not passed:\n" + "\n".join(f"- {p}" for p in problems)
                + "\nThe published file is unchanged. Fix the cause (see the checks in the UI), then re-run the refresh.",
                allow_retries=False)
        first, last = (Quarter.parse(k) for k in (context.partition_key_range.start, context.partition_key_range.end))
        stichtag = newest_stichtag(settings.warehouse)
        passed = sum(r["passed"] for r in results)
        warnings = [r["name"] for r in results if not r["passed"]]
        publication_row = {
            "publikation_id": context.run.run_id,
            "veroeffentlicht_am": datetime.now(timezone.utc).replace(tzinfo=None),
            "stichtag": stichtag,
            "quartal": str(Quarter.parse(stichtag)) if stichtag else None,
            "fenster_von": first.label, "fenster_bis": last.label,
            "lauf_id": context.run.run_id,
            "code_version": code_version(settings.project_root),
            "pruefungen": len(results), "pruefungen_bestanden": passed, "warnungen": len(warnings),
            "pruefungen_zusammenfassung": {"bestanden": passed, "warnungen": warnings},
            "lieferungen": delivery_hashes(settings),
        }
        extra = extra_tables_fn(settings, publication_row) if extra_tables_fn else None
        result = publish(settings, publication_row, quality_rows(results, context.run.run_id), extra)
        context.log.info(f"published {result.path} (Stichtag {stichtag}) in {result.seconds:.1f} s")
        table = "| Tabelle | Zeilen |\n|---|---|\n" + "\n".join(f"| {t} | {n} |" for t, n in sorted(result.tables.items()))
        return dg.MaterializeResult(metadata={
            "datei": dg.MetadataValue.path(str(result.path)),
            "stichtag": stichtag or "",
            "publikation_id": result.publikation_id,
            "pruefungen": len(results), "bestanden": passed, "warnungen": len(warnings),
            "tabellen": dg.MetadataValue.md(table),
            "vorherige_in_historie": str(result.previous_in_history or "—"),
            "sekunden": round(result.seconds, 2),
        })

    return publikation
