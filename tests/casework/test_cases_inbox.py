"""The inbox: who sees which cases, filters, sorting and keyset pagination, all from plain metadata."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.inbox import PAGE_SIZE, InboxRequest
from reporting.casework.labels import _language_name
from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.db.models import Report
from reporting.i18n import SUPPORTED_LANGUAGES
from tests.casework.case_helpers import seed_case, seed_plain_cases
from tests.casework.conftest import StaffClient
from tests.conftest import run_db

CASE_LINK = re.compile(r'href="/staff/cases/([0-9a-f-]{36})"')
START = dt.date(2025, 1, 1)


def listed(client: TestClient[Litestar], query: str = "") -> list[uuid.UUID]:
    response = client.get(f"/staff/{query}")
    assert response.status_code == 200, response.text
    return [uuid.UUID(match) for match in CASE_LINK.findall(response.text)]


def link(page: str, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def test_advisers_see_only_cases_they_hold_a_key_for_coordinators_all(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    granted = seed_case(initialised_settings, readers=[adviser.staff_account]).id
    assigned = seed_case(initialised_settings, assignee=adviser.staff_account).id  # assigning wraps a key too
    others = seed_plain_cases(initialised_settings, 3, start=START)

    assert set(listed(adviser)) == {granted, assigned}
    assert set(listed(coordinator)) == {granted, assigned, *others}


def test_filters_narrow_the_list(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    housing_by_reporter = seed_case(
        initialised_settings,
        received_on=dt.date(2025, 3, 1),
        language="ar",
        reporter_codes={"grounds": ["religion"], "areas": ["housing"]},
    ).id
    racism_by_adviser = seed_case(
        initialised_settings,
        received_on=dt.date(2025, 5, 1),
        status="in_progress",
        staff_codes={"grounds": ["racism_ethnic_origin"], "areas": ["employment"]},
        assignee=adviser.staff_account,
    ).id
    plain = seed_plain_cases(initialised_settings, 2, start=dt.date(2025, 7, 1))

    assert listed(coordinator, "?status=in_progress") == [racism_by_adviser]
    assert listed(coordinator, "?status=new") == [*reversed(plain), housing_by_reporter]
    assert listed(coordinator, "?ground=religion") == [housing_by_reporter]  # the reporter's code counts too
    assert listed(coordinator, "?ground=racism_ethnic_origin") == [racism_by_adviser]
    assert listed(coordinator, "?area=housing") == [housing_by_reporter]
    assert listed(coordinator, "?language=ar") == [housing_by_reporter]
    assert listed(coordinator, "?from=2025-02-01&to=2025-06-30") == [racism_by_adviser, housing_by_reporter]
    assert listed(coordinator, f"?assignee={adviser.staff_account.id}") == [racism_by_adviser]
    assert listed(coordinator, "?assignee=none") == [*reversed(plain), housing_by_reporter]
    assert listed(adviser, "?assignee=me") == [racism_by_adviser]
    assert listed(coordinator, "?status=new&language=ar&ground=religion") == [housing_by_reporter]
    assert listed(coordinator, "?status=closed") == []


def test_sorting(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    first, second, third = seed_plain_cases(initialised_settings, 3, start=START)
    [waiting] = seed_plain_cases(
        initialised_settings, 1, start=START + dt.timedelta(days=5), status="waiting_for_reporter"
    )
    [closed] = seed_plain_cases(initialised_settings, 1, start=START - dt.timedelta(days=10), status="closed")

    assert listed(coordinator) == [waiting, third, second, first, closed]
    assert listed(coordinator, "?sort=oldest") == [closed, first, second, third, waiting]
    # Status in workflow order (new, in progress, waiting, closed), newest first within each.
    assert listed(coordinator, "?sort=status") == [third, second, first, waiting, closed]


def test_keyset_pages_cover_every_case_once_in_both_directions(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    ids = seed_plain_cases(initialised_settings, 2 * PAGE_SIZE + 20, start=START)
    seed_plain_cases(initialised_settings, 30, start=START, status="closed")

    for query, expected_order in (("?status=new", list(reversed(ids))), ("?status=new&sort=oldest", ids)):
        pages: list[list[uuid.UUID]] = []
        url: str | None = f"/staff/{query}"
        while url is not None:
            page = coordinator.get(url).text
            pages.append([uuid.UUID(match) for match in CASE_LINK.findall(page)])
            url = link(page, "next")
        assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
        assert [case for page in pages for case in page] == expected_order
        last_page = coordinator.get(f"/staff/{query}").text
        second = coordinator.get(link(last_page, "next") or "").text
        previous = link(second, "prev")
        assert previous is not None
        assert [uuid.UUID(match) for match in CASE_LINK.findall(coordinator.get(previous).text)] == pages[0]


def test_status_sort_pages_across_statuses(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    new = seed_plain_cases(initialised_settings, PAGE_SIZE - 10, start=START)
    in_progress = seed_plain_cases(initialised_settings, 30, start=START, status="in_progress")
    first = listed(coordinator, "?sort=status")
    second_page = coordinator.get(link(coordinator.get("/staff/?sort=status").text, "next") or "").text
    second = [uuid.UUID(match) for match in CASE_LINK.findall(second_page)]
    assert first + second == [*reversed(new), *reversed(in_progress)]
    back = coordinator.get(link(second_page, "prev") or "").text
    assert [uuid.UUID(match) for match in CASE_LINK.findall(back)] == first


def test_drawing_the_inbox_decrypts_nothing(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = staff_client("coordinator")
    case = seed_case(initialised_settings, staff_codes={"grounds": ["age"]}).id

    def forbidden(*_args: Any, **_kwargs: Any) -> bytes:
        raise AssertionError("the inbox must not decrypt anything")

    monkeypatch.setattr(report_keys, "unwrap_data_key", forbidden)
    monkeypatch.setattr(report_keys, "open_field", forbidden)
    assert listed(coordinator, "?ground=age") == [case]


def test_malformed_query_values_are_ignored_not_errors() -> None:
    request = InboxRequest.from_query(
        {"status": "bogus", "ground": "unknown", "from": "2025-13-01", "assignee": "x", "sort": "drop", "after": "1~2"},
        languages=("de",),
    )
    assert request.filters.status is None
    assert request.filters.ground is None  # reporter-only codes are no filter
    assert request.filters.received_from is None
    assert request.filters.assignee is None
    assert request.sort == "attention"  # the default
    assert request.query_string() == ""  # links carry only what was understood
    assert request.after == "1~2"


def test_a_malformed_cursor_shows_the_first_page(staff_client: StaffClient, initialised_settings: Settings) -> None:
    coordinator = staff_client("coordinator")
    ids = seed_plain_cases(initialised_settings, 2, start=START)
    assert listed(coordinator, "?after=not-a-cursor") == list(reversed(ids))


def set_columns(settings: Settings, case_id: uuid.UUID, **columns: object) -> None:
    async def write(db: AsyncSession) -> None:
        await db.execute(update(Report).where(Report.id == case_id).values(**columns))

    run_db(settings, write)


def test_the_default_order_puts_what_needs_attention_first(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    """Reply received, then overdue, then new, then the rest; the most recently active first in each."""
    coordinator = staff_client("coordinator")
    today = dt.date.today()

    def case(received_days_ago: int, active_days_ago: int, status: str, *, acknowledged: bool = False) -> uuid.UUID:
        received = today - dt.timedelta(days=received_days_ago)
        [case_id] = seed_plain_cases(initialised_settings, 1, start=received, status=status)
        set_columns(
            initialised_settings,
            case_id,
            last_activity_on=today - dt.timedelta(days=active_days_ago),
            acknowledged_on=received if acknowledged else None,
        )
        return case_id

    waiting_acknowledged = case(5, 4, "waiting_for_reporter", acknowledged=True)
    closed_long_ago = case(300, 2, "closed")
    reply_old = case(60, 30, "reply_received")
    new_overdue = case(20, 20, "new")
    new_today = case(0, 0, "new")
    reply_recent = case(0, 0, "reply_received")
    in_progress_overdue = case(10, 1, "in_progress")
    new_yesterday = case(1, 1, "new")
    in_progress_acknowledged = case(3, 0, "in_progress", acknowledged=True)
    # AGG-relevant without any incident date: no AGG deadline, and still listed (in the rest).
    agg_without_date = seed_case(
        initialised_settings, received_on=today - dt.timedelta(days=2), staff_codes={"agg_applicable": ["yes"]}
    ).id
    set_columns(
        initialised_settings,
        agg_without_date,
        status="in_progress",
        acknowledged_on=today,
        last_activity_on=today - dt.timedelta(days=3),
    )

    expected = [
        reply_recent,
        reply_old,
        in_progress_overdue,
        new_overdue,
        new_today,
        new_yesterday,
        in_progress_acknowledged,
        closed_long_ago,
        agg_without_date,
        waiting_acknowledged,
    ]
    assert listed(coordinator) == expected
    assert listed(coordinator, "?sort=attention") == expected
    page = coordinator.get("/staff/?lang=en").text
    assert '<option value="attention" selected>Needs attention first</option>' in page
    # Filterable: the order holds within a filter, and the other orders stay available.
    assert listed(coordinator, "?status=new") == [new_overdue, new_today, new_yesterday]
    assert listed(coordinator, "?attention=overdue") == [reply_old, in_progress_overdue, new_overdue]
    assert listed(coordinator, "?sort=newest")[:2] == sorted([new_today, reply_recent], key=lambda i: i.hex)[::-1]


def test_attention_order_pages_across_its_groups_in_both_directions(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    today = dt.date.today()
    rest = seed_plain_cases(initialised_settings, 30, start=today - dt.timedelta(days=400), status="closed")
    overdue_start = today - dt.timedelta(days=200)
    overdue_new = seed_plain_cases(initialised_settings, 40, start=overdue_start)
    # Same days as the first overdue new cases: a group read status by status merges on (day, id).
    overdue_in_progress = seed_plain_cases(initialised_settings, 25, start=overdue_start, status="in_progress")
    fresh = seed_plain_cases(initialised_settings, 6, start=today - dt.timedelta(days=5))
    replies = seed_plain_cases(initialised_settings, 30, start=today - dt.timedelta(days=100), status="reply_received")
    day_of = {
        **{case: overdue_start + dt.timedelta(days=day) for day, case in enumerate(overdue_new)},
        **{case: overdue_start + dt.timedelta(days=day) for day, case in enumerate(overdue_in_progress)},
    }
    overdue = sorted(day_of, key=lambda case: (day_of[case], case), reverse=True)
    expected = [*reversed(replies), *overdue, *reversed(fresh), *reversed(rest)]

    pages: list[list[uuid.UUID]] = []
    url: str | None = "/staff/"
    while url is not None:
        page = coordinator.get(url).text
        pages.append([uuid.UUID(match) for match in CASE_LINK.findall(page)])
        url = link(page, "next")
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, len(expected) - 2 * PAGE_SIZE]
    assert [case for page in pages for case in page] == expected

    last = coordinator.get(
        link(coordinator.get(link(coordinator.get("/staff/").text, "next") or "").text, "next") or ""
    )
    back = coordinator.get(link(last.text, "prev") or "").text
    assert [uuid.UUID(match) for match in CASE_LINK.findall(back)] == pages[1]
    first = coordinator.get(link(back, "prev") or "").text
    assert [uuid.UUID(match) for match in CASE_LINK.findall(first)] == pages[0]


def test_every_public_locale_is_named_in_the_inbox_and_filters_by_it(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    """Leichte Sprache (``de-x-ls``, which Babel does not know) was listed as "Other"."""
    coordinator = staff_client("coordinator")
    easy = seed_case(initialised_settings, language="de-x-ls").id
    for lang in ("de", "en"):
        page = coordinator.get(f"/staff/?lang={lang}").text
        assert "<td>Leichte Sprache</td>" in page, lang
        assert '<option value="de-x-ls">Leichte Sprache</option>' in page, lang
        assert "<td>Other</td>" not in page, lang
        assert "<td>Andere</td>" not in page, lang
    assert listed(coordinator, "?language=de-x-ls") == [easy]
    case_page = coordinator.get(f"/staff/cases/{easy}?lang=en").text
    assert "<dd>Leichte Sprache</dd>" in case_page


@pytest.mark.parametrize("staff_language", ["de", "en"])
def test_no_public_locale_is_called_other(staff_language: str) -> None:
    names = {code: _language_name(code, staff_language) for code in SUPPORTED_LANGUAGES}
    assert None not in names.values(), names
    assert names["de-x-ls"] == "Leichte Sprache"
    assert len(set(names.values())) == len(names)
