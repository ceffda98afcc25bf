"""The audit log in words: local time in Germany across daylight saving, details without ids or codes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest

from reporting.audit.words import action_label, case_reference, describe_detail, local_time
from reporting.i18n import reset_language, set_language


@pytest.fixture
def english() -> Iterator[None]:
    token = set_language("en")
    yield
    reset_language(token)


def test_times_are_shown_in_german_local_time(english: None) -> None:
    winter = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
    assert "11:00" in local_time(winter)
    assert "12:00" in local_time(summer)
    assert "Jul 1, 2026" in local_time(summer)


def test_details_are_words_with_names_and_no_ids(english: None) -> None:
    colleague = uuid.uuid4()
    names = {f"staff:{colleague}": "Ada Adviser"}
    assert describe_detail("case.grant", f"staff:{colleague}", names) == "Ada Adviser"
    assert describe_detail("case.status", "new->closed;reason=resolved", names) == "New → Closed; Reason: Resolved"
    assert describe_detail("case.note", f"note:{uuid.uuid4()}", names) == ""
    categorised = describe_detail("case.categorise", "grounds=gender,age;intersectional=no;consent=yes", names)
    assert "Gender" in categorised
    assert "Age" in categorised
    assert "Consent to statistics: yes" in categorised
    assert describe_detail("case.assign", f"staff:{uuid.uuid4()}", names) == "a former staff member"
    assert action_label("case.open") == "Opened the case"
    assert action_label("some.future_event") == "some.future_event", "unknown codes stay visible"


def test_case_references_match_the_inbox() -> None:
    report_id = uuid.UUID("3f2a9c01-0000-4000-8000-000000000000")
    assert case_reference(report_id) == "3F2A9C01"
