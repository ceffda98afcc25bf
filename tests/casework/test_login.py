"""Login with password and TOTP: enrolment at first login, codes used once, session ids rotated at each
step, constant work for unknown e-mails, rate limits, idle timeout, logout destroying the unlocked key."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable

import pyotp
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.app import housekeeping_jobs
from reporting.auth import accounts, sessions, totp
from reporting.cli import cli
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import envelope, passwords
from reporting.db.engine import create_engine
from reporting.db.models import AuditEvent, StaffAccount, StaffSession, WrappedKey
from reporting.vault import sealing, values
from reporting.web.housekeeping import run_jobs
from tests.casework.conftest import login, post_form, set_staff_cookie, totp_code
from tests.conftest import run_db

MakeStaff = Callable[..., tuple[StaffAccount, str, str | None]]
SESSION_COOKIE = sessions.STAFF_SESSION_COOKIE


def _session_rows(settings: Settings) -> list[StaffSession]:
    async def load(db: AsyncSession) -> list[StaffSession]:
        return list((await db.execute(select(StaffSession))).scalars().all())

    return run_db(settings, load)


def _audit(settings: Settings) -> list[tuple[str, str, str]]:
    async def load(db: AsyncSession) -> list[tuple[str, str, str]]:
        rows = await db.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id))
        return [(actor, action, detail) for actor, action, detail in rows]

    return run_db(settings, load)


def _account(settings: Settings, email: str) -> StaffAccount:
    async def load(db: AsyncSession) -> StaffAccount:
        account = await accounts.find_account(db, email)
        assert account is not None
        return account

    return run_db(settings, load)


def test_first_login_enrols_totp_and_lands_on_the_role_home(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, _ = make_staff("adviser", enrolled=False)
    response = post_form(client, "/staff/login", {"email": account.email, "password": password})
    assert response.headers["location"] == "/staff/login/two-factor"

    page = client.get("/staff/login/two-factor?lang=en")
    assert page.status_code == 200
    assert "Set up your authenticator app" in page.text
    uri = re.search(r"otpauth://totp/[^<\s]+", page.text)
    assert uri is not None
    secret = pyotp.parse_uri(uri.group(0).replace("&amp;", "&")).secret
    grouped = re.search(r'class="secret">([A-Z2-7 ]+)<', page.text)
    assert grouped is not None
    assert grouped.group(1).replace(" ", "") == secret
    assert client.get("/staff/login/two-factor").text.count(grouped.group(1)) == 1, "same secret on reload"

    pending = _session_rows(initialised_settings)
    assert len(pending) == 1
    assert pending[0].stage == "totp"
    assert pending[0].sealed_pending_totp is not None
    assert secret.encode() not in pending[0].sealed_pending_totp

    wrong_code = "000000" if totp_code(secret) != "000000" else "111111"
    wrong = post_form(client, "/staff/login/two-factor?lang=en", {"code": wrong_code})
    assert wrong.status_code == 200
    assert "The code is wrong or was used already." in wrong.text

    done = post_form(client, "/staff/login/two-factor", {"code": totp_code(secret)})
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/"
    stored = _account(initialised_settings, account.email)
    assert stored.sealed_totp_secret is not None
    assert secret.encode() not in stored.sealed_totp_secret
    assert stored.totp_last_step is not None
    assert client.get("/staff/me").status_code == 200
    assert [action for _, action, _ in _audit(initialised_settings)][-2:] == ["two_factor.enrolled", "login.succeeded"]


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("adviser", "/staff/"),
        ("coordinator", "/staff/"),
        ("statistician", "/staff/stats"),
        ("admin", "/staff/accounts"),
    ],
)
def test_each_role_lands_on_a_page_it_may_open(
    client: TestClient[Litestar], make_staff: MakeStaff, role: str, home: str
) -> None:
    account, password, secret = make_staff(role)
    assert secret is not None
    login(client, account.email, password, secret, role=role)
    response = client.get(home, follow_redirects=False)
    assert response.status_code not in (401, 403)
    assert not response.headers.get("location", "").startswith("/staff/login")


def test_session_id_is_new_after_password_and_after_code_and_old_ids_are_dead(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, secret = make_staff("coordinator")
    assert secret is not None
    # An attacker's own half-login, planted in the victim's browser (session fixation).
    attacker_account, attacker_password, _ = make_staff("adviser")
    post_form(client, "/staff/login", {"email": attacker_account.email, "password": attacker_password})
    planted = client.cookies[SESSION_COOKIE]

    post_form(client, "/staff/login", {"email": account.email, "password": password})
    after_password = client.cookies[SESSION_COOKIE]
    post_form(client, "/staff/login/two-factor", {"code": totp_code(secret)})
    after_code = client.cookies[SESSION_COOKIE]
    assert len({planted, after_password, after_code}) == 3
    assert [row.stage for row in _session_rows(initialised_settings)] == ["active"]

    for stale in (planted, after_password):
        client.cookies.clear()
        set_staff_cookie(client, stale)
        response = client.get("/staff/me", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/login"
    client.cookies.clear()
    set_staff_cookie(client, after_code)
    assert client.get("/staff/me").status_code == 200


def test_session_cookie_is_httponly_strict_secure_scoped_and_session_only(
    client: TestClient[Litestar], make_staff: MakeStaff
) -> None:
    account, password, _ = make_staff("adviser")
    response = post_form(client, "/staff/login", {"email": account.email, "password": password})
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE))
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "secure" in attributes
    assert "path=/staff" in attributes
    assert not any(part.startswith(("max-age", "expires")) for part in attributes)


def test_a_totp_code_is_accepted_only_once(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    code = totp_code(secret)
    post_form(client, "/staff/login", {"email": account.email, "password": password})
    assert post_form(client, "/staff/login/two-factor", {"code": code}).status_code == 303
    post_form(client, "/staff/logout")

    post_form(client, "/staff/login", {"email": account.email, "password": password})
    replay = post_form(client, "/staff/login/two-factor", {"code": code})
    assert replay.status_code == 200, "the same code must not log in twice"
    assert client.get("/staff/me", follow_redirects=False).status_code == 303
    # An earlier step than the one used is refused too; the next step is accepted.
    assert post_form(client, "/staff/login/two-factor", {"code": totp_code(secret, step_offset=-1)}).status_code == 200
    accepted = post_form(client, "/staff/login/two-factor", {"code": totp_code(secret, step_offset=1)})
    assert accepted.status_code == 303
    assert ("staff:" + str(account.id), "login.failed", "code") in _audit(initialised_settings)


def test_a_code_matches_only_a_step_later_than_the_last_used_one() -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = 1_767_225_615.0
    step = int(now) // 30
    generator = pyotp.TOTP(secret)
    current, previous = generator.generate_otp(step), generator.generate_otp(step - 1)
    assert current != previous
    assert totp.matching_step(secret, current, after_step=None, now=now) == step
    assert totp.matching_step(secret, current, after_step=step - 1, now=now) == step
    assert totp.matching_step(secret, current, after_step=step, now=now) is None, "the last used step again"
    assert totp.matching_step(secret, current, after_step=step + 1, now=now) is None
    assert totp.matching_step(secret, previous, after_step=step - 2, now=now) == step - 1
    assert totp.matching_step(secret, previous, after_step=step - 1, now=now) is None


def test_two_logins_racing_with_one_code_claim_its_step_once(
    make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    """Both logins read the account before either claimed the step, so the code matches for both; the
    database lets only the first claim it (the second waits for the first to commit, then finds it used)."""
    account, _, secret = make_staff("adviser")
    assert secret is not None
    code = totp_code(secret)

    async def race() -> tuple[int | None, list[bool]]:
        engine = create_engine(initialised_settings)
        new_session = async_sessionmaker(engine, expire_on_commit=False)
        try:
            async with new_session() as first, new_session() as second:
                steps = []
                for db in (first, second):
                    stored = await db.get(StaffAccount, account.id)
                    assert stored is not None
                    steps.append(totp.matching_step(secret, code, after_step=stored.totp_last_step))
                step = steps[0]
                assert step is not None
                assert steps == [step, step]
                claimed_first = await totp.claim_step(first, account.id, step)
                second_claim = asyncio.create_task(totp.claim_step(second, account.id, step))
                await asyncio.sleep(0.2)
                assert not second_claim.done(), "the second update waits for the first transaction"
                await first.commit()
                claimed_second = await second_claim
                await second.commit()
                return step, [claimed_first, claimed_second]
        finally:
            await engine.dispose()

    step, claimed = asyncio.run(race())
    assert claimed == [True, False]
    assert _account(initialised_settings, account.email).totp_last_step == step


def test_wrong_password_and_unknown_email_look_the_same_and_do_the_same_work(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, _, _ = make_staff("adviser")
    calls: list[str] = []
    real_verify, real_unwrap = PasswordHasher.verify, passwords.unwrap_private_key

    def counting_verify(self: PasswordHasher, hashed: str, password: str) -> bool:
        calls.append("hash")
        return real_verify(self, hashed, password)

    def counting_unwrap(blob: bytes, password: str) -> bytes:
        calls.append("unwrap")
        return real_unwrap(blob, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(passwords, "unwrap_private_key", counting_unwrap)
    pages = []
    for email in (account.email, "nobody@caritas.example", "not an address"):
        calls.clear()
        response = post_form(client, "/staff/login?lang=en", {"email": email, "password": "wrong password!!"})
        assert response.status_code == 200
        assert calls == ["hash", "unwrap"], email
        pages.append(response.text.replace(email, "EMAIL"))
        assert SESSION_COOKIE not in client.cookies
    assert pages[0] == pages[1] == pages[2]
    assert "E-mail address or password is wrong." in pages[0]
    failures = [event for event in _audit(initialised_settings) if event[1] == "login.failed"]
    assert failures == [("unknown", "login.failed", "password")] * 3


def test_disabled_account_cannot_log_in(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, _ = make_staff("adviser")

    async def disable(db: AsyncSession) -> None:
        await accounts.disable_staff(db, account.id)

    run_db(initialised_settings, disable)
    response = post_form(client, "/staff/login", {"email": account.email, "password": password})
    assert response.status_code == 200
    assert SESSION_COOKIE not in client.cookies


def test_login_attempts_are_limited_per_email_and_per_client(
    client: TestClient[Litestar], make_staff: MakeStaff, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, password, _ = make_staff("adviser")
    for _ in range(5):
        assert (
            post_form(client, "/staff/login", {"email": account.email, "password": "wrong password!!"}).status_code
            == 200
        )
    blocked = post_form(client, "/staff/login", {"email": account.email, "password": password})
    assert blocked.status_code == 429
    assert SESSION_COOKIE not in client.cookies, "not even the right password gets through while blocked"

    from reporting.auth import login_routes

    monkeypatch.setattr(login_routes, "LOGIN_ATTEMPTS_PER_CLIENT", 8)
    other, other_password, _ = make_staff("adviser")
    statuses = [
        post_form(client, "/staff/login", {"email": f"guess{index}@caritas.example", "password": "x"}).status_code
        for index in range(3)
    ]
    assert statuses[-1] == 429, "the client made 9 attempts with several addresses"
    assert post_form(client, "/staff/login", {"email": other.email, "password": other_password}).status_code == 429


def test_code_attempts_are_limited(client: TestClient[Litestar], make_staff: MakeStaff) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    post_form(client, "/staff/login", {"email": account.email, "password": password})
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    for _ in range(5):
        assert post_form(client, "/staff/login/two-factor", {"code": wrong}).status_code == 200
    assert post_form(client, "/staff/login/two-factor", {"code": totp_code(secret)}).status_code == 429


def _age_sessions(settings: Settings, **changes: dt.datetime) -> None:
    async def age(db: AsyncSession) -> None:
        await db.execute(update(StaffSession).values(**changes))

    run_db(settings, age)


def test_idle_session_ends_and_its_row_is_deleted(
    staff_client: Callable[..., TestClient[Litestar]], initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    assert adviser.get("/staff/me").status_code == 200
    idle_limit = dt.timedelta(minutes=initialised_settings.staff_idle_minutes)
    _age_sessions(initialised_settings, last_seen_at=dt.datetime.now(dt.UTC) - idle_limit + dt.timedelta(minutes=1))
    assert adviser.get("/staff/me").status_code == 200, "still within the idle time"
    _age_sessions(initialised_settings, last_seen_at=dt.datetime.now(dt.UTC) - idle_limit - dt.timedelta(seconds=5))
    response = adviser.get("/staff/me", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"
    assert _session_rows(initialised_settings) == []


def test_half_login_expires_after_five_minutes(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    post_form(client, "/staff/login", {"email": account.email, "password": password})
    _age_sessions(initialised_settings, created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6))
    response = post_form(client, "/staff/login/two-factor", {"code": totp_code(secret)})
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"


def test_a_half_logged_in_session_reaches_no_staff_page(client: TestClient[Litestar], make_staff: MakeStaff) -> None:
    account, password, _ = make_staff("coordinator")
    post_form(client, "/staff/login", {"email": account.email, "password": password})
    for path in ("/staff/me", "/staff/accounts", "/staff/audit", "/staff/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/staff/login", path


def test_logout_deletes_the_session_and_with_it_the_unlocked_key(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    login(client, account.email, password, secret)
    cookie = client.cookies[SESSION_COOKIE]
    assert len(_session_rows(initialised_settings)) == 1
    response = post_form(client, "/staff/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?logged-out=1"
    assert _session_rows(initialised_settings) == []
    assert SESSION_COOKIE not in client.cookies
    set_staff_cookie(client, cookie)
    assert client.get("/staff/me", follow_redirects=False).headers["location"] == "/staff/login"
    assert _audit(initialised_settings)[-1] == (f"staff:{account.id}", "logout", "")


def test_logout_needs_the_csrf_token(client: TestClient[Litestar], make_staff: MakeStaff) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    login(client, account.email, password, secret)
    assert client.post("/staff/logout", follow_redirects=False).status_code == 403
    assert client.get("/staff/me").status_code == 200


def test_session_store_and_cookie_each_alone_open_nothing(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    account, password, secret = make_staff("adviser")
    assert secret is not None
    login(client, account.email, password, secret)
    row = _session_rows(initialised_settings)[0]
    session_id_text, _, cookie_key_text = client.cookies[SESSION_COOKIE].partition(".")
    private_key = passwords.unwrap_private_key(account.wrapped_private_key, password)
    assert private_key not in row.sealed_private_key
    assert session_id_text not in row.id_hash
    assert len(row.id_hash) == 64
    assert cookie_key_text not in repr(row.__dict__)


def _keys_of(settings: Settings, staff_id: uuid.UUID) -> int:
    async def count(db: AsyncSession) -> int:
        return (await db.execute(select(func.count()).where(WrappedKey.staff_id == staff_id))).scalar_one()

    return run_db(settings, count)


def _new_report(settings: Settings, narrative: str) -> None:
    async def create(db: AsyncSession) -> None:
        await sealing.create_report(
            db,
            settings=settings,
            secrets=load_instance_secrets(settings),
            content=values.ReportContent(narrative=narrative),
            metadata=values.ReportMetadata(
                received_on=dt.date.today(), language="de", source="online", consent_statistics=False
            ),
            issue_receipt=False,
        )

    run_db(settings, create)


def test_a_coordinator_row_forged_by_sql_gets_no_key_and_raises_an_audit_alarm(
    client: TestClient[Litestar],
    make_staff: MakeStaff,
    initialised_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Finding 1: a row written straight into the database (key pair of the attacker's choosing) never
    becomes a reader: not of reports that arrive later, not of older ones at a coordinator's login."""
    real, password, secret = make_staff("coordinator")
    assert secret is not None
    _new_report(initialised_settings, "Before the forged row.")
    forged_id = uuid.uuid4()
    attacker = envelope.generate_keypair()

    async def forge(db: AsyncSession) -> None:
        await db.execute(
            insert(StaffAccount).values(
                id=forged_id,
                email="forged@attacker.example",
                display_name="Forged",
                role="coordinator",
                is_active=True,
                password_hash="x",
                public_key=attacker.public_key,
                wrapped_private_key=b"x",
                key_certificate=b"\x01" + bytes(64),
                created_at=dt.datetime.now(dt.UTC),
                password_changed_at=dt.datetime.now(dt.UTC),
            )
        )

    run_db(initialised_settings, forge)
    with caplog.at_level(logging.ERROR):
        _new_report(initialised_settings, "After the forged row.")
        login(client, real.email, password, secret)
    assert _keys_of(initialised_settings, forged_id) == 0, "no wrap for any new or old report"
    assert _keys_of(initialised_settings, real.id) == 4, "the real coordinator holds both reports"
    assert ("system", "keys.certificate_refused", f"staff:{forged_id}") in _audit(initialised_settings)
    refusals = [record.getMessage() for record in caplog.records if "key certificate" in record.getMessage()]
    assert refusals
    assert all(str(forged_id) in message for message in refusals)


def test_a_role_raised_by_sql_voids_the_certificate(make_staff: MakeStaff, initialised_settings: Settings) -> None:
    """The certificate covers the role: an adviser made coordinator in the database receives nothing."""
    adviser, _, _ = make_staff("adviser")

    async def promote(db: AsyncSession) -> None:
        await db.execute(update(StaffAccount).where(StaffAccount.id == adviser.id).values(role="coordinator"))

    run_db(initialised_settings, promote)
    _new_report(initialised_settings, "Not for a self-made coordinator.")
    assert _keys_of(initialised_settings, adviser.id) == 0


def test_a_coordinator_login_shares_nothing(
    client: TestClient[Litestar], make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    """Sharing is explicit: a coordinator added after reports arrived gets older cases by a grant (or
    recovery), never by a colleague's login."""
    first, password, secret = make_staff("coordinator")
    assert secret is not None
    _new_report(initialised_settings, "A report from before the second coordinator.")
    second, _, _ = make_staff("coordinator")
    login(client, first.email, password, secret)
    assert _keys_of(initialised_settings, second.id) == 0


def test_password_change_rewraps_the_key_ends_other_sessions_and_rotates_this_one(
    client: TestClient[Litestar],
    staff_client: Callable[..., TestClient[Litestar]],
    make_staff: MakeStaff,
    initialised_settings: Settings,
) -> None:
    account, password, secret = make_staff("statistician")
    assert secret is not None
    other_device = staff_client("statistician", account=account, password=password)
    login(client, account.email, password, secret)
    before = client.cookies[SESSION_COOKIE]
    new_password = "a new and longer passphrase"

    form = {"current_password": "not my password", "new_password": new_password, "new_password_repeat": new_password}
    assert post_form(client, "/staff/me/password", form).status_code == 400
    mismatch = {**form, "current_password": password, "new_password_repeat": "something else entirely"}
    assert post_form(client, "/staff/me/password", mismatch).status_code == 400
    short = {"current_password": password, "new_password": "short", "new_password_repeat": "short"}
    assert post_form(client, "/staff/me/password", short).status_code == 400

    changed = post_form(client, "/staff/me/password", {**form, "current_password": password})
    assert changed.status_code == 303
    assert client.cookies[SESSION_COOKIE] != before
    assert client.get("/staff/me").status_code == 200
    assert other_device.get("/staff/me", follow_redirects=False).status_code == 303

    stored = _account(initialised_settings, account.email)
    assert stored.password_hash.startswith("$argon2id$")
    assert passwords.unwrap_private_key(stored.wrapped_private_key, new_password) == passwords.unwrap_private_key(
        account.wrapped_private_key, password
    )
    with pytest.raises(Exception, match="could not open"):
        passwords.unwrap_private_key(stored.wrapped_private_key, password)
    assert ("staff:" + str(account.id), "password.changed", "") in _audit(initialised_settings)


def test_login_pages_render_in_german_and_english(client: TestClient[Litestar]) -> None:
    assert "Anmeldung für Mitarbeitende" in client.get("/staff/login").text
    english = client.get("/staff/login?lang=en").text
    assert "Staff login" in english
    assert '<html lang="en"' in english
    assert "Sie sind abgemeldet." in client.get("/staff/login?logged-out=1").text


def test_housekeeping_purges_sessions_that_can_no_longer_be_used(
    client: TestClient[Litestar],
    staff_client: Callable[..., TestClient[Litestar]],
    make_staff: MakeStaff,
    initialised_settings: Settings,
) -> None:
    staff_client("adviser")
    staff_client("admin")
    assert len(_session_rows(initialised_settings)) == 2
    _age_sessions(initialised_settings, last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    account, password, _ = make_staff("adviser")
    post_form(client, "/staff/login", {"email": account.email, "password": password})
    assert len(_session_rows(initialised_settings)) == 3  # a login no longer deletes anything itself

    async def housekeeping() -> None:
        engine = create_engine(initialised_settings)
        try:
            await run_jobs(housekeeping_jobs(engine, initialised_settings))
        finally:
            await engine.dispose()

    asyncio.run(housekeeping())
    assert [row.stage for row in _session_rows(initialised_settings)] == ["totp"]


def test_certify_staff_vouches_for_an_account_from_before_certificates(
    make_staff: MakeStaff, initialised_settings: Settings
) -> None:
    """After the upgrade (or a restore onto a new server) accounts have no valid certificate until checked."""
    coordinator, _, _ = make_staff("coordinator")

    async def drop_certificate(db: AsyncSession) -> None:
        await db.execute(update(StaffAccount).values(key_certificate=None))

    run_db(initialised_settings, drop_certificate)
    _new_report(initialised_settings, "While uncertified.")
    assert _keys_of(initialised_settings, coordinator.id) == 0
    env = {
        "REPORTING_DATA_DIR": str(initialised_settings.data_dir),
        "REPORTING_KEYS_DIR": str(initialised_settings.keys_dir),
        "REPORTING_DATABASE_URL": initialised_settings.database_url,
    }
    result = CliRunner().invoke(cli, ["keys", "certify-staff", "--email", coordinator.email], env=env)
    assert result.exit_code == 0, result.output
    _new_report(initialised_settings, "After certification.")
    assert _keys_of(initialised_settings, coordinator.id) == 2
    assert ("cli", "keys.certified", f"staff:{coordinator.id}") in _audit(initialised_settings)
