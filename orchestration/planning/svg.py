"""Small inline SVG charts for the Steckbrief: a time-series line chart and a class strip.

Hand-written on purpose: the profile must open offline, forever, from one file, so it carries no chart
library, no script and no font. Every text is escaped; every chart has a <title> for screen readers.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from html import escape

from orchestration.planning.formatting import datum, zahl

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[dt.date, float | None]]  # None: no published value at that Stichtag (a gap, never 0)
    css: str  # 'gebiet', 'kommune' or 'kreis' (line style comes from the stylesheet)


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _y_scale(values: list[float]) -> tuple[float, float, list[float]]:
    low, high = min(values), max(values)
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    ticks = [low + i * step for i in range(int(round((high - low) / step)) + 1)]
    return low, high, ticks


def _ordinal(day: dt.date) -> float:
    return float(day.toordinal())


def _segments(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points with a value: a missing value breaks the line."""
    out, run = [], []
    for x, y in points:
        if y is None:
            if run:
                out.append(run)
            run = []
        else:
            run.append((x, y))
    if run:
        out.append(run)
    return out


def line_chart(series: list[Series], *, title: str, decimals: int = 1, width: int = 440, height: int = 200,
               shaded: tuple[dt.date, dt.date] | None = None, shaded_label: str = "",
               gaps: list[dt.date] | None = None) -> str:
    """Lines per series over the Stichtage; `gaps` marks Stichtage where the area's value is suppressed."""
    values = [y for s in series for _, y in s.points if y is not None]
    days = [d for s in series for d, _ in s.points]
    if not values or not days:
        return f'<p class="leer">{escape(title)}: keine veröffentlichten Werte.</p>'
    left, right, top, bottom = 46, 10, 10, 24
    first, last = min(days), max(days)
    x0, x1 = _ordinal(first), _ordinal(last)
    if x0 == x1:
        x0, x1 = x0 - 45, x1 + 45
    low, high, ticks = _y_scale(values)

    def sx(day_ord: float) -> float:
        return left + (day_ord - x0) / (x1 - x0) * (width - left - right)

    def sy(value: float) -> float:
        return top + (high - value) / (high - low) * (height - top - bottom)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    if shaded:
        xa, xb = sx(_ordinal(shaded[0]) - 45), sx(_ordinal(shaded[1]) + 45)
        xa, xb = max(xa, left), min(xb, width - right)
        parts.append(f'<rect class="geschaetzt" x="{xa:.1f}" y="{top}" width="{max(xb - xa, 1):.1f}" '
                     f'height="{height - top - bottom}"><title>{escape(shaded_label)}</title></rect>')
    for tick in ticks:
        y = sy(tick)
        parts.append(f'<line class="raster" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="achse" x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">'
                     f'{escape(zahl(tick, decimals if _nice_step(high - low) < 1 else 0))}</text>')
    for year in range(first.year, last.year + 1):
        if (last.year - first.year) > 6 and year % 2:
            continue
        x = sx(_ordinal(dt.date(year, 1, 1)))
        if left <= x <= width - right:
            parts.append(f'<line class="jahr" x1="{x:.1f}" x2="{x:.1f}" y1="{height - bottom}" '
                         f'y2="{height - bottom + 4}"/><text class="achse" x="{x:.1f}" y="{height - 6}" '
                         f'text-anchor="middle">{year}</text>')
    parts.append(f'<line class="nulllinie" x1="{left}" x2="{width - right}" y1="{height - bottom}" '
                 f'y2="{height - bottom}"/>')
    for s in series:
        pts = [(_ordinal(d), v) for d, v in s.points]
        for run in _segments(pts):
            if len(run) == 1:
                (x, y), = run
                parts.append(f'<circle class="linie {s.css}" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.2"/>')
            else:
                path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}" for i, (x, y) in enumerate(run))
                parts.append(f'<path class="linie {s.css}" d="{path}"><title>{escape(s.label)}</title></path>')
        last_point = next(((d, v) for d, v in reversed(s.points) if v is not None), None)
        if last_point:
            parts.append(f'<circle class="punkt {s.css}" cx="{sx(_ordinal(last_point[0])):.1f}" '
                         f'cy="{sy(last_point[1]):.1f}" r="2.6"><title>{escape(s.label)} '
                         f'{escape(datum(last_point[0]))}: {escape(zahl(last_point[1], decimals))}</title></circle>')
    for day in gaps or []:
        x = sx(_ordinal(day))
        parts.append(f'<path class="sperrmarke" d="M{x - 3:.1f},{height - bottom - 7} l6,6 m0,-6 l-6,6">'
                     f'<title>{escape(datum(day))}: gesperrt</title></path>')
    parts.append("</svg>")
    return "".join(parts)


def class_strip(cells: list[tuple[dt.date, str | None]], css_of: dict[str | None, str], *, title: str,
                width: int = 900, height: int = 34, label_years: bool = True) -> str:
    """One coloured cell per Stichtag (class of that quarter); the class names come with a legend outside."""
    if not cells:
        return f'<p class="leer">{escape(title)}: keine Werte.</p>'
    left, right = 2, 2
    bar = height - (14 if label_years else 0)
    w = (width - left - right) / len(cells)
    pattern = f"schraffur{next(_ids)}"
    parts = [f'<svg class="streifen" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
             f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="6" height="6" class="k-leer"/>'
             f'<line x1="0" y1="0" x2="0" y2="6" class="schraffur"/></pattern></defs>']
    for i, (day, klasse) in enumerate(cells):
        x = left + i * w
        css = css_of.get(klasse, "k-leer")
        fill = f' style="fill:url(#{pattern})"' if klasse is None else ""  # inline style: beats the class fill
        parts.append(f'<rect class="{css}"{fill} x="{x:.2f}" y="0" width="{max(w - 1, 1):.2f}" height="{bar}">'
                     f'<title>{escape(datum(day))}: {escape(klasse or "nicht bestimmt")}</title></rect>')
        if label_years and day.month == 3 or (label_years and i == 0):
            parts.append(f'<text class="achse" x="{x + 1:.1f}" y="{height - 2}">{day.year}</text>')
    parts.append("</svg>")
    return "".join(parts)
