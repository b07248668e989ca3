"""Is an office's delivery overdue? One rule, used by the freshness checks and `sozialmonitor status`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from orchestration.periods import FIRST_QUARTER, Quarter, last_complete_quarter
from orchestration.sources.contract import Contract
from orchestration.sources.extraction import is_due


@dataclass(frozen=True)
class Freshness:
    source: str
    due_quarter: Quarter | None  # the newest quarter whose delivery deadline has passed
    deadline: date | None
    latest_delivered: str | None  # newest period in raw
    overdue_days: int  # 0 when on time

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def newest_due_quarter(contract: Contract, today: date) -> tuple[Quarter, date] | None:
    """The newest quarter the office owes a delivery for, with its deadline, as of `today`."""
    if not contract.partitioned or contract.lieferfrist_tage is None:
        return None
    quarter = last_complete_quarter(today)
    while quarter >= FIRST_QUARTER:
        deadline = quarter.stichtag + timedelta(days=contract.lieferfrist_tage)
        if is_due(contract, quarter) and deadline <= today:
            return quarter, deadline
        quarter = quarter.previous()
    return None


def freshness(contract: Contract, delivered_periods: set[str], today: date) -> Freshness:
    latest = max(delivered_periods, default=None, key=lambda p: Quarter.parse(p) if contract.partitioned else p)
    due = newest_due_quarter(contract, today)
    if due is None:
        return Freshness(contract.id, None, None, latest, 0)
    quarter, deadline = due
    if quarter.label in delivered_periods:
        return Freshness(contract.id, quarter, deadline, latest, 0)
    return Freshness(contract.id, quarter, deadline, latest, (today - deadline).days)
