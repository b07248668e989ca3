"""What `sozialmonitor status` shows: the publication, its checks, and the state of every source."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.defs.resources import lock_holder
from orchestration.freshness import freshness
from orchestration.settings import Settings, get_settings
from orchestration.sources.contract import all_contracts


def latest_publication(path: Path) -> dict | None:
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT * FROM publikation ORDER BY veroeffentlicht_am DESC LIMIT 1").fetchdf()
        quality = con.execute("SELECT status, count(*) FROM mart_datenqualitaet GROUP BY 1").fetchall()
        headline = None
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "veraenderungen" in tables:
            first = con.execute("SELECT * FROM veraenderungen LIMIT 0").description
            names = [d[0] for d in first]
            if "schlagzeile" in names:
                headline = con.execute("SELECT schlagzeile FROM veraenderungen WHERE schlagzeile IS NOT NULL LIMIT 1").fetchone()
    finally:
        con.close()
    if row.empty:
        return None
    out = row.iloc[0].to_dict()
    out["qualitaet"] = dict(quality)
    out["schlagzeile"] = headline[0] if headline else None
    return out


def delivered_periods(settings: Settings) -> dict[str, dict]:
    """Per source: periods in raw and the newest delivery (file, loaded at). Empty if the warehouse is busy."""
    if not settings.warehouse.exists():
        return {}
    try:
        con = duckdb.connect(str(settings.warehouse), read_only=True)
    except duckdb.Error:
        return {}
    try:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                             "AND table_name = 'lieferungen'").fetchone()[0]
        if not exists:
            return {}
        rows = con.execute("SELECT quelle, list(DISTINCT periode), max(geladen_am), arg_max(datei, geladen_am) "
                           "FROM raw.lieferungen GROUP BY quelle").fetchall()
    finally:
        con.close()
    return {r[0]: {"periods": set(r[1]), "loaded_at": r[2], "file": r[3]} for r in rows}


def render_publication(console: Console, settings: Settings | None = None) -> None:
    """The latest publication: Stichtag, run, the check summary and the change digest's headline."""
    import json

    settings = settings or get_settings()
    pub = latest_publication(settings.published_db)
    if pub is None:
        console.print(f"No publication yet ({settings.published_db} does not exist).")
        return
    try:
        warned = json.loads(pub.get("pruefungen_zusammenfassung") or "{}").get("warnungen", [])
    except ValueError:
        warned = []
    console.print(f"[bold]Published:[/] Stichtag {pub['stichtag']:%d.%m.%Y} ({pub['quartal']}), "
                  f"run {pub['lauf_id']}, at {pub['veroeffentlicht_am']:%Y-%m-%d %H:%M} UTC, code {pub['code_version']}")
    console.print(f"Checks: {pub['pruefungen_bestanden']}/{pub['pruefungen']} passed, {pub['warnungen']} warnings"
                  + (f" ({', '.join(warned[:6])})" if warned else "")
                  + ", 0 blocking (details: mart_datenqualitaet, the Dagster UI)")
    if pub.get("schlagzeile"):
        console.print(f"[bold]Veränderungen:[/] {pub['schlagzeile']}")


def render_status(console: Console, settings: Settings | None = None, today: date | None = None) -> None:
    settings = settings or get_settings()
    today = today or date.today()
    holder = lock_holder(settings.lock_file)
    if holder:
        console.print(f"[yellow]A refresh is running[/] (run {holder.get('run_id')}, since {holder.get('since')}).")
    render_publication(console, settings)
    from orchestration.publish.publication import history_entries

    history = history_entries(settings)
    if history:
        console.print(f"History ({len(history)}): " + ", ".join(p.name for p in history[-4:])
                      + " — `sozialmonitor rollback` restores the newest")
    periods = delivered_periods(settings)
    table = Table(title=f"Lieferungen (Stand {today:%d.%m.%Y})")
    for col in ("Quelle", "zuletzt geliefert", "geladen am", "fällig", "Status"):
        table.add_column(col, overflow="fold")
    for contract in all_contracts():
        info = periods.get(contract.id, {"periods": set(), "loaded_at": None, "file": None})
        fresh = freshness(contract, info["periods"], today)
        latest = fresh.latest_delivered or "—"
        due = f"{fresh.due_quarter} bis {fresh.deadline:%d.%m.%Y}" if fresh.due_quarter else "bei Änderung"
        state = (f"[red]überfällig seit {fresh.overdue_days} Tagen[/]" if fresh.overdue else "[green]aktuell[/]")
        if not info["periods"]:
            state = "[red]keine Lieferung[/]" if contract.partitioned else "[red]fehlt[/]"
        loaded = f"{info['loaded_at']:%Y-%m-%d}" if info["loaded_at"] else "—"
        table.add_row(contract.id, latest, loaded, due, state)
    if not periods and settings.warehouse.exists() and holder:
        console.print("(The warehouse is busy with the running refresh; delivery states are shown after it.)")
    console.print(table)
    quarantined = list(settings.quarantine.glob("*/*.grund.json"))
    if quarantined:
        console.print(f"[yellow]{len(quarantined)} rejected deliveries in quarantine[/] — `sozialmonitor quarantine`")


def render_outputs(console: Console, settings: Settings | None = None) -> None:
    """After `make demo`: what was produced, and where."""
    settings = settings or get_settings()
    console.print("\n[bold]Outputs[/]")
    items = [
        ("Warehouse (working, not for planners)", settings.warehouse),
        ("Published monitoring (read-only)", settings.published_db),
        ("Excel: Sozialmonitoring", settings.published_dir / "Sozialmonitoring.xlsx"),
        ("Excel: Pflegeplanung", settings.published_dir / "Pflegeplanung.xlsx"),
        ("Excel: Jugendhilfeplanung", settings.published_dir / "Jugendhilfeplanung.xlsx"),
        ("GeoJSON for QGIS", settings.published_dir / "wohnplaetze.geojson"),
        ("Report site", settings.reports_dir / "build" / "index.html"),
    ]
    for label, path in items:
        mark = "[green]✓[/]" if path.exists() else "[red]✗ missing[/]"
        console.print(f"  {mark} {label}: {path}")
    console.print("Open the report site: sozialmonitor report --serve  (http://127.0.0.1:4173)")
    console.print("Open the Dagster UI:  make ui  (http://127.0.0.1:3000)")
