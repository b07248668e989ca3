"""Resident register extracts (Bestand and Bewegungen), one pair of files per municipality and quarter.

The register is the big delivery (13 million rows over the default history), so rows are never
Python objects: the columns go to DuckDB as numpy arrays and pandas categoricals (names, street keys
and house numbers index small fixed lists), DuckDB formats the dates and writes the CSV, and the UTF-8
output is transcoded to Windows-1252 in streaming chunks (DuckDB writes UTF-8 only).
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.demo import contracts
from orchestration.demo import gazetteer as gz
from orchestration.demo import names as nm
from orchestration.demo.files import Inbox, transcode_file
from orchestration.demo.geography import Geography
from orchestration.demo.population import EVENT_NAMES, NATIONALITY_CODES, Simulation, Table
from orchestration.demo.timeline import Quarter


def _date(col: str) -> str:
    return f"strftime(DATE '1970-01-01' + CAST({col} AS INTEGER), '%d.%m.%Y')"


# SQL for every contract column (by its `name`); the header comes from the contract's `quelle`.
# Text columns arrive as pandas categoricals (DuckDB ENUMs), dates as day numbers.
_BESTAND_SQL = {
    "person_pseudonym": "lpad(CAST(pid AS VARCHAR), 10, '0')",
    "familienname": "fam",
    "vornamen": "concat_ws(' ', CAST(fn1 AS VARCHAR), CAST(fn2 AS VARCHAR))",  # NULL second name is skipped
    "geburtsdatum": _date("birth"),
    "geschlecht": "sex",
    "staatsangehoerigkeit": "nat",
    "haushalt_pseudonym": "lpad(CAST(hid AS VARCHAR), 8, '0')",
    "strassenschluessel": "street",
    "hausnummer": "house",
    "einzugsdatum": _date("moved_in"),
    "wohnungsstatus": "status",
}
_BEWEGUNG_SQL = {
    "person_pseudonym": "lpad(CAST(pid AS VARCHAR), 10, '0')",
    "ereignis": "kind",
    "ereignisdatum": _date("date"),
    "strassenschluessel_alt": "street_alt",
    "hausnummer_alt": "house_alt",
    "strassenschluessel_neu": "street_neu",
    "hausnummer_neu": "house_neu",
}


class _Codes:
    """A fixed list of texts as a pandas categorical type, and the code of every list position."""

    def __init__(self, values: list[str]):
        unique = sorted(set(values))
        index = {v: i for i, v in enumerate(unique)}
        self.dtype = pd.CategoricalDtype(unique)
        self.code = np.array([index[v] for v in values], dtype=np.int32)

    def __call__(self, positions: np.ndarray) -> pd.Categorical:
        """Categorical of the texts at `positions` (-1: missing)."""
        codes = np.where(positions >= 0, self.code[np.maximum(positions, 0)], -1)
        return pd.Categorical.from_codes(codes, dtype=self.dtype)


class RegisterWriter:
    def __init__(self, con: duckdb.DuckDBPyConnection, geo: Geography, tmp_dir: Path):
        self.con = con
        self.geo = geo
        self.tmp_dir = tmp_dir
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self.family = _Codes(nm.FAMILY)
        self.first = _Codes(nm.FIRST)
        self.sex = _Codes(["m", "w", "d"])
        self.nat = _Codes(list(NATIONALITY_CODES))
        self.status = _Codes(["H", "N"])
        self.event = _Codes(list(EVENT_NAMES))
        self.street = _Codes([geo.street_key[s] for s in geo.addr_street.tolist()])  # per address
        self.house = _Codes(geo.house_number_text())  # per address
        # register order: street key, number, suffix
        key_rank = np.array([int(k) for k in geo.street_key])[geo.addr_street]
        order = np.lexsort((np.array([s != "" for s in geo.addr_suffix]), geo.addr_number, key_rank))
        self.addr_rank = np.empty(len(order), dtype=np.int64)
        self.addr_rank[order] = np.arange(len(order))
        self.addr_muni = geo.addr_muni

    def _copy(self, df: pd.DataFrame, select: str, target: Path, encoding: str) -> str:
        tmp = self.tmp_dir / (target.name + ".utf8")
        self.con.register("demo_rows", df)
        try:
            # rows are passed in register order; DuckDB keeps insertion order (one thread, no ORDER BY
            # needed, so nothing is materialised for sorting)
            self.con.execute(f"COPY (SELECT {select} FROM demo_rows) TO '{tmp.as_posix()}' "
                             f"(FORMAT csv, HEADER true, DELIMITER ';', QUOTE '\"', NEW_LINE '\\r\\n')")
        finally:
            self.con.unregister("demo_rows")
        sha = transcode_file(tmp, target, encoding, crlf=False)  # DuckDB already wrote CRLF
        tmp.unlink()
        return sha

    @staticmethod
    def _select(table: str, sql: dict[str, str]) -> str:
        return ", ".join(f'{sql[c["name"]]} AS "{c["quelle"]}"' for c in contracts.columns(table, "melderegister"))

    def write_quarter(self, inbox: Inbox, sim: Simulation, q: Quarter, events: Table) -> dict[str, int]:
        if not inbox.wanted("melderegister", q.label):
            return {}
        P, H = sim.P, sim.H
        addr = H.addr[P.hh]
        muni = self.addr_muni[addr]
        order = np.lexsort((P.birth, H.hid[P.hh], self.addr_rank[addr]))
        rows_written = {}
        spec = contracts.file_spec("melderegister", "melderegister_bestand")
        select = self._select("melderegister_bestand", _BESTAND_SQL)
        for mi, m in enumerate(gz.MUNICIPALITIES):
            idx = order[muni[order] == mi]
            hh = P.hh[idx]
            a = addr[idx]
            df = pd.DataFrame({
                "pid": P.pid[idx], "fam": self.family(P.fam[idx]),
                "fn1": self.first(P.fn1[idx]), "fn2": self.first(P.fn2[idx]), "birth": P.birth[idx],
                "sex": self.sex(P.sex[idx]), "nat": self.nat(P.nat[idx]), "hid": H.hid[hh],
                "street": self.street(a), "house": self.house(a), "moved_in": P.moved_in[idx],
                "status": self.status(H.sec[hh].astype(np.int64)),
            })
            target = inbox.target("melderegister", "melderegister_bestand",
                                  f"Melderegister_Bestand_{m.ags}_{q.stichtag.isoformat()}", "csv")
            sha = self._copy(df, select, target, spec["encoding"])
            inbox.record("melderegister", "melderegister_bestand", q.label, target, sha)
            rows_written[m.ags] = len(idx)
            del df
        self._write_events(inbox, q, events)
        return rows_written

    def _write_events(self, inbox: Inbox, q: Quarter, ev: Table) -> None:
        spec = contracts.file_spec("melderegister", "melderegister_bewegungen")
        select = self._select("melderegister_bewegungen", _BEWEGUNG_SQL)
        order = np.lexsort((ev.pid, ev.kind, ev.date))
        for mi, m in enumerate(gz.MUNICIPALITIES):
            idx = order[ev.muni[order] == mi]
            alt, neu = ev.alt[idx], ev.neu[idx]
            df = pd.DataFrame({"pid": ev.pid[idx], "kind": self.event(ev.kind[idx]),
                               "date": ev.date[idx], "street_alt": self.street(alt), "house_alt": self.house(alt),
                               "street_neu": self.street(neu), "house_neu": self.house(neu)})
            target = inbox.target("melderegister", "melderegister_bewegungen",
                                  f"Melderegister_Bewegungen_{m.ags}_{q.stichtag.isoformat()}", "csv")
            sha = self._copy(df, select, target, spec["encoding"])
            inbox.record("melderegister", "melderegister_bewegungen", q.label, target, sha)
