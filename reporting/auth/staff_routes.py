"""Staff management (coordinators and admins) and accepting an invitation (the invitee, not logged in).

An admin manages accounts but may neither invite nor change coordinators, who see every case: that
would be a way to case content the admin role does not have. Nobody disables their own account.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.identity import StaffIdentity, staff_actor
from reporting.access.roles import INVITABLE_ROLES, ROLE_LABELS, STAFF_MANAGER_ROLES, Role, parse_role
from reporting.access.rules import PUBLIC, allow
from reporting.audit import chain as audit
from reporting.audit.words import local_time
from reporting.auth import accounts, invitations
from reporting.config.settings import Settings
from reporting.db.models import Office, StaffAccount, StaffOffice
from reporting.i18n import N_
from reporting.vault.offices import is_diocesan, set_memberships, staff_office_ids
from reporting.web.commits import commit
from reporting.web.forms import read_form, see_other
from reporting.web.throttle import client_limit, enforce_limits

ACCOUNTS_PATH = "/staff/accounts"
INVITATION_PATH = "/staff/invite"
STAFF_MANAGERS = allow(*STAFF_MANAGER_ROLES)
INVITATION_ATTEMPTS_PER_CLIENT = 10
SAVED_NOTICES = {
    "withdrawn": N_("The invitation was withdrawn."),
    "disabled": N_("The account was disabled. Its sessions have ended."),
    "enabled": N_("The account was enabled."),
    "reset": N_("The authenticator was reset. The colleague sets up a new one at the next login."),
    "offices": N_("The offices were saved."),
}
"""What the page confirms after each change (``?saved=…`` of the redirect)."""


@dataclass(frozen=True)
class OfficeChoice:
    id: uuid.UUID
    name: str


async def _pickable_offices(db_session: AsyncSession, staff: StaffIdentity) -> list[OfficeChoice]:
    """The offices ``staff`` may put colleagues in: every office for admins and central-office
    coordinators, their own offices for a local coordinator."""
    query = select(Office.id, Office.name).order_by(Office.is_central.desc(), Office.name)
    if not await _manages_every_office(db_session, staff):
        query = query.where(Office.id.in_(select(StaffOffice.office_id).where(StaffOffice.staff_id == staff.staff_id)))
    return [OfficeChoice(*row) for row in await db_session.execute(query)]


async def _manages_every_office(db_session: AsyncSession, staff: StaffIdentity) -> bool:
    return staff.role == Role.ADMIN or await is_diocesan(db_session, staff.staff_id)


async def _memberships(db_session: AsyncSession) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for staff_id, office_id in await db_session.execute(select(StaffOffice.staff_id, StaffOffice.office_id)):
        found.setdefault(staff_id, []).append(office_id)
    return found


async def _accounts_page(
    db_session: AsyncSession,
    staff: StaffIdentity,
    *,
    error: str | None = None,
    invitation_link: str | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Template:
    offices = await _pickable_offices(db_session, staff)
    memberships = await _memberships(db_session)
    every_office = await _manages_every_office(db_session, staff)
    pickable = {office.id for office in offices}
    # A local coordinator sees the colleagues of their own offices only.
    listed = [
        account
        for account in await accounts.list_accounts(db_session)
        if every_office or pickable & set(memberships.get(account.id, []))
    ]
    office_names = dict((await db_session.execute(select(Office.id, Office.name))).all())
    return Template(
        "auth/accounts.html",
        context={
            "accounts": listed,
            "offices": offices,
            "memberships": memberships,
            "office_names": office_names,
            "invitations": await invitations.open_invitations(db_session),
            "manageable_roles": INVITABLE_ROLES[staff.role],
            "role_labels": ROLE_LABELS,
            "error": error,
            "invitation_link": invitation_link,
            "saved": SAVED_NOTICES.get(saved or ""),
            "local_time": local_time,
        },
        status_code=status_code,
    )


@get(ACCOUNTS_PATH, opt=STAFF_MANAGERS, include_in_schema=False)
async def accounts_page(
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
    saved: FromQuery[str | None] = None,
) -> Template:
    return await _accounts_page(db_session, staff, saved=saved)


@post(f"{ACCOUNTS_PATH}/invite", opt=STAFF_MANAGERS, include_in_schema=False)
async def invite(
    request: Request[Any, Any, State],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Template:
    """Create an invitation and show its link once (in the page, never in a URL or a log)."""
    form = await read_form(request)
    role = parse_role(form.text("role"))
    if role is None or role not in INVITABLE_ROLES[staff.role]:
        return await _accounts_page(db_session, staff, error=N_("Choose a role."), status_code=400)
    try:
        office_ids = await _chosen_offices(db_session, staff, form.texts("office_id"), default_to_own=True)
        token = await invitations.create_invitation(
            db_session, email=form.text("email"), role=role, invited_by=staff.staff_id, office_ids=office_ids
        )
    except accounts.AccountError as error:
        return await _accounts_page(db_session, staff, error=str(error), status_code=400)
    await audit.record(db_session, action="invitation.created", actor=staff.actor, detail=f"role={role.value}")
    await commit(db_session, where="invite")
    link = f"{settings.public_url}{INVITATION_PATH}/{token}"  # never from the request's Host header
    return await _accounts_page(db_session, staff, invitation_link=link)


@post(f"{ACCOUNTS_PATH}/invitations/withdraw", opt=STAFF_MANAGERS, include_in_schema=False)
async def withdraw_invitation(
    request: Request[Any, Any, State],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    email = accounts.normalise_email((await read_form(request)).text("email"))
    if email is not None:
        await invitations.withdraw_invitation(db_session, email)
        await audit.record(db_session, action="invitation.withdrawn", actor=staff.actor)
        await commit(db_session, where="withdraw_invitation")
    return see_other(f"{ACCOUNTS_PATH}?saved=withdrawn")


async def _chosen_offices(
    db_session: AsyncSession, staff: StaffIdentity, raw: list[str], *, default_to_own: bool = False
) -> list[uuid.UUID]:
    """The offices ticked in a form, each one ``staff`` may give; at least one. With ``default_to_own``
    (an invitation), none ticked means the inviter's offices (a local coordinator) or the central office."""
    offices = await _pickable_offices(db_session, staff)
    pickable = {str(office.id): office.id for office in offices}
    chosen = [pickable[value] for value in dict.fromkeys(raw) if value in pickable]
    if not raw and default_to_own:
        return [] if await _manages_every_office(db_session, staff) else [office.id for office in offices]
    if not chosen or len(chosen) != len(set(raw)):
        raise accounts.AccountError(N_("Choose at least one office."))
    return chosen


async def _manageable_account(db_session: AsyncSession, staff: StaffIdentity, staff_id: uuid.UUID) -> StaffAccount:
    """The account ``staff`` may change: not their own, and no coordinator for an admin; for a local
    coordinator only a colleague of their own offices (anyone else's account does not exist for them)."""
    account = await db_session.get(StaffAccount, staff_id)
    if account is None:
        raise NotFoundException
    if not await _manages_every_office(db_session, staff):
        own = await staff_office_ids(db_session, staff.staff_id)
        if not own & await staff_office_ids(db_session, account.id):
            raise NotFoundException
    role = parse_role(account.role)
    if account.id == staff.staff_id or role is None or role not in INVITABLE_ROLES[staff.role]:
        raise PermissionDeniedException
    return account


@post(f"{ACCOUNTS_PATH}/{{staff_id:uuid}}/disable", opt=STAFF_MANAGERS, include_in_schema=False)
async def disable_account(
    staff_id: FromPath[uuid.UUID],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """Disable at once: the account's sessions are deleted, the guard refuses any it still presents."""
    account = await _manageable_account(db_session, staff, staff_id)
    await accounts.disable_staff(db_session, account.id)
    await audit.record(db_session, action="account.disabled", actor=staff.actor, detail=staff_actor(account.id))
    await commit(db_session, where="disable_account")
    return see_other(f"{ACCOUNTS_PATH}?saved=disabled")


@post(f"{ACCOUNTS_PATH}/{{staff_id:uuid}}/enable", opt=STAFF_MANAGERS, include_in_schema=False)
async def enable_account(
    staff_id: FromPath[uuid.UUID],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    account = await _manageable_account(db_session, staff, staff_id)
    await accounts.enable_staff(db_session, account.id)
    await audit.record(db_session, action="account.enabled", actor=staff.actor, detail=staff_actor(account.id))
    await commit(db_session, where="enable_account")
    return see_other(f"{ACCOUNTS_PATH}?saved=enabled")


@post(f"{ACCOUNTS_PATH}/{{staff_id:uuid}}/reset-two-factor", opt=STAFF_MANAGERS, include_in_schema=False)
async def reset_two_factor(
    staff_id: FromPath[uuid.UUID],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """For a lost phone: the member enrols a new authenticator after their password at the next login."""
    account = await _manageable_account(db_session, staff, staff_id)
    await accounts.reset_two_factor(db_session, account)
    await audit.record(db_session, action="two_factor.reset", actor=staff.actor, detail=staff_actor(account.id))
    await commit(db_session, where="reset_two_factor")
    return see_other(f"{ACCOUNTS_PATH}?saved=reset")


@post(f"{ACCOUNTS_PATH}/{{staff_id:uuid}}/offices", opt=STAFF_MANAGERS, include_in_schema=False)
async def change_offices(
    request: Request[Any, Any, State],
    staff_id: FromPath[uuid.UUID],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    """Which offices a colleague belongs to. A local coordinator changes only their own offices' part of
    the membership; the colleague's other memberships stay. Keys already held are not touched: a case
    moves between offices by transfer."""
    account = await _manageable_account(db_session, staff, staff_id)
    pickable = {office.id for office in await _pickable_offices(db_session, staff)}
    try:
        chosen = await _chosen_offices(db_session, staff, (await read_form(request)).texts("office_id"))
    except accounts.AccountError as error:
        return await _accounts_page(db_session, staff, error=str(error), status_code=400)
    kept = [office_id for office_id in await staff_office_ids(db_session, account.id) if office_id not in pickable]
    await set_memberships(db_session, account.id, [*kept, *chosen])
    await audit.record(
        db_session,
        action="account.offices",
        actor=staff.actor,
        detail=f"{staff_actor(account.id)};offices={len(chosen)}",
    )
    await commit(db_session, where="change_offices")
    return see_other(f"{ACCOUNTS_PATH}?saved=offices")


@get(
    [f"{ACCOUNTS_PATH}/{{staff_id:uuid}}/disable", f"{ACCOUNTS_PATH}/{{staff_id:uuid}}/reset-two-factor"],
    opt=STAFF_MANAGERS,
    include_in_schema=False,
)
async def confirm_account_change(
    request: Request[Any, Any, State],
    staff_id: FromPath[uuid.UUID],
    staff: NamedDependency[StaffIdentity],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Disabling an account or resetting its authenticator locks a colleague out: a page that asks first
    (a plain form, no JavaScript). The POST to the same address does it."""
    account = await _manageable_account(db_session, staff, staff_id)
    return Template(
        "auth/confirm_account_change.html",
        context={
            "account": account,
            "change": "disable" if request.url.path.endswith("/disable") else "reset",
            "action": request.url.path,
        },
    )


def _invitation_form(invitation_email: str, token: str, error: str | None = None, status_code: int = 200) -> Template:
    return Template(
        "auth/invitation.html",
        context={"email": invitation_email, "token": token, "error": error},
        status_code=status_code,
    )


@get(f"{INVITATION_PATH}/{{token:str}}", opt=PUBLIC, include_in_schema=False)
async def invitation_page(token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Template:
    invitation = await invitations.open_invitation(db_session, token)
    if invitation is None:
        raise NotFoundException
    return _invitation_form(invitation.email, token)


@post(f"{INVITATION_PATH}/{{token:str}}", opt=PUBLIC, include_in_schema=False)
async def accept_invitation(
    request: Request[Any, Any, State],
    token: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    db_engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    """Create the account from the invitation; the first login then enrols the second factor."""
    await enforce_limits(db_engine, [client_limit(request, "staff-invitation-client", INVITATION_ATTEMPTS_PER_CLIENT)])
    invitation = await invitations.open_invitation(db_session, token)
    if invitation is None:
        raise NotFoundException
    form = await read_form(request)
    password = form.text("password")
    if password != form.text("password_repeat"):
        return _invitation_form(invitation.email, token, N_("The two passwords differ."), status_code=400)
    if (problem := accounts.password_problem(password)) is not None:
        return _invitation_form(invitation.email, token, problem, status_code=400)
    try:
        account = await invitations.accept_invitation(
            db_session, token, settings=settings, display_name=form.text("display_name"), password=password
        )
    except accounts.AccountError as error:
        return _invitation_form(invitation.email, token, str(error), status_code=400)
    if account is None:
        raise NotFoundException
    await audit.record(
        db_session, action="account.created", actor=staff_actor(account.id), detail=f"role={account.role};invitation"
    )
    await commit(db_session, where="accept_invitation")
    return see_other("/staff/login?welcome=1")


ACCOUNT_MANAGEMENT_ROUTE_HANDLERS = [
    accounts_page,
    invite,
    withdraw_invitation,
    disable_account,
    enable_account,
    reset_two_factor,
    confirm_account_change,
    change_offices,
    invitation_page,
    accept_invitation,
]
