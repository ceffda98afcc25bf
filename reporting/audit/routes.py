"""The audit log for coordinators: newest first, in words and local time, filtered by person, case and kind."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import StaffIdentity, staff_actor
from reporting.access.roles import Role
from reporting.access.rules import allow
from reporting.audit import words
from reporting.audit.chain import audit_page
from reporting.db.models import Office, StaffAccount
from reporting.vault.offices import case_visibility

AUDIT_PATH = "/staff/audit"
CASE_REFERENCE = re.compile(r"[0-9a-fA-F]{8}")


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 9 else 1


@get(AUDIT_PATH, opt=allow(Role.COORDINATOR), include_in_schema=False)
async def audit_log_page(
    request: Request[Any, Any, State],
    db_session: NamedDependency[AsyncSession],
    staff: NamedDependency[StaffIdentity],
) -> Template:
    """Events with names instead of account ids. Filters: ``staff`` (an account id), ``case`` (a case id or
    the inbox's eight-digit reference) and ``what`` (a kind of event, see ``words.GROUPS``)."""
    params = request.query_params
    staff_id = _uuid_or_none(params.get("staff"))
    case = (params.get("case") or "").strip()
    report_id = _uuid_or_none(case)
    reference = case if report_id is None and CASE_REFERENCE.fullmatch(case) else None
    group = params.get("what") if params.get("what") in words.GROUPS else None
    page = await audit_page(
        db_session,
        page=_page_number(params.get("page")),
        report_id=report_id,
        case_reference=reference,
        actor=staff_actor(staff_id) if staff_id else None,
        actions=words.GROUPS[group] if group else None,
        visible_cases=await case_visibility(db_session, staff.staff_id, staff.role),
    )
    staff_rows = (await db_session.execute(select(StaffAccount.id, StaffAccount.display_name))).all()
    names = {staff_actor(account_id): name for account_id, name in staff_rows}
    names.update(
        {f"office:{office_id}": name for office_id, name in await db_session.execute(select(Office.id, Office.name))}
    )
    filters = {"staff": staff_id, "case": case if report_id or reference else None, "what": group}
    return Template(
        "audit/audit.html",
        context={
            "page": page,
            "names": names,
            "staff_choices": sorted(staff_rows, key=lambda row: row[1].lower()),
            "staff_id": staff_id,
            "case_filter": filters["case"] or "",
            "group": group,
            "groups": list(words.GROUPS),
            "filter_query": "".join(f"&{name}={value}" for name, value in filters.items() if value),
            "action_label": words.action_label,
            "actor_label": words.actor_label,
            "describe_detail": words.describe_detail,
            "group_label": words.group_label,
            "local_time": words.local_time,
            "case_reference": words.case_reference,
        },
    )


AUDIT_ROUTE_HANDLERS = [audit_log_page]
