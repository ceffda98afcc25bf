"""Staff actions are confirmed (303) only after their commit returned: when the database refuses it (a
deferred constraint on the audit table on PostgreSQL, a full disk on SQLite) the answer says nothing was
saved, shows what was typed, and the failure is logged without content. A walk over every POST route
checks that no route answers a refused commit with success."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from tests.casework.case_helpers import actions, seed_case, staff_codes
from tests.casework.conftest import StaffClient, csrf_token, post_form
from tests.faults import CommitBreaker, assert_not_stored_logged, small_data_dir

NOTE = "Rückruf vereinbart, Kanarienvogel-5521."


@pytest.fixture
def initialised_settings(settings: Settings) -> Iterator[Settings]:
    """The instance, on SQLite in a data directory that is its own small file system."""
    if settings.is_sqlite:
        with small_data_dir(settings.data_dir):
            initialise(settings)
            yield settings
    else:
        initialise(settings)
        yield settings


@pytest.fixture
def breaker(initialised_settings: Settings) -> CommitBreaker:
    return CommitBreaker(initialised_settings)


def test_a_note_that_cannot_be_saved_is_not_confirmed(
    staff_client: StaffClient,
    initialised_settings: Settings,
    breaker: CommitBreaker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account]).id
    csrf_token(adviser)
    breaker.refuse(["audit_event", "note"])
    with caplog.at_level(logging.INFO):
        answer = post_form(adviser, f"/staff/cases/{case}/notes", {"body": NOTE})

    assert answer.status_code == 503, answer.text
    assert "Es wurde nichts gespeichert" in answer.text
    assert f">{NOTE}</textarea>" in answer.text
    assert f'href="/staff/cases/{case}"' in answer.text
    breaker.make_room()
    assert "case.note" not in actions(initialised_settings, case)
    assert_not_stored_logged(caplog, NOTE)


def test_a_categorisation_that_cannot_be_saved_is_not_confirmed(
    staff_client: StaffClient,
    initialised_settings: Settings,
    breaker: CommitBreaker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], reporter_codes={"grounds": ["unknown"]}).id
    csrf_token(adviser)
    breaker.refuse(["audit_event", "categorisation", "case_code"])
    with caplog.at_level(logging.INFO):
        answer = post_form(adviser, f"/staff/cases/{case}/categorisation", {"grounds": ["age"], "areas": ["housing"]})

    assert answer.status_code == 503, answer.text
    assert "Es wurde nichts gespeichert" in answer.text
    breaker.make_room()
    assert "case.categorise" not in actions(initialised_settings, case)
    assert staff_codes(initialised_settings, case) == {}
    assert_not_stored_logged(caplog)


def _post_routes(app: Litestar) -> list[str]:
    paths = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "POST" in route.methods:
            paths.append(route.path)
    return sorted(paths)


def test_no_post_route_confirms_a_refused_commit(
    app: Litestar,
    staff_client: StaffClient,
    initialised_settings: Settings,
    breaker: CommitBreaker,
) -> None:
    """Every POST route, called by a coordinator with plausible fields, on a database that refuses every
    commit: the answer may be a refusal or an error, never a success (2xx or a redirect)."""
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[coordinator.staff_account], receipt_code=True).id
    tables = [
        "report",
        "message",
        "note",
        "attachment",
        "categorisation",
        "case_code",
        "wrapped_key",
        "audit_event",
        "staff_account",
        "staff_session",
        "staff_invitation",
        "used_token",
    ]
    csrf_token(coordinator)
    breaker.refuse(tables)
    fields = {
        "body": "Kanarienvogel",
        "status": "in_progress",
        "grounds": ["age"],
        "assignee": str(adviser.staff_account.id),
        "staff_id": str(adviser.staff_account.id),
        "role": "adviser",
        "email": "new-person@caritas.example",
        "narrative": "Kanarienvogel",
        "source": "phone",
        "language": "de",
        "received_on": "2026-01-05",
        "form_token": "walk-in-token-1",
        "current_password": "correct horse battery staple",
        "new_password": "another long enough passphrase",
        "new_password_repeat": "another long enough passphrase",
        "code": "000000",
        "message": "Kanarienvogel",
    }
    checked = []
    for template in _post_routes(app):
        path = template.replace("{report_id:uuid}", str(case)).replace("{staff_id:uuid}", str(adviser.staff_account.id))
        if "{" in path or path in ("/staff/logout", "/staff/login", "/staff/login/two-factor"):
            continue  # a token nobody has, or the session this walk needs; login is tested on its own
        answer = post_form(coordinator, path, fields)
        assert not 200 <= answer.status_code < 400, f"{path} answered {answer.status_code} on a refused commit"
        checked.append(path)
    assert len(checked) >= 15, checked
