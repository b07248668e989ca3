"""German formatting for everything a planner reads: numbers, dates, statuses, quarters."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

# Status of a published cell and why (mart_indikatoren.status / status_grund), as planners read them.
STATUS_TEXT = {
    "ok": "veröffentlicht",
    "geschaetzt": "geschätzt",
    "gesperrt": "gesperrt",
    "fehlt": "fehlt",
}
STATUS_GRUND_TEXT = {
    "fallzahl_1_2": "Fallzahl 1 oder 2",
    "nenner_unter_mindestnenner": "Bezugsgröße unter der Mindestgröße",
    "quelle_maskiert": "von der liefernden Stelle maskiert",
    "nenner_quelle_maskiert": "Bezugsgröße von der liefernden Stelle maskiert",
    "sekundaersperrung": "Sekundärsperrung zum Schutz einer anderen gesperrten Zelle",
    "nicht_geliefert": "nicht geliefert",
    "vorperiode_fehlt": "Wert der Vorperiode fehlt",
    "zeitraum_unvollstaendig": "Zeitraum unvollständig",
    "quelle_nicht_verfuegbar": "Quelle für diesen Zeitraum nicht verfügbar",
    "umgeschluesselt": "aus dem alten Gebietsstand umgeschlüsselt",
}
PUBLISHED_STATUSES = ("ok", "geschaetzt")


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN / pd.NA
    except TypeError:  # pd.NA compares to NA
        return True


def decimals_for(einheit: str | None) -> int:
    return 0 if (einheit or "").strip() == "Anzahl" else 1


def zahl(value: Any, decimals: int = 1) -> str:
    """1234.5 -> '1.234,5' (German grouping and decimal comma); missing -> ''."""
    if is_missing(value):
        return ""
    number = round(float(value), decimals)
    text = f"{number + 0.0 if number != 0 else 0.0:,.{decimals}f}"  # no '-0,0'
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def wert_mit_einheit(value: Any, einheit: str | None) -> str:
    if is_missing(value):
        return ""
    number = zahl(value, decimals_for(einheit))
    if not einheit or einheit == "Anzahl":
        return number
    return f"{number} %" if einheit == "%" else f"{number} {einheit}"


def zelle(value: Any, status: str | None, einheit: str | None) -> str:
    """A published cell as text: never a number for a suppressed or missing cell, never 0 for 'gesperrt'."""
    if status == "gesperrt":
        return "gesperrt"
    if status == "fehlt" or is_missing(value):
        return "fehlt" if status == "fehlt" else "–"
    text = wert_mit_einheit(value, einheit)
    return f"{text} (geschätzt)" if status == "geschaetzt" else text


def datum(value: Any) -> str:
    """date/datetime/ISO text -> '30.09.2026'."""
    if is_missing(value):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime().date()
    return value.strftime("%d.%m.%Y")


def zeitpunkt(value: Any) -> str:
    """A timestamp (stored in UTC) -> '25.11.2026, 18:03 UTC'."""
    if is_missing(value):
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.strftime("%d.%m.%Y, %H:%M UTC")


def as_date(value: Any) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def quartal(value: Any) -> str:
    """date -> '2026-Q3' (the project's quarter label)."""
    day = as_date(value)
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day else ""


def ja_nein(flag: Any) -> str:
    if is_missing(flag):
        return "unbestimmt"
    return "ja" if bool(flag) else "nein"


def anzahl(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
