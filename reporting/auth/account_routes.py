"""A staff member's own account: who they are, and changing their password."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.identity import StaffIdentity, Stage
from reporting.access.roles import ROLE_LABELS, ROLES
from reporting.access.rules import allow
from reporting.audit import chain as audit
from reporting.auth import accounts
from reporting.auth.sessions import end_all_sessions, set_session_cookie, start_session
from reporting.config.settings import Settings
from reporting.db.models import StaffAccount
from reporting.i18n import N_
from reporting.web.commits import commit
from reporting.web.forms import read_form, see_other
from reporting.web.throttle import enforce_limits, pseudonym

ACCOUNT_PATH = "/staff/me"
PASSWORD_ATTEMPTS_PER_ACCOUNT = 5


def _account_page(
    staff: StaffIdentity, *, error: str | None = None, changed: bool = False, status_code: int = 200
) -> Template:
    return Template(
        "auth/account.html",
        context={"staff": staff, "error": error, "changed": changed, "role_labels": ROLE_LABELS},
        status_code=status_code,
    )


@get(ACCOUNT_PATH, opt=allow(*ROLES), include_in_schema=False)
async def account_page(request: Request[Any, Any, State], staff: NamedDependency[StaffIdentity]) -> Template:
    return _account_page(staff, changed=request.query_params.get("changed") == "1")


@post(f"{ACCOUNT_PATH}/password", opt=allow(*ROLES), include_in_schema=False)
async def change_password(
    request: Request[Any, Any, State],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
    db_engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Re-wrap the private key under the new password, end every other session, and rotate this one."""
    await enforce_limits(
        db_engine,
        [
            (
                "staff-password-account",
                pseudonym("password-account", staff.actor),
                PASSWORD_ATTEMPTS_PER_ACCOUNT,
            )
        ],
    )
    form = await read_form(request)
    if form.text("new_password") != form.text("new_password_repeat"):
        return _account_page(staff, error=N_("The two new passwords differ."), status_code=400)
    account = await db_session.get(StaffAccount, staff.staff_id)
    assert account is not None
    try:
        changed = await accounts.change_password(
            db_session, account, form.text("current_password"), form.text("new_password")
        )
    except accounts.AccountError as error:
        return _account_page(staff, error=str(error), status_code=400)
    if not changed:
        return _account_page(staff, error=N_("The current password is wrong."), status_code=400)
    await end_all_sessions(db_session, account.id, keep=staff.session_id_hash)
    cookie_value = await start_session(
        db_session, account, staff.private_key, stage=Stage.ACTIVE, replaces=staff.session_id_hash
    )
    await audit.record(db_session, action="password.changed", actor=staff.actor)
    await commit(db_session, where="change_password")
    response = see_other(f"{ACCOUNT_PATH}?changed=1")
    set_session_cookie(response, cookie_value, settings)
    return response


ACCOUNT_ROUTE_HANDLERS = [account_page, change_password]
