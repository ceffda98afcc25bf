"""A passed AGG claim deadline makes a case overdue in the inbox's filter, the navigation's count and the
digest, on SQLite and PostgreSQL, agreeing day by day with the deadline arithmetic the case page shows:
incident days around month ends, month-only incident dates ("probably ends on") and a leap February."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.deadlines import CaseDates, case_deadlines, parse_incident_month
from reporting.casework.inbox import InboxFilters, InboxRequest, attention_counts, load_inbox
from reporting.config.settings import Settings
from reporting.db.models import Report
from tests.casework.case_helpers import seed_case
from tests.casework.conftest import StaffClient
from tests.conftest import run_db

D = dt.date
RECEIVED = D(2028, 6, 1)
"""After every "today" below, and acknowledged: only the AGG deadline can be overdue."""
INCIDENT_DAYS = [D(2027, 12, 28), D(2027, 12, 29), D(2027, 12, 30), D(2027, 12, 31), D(2028, 1, 1), D(2028, 2, 29)]
INCIDENT_MONTHS = ["2027-12", "2028-01", "2028-02", "earlier"]
TODAYS = [
    *(D(2028, 2, 26) + dt.timedelta(days=offset) for offset in range(8)),  # 26 Feb … 4 Mar 2028 (leap year)
    *(D(2028, 3, 30) + dt.timedelta(days=offset) for offset in range(4)),  # 30 Mar … 2 Apr
    *(D(2028, 4, 28) + dt.timedelta(days=offset) for offset in range(6)),  # 28 Apr … 3 May
]


def seed(
    settings: Settings,
    *,
    agg: str,
    incident_on: dt.date | None = None,
    month: str | None = None,
    closed: bool = False,
) -> tuple[uuid.UUID, CaseDates]:
    case = seed_case(
        settings,
        received_on=RECEIVED,
        reporter_codes={"incident_period": [month]} if month else {},
        staff_codes={"agg_applicable": [agg]},
        closed_on=RECEIVED if closed else None,
    )

    async def set_dates(db: AsyncSession) -> None:
        await db.execute(
            update(Report).where(Report.id == case.id).values(incident_on=incident_on, acknowledged_on=RECEIVED)
        )

    run_db(settings, set_dates)
    dates = CaseDates(
        received_on=RECEIVED,
        acknowledged_on=RECEIVED,
        closed=closed,
        agg_relevant=agg in ("yes", "unclear"),
        incident_on=incident_on,
        incident_month=parse_incident_month(month or ""),
    )
    return case.id, dates


def expected_overdue(cases: dict[uuid.UUID, CaseDates], today: dt.date) -> set[uuid.UUID]:
    return {
        case_id
        for case_id, dates in cases.items()
        if any(deadline.is_overdue(today) for deadline in case_deadlines(dates, answer_due_months=3))
    }


def test_a_passed_agg_deadline_is_overdue_on_exactly_the_days_the_case_page_says(
    initialised_settings: Settings, staff_client: StaffClient
) -> None:
    settings = initialised_settings
    # A coordinator of the central office: every office's cases are listed and counted for them.
    as_coordinator = {"staff_id": staff_client("coordinator").staff_account.id, "role": "coordinator"}
    cases = dict(
        [
            *(seed(settings, agg="yes", incident_on=day) for day in INCIDENT_DAYS),
            *(seed(settings, agg="yes", month=month) for month in INCIDENT_MONTHS),
            seed(settings, agg="unclear", incident_on=D(2027, 12, 31)),
            seed(settings, agg="unclear", month="2028-01"),
            seed(settings, agg="yes", incident_on=D(2028, 1, 31), month="2027-11"),  # the day wins over the month
            seed(settings, agg="no", incident_on=D(2027, 1, 1), month="2027-01"),
            seed(settings, agg="yes", incident_on=D(2027, 1, 1), closed=True),
        ]
    )
    overdue_filter = InboxRequest(filters=InboxFilters(attention="overdue"), sort="oldest")

    async def compare(db: AsyncSession) -> None:
        seen_overdue = set()
        for today in TODAYS:
            expected = expected_overdue(cases, today)
            page = await load_inbox(db, overdue_filter, today=today, **as_coordinator)  # type: ignore[arg-type]
            assert {row.id for row in page.rows} == expected, today
            assert all(row.overdue(today) for row in page.rows), "the list highlights what it lists"
            counts = await attention_counts(db, answer_due_months=3, today=today, **as_coordinator)  # type: ignore[arg-type]
            assert counts.overdue == len(expected), today
            seen_overdue |= expected
        assert len(seen_overdue) > 6, "the days chosen cross the deadlines"

    run_db(settings, compare)

    # The edges, spelled out: 31 Dec 2027 + 2 months is 29 Feb 2028 (leap year), a month-only December
    # "probably ends on" 29 Feb too, a (leap) February incident month on 29 April.
    by_incident = {dates.incident_on or dates.incident_month: case_id for case_id, dates in cases.items()}
    assert by_incident[D(2027, 12, 31)] in expected_overdue(cases, D(2028, 3, 1))
    assert by_incident[D(2027, 12, 31)] not in expected_overdue(cases, D(2028, 2, 29))
    assert by_incident[(2027, 12)] not in expected_overdue(cases, D(2028, 2, 29))
    assert by_incident[(2027, 12)] in expected_overdue(cases, D(2028, 3, 1))
    assert by_incident[(2028, 2)] not in expected_overdue(cases, D(2028, 4, 29))
    assert by_incident[(2028, 2)] in expected_overdue(cases, D(2028, 4, 30))


def test_a_passed_agg_deadline_is_counted_highlighted_and_in_the_digest(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    today = dt.date.today()
    case = seed_case(
        initialised_settings,
        readers=[adviser.staff_account],
        received_on=today,
        staff_codes={"agg_applicable": ["yes"]},
    )

    async def incident_long_ago(db: AsyncSession) -> None:
        await db.execute(update(Report).where(Report.id == case.id).values(incident_on=today - dt.timedelta(days=70)))

    run_db(initialised_settings, incident_long_ago)
    inbox = adviser.get("/staff/?lang=en").text
    assert re.search(rf'<tr class=" overdue">\s*<td><a href="/staff/cases/{case.id}"', inbox), "highlighted"
    assert f"/staff/cases/{case.id}" in adviser.get("/staff/?attention=overdue").text
    assert 'href="/staff/?attention=overdue">Overdue <span class="count count-alert">1</span>' in inbox
    digest = adviser.get("/staff/digest?lang=en").text
    overdue_section = digest.split('id="digest-overdue"')[1].split("<h2")[0]
    assert f"/staff/cases/{case.id}" in overdue_section
