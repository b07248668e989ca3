"""Quarters, Stichtage and day numbers (days since 1970-01-01, the simulation's clock)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EPOCH = dt.date(1970, 1, 1)
REFORM_DATE = dt.date(2021, 1, 1)
OLD_SCHEME = "2015-01-01"
NEW_SCHEME = "2021-01-01"
MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


def from_day_number(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, label: str) -> Quarter:
        m = _QUARTER.match(label.strip())
        if not m:
            raise ValueError(f"not a quarter label like '2024-Q4': {label!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def stichtag(self) -> dt.date:
        nxt = self.next()
        return nxt.first_day - dt.timedelta(days=1)

    @property
    def last_month(self) -> int:
        return 3 * self.q

    @property
    def start_day(self) -> int:
        return day_number(self.first_day)

    @property
    def end_day(self) -> int:
        return day_number(self.stichtag)

    @property
    def decimal_year(self) -> float:
        """Year as a number at the Stichtag (2024-Q4 -> 2025.0), for smooth trends."""
        return self.year + self.q / 4.0

    @property
    def scheme(self) -> str:
        """The Wohnplatz scheme (Gebietsstand) valid at the Stichtag."""
        return OLD_SCHEME if self.stichtag < REFORM_DATE else NEW_SCHEME

    def next(self) -> Quarter:
        return Quarter(self.year + (self.q == 4), self.q % 4 + 1)

    def __str__(self) -> str:
        return self.label


def quarter_range(start: Quarter, until: Quarter) -> list[Quarter]:
    if until < start:
        raise ValueError(f"until {until} lies before start {start}")
    out, q = [], start
    while q <= until:
        out.append(q)
        q = q.next()
    return out


def german_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def school_year_label(end_year: int, sep: str = "-") -> str:
    """School year ending in summer of end_year: 2024 -> '2023-24'."""
    return f"{end_year - 1}{sep}{end_year % 100:02d}"
