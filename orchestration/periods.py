"""Quarters, Stichtage and the conversions between the names people use for them.

People say "2024-Q4"; Dagster's time-window partitions are keyed by the quarter's first day
("2024-10-01"); the monitoring's Stichtag is the quarter's last day (2024-12-31).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

_LABEL = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_PARTITION_KEY = re.compile(r"^(\d{4})-(01|04|07|10)-01$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """Accept '2024-Q4', '2024Q4', a partition key '2024-10-01' or a Stichtag '2024-12-31'."""
        text = text.strip()
        if m := _LABEL.match(text):
            return cls(int(m.group(1)), int(m.group(2)))
        if m := _PARTITION_KEY.match(text):
            return cls(int(m.group(1)), (int(m.group(2)) - 1) // 3 + 1)
        try:
            return cls.containing(date.fromisoformat(text))
        except ValueError:
            raise ValueError(f"'{text}' is not a quarter (expected e.g. 2024-Q4)") from None

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def stichtag(self) -> date:
        """Last day of the quarter: the monitoring's reporting date."""
        return self.next().start - timedelta(days=1)

    @property
    def partition_key(self) -> str:
        return self.start.isoformat()

    def next(self) -> "Quarter":
        return Quarter(self.year + self.q // 4, self.q % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.q == 1), (self.q - 2) % 4 + 1)

    def __str__(self) -> str:
        return self.label


def quarter_range(first: Quarter, last: Quarter) -> Iterator[Quarter]:
    current = first
    while current <= last:
        yield current
        current = current.next()


def last_complete_quarter(today: date) -> Quarter:
    return Quarter.containing(today).previous()


FIRST_QUARTER = Quarter(2015, 1)
