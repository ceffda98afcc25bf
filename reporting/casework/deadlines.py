"""The deadlines of a case, computed from plain metadata (no decryption), so the inbox can show them.

- Acknowledgement: the reporter hears from staff within 7 days of receipt (EU directive 2019/1937,
  Art. 9(1)(b)); met by the first staff message, and at once for walk-in and phone cases.
- Answer: a substantive answer within ``answer_due_months`` of receipt (three by default, Art. 9(1)(f));
  met when the case is closed.
- AGG: a claim must be raised in writing within two months (§ 15(4), § 21(5) AGG), counted from the
  incident when the adviser categorised the case as AGG-relevant. When only the month of the incident is
  known the deadline is counted from its last day, and shown as "probably ends on …".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

ACKNOWLEDGE_WITHIN_DAYS = 7
AGG_CLAIM_MONTHS = 2
DUE_SOON_DAYS = 7
"""A deadline this close counts as needing attention in the inbox."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb),
    as §§ 187, 188(3) BGB count a period of months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_incident_month(code: str) -> tuple[int, int] | None:
    """``YYYY-MM`` of the public form's "when did it happen?" (None for ``earlier`` or anything else)."""
    year, separator, month = code.partition("-")
    if not separator or not (year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2):
        return None
    if not 1 <= int(month) <= 12:
        return None
    return int(year), int(month)


def agg_deadline(incident_on: dt.date | None, incident_month: tuple[int, int] | None) -> tuple[dt.date, bool] | None:
    """The last day to claim under the AGG and whether it is exact (False: counted from the month's end)."""
    if incident_on is not None:
        return add_months(incident_on, AGG_CLAIM_MONTHS), True
    if incident_month is not None:
        year, month = incident_month
        last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
        return add_months(last_day, AGG_CLAIM_MONTHS), False
    return None


@dataclass(frozen=True)
class Deadline:
    """One deadline of a case as the pages show it."""

    kind: str
    """``acknowledge``, ``answer`` or ``agg``."""
    due_on: dt.date
    met: bool
    exact: bool = True
    """False when only the incident month is known ("probably ends on …")."""

    def days_left(self, today: dt.date) -> int:
        return (self.due_on - today).days

    def is_overdue(self, today: dt.date) -> bool:
        return not self.met and today > self.due_on

    def is_due_soon(self, today: dt.date) -> bool:
        return not self.met and 0 <= self.days_left(today) <= DUE_SOON_DAYS


@dataclass(frozen=True)
class CaseDates:
    """The plain facts a case's deadlines follow from."""

    received_on: dt.date
    acknowledged_on: dt.date | None
    closed: bool
    agg_relevant: bool
    incident_on: dt.date | None = None
    incident_month: tuple[int, int] | None = None


def case_deadlines(case: CaseDates, *, answer_due_months: int) -> list[Deadline]:
    """The case's deadlines, earliest first. The AGG deadline is only shown while the case is AGG-relevant."""
    deadlines = [
        Deadline(
            "acknowledge",
            case.received_on + dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS),
            met=case.acknowledged_on is not None or case.closed,
        ),
        Deadline("answer", add_months(case.received_on, answer_due_months), met=case.closed),
    ]
    agg = agg_deadline(case.incident_on, case.incident_month) if case.agg_relevant else None
    if agg is not None:
        deadlines.append(Deadline("agg", agg[0], met=case.closed, exact=agg[1]))
    return sorted(deadlines, key=lambda deadline: deadline.due_on)
