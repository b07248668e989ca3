"""Failure behaviour on the demo world: bad deliveries, failing dbt tests and GX errors never publish."""
import hashlib

import duckdb
import pytest

from tests.conftest import pipeline_without_reports

from orchestration.demo.defects import DEFECTS, write_defect
from orchestration.periods import Quarter
from orchestration.runner import run_refresh

pytestmark = pytest.mark.slow
LATEST = Quarter(2026, 3)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_state(warehouse) -> tuple:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        deliveries = con.execute("SELECT * EXCLUDE (geladen_am, lauf_id) FROM raw.lieferungen ORDER BY ALL").fetchall()
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1").fetchall()]
        counts = {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()
    return deliveries, counts


EXPECTED_MESSAGE = {
    "wrong-encoding": "UTF-8 encoded, but the contract requires Windows-1252",
    "missing-column": "required column 'Regelleistungsberechtigte' is missing",
    "unknown-wohnplatz": "Wohnplatz key not in the scheme",
    "unknown-street": "street key unknown in the street directory",
    "truncated": "truncated",
    "period-mismatch": "Berichtsmonat",
    "negative-count": "count is negative",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_MESSAGE))
def test_bad_delivery_is_quarantined_and_nothing_is_published(demo_copy, kind):
    published_before = sha256(demo_copy.published)
    raw_before = raw_state(demo_copy.warehouse)
    bad = write_defect(demo_copy.data / "inbox", kind, LATEST)

    result = run_refresh(LATEST, LATEST, asset_selection=pipeline_without_reports())

    assert not result.success
    message = "\n".join(result.failures)
    assert EXPECTED_MESSAGE[kind] in message, message
    assert bad.name in message and "quarantined" in message
    assert sha256(demo_copy.published) == published_before  # byte-identical
    assert raw_state(demo_copy.warehouse) == raw_before  # nothing of the file reached raw, nothing lost
    reasons = list((demo_copy.data / "quarantine").glob(f"*/*{bad.name}.grund.txt"))
    assert reasons and EXPECTED_MESSAGE[kind] in reasons[0].read_text()
    assert not bad.exists()  # moved out of the inbox


def test_every_defect_kind_of_the_generator_has_a_scenario():
    assert set(DEFECTS) == set(EXPECTED_MESSAGE) | {"duplicate"}


def published_marts(path) -> dict[str, str]:
    """A fingerprint of every published mart's content (order-independent)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_name "
                                            "LIKE 'mart_%' AND table_name <> 'mart_datenqualitaet'").fetchall()]
        return {t: con.execute(f"SELECT md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))) "
                               f'FROM "{t}" x').fetchone()[0] for t in tables}
    finally:
        con.close()


def test_rerun_with_a_duplicated_delivery_counts_it_once_and_gives_the_same_marts(demo_copy):
    """Re-running the published quarter on the same deliveries, plus a second copy of one file: the copy is
    quarantined without blocking, raw is unchanged, and every mart is identical to the bit."""
    marts_before, raw_before = published_marts(demo_copy.published), raw_state(demo_copy.warehouse)
    assert len(marts_before) >= 9
    copy = write_defect(demo_copy.data / "inbox", "duplicate", LATEST)
    result = run_refresh(LATEST, LATEST, asset_selection=pipeline_without_reports())
    assert result.success, result.failures
    assert "publikation/monitoring" in result.materialized
    assert raw_state(demo_copy.warehouse) == raw_before
    assert published_marts(demo_copy.published) == marts_before
    reason = next((demo_copy.data / "quarantine" / "sgb2").glob(f"*{copy.name}.grund.txt")).read_text()
    assert "identical content (sha256)" in reason


def test_a_failing_dbt_test_blocks_publication_and_names_the_test(demo_copy):
    """A register whose house numbers the street directory does not know: the match-rate floor fails."""
    path = next((demo_copy.data / "inbox" / "melderegister").glob("Melderegister_Bestand_05378004_2026-09-30*.csv"))
    lines = path.read_bytes().decode("cp1252").split("\r\n")
    header = lines[0].split(";")
    number = header.index("Hausnummer")
    for i in range(1, len(lines)):
        fields = lines[i].split(";")
        if len(fields) == len(header) and i % 3 == 0:
            fields[number] = str(4000 + i % 900)  # valid house numbers, in no directory range
            lines[i] = ";".join(fields)
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    published_before = sha256(demo_copy.published)

    result = run_refresh(LATEST, LATEST, asset_selection=pipeline_without_reports())

    assert not result.success
    message = "\n".join(result.failures)
    assert "dbt test" in message and "match_rate" in message, message
    assert sha256(demo_copy.published) == published_before


def test_a_gx_error_blocks_publication_and_warnings_do_not(demo_copy):
    """The BA's municipality total contradicts its Wohnplätze: GX consistency (error) blocks."""
    path = next((demo_copy.data / "inbox" / "sgb2").glob("SGB2_Wohnplaetze_2026-09*.csv"))
    text = path.read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    for i, line in enumerate(lines):
        if line.startswith("Gemeinde;05378008;"):
            fields = line.split(";")
            fields[4] = str(int(fields[4]) + 900)
            lines[i] = ";".join(fields)
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    published_before = sha256(demo_copy.published)

    result = run_refresh(LATEST, LATEST, asset_selection=pipeline_without_reports())

    assert not result.success
    assert any("gx_suite" in c and "ERROR" in c for c in result.failed_checks), result.failed_checks
    assert sha256(demo_copy.published) == published_before
    assert "publikation/monitoring" not in result.materialized
    assert any("blocking check marts/" in f and "gx_suite" in f for f in result.failures), result.failures


def test_warn_results_are_published_and_visible(demo_world):
    con = duckdb.connect(str(demo_world.published), read_only=True)
    try:
        warnings = con.execute("SELECT objekt, pruefung FROM mart_datenqualitaet WHERE status = 'warnung'").fetchall()
        (summary,) = con.execute("SELECT warnungen FROM publikation ORDER BY veroeffentlicht_am DESC LIMIT 1").fetchone()
    finally:
        con.close()
    assert warnings, "the demo publication should carry at least one warning (e.g. a late source)"
    assert summary >= 1
