"""Deadline arithmetic: 7-day acknowledgement, answer after N months, AGG two months from the incident."""

from __future__ import annotations

import datetime as dt

import pytest

from reporting.casework.deadlines import (
    CaseDates,
    add_months,
    agg_deadline,
    case_deadlines,
    parse_incident_month,
)
from reporting.casework.inbox import overdue_cut_off

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 3, 15), 2, D(2026, 5, 15)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),  # into February: the month's last day
        (D(2027, 12, 31), 2, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 8, 31), 3, D(2026, 11, 30)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 10, 1), 12, D(2027, 10, 1)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2026-03", (2026, 3)),
        ("2026-12", (2026, 12)),
        ("earlier", None),
        ("2026-13", None),
        ("26-03", None),
        ("", None),
    ],
)
def test_incident_month_codes(code: str, expected: tuple[int, int] | None) -> None:
    assert parse_incident_month(code) == expected


def test_agg_deadline_from_a_known_day_is_exact() -> None:
    assert agg_deadline(D(2026, 4, 10), (2026, 4)) == (D(2026, 6, 10), True)
    assert agg_deadline(D(2025, 12, 31), None) == (D(2026, 2, 28), True)


def test_agg_deadline_from_a_month_only_counts_from_its_last_day() -> None:
    assert agg_deadline(None, (2026, 3)) == (D(2026, 5, 31), False)
    assert agg_deadline(None, (2027, 12)) == (D(2028, 2, 29), False)  # leap February
    assert agg_deadline(None, (2026, 12)) == (D(2027, 2, 28), False)
    assert agg_deadline(None, None) is None


def test_case_deadlines_and_what_is_overdue() -> None:
    received = D(2026, 1, 31)
    case = CaseDates(received_on=received, acknowledged_on=None, closed=False, agg_relevant=False)
    acknowledge, answer = case_deadlines(case, answer_due_months=3)
    assert (acknowledge.kind, acknowledge.due_on) == ("acknowledge", D(2026, 2, 7))
    assert (answer.kind, answer.due_on) == ("answer", D(2026, 4, 30))
    assert not acknowledge.is_overdue(D(2026, 2, 7))
    assert acknowledge.is_overdue(D(2026, 2, 8))
    assert acknowledge.is_due_soon(D(2026, 2, 1))

    acknowledged = CaseDates(received_on=received, acknowledged_on=D(2026, 2, 2), closed=False, agg_relevant=False)
    assert case_deadlines(acknowledged, answer_due_months=3)[0].met
    closed = CaseDates(received_on=received, acknowledged_on=None, closed=True, agg_relevant=True)
    assert all(deadline.met for deadline in case_deadlines(closed, answer_due_months=3))


def test_the_agg_deadline_appears_only_when_the_case_is_agg_relevant() -> None:
    def dates(*, agg_relevant: bool) -> CaseDates:
        return CaseDates(
            received_on=D(2026, 3, 2),
            acknowledged_on=None,
            closed=False,
            agg_relevant=agg_relevant,
            incident_month=(2026, 2),
        )

    assert [d.kind for d in case_deadlines(dates(agg_relevant=False), answer_due_months=3)] == ["acknowledge", "answer"]
    deadlines = case_deadlines(dates(agg_relevant=True), answer_due_months=3)
    assert [(d.kind, d.due_on, d.exact) for d in deadlines] == [
        ("acknowledge", D(2026, 3, 9), True),
        ("agg", D(2026, 4, 28), False),  # from 28 February: two months later is 28 April, not the 30th
        ("answer", D(2026, 6, 2), True),
    ]


@pytest.mark.parametrize("months", [1, 2, 3, 12])
def test_the_inboxs_overdue_cut_off_agrees_with_the_deadline_arithmetic(months: int) -> None:
    """The inbox finds overdue answers with one date comparison; it must agree with ``add_months`` on every
    day, month ends and leap days included."""
    for offset in range(0, 800, 1):
        today = D(2027, 1, 1) + dt.timedelta(days=offset)
        cut_off = overdue_cut_off(today, months)
        for received in (cut_off + dt.timedelta(days=delta) for delta in range(-3, 4)):
            assert (add_months(received, months) < today) == (received < cut_off), (today, received)
