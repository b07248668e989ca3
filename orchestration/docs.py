"""Render the source contracts into docs/sources.md (kept in git; a test checks it is current)."""
from __future__ import annotations

from pathlib import Path

from orchestration.settings import get_settings
from orchestration.sources.contract import Contract, all_contracts

PROTECTION_TEXT = {
    None: "",
    "pseudonymisieren": "pseudonymised (HMAC-SHA256, key from the environment)",
    "entfernen": "dropped at extraction",
    "geburtsdatum_kuerzen": "reduced to year and month",
    "geburtsjahr": "reduced to the year",
}
CADENCE_TEXT = {"quartal": "quarterly", "jahr": "yearly", "schuljahr": "per school year", "bei_aenderung": "on change"}


def render_contract(contract: Contract) -> str:
    lines = [f"## `{contract.id}` — {contract.titel}", "", f"**Office:** {contract.amt}  ",
             f"**Cadence:** {CADENCE_TEXT[contract.turnus]}"
             + (f", reference quarter Q{contract.bezugsquartal}" if contract.bezugsquartal else "")
             + (f", due {contract.lieferfrist_tage} days after the Stichtag" if contract.lieferfrist_tage else "")
             + "  ", f"**Area key:** {contract.gebietsbezug}  ",
             f"**Dagster asset:** `raw/{contract.id}` ({'partitioned by quarter' if contract.partitioned else 'unpartitioned, every version kept'})  ",
             f"**Contract file:** `orchestration/sources/{contract.id}.yaml`", "", contract.beschreibung, "", "### Files", ""]
    for spec in contract.dateien:
        details = [f"format {spec.format}"]
        if spec.format == "csv":
            details.append(f"encoding {spec.encoding}, separator `{spec.trennzeichen}`, decimal `{spec.dezimalzeichen}`")
        if spec.kopfzeile_beginnt_mit:
            details.append(f"header row starts with `{spec.kopfzeile_beginnt_mit}` (title/preamble rows above are read for the period claim)")
        if spec.ende_bei_leerzeile:
            details.append("data end at the first empty line (footnotes follow)")
        if spec.crs:
            details.append(f"CRS {spec.crs}")
        sheets = ", ".join(f"sheet `{s.blatt}` → `raw.{s.tabelle}`" for s in spec.sheets if s.blatt) or f"→ `raw.{spec.tabelle}`"
        lines.append(f"- `{spec.muster}` — {'; '.join(details)}; {sheets}; period from the file name: {spec.periode}")
    for table in contract.tabellen.values():
        lines += ["", f"### `raw.{table.name}`", "", "| column in the file | raw column | type | required | rule | protection |",
                  "|---|---|---|---|---|---|"]
        for c in table.columns:
            rule = []
            if c.muster:
                rule.append(f"`{c.muster}`")
            if c.werte:
                rule.append(", ".join(f"`{w}`" for w in c.werte))
            if c.min is not None or c.max is not None:
                rule.append(f"{c.min if c.min is not None else ''}..{c.max if c.max is not None else ''}")
            if c.format:
                rule.append(f"`{c.format}`")
            if c.eindeutig:
                rule.append("unique")
            raw = ", ".join(f"`{n}`" for n, _ in c.raw_columns()) or "—"
            lines.append(f"| {c.quelle} | {raw} | {c.typ} | {'yes' if c.pflicht else 'no'} | {' '.join(rule)} | "
                         f"{PROTECTION_TEXT[c.schutz]} |")
    if contract.pruefungen:
        lines += ["", "### Further checks", "", *[f"- {p}" for p in contract.pruefungen]]
    return "\n".join(lines) + "\n"


HEADER = """# Sources and their contracts

Generated from `orchestration/sources/*.yaml` by `sozialmonitor docs`; do not edit by hand.

Every delivery is checked against its contract before a single row is written. Shared rules for every
source: the file name must match one of the patterns (it claims the period); the bytes must be in the
contract's encoding (a UTF-8 file under a Windows-1252 contract is rejected, not mis-read); every
required column must be present (header names compared without case and extra white space); every cell
must parse as its type; counts are never negative; unique columns hold no duplicate; the content must
confirm the period the file name claims; Wohnplatz and street keys must exist in the reference data
valid at the Stichtag. A file breaking any rule is moved to `data/quarantine/<source>/` with a reason file
(`.grund.txt` for people, `.grund.json` for tools) naming the row, the column, the value and what was
expected; the source's asset fails, nothing of the file reaches `raw`, and data loaded before is untouched.
The same file twice is loaded once (sha256 of its bytes); a copy under another name is quarantined as a
duplicate; an old file sent again under a new period's name is recognised; two different files for the
same period stop the run until a person removes the wrong one.

Every raw table carries the lineage columns `_lieferung_id` (sha256 of the file), `_quelle`, `_datei`,
`_periode`, `_stichtag`, `_bezugsdatum`, `_zeile` (line/row in the file), `_geladen_am`, `_lauf_id`
(Dagster run); `raw.lieferungen` lists every accepted delivery.

"""


def render_sources_doc() -> str:
    contracts = all_contracts()
    return HEADER + "| source | office | cadence | raw tables |\n|---|---|---|---|\n" + "\n".join(
        f"| `{c.id}` | {c.amt} | {CADENCE_TEXT[c.turnus]} | {', '.join(f'`raw.{t}`' for t in c.tabellen)} |"
        for c in contracts) + "\n\n" + "\n".join(render_contract(c) for c in contracts)


def write_sources_doc(path: Path | None = None) -> Path:
    path = path or get_settings().project_root / "docs" / "sources.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_sources_doc(), encoding="utf-8")
    return path


# ---------------------------------------------------------------- indicator catalogue


def read_catalogue(project_root: Path | None = None) -> list[dict[str, str]]:
    import csv

    root = project_root or get_settings().project_root
    with (root / "dbt_project" / "seeds" / "indikatoren.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def render_indicator_doc() -> str:
    rows = read_catalogue()
    lines = ["# The indicator catalogue", "",
             "Generated from the dbt seed `dbt_project/seeds/indikatoren.csv` (the single source of truth, published as",
             "`dim_indikator`) by `sozialmonitor docs`; do not edit by hand.", "",
             "Columns: the value is `zaehler / nenner × faktor` in the given unit; *polarity* `negativ` means a high value",
             "indicates worse living conditions; *min. denominator*: rates on a smaller denominator are published as",
             "`gesperrt`; *max. change*: the plausibility bound between two consecutive observations (GX warns",
             "beyond it); *index*: `status` indicators enter the Sozialindex, context indicators are shown beside it.", ""]
    themes: dict[str, list[dict]] = {}
    for row in rows:
        themes.setdefault(row["thema"], []).append(row)
    for theme, items in themes.items():
        lines += [f"## {theme}", "", "| id | Name | Zähler | Nenner | Einheit | Quelle | Polarität | Turnus | "
                  "min. Nenner | max. Änderung | Index |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in sorted(items, key=lambda r: int(r["reihenfolge"] or 0)):
            cadence = r["turnus"] + (f" (Q{r['bezugsquartal']})" if r.get("bezugsquartal") else "")
            index = r.get("im_index") or ("Kontext" if r.get("kontext") == "true" else "")
            lines.append(f"| `{r['indikator_id']}` | {r['name']} | {r['zaehler']} | {r['nenner'] or '—'} | "
                         f"{r['einheit']} | {r['quelle']} | {r['polaritaet']} | {cadence} | {r['mindestnenner']} | "
                         f"{r['max_aenderung']} | {index} |")
        lines.append("")
    return "\n".join(lines)


def write_docs(root: Path | None = None) -> list[Path]:
    root = root or get_settings().project_root
    written = [write_sources_doc(root / "docs" / "sources.md")]
    path = root / "docs" / "indicators.md"
    path.write_text(render_indicator_doc(), encoding="utf-8")
    written.append(path)
    return written
