"""The staff case pages, built for the routes: inbox, case view, case export and walk-in intake."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from litestar import MediaType, Request, Response
from litestar.datastructures import State
from litestar.response import Template
from litestar.status_codes import HTTP_409_CONFLICT

from reporting.access.roles import Role
from reporting.casework.case_page import CaseView, build_case_view
from reporting.casework.categorisation import (
    CATEGORISATION_DIMENSIONS,
    CategorisationInput,
    is_multiple_discrimination,
)
from reporting.casework.export_pdf import render_export_html, render_export_pdf
from reporting.casework.inbox import (
    ASSIGNEE_ME,
    ASSIGNEE_NONE,
    ATTENTION,
    SORTS,
    InboxPage,
    InboxRequest,
)
from reporting.casework.labels import TEMPLATE_HELPERS, language_name
from reporting.casework.walk_in import CASE_LANGUAGES, INTAKE_SOURCES, IntakeInput
from reporting.casework.workflow import CaseWork, KeyHolder, OfficeChoice
from reporting.db.models import Report
from reporting.i18n import current_language
from reporting.i18n import gettext_ as _
from reporting.taxonomy import AREAS, CASE_STATUSES, CLOSE_REASONS, STAFF_GROUNDS
from reporting.vault.values import TamperedContentError
from reporting.web.errors import unhandled_exception_handler
from reporting.web.language import use_request_language

SAVED_NOTICES = ("status", "categorisation", "messages", "notes", "access", "deadlines", "transfer")
"""Sections of the case page a save redirects to; the notice says what was saved there."""


def saved_notice(section: str) -> str:
    notices = {
        "status": _("The status was saved."),
        "categorisation": _("The categorisation was saved."),
        "messages": _("Your reply was sent."),
        "notes": _("The note was saved."),
        "access": _("Access and assignment were saved."),
        "deadlines": _("The day of the incident was saved."),
        "transfer": _("The case was handed to the other office."),
    }
    return notices[section]


def _base_context() -> dict[str, Any]:
    return {
        **TEMPLATE_HELPERS,
        "is_multiple_discrimination": is_multiple_discrimination,
        "language": current_language().code,
        "today": dt.date.today(),
    }


def _case_languages() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in CASE_LANGUAGES]


def inbox_page(page: InboxPage, inbox_request: InboxRequest, colleagues: list[KeyHolder]) -> Template:
    return Template(
        "casework/inbox.html",
        context={
            **_base_context(),
            "attention_choices": ATTENTION,
            "page": page,
            "view": inbox_request,
            "filters": inbox_request.filters,
            "statuses": CASE_STATUSES.codes(),
            "areas": AREAS.codes(),
            "grounds": STAFF_GROUNDS.codes(),
            "languages": _case_languages(),
            "sorts": SORTS,
            "assignee_me": ASSIGNEE_ME,
            "assignee_none": ASSIGNEE_NONE,
            "colleagues": colleagues,
        },
    )


async def case_page(
    work: CaseWork,
    report: Report,
    *,
    errors: dict[str, str] | None = None,
    categorisation: CategorisationInput | None = None,
    texts: dict[str, str] | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Template:
    """The case, decrypted (audited), with its actions; a refused action's problems and values shown again,
    or the confirmation of what was just saved."""
    case_view = await build_case_view(work, report)
    return Template(
        "casework/case.html",
        context={
            **_base_context(),
            "case": case_view,
            "saved": saved_notice(saved) if saved else None,
            "saved_section": saved,
            "errors": errors or {},
            "submitted": categorisation,
            "texts": texts or {},
            "dimensions": CATEGORISATION_DIMENSIONS,
            "close_reasons": CLOSE_REASONS.codes(),
            "is_coordinator": work.staff.role == Role.COORDINATOR,
            "me": work.staff.staff_id,
        },
        status_code=status_code,
    )


async def case_export_pdf(case_view: CaseView) -> bytes:
    """The whole case as a PDF marked confidential."""
    html = render_export_html({**_base_context(), "case": case_view, "dimensions": CATEGORISATION_DIMENSIONS})
    return await render_export_pdf(html)


def digest_page(sections: dict[str, InboxPage]) -> Template:
    """Today's digest: what is unread, overdue or new, oldest first."""
    return Template("casework/digest.html", context={**_base_context(), "sections": sections})


def confirm_close_page(report_id: uuid.UUID, close_reason: str, *, retention_years: int) -> Template:
    return Template(
        "casework/confirm_close.html",
        context={
            **_base_context(),
            "report_id": report_id,
            "close_reason": close_reason,
            "retention_years": retention_years,
        },
    )


def confirm_revoke_page(report_id: uuid.UUID, holder: KeyHolder) -> Template:
    return Template(
        "casework/confirm_revoke.html", context={**_base_context(), "report_id": report_id, "holder": holder}
    )


def walk_in_form(
    data: IntakeInput | None,
    errors: dict[str, str],
    token: str,
    *,
    offices: Sequence[OfficeChoice] = (),
    status_code: int = 200,
) -> Template:
    """The walk-in form; ``offices``: the member's offices, first the one a case goes to unless chosen."""
    return Template(
        "casework/intake.html",
        context={
            **_base_context(),
            "data": data,
            "errors": errors,
            "form_token": token,
            "today": dt.date.today(),
            "sources": INTAKE_SOURCES,
            "languages": _case_languages(),
            "dimensions": CATEGORISATION_DIMENSIONS,
            "offices": offices,
        },
        status_code=status_code,
    )


def walk_in_done(
    report_id: uuid.UUID | None, receipt_code: str | None, *, status_code: int, mailbox_url: str = ""
) -> Template:
    """The recorded case's link and its receipt code with a slip to print, shown once (in this answer only:
    stored nowhere)."""
    return Template(
        "casework/intake_done.html",
        context={**_base_context(), "report_id": report_id, "receipt_code": receipt_code, "mailbox_url": mailbox_url},
        status_code=status_code,
    )


def tampered_case_page(request: Request[Any, Any, State], exc: TamperedContentError) -> Template | Response[str]:
    """A staff page whose case does not open with its keys and metadata (changed in the database): 409,
    said plainly; ``case.tampered`` was audited before. Elsewhere (the reporter's mailbox) a generic error."""
    if not request.url.path.startswith("/staff"):
        return unhandled_exception_handler(request, exc)
    use_request_language(request)
    return Template(
        template_name="casework/tampered.html",
        context=_base_context(),
        status_code=HTTP_409_CONFLICT,
        media_type=MediaType.HTML,
    )
