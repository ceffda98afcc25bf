"""Everything the case page and the case export show, decrypted and loaded up front.

Templates render synchronously and must not touch the database (a lazy load there fails), so the
page gets a plain :class:`CaseView` built here from the request's decryption; nothing of it is kept
after the response.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.roles import Role
from reporting.casework.categorisation import (
    CATEGORISATION_DIMENSIONS,
    CaseCodes,
    adviser_records_consent,
    load_case_codes,
)
from reporting.casework.deadlines import CaseDates, Deadline, case_deadlines, parse_incident_month
from reporting.casework.inbox import AGG_RELEVANT
from reporting.casework.workflow import (
    TRANSITIONS,
    CaseWork,
    KeyHolder,
    OfficeChoice,
    case_colleagues,
    has_mailbox,
    key_holders,
    transfer_targets,
)
from reporting.db.models import Office, Report, StaffAccount
from reporting.vault import values


@dataclass(frozen=True)
class CaseView:
    """One case as the page shows it; content fields never appear in a repr."""

    id: uuid.UUID
    received_on: dt.date
    last_activity_on: dt.date
    language: str
    source: str
    status: str
    close_reason: str | None
    closed_on: dt.date | None
    assignee_id: uuid.UUID | None
    consent_statistics: bool
    wants_counselling: bool
    has_mailbox: bool
    narrative: str = field(repr=False)
    contact: str | None = field(repr=False)
    attachments: list[values.OpenedAttachment] = field(repr=False)
    notes: list[values.OpenedNote] = field(repr=False)
    messages: list[values.OpenedMessage] = field(repr=False)
    codes: CaseCodes
    key_holders: list[KeyHolder]
    colleagues: list[KeyHolder]
    """Whom a coordinator may assign or grant the case to (empty for advisers)."""
    office_name: str
    """The office that owns the case."""
    transfer_offices: list[OfficeChoice]
    """The offices a coordinator may hand the case to (empty for advisers)."""
    staff_names: dict[uuid.UUID, str]
    deadlines: list[Deadline]
    incident_on: dt.date | None

    @property
    def reference(self) -> str:
        """A short reference staff can say aloud (the first characters of the id)."""
        return self.id.hex[:8].upper()

    @property
    def transitions(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    @property
    def records_consent(self) -> bool:
        return adviser_records_consent(self.source)

    @property
    def suggested_codes(self) -> dict[str, list[str]]:
        """What the categorisation form starts from: the adviser's record, or, before there is one,
        the reporter's own choices where they are valid categorisation codes."""
        if self.codes.categorised_on is not None:
            return self.codes.staff
        allowed = {dimension.code: dimension for dimension in CATEGORISATION_DIMENSIONS}
        return {
            dimension: [code for code in codes if code in allowed[dimension]]
            for dimension, codes in self.codes.reporter.items()
            if dimension in allowed
        }

    def name_of(self, staff_id: uuid.UUID | None) -> str:
        return self.staff_names.get(staff_id, "") if staff_id else ""


async def _staff_names(db: AsyncSession, staff_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not staff_ids:
        return {}
    rows = await db.execute(select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(staff_ids)))
    return dict(rows.all())


async def build_case_view(work: CaseWork, report: Report, *, action: str = "case.open") -> CaseView:
    """Decrypt ``report`` for this request (audited as ``action``) and load what the page shows."""
    opened = await work.open_case(report, action=action)
    db = work.db
    holders = await key_holders(db, report.id)
    coordinator = work.staff.role == Role.COORDINATOR
    colleagues = await case_colleagues(db, [report.office_id]) if coordinator else []
    offices = await transfer_targets(db, report) if coordinator else []
    office_name = (await db.get(Office, report.office_id)).name if report.office_id else ""  # type: ignore[union-attr]
    authors = {note.staff_id for note in opened.notes} | {message.staff_id for message in opened.messages}
    names = await _staff_names(db, {staff_id for staff_id in (*authors, report.assignee_id) if staff_id})
    codes = await load_case_codes(db, report.id)
    case_dates = CaseDates(
        received_on=report.received_on,
        acknowledged_on=report.acknowledged_on,
        closed=report.status == "closed",
        agg_relevant=bool(set(codes.staff.get("agg_applicable", [])) & set(AGG_RELEVANT)),
        incident_on=report.incident_on,
        incident_month=parse_incident_month(next(iter(codes.reporter.get("incident_period", [])), "")),
    )
    return CaseView(
        id=report.id,
        received_on=report.received_on,
        last_activity_on=report.last_activity_on,
        language=report.language,
        source=report.source,
        status=report.status,
        close_reason=report.close_reason,
        closed_on=report.closed_on,
        assignee_id=report.assignee_id,
        consent_statistics=report.consent_statistics,
        wants_counselling=report.wants_counselling,
        has_mailbox=has_mailbox(report),
        narrative=opened.content.narrative,
        contact=opened.content.contact,
        attachments=opened.attachments,
        notes=opened.notes,
        messages=opened.messages,
        codes=codes,
        key_holders=holders,
        colleagues=colleagues,
        office_name=office_name,
        transfer_offices=offices,
        staff_names=names,
        deadlines=case_deadlines(case_dates, answer_due_months=work.answer_due_months),
        incident_on=report.incident_on,
    )
