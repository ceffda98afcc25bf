"""Working a case: opening it, status, assignment, access grants, internal notes and replies.

Every action is written to the audit log with codes and ids only. Who may read a case is decided by
the wrapped keys alone (``vault``): assigning or granting re-wraps the case keys for a colleague,
revoking deletes that colleague's wrapped keys, so no access list can disagree with the cryptography.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import StaffIdentity, staff_actor
from reporting.access.roles import CASE_ROLES, Role
from reporting.audit import chain as audit
from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.crypto.errors import CryptoError
from reporting.db.models import CaseUnread, Office, Report, StaffAccount, StaffOffice, WrappedKey
from reporting.i18n import gettext_ as _
from reporting.taxonomy import CLOSE_REASONS
from reporting.vault import grants, opening, sealing, values
from reporting.vault.key_trust import UncertifiedKeyError
from reporting.vault.offices import office_coordinators, staff_office_ids
from reporting.vault.period_keys import PeriodKeys
from reporting.web.commits import commit

NEW = "new"
REPLY_RECEIVED = sealing.REPLY_RECEIVED
IN_PROGRESS = "in_progress"
WAITING_FOR_REPORTER = "waiting_for_reporter"
CLOSED = "closed"
TRANSITIONS: dict[str, tuple[str, ...]] = {
    NEW: (IN_PROGRESS, WAITING_FOR_REPORTER, CLOSED),
    REPLY_RECEIVED: (IN_PROGRESS, WAITING_FOR_REPORTER, CLOSED),
    IN_PROGRESS: (WAITING_FOR_REPORTER, CLOSED),
    WAITING_FOR_REPORTER: (IN_PROGRESS, CLOSED),
    CLOSED: (IN_PROGRESS,),
}
"""Allowed status changes; reopening a closed case puts it back in progress (and restarts retention)."""
MAX_TEXT_LENGTH = 20_000


class CaseActionError(ValueError):
    """A case action that cannot be done as asked. ``field`` names the form it belongs to; the message
    is already translated for the page and never contains case content."""

    def __init__(self, field: str, message: str, *, uncertified: uuid.UUID | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.uncertified = uncertified
        """A colleague whose key certificate failed: the refusal is audited as ``keys.certificate_refused``."""


@dataclass(frozen=True)
class KeyHolder:
    """A staff member who holds (or may be given) a wrapped key of a case."""

    staff_id: uuid.UUID
    display_name: str
    role: str
    is_active: bool


def has_mailbox(report: Report) -> bool:
    """Whether the reporter holds a receipt code and so can read replies."""
    return report.receipt_public_key is not None


def _checked_text(text: str, field: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise CaseActionError(field, _("Please write something first."))
    if len(text) > MAX_TEXT_LENGTH:
        raise CaseActionError(field, _("This text is too long."))
    return text


class CaseWork:
    """One staff member acting on cases within one request: their session, unlocked key and audit writer.

    Methods check everything before they change anything, so a :class:`CaseActionError` leaves the
    case as it was.
    """

    def __init__(self, db: AsyncSession, staff: StaffIdentity, settings: Settings) -> None:
        self.db = db
        self.staff = staff
        self.settings = settings
        self.period_keys = PeriodKeys.of(settings)
        self.answer_due_months = settings.answer_due_months

    async def record(self, action: str, report_id: uuid.UUID, detail: str = "") -> None:
        await audit.record(
            self.db, actor=staff_actor(self.staff.staff_id), action=action, report_id=report_id, detail=detail
        )

    async def open_case(self, report: Report, *, action: str = "case.open") -> values.OpenedCase:
        """Decrypt the whole case in memory for this request, and audit it (``case.open``, ``case.export``).
        What the reporter wrote is now seen by this member: their unread marker goes."""
        try:
            opened = await opening.open_case(
                self.db, self.period_keys, report, staff_id=self.staff.staff_id, private_key=self.staff.private_key
            )
        except CryptoError:
            await self.refuse_tampered(report.id)
        await self.record(action, report.id)
        await self.db.execute(
            delete(CaseUnread).where(CaseUnread.report_id == report.id, CaseUnread.staff_id == self.staff.staff_id)
        )
        return opened

    async def data_key(self, report: Report, key_purpose: str) -> bytes:
        try:
            return await opening.data_key_for_staff(
                self.db,
                self.period_keys,
                report.id,
                key_purpose,
                staff_id=self.staff.staff_id,
                private_key=self.staff.private_key,
            )
        except CryptoError:
            await self.refuse_tampered(report.id)

    async def refuse_tampered(self, report_id: uuid.UUID) -> NoReturn:
        """Something of the case does not open with its keys and its row's metadata: it was changed in the
        database. Audited as ``case.tampered`` and committed although the request fails (a 409 page)."""
        await self.db.rollback()
        await self.record("case.tampered", report_id)
        await commit(self.db, where="case.tampered")
        raise values.TamperedContentError

    @staticmethod
    def check_status_change(report: Report, new_status: str, *, close_reason: str = "") -> None:
        """Refuse a status change the workflow does not allow, or a closing without a reason."""
        if new_status not in TRANSITIONS.get(report.status, ()):
            raise CaseActionError("status", _("This status change is not possible."))
        if new_status == CLOSED and close_reason not in CLOSE_REASONS:
            raise CaseActionError("status", _("Choose a reason for closing the case."))

    async def change_status(self, report: Report, new_status: str, *, close_reason: str = "") -> None:
        self.check_status_change(report, new_status, close_reason=close_reason)
        detail = f"{report.status}->{new_status}"
        today = dt.date.today()
        if new_status == CLOSED:
            report.close_reason, report.closed_on = close_reason, today
            detail += f";reason={close_reason}"
        else:
            report.close_reason, report.closed_on = None, None
        report.status = new_status
        report.last_activity_on = today
        await self.record("case.status", report.id, detail)

    async def set_incident_day(self, report: Report, raw: str) -> None:
        """The incident's day (ISO date from the form); empty clears it. Never later than today."""
        raw = raw.strip()
        try:
            incident_on = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise CaseActionError("incident_on", _("Enter the date as day, month and year.")) from None
        if incident_on is not None and incident_on > dt.date.today():
            raise CaseActionError("incident_on", _("The incident cannot be in the future."))
        report.incident_on = incident_on
        await self.record("case.incident_day", report.id, "set" if incident_on else "cleared")

    async def _colleague(self, report: Report, staff_id: uuid.UUID | None, field: str) -> StaffAccount:
        """An active adviser or coordinator of the case's office: keys cross offices only by transfer."""
        colleague = await self.db.get(StaffAccount, staff_id) if staff_id else None
        if (
            colleague is None
            or not colleague.is_active
            or colleague.role not in CASE_ROLES
            or report.office_id not in await staff_office_ids(self.db, colleague.id)
        ):
            raise CaseActionError(field, _("Choose an active adviser or coordinator."))
        return colleague

    async def assign(self, report: Report, assignee_id: uuid.UUID | None) -> None:
        """Make a colleague responsible; this also grants them access to the case."""
        assignee = await self._colleague(report, assignee_id, "assignment")
        await self._grant(report, assignee, "assignment")
        report.assignee_id = assignee.id
        await self.record("case.assign", report.id, f"staff:{assignee.id}")

    async def _grant(self, report: Report, colleague: StaffAccount, field: str) -> bool:
        """Wrap the case's keys for a colleague whose key is certified; refused on the form otherwise."""
        try:
            return await grants.grant_access(
                self.db,
                report.id,
                settings=self.settings,
                granter_id=self.staff.staff_id,
                granter_private_key=self.staff.private_key,
                grantee=colleague,
            )
        except UncertifiedKeyError:
            raise CaseActionError(
                field,
                _(
                    "This colleague's key is not certified, so they cannot receive cases. Check the account "
                    "and have it certified (reporting keys certify-staff), or disable it."
                ),
                uncertified=colleague.id,
            ) from None
        except CryptoError:
            await self.refuse_tampered(report.id)

    async def unassign(self, report: Report) -> None:
        """Nobody is responsible any more; the former assignee keeps access until it is revoked."""
        report.assignee_id = None
        await self.record("case.assign", report.id, "none")

    async def grant(self, report: Report, grantee_id: uuid.UUID | None) -> None:
        grantee = await self._colleague(report, grantee_id, "access")
        if await self._grant(report, grantee, "access"):
            await self.record("case.grant", report.id, f"staff:{grantee.id}")

    async def revoke(self, report: Report, staff_id: uuid.UUID) -> None:
        """Delete a colleague's wrapped keys of this case (and unassign them).

        Coordinators cannot be revoked here: intake routes every new report to them, so a revocation on
        one case would mislead; disable the account instead.
        """
        colleague = await self.db.get(StaffAccount, staff_id)
        if colleague is None or staff_id == self.staff.staff_id or colleague.role == Role.COORDINATOR:
            raise CaseActionError("access", _("This colleague's access cannot be revoked here."))
        await grants.revoke_access(self.db, report.id, staff_id)
        await self.db.execute(
            delete(CaseUnread).where(CaseUnread.report_id == report.id, CaseUnread.staff_id == staff_id)
        )
        if report.assignee_id == staff_id:
            report.assignee_id = None
        await self.record("case.revoke", report.id, f"staff:{staff_id}")

    async def transfer(self, report: Report, office_id: uuid.UUID | None, *, keep_access: bool) -> None:
        """Hand the case to another office: its keys are wrapped for the receiving office's certified
        coordinators (re-wrapped from this member's own key, nothing re-encrypted), the case belongs to
        that office, and unless ``keep_access`` every other staff key of the case is deleted. The
        reporter's and the recovery key stay, so the mailbox keeps working."""
        office = await self.db.get(Office, office_id) if office_id else None
        if office is None or office.id == report.office_id:
            raise CaseActionError("transfer", _("Choose another office."))
        receivers = await office_coordinators(self.db, self.settings, office.id)
        if not receivers:
            raise CaseActionError("transfer", _("This office has no coordinator who can receive cases yet."))
        for receiver in receivers:
            account = await self.db.get(StaffAccount, receiver.staff_id)
            if account is not None:
                await self._grant(report, account, "transfer")
        report.office_id = office.id
        ended = []
        if not keep_access:
            keep = {receiver.staff_id for receiver in receivers}
            ended = [holder.staff_id for holder in await key_holders(self.db, report.id) if holder.staff_id not in keep]
            for staff_id in ended:
                await grants.revoke_access(self.db, report.id, staff_id)
            await self.db.execute(
                delete(CaseUnread).where(CaseUnread.report_id == report.id, CaseUnread.staff_id.in_(ended))
            )
            if report.assignee_id in ended:
                report.assignee_id = None
        await self.record("case.transfer", report.id, f"office:{office.id};kept={'yes' if keep_access else 'no'}")

    async def add_note(self, report: Report, body: str) -> None:
        """An internal note, sealed under the case key (the reporter never sees it)."""
        body = _checked_text(body, "note")
        case_key = await self.data_key(report, report_keys.CASE_KEY)
        note = await sealing.add_note(self.db, report, case_key=case_key, staff_id=self.staff.staff_id, body=body)
        report.last_activity_on = dt.date.today()
        await self.record("case.note", report.id, f"note:{note.id}")

    async def send_reply(self, report: Report, body: str, *, wait_for_reporter: bool) -> None:
        """A message to the reporter, sealed under the mailbox key (opened by the receipt code and by staff)."""
        if not has_mailbox(report):
            raise CaseActionError("message", _("This case has no mailbox: the person has no receipt code."))
        body = _checked_text(body, "message")
        mailbox_key = await self.data_key(report, report_keys.MAILBOX_KEY)
        message = await sealing.add_message(
            self.db, report, mailbox_key=mailbox_key, author=values.STAFF, body=body, staff_id=self.staff.staff_id
        )
        await self.record("case.message", report.id, f"message:{message.id}")
        if report.acknowledged_on is None:
            report.acknowledged_on = dt.date.today()
        if wait_for_reporter and WAITING_FOR_REPORTER in TRANSITIONS[report.status]:
            await self.change_status(report, WAITING_FOR_REPORTER)


async def key_holders(db: AsyncSession, report_id: uuid.UUID) -> list[KeyHolder]:
    """Staff who can open the case."""
    rows = await db.execute(
        select(StaffAccount.id, StaffAccount.display_name, StaffAccount.role, StaffAccount.is_active)
        .join(WrappedKey, WrappedKey.staff_id == StaffAccount.id)
        .where(WrappedKey.report_id == report_id, WrappedKey.key_purpose == report_keys.CASE_KEY)
        .order_by(StaffAccount.display_name)
    )
    return [KeyHolder(*row) for row in rows]


async def case_colleagues(db: AsyncSession, office_ids: Collection[uuid.UUID | None]) -> list[KeyHolder]:
    """Active advisers and coordinators of ``office_ids``: whom a case of one of them may be assigned or
    granted to (a coordinator's inbox filter lists those of their own offices)."""
    rows = await db.execute(
        select(StaffAccount.id, StaffAccount.display_name, StaffAccount.role, StaffAccount.is_active)
        .where(
            StaffAccount.is_active.is_(True),
            StaffAccount.role.in_([str(role) for role in CASE_ROLES]),
            StaffAccount.id.in_(select(StaffOffice.staff_id).where(StaffOffice.office_id.in_(office_ids))),
        )
        .order_by(StaffAccount.display_name)
    )
    return [KeyHolder(*row) for row in rows]


@dataclass(frozen=True)
class OfficeChoice:
    id: uuid.UUID
    name: str


async def transfer_targets(db: AsyncSession, report: Report) -> list[OfficeChoice]:
    """The offices a case can be handed to (every office but its own)."""
    rows = await db.execute(select(Office.id, Office.name).where(Office.id != report.office_id).order_by(Office.name))
    return [OfficeChoice(*row) for row in rows]


async def member_offices(db: AsyncSession, staff_id: uuid.UUID) -> list[OfficeChoice]:
    """The member's offices, local ones first (the first is where their walk-in cases go by default)."""
    rows = await db.execute(
        select(Office.id, Office.name)
        .join(StaffOffice, StaffOffice.office_id == Office.id)
        .where(StaffOffice.staff_id == staff_id)
        .order_by(Office.is_central, Office.name)
    )
    return [OfficeChoice(*row) for row in rows]
