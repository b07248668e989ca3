"""Reference deliveries of the GIS office: Wohnplatz boundaries and street directories of both
Gebietsstände, the crosswalk between them, and the house coordinates."""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pandas as pd

from orchestration.demo import contracts
from orchestration.demo import gazetteer as gz
from orchestration.demo.files import Inbox, Sheet, csv_bytes, workbook_bytes
from orchestration.demo.geography import CELL, Geography
from orchestration.demo.timeline import NEW_SCHEME, OLD_SCHEME, german_date


def _scheme(geo: Geography, scheme: str):
    new = scheme == NEW_SCHEME
    return (geo.new_wps, geo.cell_new) if new else (geo.old_wps, geo.cell_old)


# ----------------------------------------------------------------------------- boundaries

def boundaries_geojson(con: duckdb.DuckDBPyConnection, geo: Geography, scheme: str) -> bytes:
    wps, cell_map = _scheme(geo, scheme)
    cells = pd.DataFrame({"wp": cell_map.astype(np.int32), "x0": geo.cell_x0(), "y0": geo.cell_y0()})
    con.register("demo_cells", cells)
    try:
        # cells of a Wohnplatz dissolve into one (Multi)Polygon; collinear grid vertices are dropped
        rows = con.execute(f"""
            SELECT wp, ST_AsGeoJSON(ST_Simplify(ST_Union_Agg(
                       ST_MakeEnvelope(x0, y0, x0 + {CELL}, y0 + {CELL}) ORDER BY x0, y0), 0.01))
            FROM demo_cells GROUP BY wp ORDER BY wp""").fetchall()
    finally:
        con.unregister("demo_cells")
    cols = {c["name"]: c["quelle"] for c in contracts.columns("wohnplatz_grenzen")}
    features = []
    for wp_index, geometry in rows:
        wp = wps[int(wp_index)]
        m = gz.MUNICIPALITIES[wp.muni]
        features.append({"type": "Feature",
                         "properties": {cols["wohnplatz_id"]: wp.key, cols["wohnplatz_name"]: wp.name,
                                        cols["ags"]: m.ags, cols["gemeinde_name"]: m.name},
                         cols["geometrie_geojson"]: json.loads(geometry)})
    date = dt.date.fromisoformat(scheme)
    doc = {"type": "FeatureCollection",
           "name": f"Wohnplätze Gebietsstand {german_date(date)} – {gz.SYNTH_MARK}",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
           "features": features}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def write_boundaries(inbox: Inbox, con: duckdb.DuckDBPyConnection, geo: Geography) -> None:
    for scheme in (OLD_SCHEME, NEW_SCHEME):
        if inbox.wanted("wohnplatz_grenzen", scheme):
            inbox.write_bytes("wohnplatz_grenzen", "wohnplatz_grenzen", scheme, f"Wohnplaetze_Gebietsstand_{scheme}",
                              "geojson", boundaries_geojson(con, geo, scheme))


# ----------------------------------------------------------------------------- street directory

def directory_rows(geo: Geography, scheme: str) -> list[dict]:
    """House-number ranges per street, side and Wohnplatz, derived from the addresses.

    A street inside one Wohnplatz is one range for both sides; a street crossing a border gets
    ranges per side, one for every run of consecutive numbers in the same Wohnplatz. New buildings
    (beyond the last number) are not in the directory yet.
    """
    wps, cell_map = _scheme(geo, scheme)
    keep = ~geo.addr_newbuild
    street = geo.addr_street[keep]
    number = geo.addr_number[keep]
    wp = cell_map[geo.addr_cell[keep]]
    order = np.lexsort((number, number % 2, street))
    street, number, wp = street[order], number[order], wp[order]
    bounds = np.flatnonzero(np.diff(street)) + 1
    out: list[dict] = []
    for s_idx, n_arr, w_arr in zip(np.split(street, bounds), np.split(number, bounds), np.split(wp, bounds)):
        s = int(s_idx[0])
        base = {"ags": gz.MUNICIPALITIES[int(geo.street_muni[s])].ags, "strassenschluessel": geo.street_key[s],
                "strassenname": geo.street_name[s]}
        if (w_arr == w_arr[0]).all():
            w = wps[int(w_arr[0])]
            out.append({**base, "hausnummer_von": int(n_arr.min()), "hausnummer_bis": int(n_arr.max()),
                        "seite": "beide", "wohnplatz_id": w.key, "wohnplatz_name": w.name})
            continue
        for parity, side in ((1, "ungerade"), (0, "gerade")):
            sel = n_arr % 2 == parity
            ns, ws = n_arr[sel], w_arr[sel]
            if not len(ns):
                continue
            run_starts = np.r_[0, np.flatnonzero(np.diff(ws)) + 1]
            run_ends = np.r_[run_starts[1:], len(ns)]
            for a, b in zip(run_starts, run_ends):
                w = wps[int(ws[a])]
                out.append({**base, "hausnummer_von": int(ns[a]), "hausnummer_bis": int(ns[b - 1]), "seite": side,
                            "wohnplatz_id": w.key, "wohnplatz_name": w.name})
    out.sort(key=lambda r: (r["ags"], r["strassenschluessel"], r["seite"] != "beide", r["seite"],
                            r["hausnummer_von"]))
    return out


def write_directories(inbox: Inbox, geo: Geography) -> None:
    cols = contracts.columns("strassenverzeichnis")
    spec = contracts.file_spec("strassenverzeichnis", "strassenverzeichnis")
    for scheme in (OLD_SCHEME, NEW_SCHEME):
        if not inbox.wanted("strassenverzeichnis", scheme):
            continue
        rows = [[r[c["name"]] for c in cols] for r in directory_rows(geo, scheme)]
        date = dt.date.fromisoformat(scheme)
        sheet = Sheet(spec["blatt"],
                      ["Straßenverzeichnis mit Wohnplatzzuordnung – Rheinisch-Bergischer Kreis",
                       f"Gebietsstand {german_date(date)}", gz.SYNTH_LINE],
                      [[c["quelle"] for c in cols]], rows, widths=(11, 16, 30, 15, 15, 10, 14, 24))
        inbox.write_bytes("strassenverzeichnis", "strassenverzeichnis", scheme,
                          f"Strassenverzeichnis_Gebietsstand_{scheme}", "xlsx", workbook_bytes([sheet]))


# ----------------------------------------------------------------------------- house coordinates

def write_house_coordinates(inbox: Inbox, geo: Geography) -> None:
    if not inbox.wanted("hauskoordinaten", NEW_SCHEME):
        return
    cols = contracts.columns("hauskoordinaten")
    spec = contracts.file_spec("hauskoordinaten", "hauskoordinaten")
    key_rank = np.array([int(k) for k in geo.street_key])
    order = np.lexsort((np.array([s != "" for s in geo.addr_suffix]), geo.addr_number,
                        key_rank[geo.addr_street], geo.street_muni[geo.addr_street]))
    rows = []
    for a in order.tolist():
        s = int(geo.addr_street[a])
        values = {"ags": gz.MUNICIPALITIES[int(geo.street_muni[s])].ags, "strassenschluessel": geo.street_key[s],
                  "hausnummer": int(geo.addr_number[a]), "hausnummer_zusatz": geo.addr_suffix[a] or None,
                  "ostwert": f"{geo.addr_x[a]:.2f}", "nordwert": f"{geo.addr_y[a]:.2f}"}
        rows.append([values[c["name"]] for c in cols])
    data = csv_bytes([c["quelle"] for c in cols], rows, sep=spec["trennzeichen"], encoding=spec["encoding"],
                     crlf=False)
    inbox.write_bytes("hauskoordinaten", "hauskoordinaten", NEW_SCHEME, f"Hauskoordinaten_{NEW_SCHEME}", "csv", data)


# ----------------------------------------------------------------------------- crosswalk

def crosswalk_rows(geo: Geography, person_cells: np.ndarray, stand: dt.date) -> list[dict]:
    """Population of every (old, new) intersection divided by the old area's population."""
    n_new = len(geo.new_wps)
    pair = geo.cell_old[person_cells].astype(np.int64) * n_new + geo.cell_new[person_cells]
    counts = np.bincount(pair, minlength=len(geo.old_wps) * n_new).reshape(len(geo.old_wps), n_new)
    # intersections that exist on the map (cells shared) even where nobody lives
    cell_pairs = np.zeros_like(counts, dtype=bool)
    cell_pairs[geo.cell_old, geo.cell_new] = True
    rows = []
    for i, old in enumerate(geo.old_wps):
        total = counts[i].sum()
        for j in np.flatnonzero(cell_pairs[i]):
            if counts[i, j] == 0 and total > 0:
                continue
            share = counts[i, j] / total if total else 1.0 / cell_pairs[i].sum()
            rows.append({"wohnplatz_id_alt": old.key, "wohnplatz_id_neu": geo.new_wps[int(j)].key,
                         "anteil_bevoelkerung": f"{share:.6f}", "einwohner_schnitt": int(counts[i, j]),
                         "stand_gewichte": stand.isoformat()})
    return rows


def write_crosswalk(inbox: Inbox, geo: Geography, person_cells: np.ndarray, stand: dt.date) -> None:
    if not inbox.wanted("gebietsreform", NEW_SCHEME):
        return
    cols = contracts.columns("gebietsreform")
    spec = contracts.file_spec("gebietsreform", "gebietsreform")
    rows = [[r[c["name"]] for c in cols] for r in crosswalk_rows(geo, person_cells, stand)]
    data = csv_bytes([c["quelle"] for c in cols], rows, sep=spec["trennzeichen"], encoding=spec["encoding"],
                     crlf=False)
    inbox.write_bytes("gebietsreform", "gebietsreform", NEW_SCHEME,
                      f"Umschluesselung_Wohnplaetze_{OLD_SCHEME}_{NEW_SCHEME}", "csv", data)
