"""The case pages of the staff area: inbox, case view and its actions, downloads, walk-in intake.

Every handler states its roles in ``opt`` (see ``reporting.auth.guards``); on top of the role, every
case route checks that the staff member holds a wrapped key of that case. Forms are read and checked
inside the handlers, answered with post-redirect-get (303) on success and with the page again (400)
when something is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from secrets import token_urlsafe
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import StaffIdentity, staff_actor
from reporting.access.roles import Role
from reporting.access.rules import allow
from reporting.audit import chain as audit
from reporting.casework.case_page import build_case_view
from reporting.casework.categorisation import (
    CategorisationInput,
    adviser_records_consent,
    parse_categorisation,
    save_categorisation,
)
from reporting.casework.inbox import ASSIGNEE_NONE, InboxFilters, InboxRequest, load_inbox
from reporting.casework.pages import (
    SAVED_NOTICES,
    case_export_pdf,
    case_page,
    confirm_close_page,
    confirm_revoke_page,
    digest_page,
    inbox_page,
    walk_in_done,
    walk_in_form,
)
from reporting.casework.walk_in import CASE_LANGUAGES, parse_intake, record_walk_in, spend_form_token
from reporting.casework.workflow import CLOSED, CaseActionError, CaseWork, case_colleagues, key_holders, member_offices
from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.crypto.errors import CryptoError
from reporting.db.models import Report
from reporting.i18n import N_
from reporting.i18n import gettext_ as _
from reporting.vault import opening, values
from reporting.vault.offices import may_know_case, staff_office_ids
from reporting.web.commits import NotStoredError, commit, saving
from reporting.web.forms import read_form, see_other

CASE_WORKERS = allow(Role.ADVISER, Role.COORDINATOR)
COORDINATORS = allow(Role.COORDINATOR)
INLINE_MEDIA_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif", "text/plain"})
"""Stored types a download may declare; anything else (HTML, SVG …) goes out as a plain byte stream."""
TEXT_LABELS = {"note": N_("New note"), "message": N_("Reply to the reporter")}
"""The labels of the case page's free texts, for the page that shows them again when nothing was saved."""


def _parse_uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _kept_texts(texts: dict[str, str] | None) -> dict[str, str]:
    return {TEXT_LABELS[name]: text for name, text in (texts or {}).items()}


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A file name without paths, control characters or quotes, short enough for every file system."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C" and char not in '"<>:|?*;')
    name = name.strip(" .")[:150]
    return name or fallback


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition: attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", filename) or "attachment"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def load_accessible_case(work: CaseWork, report_id: uuid.UUID) -> Report:
    """The case if this staff member holds its key: 404 when it does not exist (or was shredded) or
    belongs to an office they may not know of, 403 (audited, so probing shows up in the log) when it is
    their office's case but they hold no key."""
    report = await work.db.get(Report, report_id)
    if report is None or report.shredded_on is not None:
        raise NotFoundException
    if not await may_know_case(work.db, report_id, work.staff.staff_id, work.staff.role):
        raise NotFoundException
    if not await opening.staff_has_access(work.db, report_id, work.staff.staff_id):
        await work.record("case.denied", report_id)
        await commit(work.db, where="case access")
        raise PermissionDeniedException
    return report


def provide_case_work(
    db_session: NamedDependency[AsyncSession],
    staff: NamedDependency[StaffIdentity],
    settings: NamedDependency[Settings],
) -> CaseWork:
    """Dependency ``work``: the logged-in member acting on cases in this request."""
    return CaseWork(db_session, staff, settings)


async def _saved(work: CaseWork, report_id: uuid.UUID, section: str) -> Response[Any]:
    """Commit, then redirect to the page that confirms the save (``section``: one of ``pages.SAVED_NOTICES``).

    The commit comes first: the confirmation must never be shown for a write the database refused.
    """
    await commit(work.db, where=f"save {section}")
    return see_other(f"/staff/cases/{report_id}?saved={section}#{section}")


class InboxController(Controller):
    path = "/staff"
    include_in_schema = False

    @get("/", opt=CASE_WORKERS)
    async def inbox(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffIdentity],
        settings: NamedDependency[Settings],
    ) -> Template:
        """The list of cases, drawn from plain metadata only: nothing is decrypted for it."""
        inbox_request = InboxRequest.from_query(dict(request.query_params), languages=CASE_LANGUAGES)
        months = settings.answer_due_months
        page = await load_inbox(
            db_session, inbox_request, staff_id=staff.staff_id, role=staff.role, answer_due_months=months
        )
        own_offices = await staff_office_ids(db_session, staff.staff_id)
        colleagues = await case_colleagues(db_session, own_offices) if staff.role == Role.COORDINATOR else []
        return inbox_page(page, inbox_request, colleagues)

    @get("/digest", opt=CASE_WORKERS)
    async def digest(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffIdentity],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Today's list of what needs doing: unread, overdue and soon-due cases (a page, never an e-mail)."""
        months = settings.answer_due_months
        sections = {}
        for attention in ("unread", "overdue", "new"):
            inbox_request = InboxRequest(filters=InboxFilters(attention=attention), sort="oldest")
            sections[attention] = await load_inbox(
                db_session, inbox_request, staff_id=staff.staff_id, role=staff.role, answer_due_months=months
            )
        return digest_page(sections)


class CaseController(Controller):
    path = "/staff/cases/{report_id:uuid}"
    include_in_schema = False
    dependencies = {"work": Provide(provide_case_work, sync_to_thread=False)}  # noqa: RUF012

    async def _refused(
        self,
        work: CaseWork,
        report_id: uuid.UUID,
        errors: dict[str, str],
        *,
        categorisation: CategorisationInput | None = None,
        texts: dict[str, str] | None = None,
        uncertified: uuid.UUID | None = None,
    ) -> Template:
        """The case page again with the problems marked (400). Nothing of the refused action is kept,
        but this page's decryption is audited, so it is committed here (error answers roll back), and so
        is the alarm about a colleague whose key certificate failed."""
        await work.db.rollback()
        report = await work.db.get(Report, report_id, populate_existing=True)
        if report is None:
            raise NotFoundException
        if uncertified is not None:
            await audit.record(
                work.db, action="keys.certificate_refused", actor=audit.SYSTEM_ACTOR, detail=staff_actor(uncertified)
            )
        page = await case_page(work, report, errors=errors, categorisation=categorisation, texts=texts, status_code=400)
        await commit(work.db, where="refused case action", kept=_kept_texts(texts))
        return page

    async def _declined(
        self, work: CaseWork, report_id: uuid.UUID, error: CaseActionError, *, texts: dict[str, str] | None = None
    ) -> Template:
        """The case page again with a refused action's message at its field (and its certificate alarm)."""
        return await self._refused(
            work, report_id, {error.field: error.message}, texts=texts, uncertified=error.uncertified
        )

    @get("/", opt=CASE_WORKERS)
    async def show(
        self, report_id: FromPath[uuid.UUID], work: NamedDependency[CaseWork], saved: FromQuery[str | None] = None
    ) -> Template:
        """The case; ``saved`` (set by the redirect after a save) shows what was just saved."""
        notice = saved if saved in SAVED_NOTICES else None
        return await case_page(work, await load_accessible_case(work, report_id), saved=notice)

    @post("/incident", opt=CASE_WORKERS)
    async def set_incident_day(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        """The incident's day, when known, makes the AGG deadline exact (empty clears it)."""
        report = await load_accessible_case(work, report_id)
        try:
            await work.set_incident_day(report, (await read_form(request, max_length=None)).text("incident_on"))
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        return await _saved(work, report_id, "deadlines")

    @post("/categorisation", opt=CASE_WORKERS)
    async def categorise(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        report = await load_accessible_case(work, report_id)
        data, errors = parse_categorisation(
            (await read_form(request, max_length=None)).all_texts(),
            records_consent=adviser_records_consent(report.source),
        )
        if errors:
            return await self._refused(work, report_id, errors, categorisation=data)
        async with saving(work.db, where="categorise"):
            await save_categorisation(work, report, data)
        return await _saved(work, report_id, "categorisation")

    @post("/status", opt=CASE_WORKERS)
    async def change_status(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        """Change the status; closing is done only once the confirmation page sent ``confirmed=yes``."""
        report = await load_accessible_case(work, report_id)
        form = await read_form(request, max_length=None)
        new_status, close_reason = form.text("status"), form.text("close_reason")
        try:
            if new_status == CLOSED and form.text("confirmed") != "yes":
                work.check_status_change(report, new_status, close_reason=close_reason)
                return see_other(f"/staff/cases/{report_id}/close?{urlencode({'reason': close_reason})}")
            async with saving(work.db, where="change_status"):
                await work.change_status(report, new_status, close_reason=close_reason)
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        return await _saved(work, report_id, "status")

    @get("/close", opt=CASE_WORKERS)
    async def confirm_close(
        self, report_id: FromPath[uuid.UUID], work: NamedDependency[CaseWork], reason: FromQuery[str] = ""
    ) -> Template:
        """Closing starts the retention clock and takes the case off every list of open work: a page that
        asks first and says that the case can be reopened (works without JS)."""
        report = await load_accessible_case(work, report_id)
        try:
            work.check_status_change(report, CLOSED, close_reason=reason)
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        return confirm_close_page(report.id, reason, retention_years=work.settings.retention_years)

    @post("/notes", opt=CASE_WORKERS)
    async def add_note(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        report = await load_accessible_case(work, report_id)
        body = (await read_form(request, max_length=None)).text("body")
        try:
            async with saving(work.db, where="add_note", kept=_kept_texts({"note": body})):
                await work.add_note(report, body)
        except CaseActionError as error:
            return await self._declined(work, report_id, error, texts={"note": body})
        return await _saved(work, report_id, "notes")

    @post("/messages", opt=CASE_WORKERS)
    async def send_reply(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        report = await load_accessible_case(work, report_id)
        form = await read_form(request, max_length=None)
        body = form.text("body")
        try:
            async with saving(work.db, where="send_reply", kept=_kept_texts({"message": body})):
                await work.send_reply(report, body, wait_for_reporter=form.text("wait_for_reporter") == "yes")
        except CaseActionError as error:
            return await self._declined(work, report_id, error, texts={"message": body})
        return await _saved(work, report_id, "messages")

    @post("/assignment", opt=COORDINATORS)
    async def assign(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        report = await load_accessible_case(work, report_id)
        chosen = (await read_form(request, max_length=None)).text("assignee")
        try:
            async with saving(work.db, where="assign"):
                if chosen == ASSIGNEE_NONE:
                    await work.unassign(report)
                else:
                    await work.assign(report, _parse_uuid(chosen))
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        return await _saved(work, report_id, "access")

    @post("/access", opt=COORDINATORS)
    async def grant(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        report = await load_accessible_case(work, report_id)
        chosen = (await read_form(request, max_length=None)).text("staff_id")
        try:
            async with saving(work.db, where="grant"):
                await work.grant(report, _parse_uuid(chosen))
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        return await _saved(work, report_id, "access")

    @post("/transfer", opt=COORDINATORS)
    async def transfer(
        self,
        request: Request[Any, Any, State],
        report_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        """Hand the case to another office; the sending office keeps access only when asked to."""
        report = await load_accessible_case(work, report_id)
        form = await read_form(request, max_length=None)
        try:
            async with saving(work.db, where="transfer"):
                await work.transfer(
                    report, _parse_uuid(form.text("office_id")), keep_access=form.text("keep_access") == "yes"
                )
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        await commit(work.db, where="transfer")
        if await may_know_case(work.db, report_id, work.staff.staff_id, work.staff.role):
            return see_other(f"/staff/cases/{report_id}?saved=transfer#transfer")
        return see_other("/staff/")

    @get("/access/{staff_id:uuid}/revoke", opt=COORDINATORS)
    async def confirm_revoke(
        self,
        report_id: FromPath[uuid.UUID],
        staff_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Template:
        """Revoking destroys the colleague's keys of the case: a page that asks first (works without JS)."""
        report = await load_accessible_case(work, report_id)
        holders = {holder.staff_id: holder for holder in await key_holders(work.db, report.id)}
        if staff_id not in holders:
            raise NotFoundException
        return confirm_revoke_page(report.id, holders[staff_id])

    @post("/access/{staff_id:uuid}/revoke", opt=COORDINATORS)
    async def revoke(
        self,
        report_id: FromPath[uuid.UUID],
        staff_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[Any]:
        report = await load_accessible_case(work, report_id)
        try:
            async with saving(work.db, where="revoke"):
                await work.revoke(report, staff_id)
        except CaseActionError as error:
            return await self._declined(work, report_id, error)
        return await _saved(work, report_id, "access")

    @get("/attachments/{attachment_id:uuid}", opt=CASE_WORKERS)
    async def download_attachment(
        self,
        report_id: FromPath[uuid.UUID],
        attachment_id: FromPath[uuid.UUID],
        work: NamedDependency[CaseWork],
    ) -> Response[bytes]:
        """One attachment, decrypted for this response only, always as a download (audited)."""
        await load_accessible_case(work, report_id)
        try:
            attachment, content = await opening.open_attachment(
                work.db,
                work.period_keys,
                report_id,
                attachment_id,
                staff_id=work.staff.staff_id,
                private_key=work.staff.private_key,
            )
        except values.AccessDeniedError:
            raise NotFoundException from None
        except CryptoError:
            await work.refuse_tampered(report_id)
        await work.record("attachment.download", report_id, f"attachment:{attachment_id}")
        media_type = (
            attachment.media_type if attachment.media_type in INLINE_MEDIA_TYPES else "application/octet-stream"
        )
        return Response(
            content,
            media_type=media_type,
            headers={
                "Content-Disposition": attachment_disposition(safe_filename(attachment.filename)),
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get("/export", opt=CASE_WORKERS)
    async def export(self, report_id: FromPath[uuid.UUID], work: NamedDependency[CaseWork]) -> Response[bytes]:
        """The whole case as a PDF marked confidential (audited as ``case.export``), never kept in a cache."""
        case_view = await build_case_view(work, await load_accessible_case(work, report_id), action="case.export")
        await commit(work.db, where="case export")
        return Response(
            await case_export_pdf(case_view),
            media_type="application/pdf",
            headers={
                "Content-Disposition": attachment_disposition(f"case-{case_view.reference}.pdf"),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )


class WalkInController(Controller):
    """Walk-in and phone intake by an adviser."""

    path = "/staff/intake"
    include_in_schema = False
    dependencies = {"work": Provide(provide_case_work, sync_to_thread=False)}  # noqa: RUF012

    @get("/", opt=CASE_WORKERS)
    async def form(self, work: NamedDependency[CaseWork]) -> Template:
        return walk_in_form(None, {}, token_urlsafe(24), offices=await member_offices(work.db, work.staff.staff_id))

    @post("/", opt=CASE_WORKERS)
    async def record(
        self,
        request: Request[Any, Any, State],
        work: NamedDependency[CaseWork],
        settings: NamedDependency[Settings],
        secrets: NamedDependency[InstanceSecrets],
    ) -> Template:
        """Seal the case and show the receipt code once (in this answer only: it is stored nowhere)."""
        form = await read_form(request, max_length=None)
        token = form.text("form_token")
        offices = await member_offices(work.db, work.staff.staff_id)
        data, errors = parse_intake(form.all_texts(), today=dt.date.today())
        if errors:
            return walk_in_form(data, errors, token, offices=offices, status_code=400)
        try:
            async with saving(work.db, where="record_walk_in"):
                if not await spend_form_token(work.db, token):
                    return walk_in_done(None, None, status_code=409)
                report, receipt_code = await record_walk_in(work, data, settings=settings, secrets=secrets)
        except NotStoredError:
            problem = _(
                "Nothing was stored: a technical problem stopped the database from saving this case. Everything "
                "you entered is still here. Please send the form again later."
            )
            return walk_in_form(data, {"form": problem}, token, offices=offices, status_code=503)
        mailbox_url = f"{str(request.base_url).rstrip('/')}/mailbox"
        return walk_in_done(report.id, receipt_code, status_code=201, mailbox_url=mailbox_url)


CASE_ROUTE_HANDLERS: list[ControllerRouterHandler] = [InboxController, CaseController, WalkInController]
