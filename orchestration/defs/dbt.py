"""dbt models as Dagster assets, dbt tests as asset checks (severity error = blocking).

One `dbt build` per run, whatever the number of quarters: dbt's fixed start-up cost (~5 s) is paid once,
and the incremental models replace exactly the run's window (SOZIALMONITOR_VON/BIS_STICHTAG in dbt's
environment, see orchestration/dbt/partition_vars.py). Each run hands its parse state on to the next, so
dbt re-parses only what changed.
"""
import json
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt.partition_vars import (dbt_build_args, environment, partition_vars, window_environment,
                                              window_quarters)
from orchestration.dbt.project import (apply_dbt_env, dbt_executable, ensure_manifest, keep_partial_parse,
                                       prune_run_targets)
from orchestration.dbt.reference_state import RUN_TAG, ReferenceChanged, ReferenceModels
from orchestration.dbt.resource import ProjectDbtCliResource
from orchestration.dbt.translator import SozialmonitorTranslator
from orchestration.defs.resources import RefreshLock
from orchestration.defs.sources import WAREHOUSE_POOL
from orchestration.partitions import quarterly_partitions, single_run_backfill
from orchestration.settings import get_settings
from orchestration.warehouse import connection

SETTINGS = get_settings()
apply_dbt_env(SETTINGS)
MANIFEST = ensure_manifest(SETTINGS)
DBT_PROJECT = DbtProject(project_dir=SETTINGS.dbt_project_dir, profiles_dir=SETTINGS.dbt_project_dir,
                         target_path=SETTINGS.dbt_target_dir)


def dbt_resource() -> DbtCliResource:
    return ProjectDbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(SETTINGS.dbt_project_dir),
                                 dbt_executable=dbt_executable())


def summarise_dbt_failures(run_results: Path) -> str:
    """The failed models and tests of a dbt run in words an operator can act on."""
    if not run_results.exists():
        return "dbt failed before it wrote run_results.json; see the dbt log in the step's output."
    results = json.loads(run_results.read_text()).get("results", [])
    lines = []
    for r in results:
        if r.get("status") not in ("error", "fail"):
            continue
        node = r.get("unique_id", "")
        kind = node.split(".")[0]
        message = " ".join(str(r.get("message") or "").split())[:300]
        failures = r.get("failures")
        if kind == "test":
            lines.append(f"- dbt test {node.split('.')[2] if node.count('.') >= 2 else node} failed"
                         f"{f' ({failures} failing rows)' if failures else ''}: {message}")
        else:
            lines.append(f"- dbt {kind} {node.split('.')[-1]} errored: {message}")
    skipped = sum(r.get("status") == "skipped" for r in results)
    if skipped:
        lines.append(f"- {skipped} downstream models/tests were skipped")
    return "\n".join(lines) or "dbt reported a failure without a failed node; see the dbt log."


@cache
def reference_models() -> ReferenceModels:
    """The dbt assets built from reference data only (see orchestration/dbt/reference_state.py)."""
    return ReferenceModels(dbt_monitoring, json.loads(Path(MANIFEST).read_text(encoding="utf-8")),
                           SETTINGS.dbt_project_dir / "dbt_project.yml")


def check_reference_state(context: dg.AssetExecutionContext, selected: set, warehouse: Path) -> None:
    """Before dbt: confirm a run's decision to leave the reference models out, or forget their recorded
    build when this one rebuilds any of them."""
    reused = context.run.tags.get(RUN_TAG)
    if not reused and not selected & reference_models().keys:
        return
    with connection(warehouse) as con:
        try:
            reference_models().before_build(con, selected, reused)
        except ReferenceChanged as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
    if reused:
        context.log.info(f"reference models left out of this build, unchanged ({reused})")


def record_reference_state(context: dg.AssetExecutionContext, warehouse: Path) -> None:
    try:
        with connection(warehouse) as con:
            reference_models().record_build(con, context.run_id)
    except duckdb.Error as exc:  # the build itself is fine; the next refresh just rebuilds them again
        context.log.warning(f"the state of the reference models could not be recorded: {exc}")
        return
    context.log.info("reference models built and tested: their state is recorded, so refreshes that find "
                     "nothing they are built from changed leave them out")


@dbt_assets(
    manifest=MANIFEST,
    project=DBT_PROJECT,
    dagster_dbt_translator=SozialmonitorTranslator(),
    partitions_def=quarterly_partitions,
    backfill_policy=single_run_backfill,
    pool=WAREHOUSE_POOL,
    name="dbt_monitoring",
)
def dbt_monitoring(context: dg.AssetExecutionContext, dbt: DbtCliResource, refresh_lock: RefreshLock):
    first, last = window_quarters(*context.partition_time_window)
    vars = partition_vars(first, last)
    context.log.info(f"dbt build for {first}..{last}: {vars}")
    settings = get_settings()
    apply_dbt_env(settings)
    selected, selected_checks = set(context.selected_asset_keys), set(context.selected_asset_check_keys)
    check_reference_state(context, selected, settings.warehouse)
    with environment(window_environment(vars)):  # dbt's subprocess starts inside: it inherits the window
        invocation = dbt.cli(dbt_build_args(), context=context, raise_on_error=False)
    yield from invocation.stream()
    keep_partial_parse(invocation.target_path, SETTINGS.dbt_target_dir)
    prune_run_targets(SETTINGS.dbt_target_dir, context.op_def.name)
    if invocation.is_successful():
        if reference_models().builds_all(selected, selected_checks):
            record_reference_state(context, settings.warehouse)
    else:
        summary = summarise_dbt_failures(invocation.target_path / "run_results.json")
        raise dg.Failure(
            description="dbt build failed, so nothing downstream (checks, publication) ran and the published "
            f"file is unchanged.\n{summary}\nWhat to do: read the failing test's SQL "
            "(dbt_project/tests or the model's YAML), fix the delivery or the model, then re-run the refresh.",
            allow_retries=False,
        )
