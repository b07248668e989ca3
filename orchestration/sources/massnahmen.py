"""The planning office's hand-kept register of measures (workbook with merged cells and free text)."""
from __future__ import annotations

import csv
from functools import cache

from orchestration.settings import get_settings
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation
from orchestration.sources.references import scheme_valid_at

CONTRACT = load_contract("massnahmen")
TABLE = "massnahmen"


def prepare(ctx: CheckContext) -> None:
    """A measure spanning several Wohnplätze is kept as stacked rows under one merged title: fold them."""
    rel = ctx.incoming[TABLE].relation
    nr, wp = ctx.column(TABLE, "massnahme_nr"), ctx.column(TABLE, "wohnplaetze")
    if nr.source is None or wp.source is None:
        return
    others = [b for name, b in ctx.bound[TABLE].items() if name not in ("massnahme_nr", "wohnplaetze") and b.source]
    select = ", ".join(f'first("{b.source}" ORDER BY _zeile) AS "{b.source}"' for b in others)
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {rel} AS
            SELECT min(_zeile) AS _zeile, "{nr.source}",
                   string_agg(DISTINCT trim("{wp.source}"), ', ') AS "{wp.source}"{', ' + select if select else ''}
            FROM {rel} GROUP BY "{nr.source}" ORDER BY 1""")
    ctx.incoming[TABLE].rows = ctx.con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]


@cache
def catalogue() -> dict[str, str]:
    """Indicator id and German name -> id, from the dbt seed (the catalogue's single source of truth)."""
    path = get_settings().dbt_project_dir / "seeds" / "indikatoren.csv"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["indikator_id"].casefold()] = row["indikator_id"]
            out[row["name"].casefold()] = row["indikator_id"]
    return out


def checks(ctx: CheckContext):
    rel = ctx.incoming[TABLE].relation
    rows = ctx.con.execute(
        f"SELECT _zeile, {ctx.column(TABLE, 'wohnplaetze').text}, {ctx.column(TABLE, 'zielindikatoren').text} "
        f"FROM {rel} ORDER BY _zeile").fetchall()
    scheme = scheme_valid_at(ctx, ctx.delivery.stichtag)
    areas = {}
    if scheme is not None:
        for wp_id, name in ctx.con.execute(
                "SELECT wohnplatz_id, wohnplatz_name FROM raw.wohnplatz_grenzen WHERE _stichtag = ?", [scheme]).fetchall():
            areas[wp_id.casefold()] = wp_id
            areas[name.casefold()] = wp_id
    else:
        yield Violation("reference", "no Wohnplatz boundaries are loaded; load wohnplatz_grenzen first")
        return
    known = catalogue()
    for row, wohnplaetze, indikatoren in rows:
        for item in _split(wohnplaetze, ","):
            if item.casefold() not in areas:
                yield Violation("unknown_key", f"Wohnplatz '{item}' is neither a number nor a name of today's scheme",
                                row=row, column="Wohnplatz", value=item)
        for item in _split(indikatoren, ";"):
            if item.casefold() not in known:
                yield Violation("unknown_key", f"target indicator '{item}' is not in the indicator catalogue",
                                row=row, column="Zielindikatoren", value=item)
    begin, end = ctx.column(TABLE, "beginn"), ctx.column(TABLE, "ende")
    from orchestration.sources.validate import month_expr

    yield ctx.first_violation(TABLE, f"{month_expr(end)} < {month_expr(begin)}", "range",
                              "Ende is before Beginn", column="Ende", value_sql=end.text)


def _split(text: str | None, sep: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", sep).split(sep) if part.strip()]
