"""The audit log for coordinators: newest first, by case or by person."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import staff_actor
from reporting.access.roles import Role
from reporting.access.rules import allow
from reporting.audit.chain import audit_page
from reporting.db.models import StaffAccount

AUDIT_PATH = "/staff/audit"


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 9 else 1


@get(AUDIT_PATH, opt=allow(Role.COORDINATOR), include_in_schema=False)
async def audit_log_page(request: Request[Any, Any, State], db_session: NamedDependency[AsyncSession]) -> Template:
    """Events with names instead of account ids; filters ``case`` (a report id) and ``staff`` (an account id)."""
    report_id = _uuid_or_none(request.query_params.get("case"))
    staff_id = _uuid_or_none(request.query_params.get("staff"))
    page = await audit_page(
        db_session,
        page=_page_number(request.query_params.get("page")),
        report_id=report_id,
        actor=staff_actor(staff_id) if staff_id else None,
    )
    staff_rows = (await db_session.execute(select(StaffAccount.id, StaffAccount.display_name))).all()
    names = {staff_actor(account_id): name for account_id, name in staff_rows}
    return Template(
        "audit/audit.html",
        context={
            "page": page,
            "names": names,
            "staff_choices": sorted(staff_rows, key=lambda row: row[1].lower()),
            "report_id": report_id,
            "staff_id": staff_id,
        },
    )


AUDIT_ROUTE_HANDLERS = [audit_log_page]
