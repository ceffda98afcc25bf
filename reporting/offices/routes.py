"""The administrator's office pages: list, create and edit offices (regions served, public contact).

Which office is central is the offices file's business (``reporting offices load``), never changed here:
a form must not be able to turn every diocesan coordinator into a local one.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import StaffIdentity
from reporting.access.roles import Role
from reporting.access.rules import allow
from reporting.audit import chain as audit
from reporting.i18n import current_language
from reporting.i18n import gettext_ as _
from reporting.offices.config import SERVABLE_REGIONS, SLUG, TEXT_LIMITS, OfficesFileError, OfficeSpec
from reporting.offices.store import OfficeRow, list_offices, save_office
from reporting.taxonomy import REGIONS
from reporting.web.commits import commit
from reporting.web.forms import PostedForm, read_form, see_other

OFFICES_PATH = "/staff/offices"
ADMINS = allow(Role.ADMIN)
FORM_FIELDS = ("name", "slug", "address", "phone", "hours", "languages")


def parse_office_form(form: PostedForm) -> tuple[OfficeSpec, dict[str, str]]:
    """The office the form describes and what is wrong with it (field -> translated message)."""
    errors: dict[str, str] = {}
    texts = {name: form.text(name).strip() for name in FORM_FIELDS}
    for name, text in texts.items():
        if len(text) > TEXT_LIMITS.get(name, 60) or not text.isprintable():
            errors[name] = _("This text is too long or has line breaks.")
    if not texts["name"]:
        errors["name"] = _("Enter the office's name.")
    if not SLUG.fullmatch(texts["slug"]):
        errors["slug"] = _("Use lower-case letters, digits and hyphens only.")
    regions = [region for region in SERVABLE_REGIONS if region in form.texts("regions")]
    spec = OfficeSpec(
        slug=texts["slug"],
        name=texts["name"],
        regions=tuple(regions),
        address=texts["address"],
        phone=texts["phone"],
        hours=texts["hours"],
        languages=texts["languages"],
        step_free=form.text("step_free") == "yes",
    )
    return spec, errors


def _region_labels() -> dict[str, str]:
    language = current_language().code
    return {code: REGIONS.get(code).label(language) for code in SERVABLE_REGIONS}


def _page(
    offices: list[OfficeRow],
    *,
    editing: OfficeRow | None = None,
    spec: OfficeSpec | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Template:
    served_by = {region: office.name for office in offices for region in office.regions}
    return Template(
        "offices/offices.html",
        context={
            "offices": offices,
            "editing": editing,
            "spec": spec,
            "errors": errors or {},
            "saved": saved,
            "region_labels": _region_labels(),
            "served_by": served_by,
        },
        status_code=status_code,
    )


def _as_spec(office: OfficeRow) -> OfficeSpec:
    return OfficeSpec(
        slug=office.slug,
        name=office.name,
        central=office.is_central,
        regions=office.regions,
        address=office.address,
        phone=office.phone,
        hours=office.opening_hours,
        languages=office.languages,
        step_free=office.step_free,
    )


@get(OFFICES_PATH, opt=ADMINS, include_in_schema=False)
async def offices_page(db_session: NamedDependency[AsyncSession], saved: FromQuery[str | None] = None) -> Template:
    """Every office with its regions and public contact, and the form for a new one."""
    return _page(await list_offices(db_session), saved=saved == "office")


async def _office(db_session: AsyncSession, office_id: uuid.UUID) -> tuple[list[OfficeRow], OfficeRow]:
    offices = await list_offices(db_session)
    found = next((office for office in offices if office.id == office_id), None)
    if found is None:
        raise NotFoundException
    return offices, found


@get(f"{OFFICES_PATH}/{{office_id:uuid}}", opt=ADMINS, include_in_schema=False)
async def office_page(office_id: FromPath[uuid.UUID], db_session: NamedDependency[AsyncSession]) -> Template:
    offices, office = await _office(db_session, office_id)
    return _page(offices, editing=office, spec=_as_spec(office))


async def _save(
    request: Request[Any, Any, State], db_session: AsyncSession, staff: StaffIdentity, office_id: uuid.UUID | None
) -> Response[Any]:
    editing = (await _office(db_session, office_id))[1] if office_id else None
    spec, errors = parse_office_form(await read_form(request))
    if not errors:
        try:
            office = await save_office(db_session, office_id, spec)
        except OfficesFileError:
            errors["slug"] = _("Another office has this short name.")
    if errors:
        await db_session.rollback()
        return _page(await list_offices(db_session), editing=editing, spec=spec, errors=errors, status_code=400)
    await audit.record(db_session, actor=staff.actor, action="office.saved", detail=f"office:{office.id}")
    await commit(db_session, where="save office")
    request.app.state.office_directory.expire()
    return see_other(f"{OFFICES_PATH}?saved=office")


@post(OFFICES_PATH, opt=ADMINS, include_in_schema=False)
async def create_office(
    request: Request[Any, Any, State],
    db_session: NamedDependency[AsyncSession],
    staff: NamedDependency[StaffIdentity],
) -> Response[Any]:
    return await _save(request, db_session, staff, None)


@post(f"{OFFICES_PATH}/{{office_id:uuid}}", opt=ADMINS, include_in_schema=False)
async def edit_office(
    request: Request[Any, Any, State],
    office_id: FromPath[uuid.UUID],
    db_session: NamedDependency[AsyncSession],
    staff: NamedDependency[StaffIdentity],
) -> Response[Any]:
    return await _save(request, db_session, staff, office_id)


OFFICE_ROUTE_HANDLERS = [offices_page, office_page, create_office, edit_office]
