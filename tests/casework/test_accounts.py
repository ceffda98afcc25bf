"""Accounts: creation rules, `reporting staff …` (passwords never from argv), invitations by a one-time
link, and staff management (disabling stops access at once; admins cannot touch coordinators)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.auth import accounts, invitations
from reporting.cli import cli
from reporting.cli import common as cli_common
from reporting.config.settings import Settings
from reporting.crypto import envelope, passwords
from reporting.db.models import AuditEvent, StaffAccount, StaffInvitation
from reporting.vault.key_trust import SIGNING_KEY_FILENAME
from tests.casework.conftest import CHEAP_ARGON2, MakeStaff, StaffClient, post_form, totp_code
from tests.conftest import run_db

PASSWORD = "a long enough passphrase"


def _env(settings: Settings) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }


def _find(settings: Settings, email: str) -> StaffAccount | None:
    async def load(db: AsyncSession) -> StaffAccount | None:
        return await accounts.find_account(db, email)

    return run_db(settings, load)


def _actions(settings: Settings) -> list[tuple[str, str, str]]:
    async def load(db: AsyncSession) -> list[tuple[str, str, str]]:
        rows = await db.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id))
        return [(actor, action, detail) for actor, action, detail in rows]

    return run_db(settings, load)


def _add(settings: Settings, **fields: str) -> StaffAccount:
    async def add(db: AsyncSession) -> StaffAccount:
        return await accounts.add_staff(
            db,
            settings=settings,
            email=fields.get("email", "someone@caritas.example"),
            display_name=fields.get("display_name", ""),
            role=fields.get("role", "adviser"),
            password=fields.get("password", PASSWORD),
            argon2=CHEAP_ARGON2,
        )

    return run_db(settings, add)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "eleven char"}, "at least 12 characters"),
        ({"password": " " * 12}, "spaces only"),
        ({"role": "superuser"}, "Unknown role"),
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"email": "two@at@caritas.example"}, "valid e-mail"),
    ],
)
def test_add_staff_refuses_bad_input(initialised_settings: Settings, fields: dict[str, str], message: str) -> None:
    with pytest.raises(accounts.AccountError, match=message):
        _add(initialised_settings, **fields)


def test_add_staff_stores_an_argon2id_hash_and_a_wrapped_key_pair(initialised_settings: Settings) -> None:
    account = _add(initialised_settings, email="  Mixed.Case@Caritas.Example ")
    assert account.email == "mixed.case@caritas.example"
    assert account.display_name == "mixed.case"
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD.encode() not in account.wrapped_private_key
    private_key = passwords.unwrap_private_key(account.wrapped_private_key, PASSWORD)
    assert envelope.public_key_of(private_key) == account.public_key
    assert account.sealed_totp_secret is None
    with pytest.raises(accounts.AccountError, match="exists already"):
        _add(initialised_settings, email="MIXED.case@caritas.example")


def test_staff_add_reads_the_password_from_a_file_and_records_it(
    initialised_settings: Settings, tmp_path: Path
) -> None:
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    result = CliRunner().invoke(
        cli,
        [
            "staff",
            "add",
            "--email",
            "first@caritas.example",
            "--role",
            "coordinator",
            "--name",
            "First Coordinator",
            "--password-file",
            str(password_file),
        ],
        env=_env(initialised_settings),
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    account = _find(initialised_settings, "first@caritas.example")
    assert account is not None
    assert (account.role, account.display_name, account.is_active) == ("coordinator", "First Coordinator", True)
    passwords.unwrap_private_key(account.wrapped_private_key, PASSWORD)
    assert _actions(initialised_settings) == [("cli", "account.created", f"staff:{account.id};role=coordinator")]


def test_staff_add_reads_the_password_from_stdin(initialised_settings: Settings) -> None:
    result = CliRunner().invoke(
        cli,
        ["staff", "add", "--email", "stdin@caritas.example", "--role", "adviser", "--password-file", "-"],
        env=_env(initialised_settings),
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    account = _find(initialised_settings, "stdin@caritas.example")
    assert account is not None
    passwords.unwrap_private_key(account.wrapped_private_key, PASSWORD)


def test_staff_add_prompts_twice_on_a_terminal(initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_common, "_stdin_is_terminal", lambda: True)
    runner = CliRunner()
    mismatch = runner.invoke(
        cli,
        ["staff", "add", "--email", "typed@caritas.example", "--role", "admin"],
        env=_env(initialised_settings),
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert PASSWORD not in mismatch.output, "the prompt hides what is typed"
    account = _find(initialised_settings, "typed@caritas.example")
    assert account is not None
    passwords.unwrap_private_key(account.wrapped_private_key, PASSWORD)


def test_staff_add_never_takes_a_password_from_argv_or_a_pipe_without_asking(initialised_settings: Settings) -> None:
    runner = CliRunner()
    from_argv = runner.invoke(
        cli, ["staff", "add", "--email", "x@caritas.example", "--role", "adviser", "--password", PASSWORD]
    )
    assert from_argv.exit_code == 2
    no_terminal = runner.invoke(
        cli, ["staff", "add", "--email", "x@caritas.example", "--role", "adviser"], env=_env(initialised_settings)
    )
    assert no_terminal.exit_code == 1
    assert "--password-file" in no_terminal.output
    weak = runner.invoke(
        cli,
        ["staff", "add", "--email", "x@caritas.example", "--role", "adviser", "--password-file", "-"],
        env=_env(initialised_settings),
        input="short\n",
    )
    assert weak.exit_code == 1
    assert "at least 12 characters" in weak.output
    assert _find(initialised_settings, "x@caritas.example") is None


def test_staff_list_disable_and_enable(initialised_settings: Settings, staff_client: StaffClient) -> None:
    adviser = staff_client(
        "adviser", account=_add(initialised_settings, email="adviser@caritas.example"), password=PASSWORD
    )
    assert adviser.get("/staff/me").status_code == 200
    runner = CliRunner()
    listing = runner.invoke(cli, ["staff", "list"], env=_env(initialised_settings))
    assert listing.exit_code == 0
    assert "adviser@caritas.example\tadviser\tactive\tno-2fa" in listing.output

    disabled = runner.invoke(
        cli, ["staff", "disable", "--email", "adviser@caritas.example"], env=_env(initialised_settings)
    )
    assert disabled.exit_code == 0, disabled.output
    assert adviser.get("/staff/me", follow_redirects=False).headers["location"] == "/staff/login"
    assert "\tdisabled\t" in runner.invoke(cli, ["staff", "list"], env=_env(initialised_settings)).output
    assert (
        runner.invoke(
            cli, ["staff", "enable", "--email", "adviser@caritas.example"], env=_env(initialised_settings)
        ).exit_code
        == 0
    )
    unknown = runner.invoke(
        cli, ["staff", "disable", "--email", "nobody@caritas.example"], env=_env(initialised_settings)
    )
    assert unknown.exit_code == 1
    assert [action for _, action, _ in _actions(initialised_settings)] == ["account.disabled", "account.enabled"]


def test_a_coordinator_invites_and_the_invitee_creates_an_account_and_enrols(
    client: TestClient[Litestar],
    staff_client: StaffClient,
    initialised_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(invitations, "add_staff", _cheap_add_staff)
    coordinator = staff_client("coordinator")
    page = post_form(
        coordinator, "/staff/accounts/invite?lang=en", {"email": "New.Colleague@caritas.example", "role": "adviser"}
    )
    assert page.status_code == 200
    match = re.search(r"https://testserver\.local/staff/invite/([A-Za-z0-9_-]{40,})", page.text)
    assert match is not None
    token = match.group(1)
    assert token not in coordinator.get("/staff/accounts").text, "the link is shown once"

    async def stored_invitations(db: AsyncSession) -> list[StaffInvitation]:
        return list((await db.execute(select(StaffInvitation))).scalars())

    (stored,) = run_db(initialised_settings, stored_invitations)
    assert token not in stored.token_hash
    assert stored.expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(days=6, hours=23)

    invite_page = client.get(f"/staff/invite/{token}?lang=en")
    assert invite_page.status_code == 200
    assert "new.colleague@caritas.example" in invite_page.text
    form = {"display_name": "New Colleague", "password": PASSWORD, "password_repeat": "not the same password"}
    assert post_form(client, f"/staff/invite/{token}", form).status_code == 400
    form["password_repeat"] = PASSWORD
    created = post_form(client, f"/staff/invite/{token}", form)
    assert created.status_code == 303
    assert created.headers["location"] == "/staff/login?welcome=1"
    assert post_form(client, f"/staff/invite/{token}", form).status_code == 404, "a link works once"
    assert client.get(f"/staff/invite/{token}").status_code == 404

    account = _find(initialised_settings, "new.colleague@caritas.example")
    assert account is not None
    assert (account.role, account.display_name) == ("adviser", "New Colleague")
    login = post_form(client, "/staff/login", {"email": account.email, "password": PASSWORD})
    assert login.headers["location"] == "/staff/login/two-factor"
    assert "otpauth://" in client.get("/staff/login/two-factor").text
    actions = [action for _, action, _ in _actions(initialised_settings)]
    assert actions == ["invitation.created", "account.created"]


async def _cheap_add_staff(
    db: AsyncSession,
    *,
    settings: Settings,
    email: str,
    display_name: str,
    role: str,
    password: str,
    argon2: passwords.Argon2Params = passwords.DEFAULT_ARGON2,
    office_ids: Sequence[uuid.UUID] = (),
) -> StaffAccount:
    """``accounts.add_staff`` at the tests' Argon2 cost, whatever cost the caller asks for."""
    return await accounts.add_staff(
        db,
        settings=settings,
        email=email,
        display_name=display_name,
        role=role,
        password=password,
        argon2=CHEAP_ARGON2,
        office_ids=office_ids,
    )


def test_expired_and_unknown_invitations_are_refused(
    client: TestClient[Litestar], staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    page = post_form(coordinator, "/staff/accounts/invite", {"email": "late@caritas.example", "role": "statistician"})
    match = re.search(r"/staff/invite/([A-Za-z0-9_-]{40,})", page.text)
    assert match is not None
    token = match.group(1)

    async def expire(db: AsyncSession) -> None:
        await db.execute(update(StaffInvitation).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))

    run_db(initialised_settings, expire)
    assert client.get(f"/staff/invite/{token}").status_code == 404
    assert client.get(f"/staff/invite/{'A' * 43}").status_code == 404
    form = {"display_name": "Late", "password": PASSWORD, "password_repeat": PASSWORD}
    assert post_form(client, f"/staff/invite/{token}", form).status_code == 404
    assert _find(initialised_settings, "late@caritas.example") is None


def test_invitation_rules(staff_client: StaffClient, initialised_settings: Settings) -> None:
    admin = staff_client("admin")
    assert (
        post_form(admin, "/staff/accounts/invite", {"email": "boss@caritas.example", "role": "coordinator"}).status_code
        == 400
    )
    assert (
        post_form(admin, "/staff/accounts/invite", {"email": "ok@caritas.example", "role": "statistician"}).status_code
        == 200
    )
    assert post_form(admin, "/staff/accounts/invite", {"email": "bad address", "role": "adviser"}).status_code == 400
    existing = admin.staff_account.email
    assert post_form(admin, "/staff/accounts/invite", {"email": existing, "role": "adviser"}).status_code == 400
    assert "ok@caritas.example" in admin.get("/staff/accounts").text
    assert post_form(admin, "/staff/accounts/invitations/withdraw", {"email": "ok@caritas.example"}).status_code == 303
    assert "ok@caritas.example" not in admin.get("/staff/accounts").text


def test_disabling_an_account_stops_its_access_at_once(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    adviser = staff_client("adviser")
    adviser_id = adviser.staff_account.id
    assert adviser.get("/staff/me").status_code == 200
    assert post_form(coordinator, f"/staff/accounts/{adviser_id}/disable").status_code == 303
    response = adviser.get("/staff/me", follow_redirects=False)
    assert response.headers["location"] == "/staff/login"
    assert post_form(coordinator, f"/staff/accounts/{adviser_id}/enable").status_code == 303
    assert adviser.get("/staff/me", follow_redirects=False).status_code == 303, "its sessions stay ended"
    assert ("account.disabled", f"staff:{adviser_id}") in [
        (action, detail) for _, action, detail in _actions(initialised_settings)
    ]


def test_nobody_manages_themselves_and_admins_cannot_manage_coordinators(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    admin = staff_client("admin")
    coordinator_id = coordinator.staff_account.id
    admin_id = admin.staff_account.id
    assert post_form(coordinator, f"/staff/accounts/{coordinator_id}/disable").status_code == 403
    assert post_form(admin, f"/staff/accounts/{admin_id}/disable").status_code == 403
    for action in ("disable", "enable", "reset-two-factor"):
        assert post_form(admin, f"/staff/accounts/{coordinator_id}/{action}").status_code == 403
    assert post_form(admin, f"/staff/accounts/{uuid.uuid4()}/disable").status_code == 404
    assert post_form(coordinator, f"/staff/accounts/{admin_id}/disable").status_code == 303
    assert coordinator.get("/staff/me").status_code == 200


def test_resetting_two_factor_makes_the_next_login_enrol_again(
    client: TestClient[Litestar],
    staff_client: StaffClient,
    make_staff: MakeStaff,
) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    admin = staff_client("admin")
    assert post_form(admin, f"/staff/accounts/{account.id}/reset-two-factor").status_code == 303
    post_form(client, "/staff/login", {"email": account.email, "password": password})
    assert "otpauth://" in client.get("/staff/login/two-factor").text
    assert post_form(client, "/staff/login/two-factor", {"code": totp_code(secret)}).status_code == 200, (
        "old app is dead"
    )


def test_staff_page_lists_accounts_for_coordinators_and_admins_only(staff_client: StaffClient) -> None:
    coordinator = staff_client("coordinator")
    page = coordinator.get("/staff/accounts?lang=de")
    assert page.status_code == 200
    assert "Koordinator*in" in page.text
    assert 'action="/staff/accounts/invite"' in page.text
    assert staff_client("admin").get("/staff/accounts").status_code == 200
    assert staff_client("adviser").get("/staff/accounts").status_code == 403
    assert staff_client("statistician").get("/staff/accounts").status_code == 403


def test_an_invitation_accepted_while_the_signing_key_is_missing_is_refused_on_the_form(
    client: TestClient[Litestar], staff_client: StaffClient, initialised_settings: Settings
) -> None:
    """A crypto refusal while an account is approved is a form message (400), never a 500."""
    coordinator = staff_client("coordinator")
    page = post_form(coordinator, "/staff/accounts/invite", {"email": "later@caritas.example", "role": "adviser"})
    match = re.search(r"/staff/invite/([A-Za-z0-9_-]{40,})", page.text)
    assert match is not None
    (initialised_settings.data_dir / SIGNING_KEY_FILENAME).unlink()

    form = {"display_name": "Later", "password": PASSWORD, "password_repeat": PASSWORD}
    refused = post_form(client, f"/staff/invite/{match.group(1)}", form)
    assert refused.status_code == 400
    assert "Signaturschlüssel" in refused.text
    assert _find(initialised_settings, "later@caritas.example") is None
