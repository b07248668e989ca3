"""CLI commands for the planning products, to be registered on the `sozialmonitor` app:

    from orchestration.planning.commands import prioritaet, steckbrief
    app.command()(prioritaet)
    app.command()(steckbrief)

Same conventions as orchestration/cli.py: exit 0 on success, 1 when the work failed (one-line reason last),
2 on wrong usage. They read the published file only (data/published/monitoring.duckdb).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from orchestration.settings import get_settings

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(reason: str, code: int = 1) -> None:
    err.print(f"[bold red]Error:[/] {reason}")
    raise typer.Exit(code)


def prioritaet(
    einrichtung: str = typer.Option("kita", help="Kind of facility (kita, schule, pflegeheim, ... as in mart_priorisierung)."),
    indikator: str = typer.Option("sgb2_quote", help="Catalogue id of the indicator that ranks the facilities' Wohnplätze."),
    top: Optional[int] = typer.Option(None, help="Only the first N facilities."),
    xlsx: Optional[Path] = typer.Option(None, help="Also write the list as an Excel workbook to this file."),
) -> None:
    """Priority list: facilities ranked by an indicator of their Wohnplatz (suppressed values last)."""
    from orchestration.planning.priority import PriorisierungMissing, priority_list, write_priority_xlsx
    from orchestration.planning.published import PublicationMissing

    if top is not None and top < 1:
        fail("--top must be at least 1", code=2)
    published = get_settings().published_db
    try:
        frame = priority_list(published, einrichtung=einrichtung, indikator=indikator, top=top)
    except (PublicationMissing, PriorisierungMissing) as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc), code=2)
    print_priority_table(frame)
    if xlsx:
        console.print(f"Arbeitsmappe geschrieben: {write_priority_xlsx(frame, xlsx)}")


def print_priority_table(frame) -> None:
    """The ranked list, compact for a terminal (the workbook has every column)."""
    from orchestration.planning.formatting import datum, ja_nein, zahl
    from orchestration.planning.priority import legend_lines

    attrs = frame.attrs
    table = Table(title=f"Prioritätenliste {attrs.get('einrichtung', '')} nach {attrs.get('indikator_name', '')} "
                        f"(Stichtag {datum(attrs.get('stichtag')) or 'unbekannt'})")
    value_header = f"{attrs.get('indikator_name', 'Wert')} ({attrs.get('einheit', '')})".replace(" ()", "")
    for header, justify in (("Rang", "right"), ("Einrichtung", "left"), ("Wohnplatz", "left"), ("Kommune", "left"),
                            (value_header, "right"), ("Quintil", "right"), ("Handlungsraum", "left"),
                            ("Hinweis", "left")):
        table.add_column(header, justify=justify, overflow="fold")
    for r in frame.to_dict("records"):
        unranked = "ohne Rang" in str(r.get("hinweis") or "")
        if unranked:
            value = "gesperrt" if r.get("status") == "gesperrt" else ("fehlt" if r.get("status") == "fehlt" else "–")
        else:
            value = zahl(r.get("wert"), 1)
        table.add_row("" if unranked else str(int(r["rang"])), str(r.get("einrichtung") or ""),
                      str(r.get("wohnplatz") or r.get("wohnplatz_id") or ""), str(r.get("kommune") or ""), value,
                      "" if unranked else str(int(r["quintil"])), ja_nein(r.get("handlungsraum")),
                      "ohne Rang, am Ende" if unranked else str(r.get("hinweis") or ""),
                      style="dim" if unranked else None)
    console.print(table)
    legend = dict(legend_lines(frame))
    console.print(f"Indikator: {legend['Indikator']}")
    console.print(f"Veröffentlichung: {legend['Veröffentlichung']}")
    if attrs.get("ohne_rang"):
        console.print(f"[yellow]{attrs['ohne_rang']} von {attrs.get('gesamt')} Einrichtungen ohne Rang[/] "
                      "(Wert gesperrt oder fehlend): sie stehen am Ende der Liste und werden nicht als 0 gerankt.")
    if len(frame) < attrs.get("gesamt", len(frame)):
        console.print(f"Gezeigt: die ersten {len(frame)} von {attrs.get('gesamt')} Einrichtungen (ohne --top: alle).")


def steckbrief(
    wohnplatz: Optional[str] = typer.Argument(None, help="Wohnplatz id (e.g. 00801) or name (e.g. 'Zentrum Nord')."),
    alle: bool = typer.Option(False, "--alle", help="Write a profile for every current Wohnplatz."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the files (default: <data>/steckbriefe)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print each profile to PDF with headless Chromium (if installed)."),
) -> None:
    """Area profile (Steckbrief): one self-contained HTML file per Wohnplatz, opens offline."""
    from orchestration.planning.pdf import PdfUnavailable
    from orchestration.planning.published import PublicationMissing, UnknownWohnplatz
    from orchestration.planning.steckbrief import write_steckbriefe

    if bool(wohnplatz) == alle:
        fail("give either a WOHNPLATZ or --alle", code=2)
    settings = get_settings()
    target = out or settings.data_dir / "steckbriefe"
    t0 = time.perf_counter()
    try:
        with console.status("Steckbriefe werden geschrieben ..."):
            files = write_steckbriefe(settings.published_db, target, None if alle else [wohnplatz], pdf=pdf)
    except PublicationMissing as exc:
        fail(str(exc))
    except UnknownWohnplatz as exc:
        fail(str(exc), code=2)
    except PdfUnavailable as exc:
        written = sorted(target.glob("steckbrief_*.html"))
        console.print(f"{len(written)} HTML profile(s) in {target}.")
        fail(str(exc))
    seconds = time.perf_counter() - t0
    if len(files) == 1:
        console.print(f"Steckbrief geschrieben: {files[0]}" + (f" (und {files[0].with_suffix('.pdf').name})" if pdf else ""))
    else:
        console.print(f"{len(files)} Steckbriefe geschrieben nach {target} in {seconds:.1f} s"
                      + (" (HTML und PDF)." if pdf else " (HTML)."))
