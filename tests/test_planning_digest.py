"""The change digest: two fixture publications a quarter apart, with the changes of that quarter made by hand."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.planning.digest import COLUMNS, add_digest_table, build_digest, write_digest_file
from test_planning_fixture import build_publication

NEUER_STICHTAG = dt.date(2025, 12, 31)
VORIGER_STICHTAG = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def publications(tmp_path_factory) -> tuple[Path, Path]:
    """The published file of 2025-Q3 and the candidate of 2025-Q4 with this quarter's events."""
    folder = tmp_path_factory.mktemp("digest")
    previous = build_publication(folder / "vorher.duckdb", VORIGER_STICHTAG, "lauf-q3", dt.datetime(2025, 11, 3, 8))
    prev_log = [dict(zip(*_publikation(previous)))]
    candidate = build_publication(folder / "neu.duckdb", NEUER_STICHTAG, "lauf-q4", dt.datetime(2026, 2, 2, 8),
                                  previous_log=prev_log)
    make_quarter(candidate)
    return previous, candidate


def _publikation(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM publikation")
        return [d[0] for d in cur.description], cur.fetchone()
    finally:
        con.close()


def make_quarter(candidate: Path) -> None:
    """What happened in 2025-Q4 (each event is asserted below)."""
    con = duckdb.connect(str(candidate))
    q4 = f"DATE '{NEUER_STICHTAG}'"
    try:
        # Zentrum Süd falls into class 'niedrig' and is flagged; Kürten-Mitte's dynamics calm down: flag gone
        con.execute(f"UPDATE mart_sozialindex SET status_klasse = 'niedrig', status_index = 1.2, handlungsbedarf = true "
                    f"WHERE gebiet_id = '00802' AND stichtag = {q4}")
        con.execute(f"UPDATE mart_sozialindex SET dynamik_klasse = 'stabil', handlungsbedarf = false "
                    f"WHERE gebiet_id = '01201' AND stichtag = {q4}")
        # SGB II rate in Hilgen jumps by 5 points (plausibility bound: 3)
        con.execute(f"UPDATE mart_indikatoren SET wert = wert + 5 WHERE gebiet_id = '00803' "
                    f"AND indikator_id = 'sgb2_quote' AND stichtag = {q4}")
        # newly suppressed: child poverty in Bechen this quarter; a revised cell of 2025-Q2 in Zentrum Nord
        con.execute(f"UPDATE mart_indikatoren SET status = 'gesperrt', status_grund = 'fallzahl_1_2', wert = NULL, "
                    f"zaehler = NULL, nenner = NULL WHERE gebiet_id = '01202' AND indikator_id = 'kinderarmut' "
                    f"AND stichtag = {q4}")
        con.execute("UPDATE mart_indikatoren SET status = 'gesperrt', status_grund = 'sekundaersperrung', wert = NULL, "
                    "zaehler = NULL, nenner = NULL WHERE gebiet_id = '00801' AND indikator_id = 'anteil_u6' "
                    "AND stichtag = DATE '2025-06-30'")
        # released: help for care in Hilgen (suppressed every year so far) is published for 2025
        con.execute(f"UPDATE mart_indikatoren SET status = 'ok', status_grund = NULL, zaehler = 12, nenner = 900, "
                    f"wert = 1.3333 WHERE gebiet_id = '00803' AND indikator_id = 'hilfe_zur_pflege' AND stichtag = {q4}")
        # late: the youth office did not deliver HzE for Q4 (and its deadline check failed)
        con.execute(f"UPDATE mart_indikatoren SET status = 'fehlt', status_grund = 'nicht_geliefert', wert = NULL, "
                    f"zaehler = NULL, nenner = NULL, lieferung_ids = NULL WHERE indikator_id = 'hze_quote' "
                    f"AND stichtag = {q4}")
        con.execute(f"DELETE FROM dim_lieferung WHERE quelle = 'hze' AND stichtag = {q4}")
        con.execute("UPDATE mart_datenqualitaet SET status = 'warnung', beschreibung = "
                    "'Lieferung 2025-Q4 überfällig seit 12 Tagen' WHERE ebene = 'frist' AND quelle = 'hze'")
        # reused: the employment agency sent Q3's unemployment table again as Q4
        con.execute(f"""UPDATE mart_indikatoren n SET zaehler = v.zaehler, nenner = v.nenner, wert = v.wert
            FROM mart_indikatoren v WHERE v.ebene = n.ebene AND v.gebiet_id = n.gebiet_id
             AND v.indikator_id = n.indikator_id AND v.stichtag = DATE '{VORIGER_STICHTAG}' AND n.stichtag = {q4}
             AND n.indikator_id IN ('arbeitslosenanteil', 'langzeitarbeitslose')""")
    finally:
        con.close()


@pytest.fixture(scope="module")
def digest(publications):
    previous, candidate = publications
    return build_digest(previous, candidate)


def rows(digest, art: str):
    return digest.table[digest.table["art"] == art]


def test_headline_counts_the_quarter(digest):
    assert digest.headline == ("1 Wohnplatz neu im Handlungsbedarf, 1 nicht mehr; 1 Wechsel der Statusklasse; "
                               "1 auffällige Veränderung; 2 Werte neu gesperrt, 1 Wert wieder veröffentlicht; "
                               "1 Quelle verspätet; 1 Quelle unverändert wiederverwendet")
    assert not digest.first_publication
    assert digest.stichtag == NEUER_STICHTAG and digest.previous_stichtag == VORIGER_STICHTAG
    assert digest.publikation_id == "lauf-q4" and digest.previous_publikation_id == "lauf-q3"


def test_wohnplatz_that_changes_class_and_flag(digest):
    new = rows(digest, "handlungsbedarf_neu")
    assert list(new["gebiet_id"]) == ["00802"]
    assert (new.iloc[0]["vorher"], new.iloc[0]["nachher"]) == ("nein", "ja")
    assert "Statusklasse niedrig (vorher mittel)" in new.iloc[0]["beschreibung"]
    klasse = rows(digest, "statusklasse")
    assert list(zip(klasse["gebiet_id"], klasse["vorher"], klasse["nachher"])) == [("00802", "mittel", "niedrig")]
    gone = rows(digest, "handlungsbedarf_entfallen")
    assert list(gone["gebiet_name"]) == ["Kürten-Mitte"]
    assert "Dynamik stabil (vorher negativ)" in gone.iloc[0]["beschreibung"]


def test_jump_beyond_the_plausibility_bound(digest):
    jumps = rows(digest, "auffaellige_veraenderung")
    assert list(zip(jumps["gebiet_id"], jumps["indikator_id"], jumps["stichtag"])) == [
        ("00803", "sgb2_quote", NEUER_STICHTAG)]
    assert "stieg" in jumps.iloc[0]["beschreibung"] and "höchstens 3,0 Prozentpunkte" in jumps.iloc[0]["beschreibung"]


def test_newly_suppressed_and_released_cells(digest):
    hidden = rows(digest, "neu_gesperrt").sort_values("stichtag")
    assert list(zip(hidden["gebiet_id"], hidden["indikator_id"], hidden["stichtag"])) == [
        ("00801", "anteil_u6", dt.date(2025, 6, 30)), ("01202", "kinderarmut", NEUER_STICHTAG)]
    assert (hidden["nachher"] == "gesperrt").all()
    revised = hidden.iloc[0]
    assert "bisher veröffentlichte Wert" in revised["beschreibung"] and "Sekundärsperrung" in revised["beschreibung"]
    # the revised cell's old number is not repeated (the new suppression may protect exactly it) ...
    assert revised["vorher"] == "veröffentlicht" and not any(ch.isdigit() for ch in revised["beschreibung"].split(
        "zum 30.06.2025")[1])
    # ... while a new quarter's suppressed cell points to last quarter's value, which stays published
    assert hidden.iloc[1]["vorher"].endswith("% (30.09.2025)")
    released = rows(digest, "freigegeben")
    assert list(zip(released["gebiet_id"], released["indikator_id"], released["vorher"])) == [
        ("00803", "hilfe_zur_pflege", "gesperrt")]


def test_late_and_reused_sources(digest):
    late = rows(digest, "quelle_verspaetet")
    assert list(late["quelle"]) == ["hze"]
    text = late.iloc[0]["beschreibung"]
    assert "überfällig seit 12 Tagen" in text and "Hilfen zur Erziehung" in text and "Zuletzt geliefert: 2025-Q3" in text
    reused = rows(digest, "quelle_unveraendert")
    assert list(reused["quelle"]) == ["arbeitslosigkeit"]
    assert (reused.iloc[0]["vorher"], reused.iloc[0]["nachher"]) == ("2025-Q3", "2025-Q4")


def test_table_shape_and_headline_in_first_row(digest):
    table = digest.table
    assert list(table.columns) == COLUMNS
    assert table.iloc[0]["schlagzeile"] == digest.headline
    assert table["schlagzeile"].iloc[1:].isna().all()
    assert table["beschreibung"].notna().all()


def test_markdown_file_is_written_atomically(digest, tmp_path):
    target = write_digest_file(digest, tmp_path)
    text = target.read_text(encoding="utf-8")
    assert target.name == "veraenderungen.md" and text == digest.markdown
    assert digest.headline in text and "## Neu im Handlungsbedarf (1)" in text and "Zentrum Süd" in text
    assert "lauf-q3" in text and "lauf-q4" in text
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".veraenderungen")]  # no temporary file left
    write_digest_file(digest, tmp_path)  # replacing an existing file works too
    assert target.read_text(encoding="utf-8") == text


def test_digest_table_in_the_candidate_is_what_status_shows(digest, publications, tmp_path):
    import shutil

    from orchestration.status import latest_publication

    copy = tmp_path / "monitoring.duckdb"
    shutil.copy(publications[1], copy)
    assert add_digest_table(copy, digest) == len(digest.table)
    assert latest_publication(copy)["schlagzeile"] == digest.headline


def test_first_publication_lists_the_handlungsraeume(publications):
    previous, _ = publications
    first = build_digest(None, previous)
    assert first.first_publication
    assert first.headline == "Erste Veröffentlichung: 2 Wohnplätze im Handlungsbedarf"
    assert list(rows(first, "handlungsraum")["gebiet_name"]) == ["Zentrum Nord", "Kürten-Mitte"]
    assert first.table.iloc[0]["art"] == "erste_veroeffentlichung"
    assert "Erste Veröffentlichung" in first.markdown and "Aktuelle Handlungsräume (2)" in first.markdown
    assert build_digest(previous.parent / "gibt-es-nicht.duckdb", previous).first_publication


def test_same_data_twice_reports_nothing(publications):
    previous, _ = publications
    again = build_digest(previous, previous)
    assert again.headline == "Keine Veränderungen gegenüber der vorigen Veröffentlichung"
    assert list(again.table["art"]) == ["keine_veraenderung"]


def test_older_previous_file_without_the_index_is_compared_as_far_as_possible(publications, tmp_path):
    import shutil

    previous, candidate = publications
    old = tmp_path / "alt.duckdb"
    shutil.copy(previous, old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE mart_sozialindex")
    con.close()
    partial = build_digest(old, candidate)
    assert partial.count("handlungsbedarf_neu") == 0 and partial.count("auffaellige_veraenderung") == 1
    assert partial.notes == ["mart_sozialindex fehlt in der vorigen Veröffentlichung; Vergleiche mit dieser "
                             "Tabelle entfallen."]
    assert "> Hinweis: mart_sozialindex fehlt" in partial.markdown
