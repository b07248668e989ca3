"""Reuse the dbt models of reference data when nothing they are built from has changed.

About a third of the dbt graph (street directory, house coordinates, boundaries, area reform, measures
register, seeds, and their tests: ~100 of ~330 nodes) depends on reference data only. Those sources change
a few times a year, yet a quarterly refresh rebuilt and re-tested them every time: ~2.5 s of a ~30 s quarter.

A refresh leaves them out of its asset selection when all of this holds (`ReferenceModels.decide`):
- the warehouse records a complete build of them (`meta.referenzstand`, written by the dbt step after a
  successful build that selected all of them, and cleared before any build that touches one of them);
- their dbt code is the same: SQL, config, test arguments, the macros they call, dbt_project.yml, dbt's
  version (`code_fingerprint`, from the manifest this run uses);
- their inputs are the same: the raw tables of the reference sources, row for row (`relations_fingerprint`);
- their outputs are the same: nobody rebuilt or changed their tables since (same fingerprint);
- no delivery of a reference source waits in the inbox (the run would load it).
The dbt step checks the fingerprints again after the extraction and fails the run, before dbt starts, if the
inputs changed after all. Left out, their tests are not run again: the gate uses each check's latest result,
which is the one from the build recorded here, on the same data.

A node counts as reference-only when every source it reads (transitively) is a reference source or a seed,
and neither it nor a macro it calls reads the environment (the run's window), the clock or randomness.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:
    import dagster as dg
    import duckdb

REFERENCE_CADENCE = "bei_aenderung"  # the contracts' turnus of reference data
RECORD_SCHEMA = "meta"
RECORD_TABLE = f"{RECORD_SCHEMA}.referenzstand"
UNIQUE_ID = "dagster_dbt/unique_id"
NO_RECORD = "no complete build of them is recorded in this warehouse"
RUN_TAG = "sozialmonitor/referenzmodelle"  # "wiederverwendet:<fingerprint>" when a run left them out
# what makes a model's result depend on more than its inputs and code
_VOLATILE = re.compile(r"env_var|run_started_at|invocation_id|modules\.datetime|current_date|current_timestamp"
                       r"|\bnow\s*\(|\btoday\s*\(|random\s*\(|uuid\s*\(", re.IGNORECASE)


def reference_contracts() -> list:
    """The contracts of the sources that change only when the office changes them (`turnus: bei_aenderung`)."""
    from orchestration.sources.contract import all_contracts

    return [c for c in all_contracts() if c.turnus == REFERENCE_CADENCE]


def reference_tables() -> set[str]:
    """Raw tables of the reference sources."""
    return {table for c in reference_contracts() for table in c.tabellen}


def reference_only_nodes(manifest: Mapping[str, Any], tables: Iterable[str]) -> set[str]:
    """Unique ids of the models, seeds and tests that read nothing but reference tables and seeds."""
    tables = set(tables)
    nodes, sources, macros = manifest["nodes"], manifest["sources"], manifest["macros"]
    memo: dict[str, bool] = {}

    def macro_is_volatile(unique_id: str, seen: set[str]) -> bool:
        if unique_id in seen or unique_id not in macros:
            return False
        seen.add(unique_id)
        macro = macros[unique_id]
        return bool(_VOLATILE.search(macro.get("macro_sql") or "")) or any(
            macro_is_volatile(m, seen) for m in macro.get("depends_on", {}).get("macros", []))

    def reference_only(unique_id: str) -> bool:
        if unique_id not in memo:
            memo[unique_id] = False  # a cycle (there is none in dbt) would not count as reference
            if unique_id in sources:
                memo[unique_id] = sources[unique_id]["name"] in tables
            elif unique_id in nodes:
                node = nodes[unique_id]
                depends = node.get("depends_on", {})
                memo[unique_id] = (
                    node["resource_type"] in ("model", "seed", "test")
                    and not _VOLATILE.search(node.get("raw_code") or "")
                    and not any(macro_is_volatile(m, set()) for m in depends.get("macros", []))
                    and all(reference_only(parent) for parent in depends.get("nodes", []))
                )
        return memo[unique_id]

    return {u for u, n in nodes.items() if n["resource_type"] in ("model", "seed", "test") and reference_only(u)}


def reusable_asset_keys(assets_def: "dg.AssetsDefinition", manifest: Mapping[str, Any],
                        nodes: set[str]) -> set["dg.AssetKey"]:
    """The dbt assets that may be left out together with their checks: reference-only, every test attached
    to them too (a test that also reads quarterly data keeps its model in the run), and so is every dbt
    parent (a parent that is rebuilt anyway would not be covered by the recorded state)."""
    key_of = {spec.metadata.get(UNIQUE_ID): spec.key for spec in assets_def.specs}
    keys = {key for unique_id, key in key_of.items() if unique_id in nodes}
    for check in assets_def.check_specs:
        if check.asset_key in keys and check.metadata.get(UNIQUE_ID) not in nodes:
            keys.discard(check.asset_key)
    changed = True
    while changed:
        changed = False
        for unique_id, key in key_of.items():
            parents = manifest["nodes"].get(unique_id, {}).get("depends_on", {}).get("nodes", [])
            if key in keys and any(p in key_of and key_of[p] not in keys for p in parents):
                keys.discard(key)
                changed = True
    return keys


def nodes_of(assets_def: "dg.AssetsDefinition", keys: set["dg.AssetKey"]) -> set[str]:
    """Unique ids of the models and seeds behind `keys` and of the tests attached to them."""
    return ({spec.metadata[UNIQUE_ID] for spec in assets_def.specs if spec.key in keys}
            | {c.metadata[UNIQUE_ID] for c in assets_def.check_specs if c.asset_key in keys})


def code_fingerprint(manifest: Mapping[str, Any], nodes: Iterable[str], project_file: Path) -> str:
    """What dbt would build the nodes from, apart from data: their definitions and macros, the project
    file (vars, configs) and dbt's version."""
    digest = hashlib.sha256()
    macros = manifest["macros"]
    used: set[str] = set()
    pending = []
    for unique_id in sorted(nodes):
        node = manifest["nodes"][unique_id]
        part = {k: node.get(k) for k in ("unique_id", "raw_code", "checksum", "config", "test_metadata",
                                          "depends_on", "relation_name", "columns")}
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        pending.extend(node.get("depends_on", {}).get("macros", []))
    while pending:
        macro = pending.pop()
        if macro in used or macro not in macros:
            continue
        used.add(macro)
        pending.extend(macros[macro].get("depends_on", {}).get("macros", []))
    for macro in sorted(used):
        digest.update(f"{macro}\n{macros[macro].get('macro_sql')}".encode())
    digest.update(project_file.read_bytes())
    digest.update(str(manifest.get("metadata", {}).get("dbt_version")).encode())
    return digest.hexdigest()


def relations_fingerprint(con: "duckdb.DuckDBPyConnection", relations: Iterable[str]) -> str:
    """Row count and an order-independent hash of every row of each relation (milliseconds for reference
    data); a missing relation has its own marker, so it never equals a built one."""
    import duckdb

    digest = hashlib.sha256()
    for relation in sorted(set(relations)):
        try:
            count, total = con.execute(f"SELECT count(*), sum(hash(r)) FROM {relation} AS r").fetchone()
        except duckdb.Error:
            count, total = "fehlt", None
        digest.update(f"{relation}={count}:{total}\n".encode())
    return digest.hexdigest()


def model_relations(manifest: Mapping[str, Any], nodes: Iterable[str]) -> list[str]:
    """schema.table of the models and seeds among `nodes` (tests and ephemeral models have none)."""
    relations = []
    for unique_id in nodes:
        node = manifest["nodes"][unique_id]
        if node["resource_type"] in ("model", "seed") and node.get("relation_name"):
            relations.append(f'"{node["schema"]}"."{node.get("alias") or node["name"]}"')
    return relations


@dataclass(frozen=True)
class Fingerprints:
    code: str
    inputs: str
    outputs: str

    @classmethod
    def of(cls, con: "duckdb.DuckDBPyConnection", manifest: Mapping[str, Any], nodes: set[str],
           project_file: Path, tables: Iterable[str]) -> "Fingerprints":
        return cls(code=code_fingerprint(manifest, nodes, project_file),
                   inputs=relations_fingerprint(con, [f"raw.{t}" for t in tables]),
                   outputs=relations_fingerprint(con, model_relations(manifest, nodes)))

    @property
    def combined(self) -> str:
        return hashlib.sha256(f"{self.code}{self.inputs}{self.outputs}".encode()).hexdigest()[:16]


def read_record(con: "duckdb.DuckDBPyConnection") -> dict[str, Any] | None:
    import duckdb

    try:
        row = con.execute(
            f"SELECT code, eingaben, ergebnisse, knoten, gebaut_am, run_id FROM {RECORD_TABLE}").fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    return dict(zip(("code", "eingaben", "ergebnisse", "knoten", "gebaut_am", "run_id"), row))


def clear_record(con: "duckdb.DuckDBPyConnection") -> None:
    con.execute(f"DROP TABLE IF EXISTS {RECORD_TABLE}")


def write_record(con: "duckdb.DuckDBPyConnection", prints: Fingerprints, nodes: int, run_id: str) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RECORD_SCHEMA}")
    con.execute(f"CREATE OR REPLACE TABLE {RECORD_TABLE} (code VARCHAR, eingaben VARCHAR, ergebnisse VARCHAR, "
                "knoten INTEGER, gebaut_am TIMESTAMPTZ, run_id VARCHAR)")
    con.execute(f"INSERT INTO {RECORD_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                [prints.code, prints.inputs, prints.outputs, nodes, datetime.now(timezone.utc), run_id])


def record_matches(record: Mapping[str, Any] | None, prints: Fingerprints) -> str | None:
    """None when the recorded build is current; otherwise why not, in words for the operator."""
    if record is None:
        return NO_RECORD
    if record["code"] != prints.code:
        return "their dbt code (SQL, macros, tests, dbt_project.yml or dbt's version) changed"
    if record["eingaben"] != prints.inputs:
        return "the reference data in raw changed"
    if record["ergebnisse"] != prints.outputs:
        return "their tables were changed after the recorded build"
    return None


@dataclass
class ReuseDecision:
    """Which dbt assets a refresh leaves out, and why (or why not)."""

    skip: frozenset = frozenset()
    nodes: int = 0
    reason: str = ""
    fingerprint: str | None = None
    run_id: str | None = None

    @property
    def reused(self) -> bool:
        return bool(self.skip)


def pending_reference_deliveries(inbox: Path, con: "duckdb.DuckDBPyConnection") -> list[str]:
    """Files of reference sources in the inbox whose content the warehouse has not loaded yet."""
    from orchestration.sources.extraction import discover

    loaded = {r[0] for r in con.execute("SELECT lieferung_id FROM raw.lieferungen").fetchall()}
    pending = []
    for contract in reference_contracts():
        deliveries, _ = discover(contract, inbox)
        pending.extend(f"{contract.id}/{d.path.name}" for d in deliveries if d.sha256 not in loaded)
    return pending


class ReferenceChanged(RuntimeError):
    """The run left the reference models out, but their inputs or code changed before dbt started."""


class ReferenceModels:
    """The reference-only part of the dbt assets of one manifest: what a refresh may leave out, and the
    bookkeeping that says when it may."""

    def __init__(self, assets_def: "dg.AssetsDefinition", manifest: Mapping[str, Any], project_file: Path):
        self.manifest = manifest
        self.project_file = project_file
        self.tables = sorted(reference_tables())
        nodes = reference_only_nodes(manifest, self.tables)
        self.keys = frozenset(reusable_asset_keys(assets_def, manifest, nodes))
        self.check_keys = frozenset(c.key for c in assets_def.check_specs if c.asset_key in self.keys)
        self.nodes = nodes_of(assets_def, set(self.keys))

    def fingerprints(self, con: "duckdb.DuckDBPyConnection") -> Fingerprints:
        return Fingerprints.of(con, self.manifest, self.nodes, self.project_file, self.tables)

    def decide(self, warehouse: Path, inbox: Path) -> ReuseDecision:
        """Before a run: may it leave the reference models out? Reads the warehouse read-only."""
        import duckdb

        from orchestration.warehouse import connect

        if not self.keys:
            return ReuseDecision(reason="the dbt project has no reference-only models")
        if not warehouse.exists():
            return ReuseDecision(reason="the warehouse is new")
        try:
            con = connect(warehouse, read_only=True)
        except duckdb.Error as exc:
            return ReuseDecision(reason=f"the warehouse cannot be read now ({exc})")
        try:
            record = read_record(con)
            if record is None:
                return ReuseDecision(reason=NO_RECORD)
            pending = pending_reference_deliveries(inbox, con)
            if pending:
                return ReuseDecision(reason="new reference data wait in the inbox: " + ", ".join(pending[:5]))
            prints = self.fingerprints(con)
        finally:
            con.close()
        why_not = record_matches(record, prints)
        if why_not:
            return ReuseDecision(reason=why_not)
        return ReuseDecision(skip=self.keys, nodes=len(self.nodes), fingerprint=prints.combined,
                             run_id=record["run_id"],
                             reason="unchanged since the recorded build")

    def before_build(self, con: "duckdb.DuckDBPyConnection", selected: set, reused_tag: str | None) -> None:
        """In the dbt step, after the extraction: check a reuse decision again, or forget the recorded build
        when this build touches one of the reference models (a failed build must not look complete)."""
        if reused_tag:
            expected = reused_tag.split(":", 1)[-1]
            prints = self.fingerprints(con)
            why_not = record_matches(read_record(con), prints)
            if why_not is None and prints.combined != expected:
                why_not = "their state was not the one the run decided on"
            if why_not:
                raise ReferenceChanged(
                    "The run left the reference models out because nothing they are built from had changed, but "
                    f"before dbt started: {why_not}. Nothing was built or published. Run the refresh again: "
                    "it rebuilds them (a new `sozialmonitor refresh`, or the job with all assets in the UI; "
                    "re-executing this run would leave them out again).")
        elif selected & self.keys:
            clear_record(con)

    def builds_all(self, selected: set, selected_checks: set) -> bool:
        """Whether a run builds and tests every one of them (only such a build is recorded)."""
        return bool(self.keys) and self.keys <= selected and self.check_keys <= selected_checks

    def record_build(self, con: "duckdb.DuckDBPyConnection", run_id: str) -> None:
        """After a successful dbt build that built and tested all of them: record their state."""
        write_record(con, self.fingerprints(con), len(self.nodes), run_id)
