"""School-entry examinations (health office JSON export per school year)."""
from __future__ import annotations

import re
from datetime import date

from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation
from orchestration.sources.references import unknown_wohnplatz_keys

CONTRACT = load_contract("einschulung")
TABLE = "einschulung"


def checks(ctx: CheckContext):
    meta = ctx.incoming[TABLE].meta
    yield school_year_matches(ctx, meta)
    stated = meta.get("anzahl")
    rows = ctx.incoming[TABLE].rows
    if stated is None or int(stated) != rows:
        yield Violation("record_count", f"meta.anzahl says {stated} examinations but the file holds {rows} "
                        "records: incomplete export?", value=str(stated))
    scheme_day = _gebietsstand(meta)
    yield unknown_wohnplatz_keys(ctx, TABLE, "wohnplatz_id", day=scheme_day or ctx.delivery.stichtag)


def school_year_matches(ctx: CheckContext, meta: dict) -> Violation | None:
    claimed = str(meta.get("schuljahr", ""))
    m = re.match(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", claimed)
    expected_first = ctx.delivery.bezugsdatum.year - 1
    if not m or int(m.group(1)) != expected_first:
        return Violation("period", f"meta.schuljahr is '{claimed}' but the file name claims the school year "
                         f"{expected_first}/{str(expected_first + 1)[2:]}", value=claimed)
    return None


def _gebietsstand(meta: dict) -> date | None:
    try:
        return date.fromisoformat(str(meta.get("gebietsstand")))
    except ValueError:
        return None
