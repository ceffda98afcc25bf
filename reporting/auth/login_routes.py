"""Login (password, then TOTP code or TOTP enrolment) and logout."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.identity import StaffIdentity, Stage, staff_actor
from reporting.access.roles import home_path
from reporting.access.rules import PUBLIC, TOTP_STAGE
from reporting.audit import chain as audit
from reporting.auth import totp
from reporting.auth.accounts import authenticate, normalise_email
from reporting.auth.guards import LOGIN_PATH
from reporting.auth.sessions import (
    clear_session_cookie,
    end_session,
    session_of_connection,
    set_session_cookie,
    start_session,
)
from reporting.config.settings import Settings
from reporting.crypto.errors import CryptoError
from reporting.db.models import StaffAccount, StaffSession
from reporting.i18n import N_
from reporting.i18n import gettext_ as _
from reporting.vault import key_trust
from reporting.web.commits import commit
from reporting.web.forms import read_form, see_other
from reporting.web.throttle import client_limit, enforce_limits, pseudonym

TWO_FACTOR_PATH = "/staff/login/two-factor"
# Password guesses per e-mail address and per client in 15 minutes; codes per account likewise.
LOGIN_ATTEMPTS_PER_EMAIL = 5
LOGIN_ATTEMPTS_PER_CLIENT = 20
CODE_ATTEMPTS_PER_ACCOUNT = 5

logger = logging.getLogger("reporting.auth.login")


def _login_form(error: str | None = None, email: str = "", *, notice: str | None = None) -> Template:
    return Template("auth/login.html", context={"error": error, "email": email, "notice": notice})


LOGIN_NOTICES = {
    "welcome": N_("Your account is ready. Log in to set up your authenticator app."),
    "logged-out": N_("You are logged out."),
}


@get("/staff/login", opt=PUBLIC, include_in_schema=False)
async def login_page(request: Request[Any, Any, State]) -> Response[Any]:
    current = await session_of_connection(request)
    if current is not None and current.stage is Stage.ACTIVE:
        return see_other(home_path(current.role))
    notice = next((text for name, text in LOGIN_NOTICES.items() if request.query_params.get(name) == "1"), None)
    return _login_form(notice=notice)


@post("/staff/login", opt=PUBLIC, include_in_schema=False)
async def login_submit(
    request: Request[Any, Any, State],
    db_session: NamedDependency[AsyncSession],
    db_engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Check the password (same work whatever is wrong), then start a session waiting for the code."""
    form = await read_form(request)
    email = normalise_email(form.text("email")) or ""
    await enforce_limits(
        db_engine,
        [
            client_limit(request, "staff-login-client", LOGIN_ATTEMPTS_PER_CLIENT),
            ("staff-login-email", pseudonym("login-email", email), LOGIN_ATTEMPTS_PER_EMAIL),
        ],
    )
    authenticated = await authenticate(db_session, email, form.text("password"))
    if authenticated is None:
        await audit.record(db_session, action="login.failed", actor=audit.UNKNOWN_ACTOR, detail="password")
        return _login_form(error=N_("E-mail address or password is wrong."), email=form.text("email"))
    previous = await session_of_connection(request)
    cookie_value = await start_session(
        db_session,
        authenticated.account,
        authenticated.private_key,
        stage=Stage.TOTP,
        replaces=previous.session_id_hash if previous else None,
    )
    await commit(db_session, where="login_submit")
    response = see_other(TWO_FACTOR_PATH)
    set_session_cookie(response, cookie_value, settings)
    return response


async def _pending_secret(db_session: AsyncSession, staff: StaffIdentity) -> str:
    """The secret being enrolled in this session, made on first sight and kept sealed in the session row."""
    row = await db_session.get(StaffSession, staff.session_id_hash)
    assert row is not None
    if row.sealed_pending_totp is not None:
        return totp.open_secret(row.sealed_pending_totp, private_key=staff.private_key, staff_id=staff.staff_id)
    secret = totp.new_secret()
    row.sealed_pending_totp = totp.seal_secret(secret, private_key=staff.private_key, staff_id=staff.staff_id)
    await db_session.flush()
    return secret


async def _two_factor_form(db_session: AsyncSession, staff: StaffIdentity, error: str | None = None) -> Template:
    context: dict[str, Any] = {"error": error, "enrolling": not staff.totp_enrolled}
    if not staff.totp_enrolled:
        secret = await _pending_secret(db_session, staff)
        context["secret_groups"] = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
        context["otpauth_uri"] = totp.provisioning_uri(secret, staff.email)
        context["qr_code"] = totp.qr_code_svg(context["otpauth_uri"], _("QR code to scan with the authenticator app"))
    return Template("auth/two_factor.html", context=context)


@get(TWO_FACTOR_PATH, opt=TOTP_STAGE, include_in_schema=False)
async def two_factor_page(
    staff: NamedDependency[StaffIdentity], db_session: NamedDependency[AsyncSession]
) -> Response[Any]:
    if staff.stage is Stage.ACTIVE:
        return see_other(home_path(staff.role))
    return await _two_factor_form(db_session, staff)


@post(TWO_FACTOR_PATH, opt=TOTP_STAGE, include_in_schema=False)
async def two_factor_submit(
    request: Request[Any, Any, State],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
    db_engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Accept a code once (never the same time step twice), then start the real session with a new id."""
    if staff.stage is Stage.ACTIVE:
        return see_other(home_path(staff.role))
    await enforce_limits(
        db_engine,
        [
            ("staff-code-account", pseudonym("code-account", staff.actor), CODE_ATTEMPTS_PER_ACCOUNT),
            client_limit(request, "staff-code-client", LOGIN_ATTEMPTS_PER_CLIENT),
        ],
    )
    code = (await read_form(request)).text("code")
    account = await db_session.get(StaffAccount, staff.staff_id)
    assert account is not None
    enrolling = account.sealed_totp_secret is None
    try:
        secret = (
            await _pending_secret(db_session, staff)
            if enrolling
            else totp.open_secret(account.sealed_totp_secret or b"", private_key=staff.private_key, staff_id=account.id)
        )
    except CryptoError:
        # The secret no longer belongs to this key (restored backup?): only a reset helps.
        await audit.record(db_session, action="login.failed", actor=staff.actor, detail="code secret unreadable")
        return await _two_factor_form(db_session, staff, error=N_("The code is wrong or was used already."))
    step = totp.matching_step(secret, code, after_step=account.totp_last_step)
    if step is None or not await totp.claim_step(db_session, account.id, step):
        await audit.record(db_session, action="login.failed", actor=staff.actor, detail="code")
        return await _two_factor_form(db_session, staff, error=N_("The code is wrong or was used already."))
    if enrolling:
        account.sealed_totp_secret = totp.seal_secret(secret, private_key=staff.private_key, staff_id=account.id)
        await audit.record(db_session, action="two_factor.enrolled", actor=staff.actor)
    cookie_value = await start_session(
        db_session, account, staff.private_key, stage=Stage.ACTIVE, replaces=staff.session_id_hash
    )
    for forged in await key_trust.uncertified_accounts(db_session, settings):
        # Loud on every login until someone certifies (``reporting keys certify-staff``) or disables it.
        logger.error("staff:%s has no valid key certificate: it receives no report keys", forged.id)
        await audit.record(
            db_session, action="keys.certificate_refused", actor=audit.SYSTEM_ACTOR, detail=staff_actor(forged.id)
        )
    await audit.record(db_session, action="login.succeeded", actor=staff.actor)
    await commit(db_session, where="two_factor_submit")
    response = see_other(home_path(staff.role))
    set_session_cookie(response, cookie_value, settings)
    return response


@post("/staff/logout", opt=TOTP_STAGE, include_in_schema=False)
async def logout(
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Delete the session row: the sealed private key is gone, and the cookie's key opens nothing."""
    await end_session(db_session, staff.session_id_hash)
    await audit.record(db_session, action="logout", actor=staff.actor)
    await commit(db_session, where="logout")
    response = see_other(f"{LOGIN_PATH}?logged-out=1")
    clear_session_cookie(response, settings)
    return response


LOGIN_ROUTE_HANDLERS = [login_page, login_submit, two_factor_page, two_factor_submit, logout]
