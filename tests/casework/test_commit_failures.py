"""Staff actions are confirmed (303) only after their commit returned: when the database refuses it (a
deferred constraint on the audit table on PostgreSQL, a full disk on SQLite) the answer says nothing was
saved, shows what was typed, and the failure is logged without content. A walk over every POST route
checks that no route answers a refused commit with success."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from reporting.access.identity import Stage
from reporting.access.roles import Role
from reporting.auth import invitations, sessions
from reporting.config.settings import Settings
from reporting.crypto import passwords
from tests.casework.case_helpers import actions, seed_case, staff_codes
from tests.casework.conftest import (
    DEFAULT_PASSWORD,
    MakeStaff,
    StaffClient,
    StaffTestClient,
    csrf_token,
    post_form,
    set_staff_cookie,
    totp_code,
)
from tests.commit_faults import CommitBreaker, assert_not_stored_logged, instance_on_a_small_disk
from tests.conftest import run_db

NOTE = "Rückruf vereinbart, Kanarienvogel-5521."


@pytest.fixture
def initialised_settings(settings: Settings) -> Iterator[Settings]:
    with instance_on_a_small_disk(settings) as ready:
        yield ready


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


def test_a_case_page_whose_audit_record_fails_is_not_shown(
    staff_client: StaffClient,
    initialised_settings: Settings,
    breaker: CommitBreaker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The net under every handler: the view is audited through the request's transaction and never
    committed by the handler itself, so only the commit before sending stands between a failed audit
    record and decrypted content on the screen."""
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], narrative=NOTE).id
    assert NOTE in adviser.get(f"/staff/cases/{case}").text
    breaker.refuse(["audit_event"])
    with caplog.at_level(logging.INFO):
        answer = adviser.get(f"/staff/cases/{case}")

    assert answer.status_code >= 500
    assert NOTE not in answer.text
    assert_not_stored_logged(caplog, NOTE)


STORES_NOTHING = frozenset({"/language", "/mailbox/language"})
"""POST routes that only show a page again in another language: nothing to commit, nothing to confirm."""


def _post_routes(app: Litestar) -> list[str]:
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute) and "POST" in route.methods and route.path not in STORES_NOTHING
    )


def test_no_post_route_confirms_a_refused_commit(
    app: Litestar,
    client: TestClient[Litestar],
    staff_client: StaffClient,
    make_staff: MakeStaff,
    initialised_settings: Settings,
    breaker: CommitBreaker,
) -> None:
    """Every POST route, called with plausible fields (a coordinator for the staff routes, real
    credentials for the login, a real invitation), on a database that refuses every commit: the answer
    may be a refusal or an error, never a success (2xx or a redirect)."""
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[coordinator.staff_account], receipt_code=True).id
    colleague, password, secret = make_staff("adviser")
    assert secret is not None
    invitation = run_db(
        initialised_settings,
        lambda db: invitations.create_invitation(
            db, email="invited@caritas.example", role=Role.ADVISER, invited_by=coordinator.staff_account.id
        ),
    )
    half_logged_in = StaffTestClient(app, colleague)
    half_logged_in.blocking_portal = client.blocking_portal
    set_staff_cookie(
        half_logged_in,
        run_db(
            initialised_settings,
            lambda db: sessions.start_session(
                db, colleague, passwords.unwrap_private_key(colleague.wrapped_private_key, password), stage=Stage.TOTP
            ),
        ),
    )
    for someone in (coordinator, half_logged_in, client):
        csrf_token(someone)
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
    breaker.refuse(tables)
    fields: dict[str, Any] = {
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
        "current_password": DEFAULT_PASSWORD,
        "new_password": "another long enough passphrase",
        "new_password_repeat": "another long enough passphrase",
        "password": "another long enough passphrase",
        "password_repeat": "another long enough passphrase",
        "display_name": "Invited Person",
        "message": "Kanarienvogel",
    }
    special: dict[str, tuple[TestClient[Litestar], dict[str, Any]]] = {
        "/staff/login": (client, {"email": colleague.email, "password": password}),
        "/staff/login/two-factor": (half_logged_in, {"code": totp_code(secret)}),
        "/staff/invite/{token:str}": (client, fields),
    }
    checked = []
    # Logging out ends the coordinator's session: last.
    for template in sorted(_post_routes(app), key=lambda path: path == "/staff/logout"):
        who, data = special.get(template, (coordinator, fields))
        path = (
            template.replace("{report_id:uuid}", str(case))
            .replace("{staff_id:uuid}", str(adviser.staff_account.id))
            .replace("{token:str}", invitation)
        )
        answer = post_form(who, path, data)
        assert not 200 <= answer.status_code < 400, f"{path} answered {answer.status_code} on a refused commit"
        checked.append(template)
    assert set(checked) == set(_post_routes(app))
