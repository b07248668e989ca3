"""What can be wrong with a delivery, said so that a person can act on it."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Violation:
    """One broken rule of the contract, located as precisely as the format allows."""

    rule: str  # short rule id, e.g. 'missing_column', 'negative', 'period'
    message: str  # what is wrong and what was expected
    row: int | None = None  # line (CSV), row (XLSX) or record number (JSON) in the file
    column: str | None = None  # the column as the office names it
    value: str | None = None
    count: int = 1  # how many rows break this rule (the row/value given is the first)

    def render(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        more = f" ({self.count} rows in all)" if self.count > 1 else ""
        value = f" [found: {self.value!r}]" if self.value is not None else ""
        return f"{prefix + ': ' if prefix else ''}{self.message}{value}{more}"


@dataclass
class DeliveryRejected(Exception):
    """The delivery breaks its contract; nothing of it may reach raw."""

    file: str
    violations: list[Violation] = field(default_factory=list)

    def __str__(self) -> str:
        first = self.violations[0].render() if self.violations else "unknown problem"
        more = f" (+{len(self.violations) - 1} more problems)" if len(self.violations) > 1 else ""
        return f"{self.file}: {first}{more}"


def reject(file: str, rule: str, message: str, **where) -> DeliveryRejected:
    return DeliveryRejected(file, [Violation(rule, message, **where)])
