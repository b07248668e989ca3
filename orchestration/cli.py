"""`sozialmonitor`: the operator's command line.

Every command explains itself with --help. Exit codes: 0 success, 1 the work failed (a one-line reason
is printed last), 2 wrong usage.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from orchestration.gc_tuning import skip_collections_at_exit
from orchestration.periods import Quarter, last_complete_quarter
from orchestration.settings import DEMO_PSEUDONYM_KEY, get_settings

app = typer.Typer(
    help="Sozialmonitor — kleinräumiges Sozialmonitoring. Load the offices' deliveries, refresh the "
    "warehouse, check it, publish it, and look after it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(file=sys.stdout, highlight=False)  # bound now: a refresh redirects stdout to its log
err = Console(stderr=True, highlight=False)


class Abort(Exception):
    """A failure with a one-line reason for the operator."""


def fail(reason: str, code: int = 1) -> None:
    err.print(f"[bold red]Error:[/] {reason}")
    raise typer.Exit(code)


@app.callback()
def main() -> None:
    """Sozialmonitor command line."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


# ------------------------------------------------------------------ setup and demo data


@app.command()
def setup() -> None:
    """Prepare this installation (offline): DuckDB extensions from the installed wheels, dbt manifest."""
    from orchestration.dbt.project import ensure_manifest
    from orchestration.warehouse import install_extensions

    path = install_extensions(["spatial", "encodings"])
    console.print(f"DuckDB extensions ready in {path}")
    manifest = ensure_manifest()
    console.print(f"dbt manifest ready: {manifest}")


def _parse_quarter(text: str | None, option: str) -> Quarter | None:
    if text is None:
        return None
    try:
        return Quarter.parse(text)
    except ValueError as exc:
        fail(f"{option}: {exc}", code=2)
    return None


@app.command("demo-data")
def demo_data(
    seed: int = typer.Option(20261125, help="Seed of the synthetic district; the same seed gives the same files."),
    until: str = typer.Option("2026-Q3", help="Last quarter to generate (Stichtag = its last day)."),
    scale: float = typer.Option(1.0, help="Population multiplier (10 or 60 for performance runs)."),
    write_from: Optional[str] = typer.Option(None, "--write-from", help="Write deliveries only from this quarter on (the simulation still starts in 2015)."),
    defect: Optional[str] = typer.Option(None, help="Write one bad delivery of this kind into the existing inbox instead (see --list-defects)."),
    quarter: Optional[str] = typer.Option(None, help="With --defect: the quarter of the bad delivery (default: the latest)."),
    list_defects: bool = typer.Option(False, "--list-defects", help="List the defect kinds and exit."),
    omit: list[str] = typer.Option([], help="Leave a delivery out, as SOURCE:QUARTER (a late office), repeatable."),
) -> None:
    """Write synthetic deliveries for every source into data/inbox/ (marked SYNTHETISCH), or one bad one."""
    from orchestration.demo import defects as demo_defects

    settings = get_settings()
    if list_defects:
        for kind, text in demo_defects.DEFECTS.items():
            console.print(f"[bold]{kind}[/]: {text}")
        return
    if defect:
        if defect not in demo_defects.DEFECTS:
            fail(f"unknown defect '{defect}'; known: {', '.join(demo_defects.DEFECTS)}", code=2)
        target_quarter = _parse_quarter(quarter, "--quarter") or Quarter.parse(until)
        try:
            written = demo_defects.write_defect(settings.inbox, defect, target_quarter)
        except FileNotFoundError as exc:
            fail(str(exc))
        console.print(f"Wrote a bad delivery ({defect}): {written}")
        return
    from orchestration.demo import generate_demo

    omitted = []
    for item in omit:
        source, _, q = item.partition(":")
        omitted.append((source, str(Quarter.parse(q))))
    t0 = time.perf_counter()
    with console.status("Generating the synthetic district's deliveries ...") as status:
        summary = generate_demo(settings.inbox, seed=seed, until=str(Quarter.parse(until)), scale=scale,
                                write_from=str(Quarter.parse(write_from)) if write_from else None,
                                omit=omitted, progress=lambda msg: status.update(msg))
    console.print(f"Demo deliveries written to {settings.inbox} in {time.perf_counter() - t0:.1f} s "
                  f"({getattr(summary, 'files', '?')} files). All files are synthetic (SYNTHETISCH).")


# ------------------------------------------------------------------ refresh


def _quarters(quarter: str | None, from_: str | None, to: str | None) -> tuple[Quarter, Quarter]:
    if quarter and (from_ or to):
        fail("give either --quarter or --from/--to", code=2)
    if quarter:
        q = _parse_quarter(quarter, "--quarter")
        return q, q
    last = _parse_quarter(to, "--to") or last_complete_quarter(__import__("datetime").date.today())
    first = _parse_quarter(from_, "--from") or last
    if last < first:
        fail(f"--from {first} is after --to {last}", code=2)
    return first, last


def _require_key() -> None:
    from orchestration.settings import MissingPseudonymKey, pseudonym_key

    try:
        pseudonym_key()
    except MissingPseudonymKey as exc:
        fail(str(exc))


def do_refresh(first: Quarter, last: Quarter, *, skip_report: bool = False,
               rebuild_reference: bool = False) -> "object":
    from rich.live import Live

    from orchestration.defs.resources import RefreshAlreadyRunning, acquire_refresh_lock, release_refresh_lock
    from orchestration.runner import StepEvent, run_refresh

    settings = get_settings()
    _require_key()
    try:  # refuse early and clearly; the run itself takes the lock again
        release_refresh_lock(acquire_refresh_lock(settings.lock_file, "cli-probe"))
    except RefreshAlreadyRunning as exc:
        fail(str(exc))
    rows: dict[str, tuple[str, str]] = {}

    def render() -> Table:
        table = Table(title=f"Refresh {first}..{last}" if first != last else f"Refresh {first}", expand=False)
        table.add_column("Schritt")
        table.add_column("Status")
        table.add_column("Dauer", justify="right")
        for step, (state, secs) in list(rows.items())[-25:]:
            table.add_row(step, state, secs)
        return table

    states = {"STEP_START": "[yellow]läuft[/]", "STEP_SUCCESS": "[green]ok[/]", "STEP_FAILURE": "[red]FEHLER[/]",
              "STEP_SKIPPED": "[dim]übersprungen[/]"}
    with Live(render(), console=console, refresh_per_second=4, transient=False) as live:
        def on_event(event: StepEvent) -> None:
            if event.kind in states:
                secs = f"{event.seconds:.1f} s" if event.seconds is not None else ""
                state = states[event.kind] + (f" {event.message[:70]}" if event.message else "")
                rows[event.step] = (state, secs)
                live.update(render())

        selection = None
        if skip_report:
            selection = [k for k in _all_asset_keys() if k.path[0] != "berichte"]
        result = run_refresh(first, last, on_event=on_event, asset_selection=selection,
                             reuse_reference=not rebuild_reference)
    return result


def _all_asset_keys():
    from orchestration.definitions import defs

    return list(defs.resolve_asset_graph().materializable_asset_keys)


def print_refresh_summary(result) -> None:
    table = Table(title="Zusammenfassung", show_lines=False)
    table.add_column("Schritt")
    table.add_column("Sekunden", justify="right")
    for step, secs in sorted(result.step_seconds.items(), key=lambda kv: -kv[1])[:15]:
        table.add_row(step, f"{secs:.1f}")
    console.print(table)
    console.print(f"Run {result.run_id}: {'[green]succeeded[/]' if result.success else '[red]failed[/]'} "
                  f"in {result.seconds:.0f} s" + (f" (dbt log: {result.log_path})" if result.log_path else ""))
    if result.failed_checks:
        console.print("Failed checks: " + ", ".join(result.failed_checks[:20]))
    decision = result.reference
    if decision is not None and decision.reused:
        console.print(f"Reference models left out ({decision.nodes} dbt nodes), and the extraction of the reference "
                      f"sources: nothing they are built from changed since run {decision.run_id}. "
                      "`--rebuild-reference` rebuilds them anyway.")
    elif decision is not None:
        console.print(f"Reference models rebuilt: {decision.reason}.")


def reference_summary(decision) -> dict | None:
    if decision is None:
        return None
    return {"reused": decision.reused, "nodes_left_out": decision.nodes, "reason": decision.reason,
            "built_in_run": decision.run_id}


def write_summary_json(result, path: Path) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "run_id": result.run_id, "success": result.success, "first": result.first.label, "last": result.last.label,
        "seconds": round(result.seconds, 2), "step_seconds": {k: round(v, 2) for k, v in result.step_seconds.items()},
        "failures": result.failures, "failed_checks": result.failed_checks,
        "reference_models": reference_summary(result.reference),
    }, indent=2, ensure_ascii=False), encoding="utf-8")


@app.command()
def refresh(
    quarter: Optional[str] = typer.Option(None, help="One quarter, e.g. 2024-Q4."),
    from_: Optional[str] = typer.Option(None, "--from", help="First quarter of a backfill (one run for the whole window)."),
    to: Optional[str] = typer.Option(None, help="Last quarter of a backfill (default: the last complete quarter)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip building the report site."),
    rebuild_reference: bool = typer.Option(
        False, "--rebuild-reference", help="Rebuild and re-test the dbt models built from reference data only "
        "(street directory, boundaries, ...) even when nothing they are built from changed."),
    summary_json: Optional[Path] = typer.Option(
        None, "--summary-json", help="Also write the run's summary (status, seconds per step) as JSON to this file."),
) -> None:
    """Run the quarterly refresh in this process: extract, dbt build and tests, quality gate, publish.

    Without options it refreshes the last complete quarter. The run appears in the Dagster UI.
    """
    first, last = _quarters(quarter, from_, to)
    result = do_refresh(first, last, skip_report=no_report, rebuild_reference=rebuild_reference)
    print_refresh_summary(result)
    if result.success:
        from orchestration.status import render_publication

        render_publication(console)
    if summary_json:
        write_summary_json(result, summary_json)
    if not result.success:
        for message in result.failures:
            err.print(f"[red]{message}[/]")
        first_line = result.failures[0].splitlines()[0] if result.failures else "see the Dagster UI"
        fail(f"refresh {first}..{last} failed: {first_line}")


# ------------------------------------------------------------------ operator commands


@app.command()
def quarantine() -> None:
    """List rejected deliveries in data/quarantine/ with their reasons."""
    import json

    settings = get_settings()
    reasons = sorted(settings.quarantine.glob("*/*.grund.json"))
    if not reasons:
        console.print("The quarantine is empty: no delivery has been rejected.")
        return
    table = Table(title=f"Quarantäne ({settings.quarantine})")
    for col in ("Quelle", "Datei", "Periode", "Zeitpunkt", "Grund"):
        table.add_column(col, overflow="fold")
    for path in reasons:
        info = json.loads(path.read_text(encoding="utf-8"))
        problems = info.get("probleme", [])
        reason = problems[0]["text"] if problems else ""
        if len(problems) > 1:
            reason += f" (+{len(problems) - 1})"
        table.add_row(info["quelle"], info["datei"], info.get("periode", ""), info.get("zeitpunkt", ""), reason)
    console.print(table)
    console.print("Each file has a reason file beside it (.grund.txt). Put a corrected delivery into "
                  "data/inbox/<quelle>/ and run the refresh again.")


@app.command()
def rollback(to: Optional[str] = typer.Option(None, help="Run id (or its first 8 characters) of the publication to restore; default: the previous one.")) -> None:
    """Put a previous publication back in place (atomic; the current one is kept in history)."""
    from orchestration.publish.publication import rollback as do_rollback

    try:
        chosen = do_rollback(get_settings(), to)
    except FileNotFoundError as exc:
        fail(str(exc))
    console.print(f"Restored {chosen.name} as {get_settings().published_db}")


@app.command()
def status() -> None:
    """Latest publication, its check summary, and each source's latest delivery and its age."""
    from orchestration.status import render_status

    render_status(console)


@app.command()
def ui(port: int = typer.Option(3000, help="Port of the Dagster UI."),
       host: str = typer.Option("127.0.0.1", help="Interface to listen on (localhost unless you mean otherwise).")) -> None:
    """Start the Dagster UI (and the daemon for schedules and sensors) on this project's workspace."""
    import subprocess

    from orchestration.runner import ensure_dagster_home

    settings = get_settings()
    ensure_dagster_home(settings)
    console.print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={settings.dagster_home}); Ctrl+C stops it.")
    dagster = Path(sys.executable).parent / "dagster"
    os.execv(str(dagster), [str(dagster), "dev", "-w", str(settings.project_root / "workspace.yaml"),
                            "-h", host, "-p", str(port)])


@app.command()
def report(
    serve: bool = typer.Option(False, "--serve", help="Serve the built site on http://HOST:PORT instead of building."),
    port: int = typer.Option(4173, help="Port for --serve."),
    host: str = typer.Option("127.0.0.1", help="Interface for --serve (localhost unless you mean otherwise)."),
) -> None:
    """Build the planners' report site (Evidence) from the published file, or serve the built site."""
    from orchestration.reports import serve as serve_site
    from orchestration.reports.npm import DependencyInstallError
    from orchestration.reports.preflight import PreflightError
    from orchestration.reports.process import StepTimeout
    from orchestration.reports.site import ReportBuildError, SiteConfig, build_site

    settings = get_settings()
    if serve:
        index = settings.reports_dir / "build" / "index.html"
        if not index.exists():
            fail(f"no built site at {index.parent}; run `sozialmonitor report` first")
        console.print(f"Serving {index.parent} on http://{host}:{port} (Ctrl+C stops)")
        serve_site(port=port, host=host)
        return
    if not settings.published_db.exists():
        fail(f"nothing published yet ({settings.published_db}); run a refresh first")
    try:
        site = build_site(SiteConfig.from_settings(), on_line=print)
    except (PreflightError, DependencyInstallError, StepTimeout, ReportBuildError) as exc:
        fail(f"report site not built: {str(exc).splitlines()[0]}")
    print(f"Report site built: {site.build_dir / 'index.html'} — open it with `sozialmonitor report --serve`")


@app.command()
def docs() -> None:
    """Render the source contracts and the indicator catalogue into docs/ (sources.md, indicators.md)."""
    from orchestration.docs import write_docs

    for path in write_docs():
        console.print(f"Wrote {path}")


@app.command()
def demo(
    scale: float = typer.Option(1.0, help="Population multiplier."),
    regenerate: bool = typer.Option(False, help="Write the demo deliveries again even if the inbox has them."),
) -> None:
    """The whole demo: synthetic deliveries, full refresh 2015-Q1..2026-Q3, publication, exports, report site."""
    os.environ.setdefault("SOZIALMONITOR_PSEUDONYM_KEY", DEMO_PSEUDONYM_KEY)
    settings = get_settings()
    if regenerate or not any(settings.inbox.glob("*/*")):
        demo_data(seed=20261125, until="2026-Q3", scale=scale, write_from=None, defect=None, quarter=None,
                  list_defects=False, omit=[])
    else:
        console.print(f"Using the deliveries already in {settings.inbox} (--regenerate writes them anew).")
    result = do_refresh(Quarter(2015, 1), Quarter(2026, 3))
    print_refresh_summary(result)
    from orchestration.status import render_outputs, render_publication

    if result.success:
        render_publication(console, settings)
    render_outputs(console, settings)
    if not result.success:
        for message in result.failures:
            err.print(f"[red]{message}[/]")
        fail("the demo refresh failed: " + (result.failures[0].splitlines()[0] if result.failures else "see above"))


def _register_planning_commands() -> None:
    """What planners do with the marts: priority lists and area profiles (orchestration/planning)."""
    from orchestration.planning.commands import prioritaet, steckbrief

    app.command()(prioritaet)
    app.command()(steckbrief)


_register_planning_commands()


def run() -> None:
    """Console entry point: unexpected errors end in one line (the traceback goes to a log file)."""
    import traceback

    try:
        app()
    except SystemExit:
        skip_collections_at_exit()  # ~1 s less at the end of a refresh (orchestration/gc_tuning.py)
        raise
    except KeyboardInterrupt:
        err.print("Interrupted.")
        raise SystemExit(130)
    except Exception as exc:  # noqa: BLE001 - the operator gets one line, the engineer the log
        log = get_settings().data_dir / "logs" / "cli-error.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc(), encoding="utf-8")
        err.print(f"[bold red]Error:[/] {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                  f"(traceback in {log})")
        raise SystemExit(1)


if __name__ == "__main__":
    run()
