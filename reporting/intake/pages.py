"""The public pages, built for the routes: the reporting form, receipt, privacy notice, mailbox, problems.

Nothing here logs: a log line of this module could only ever be about a reporter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from litestar import MediaType, Request
from litestar.datastructures import Cookie, State
from litestar.middleware.csrf import generate_csrf_token
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT, HTTP_429_TOO_MANY_REQUESTS
from litestar.utils.scope.state import ScopeState
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.audit import chain as audit
from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.crypto.errors import CryptoError
from reporting.crypto.receipt import ReceiptKeys
from reporting.crypto.recovery import load_recovery_public_key
from reporting.db.models import CaseCode, Report
from reporting.i18n import babel_locale, current_language
from reporting.i18n import gettext_ as _
from reporting.intake.attachments import (
    ACCEPT_ATTRIBUTE,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    MEBIBYTE,
    keep_token,
    kept_attachment_key,
)
from reporting.intake.forms import (
    MAX_CONTACT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    FormCheck,
    MessageFormValues,
    ReportFormValues,
)
from reporting.intake.receipt_slip import spoken_groups
from reporting.intake.receipt_view import RECEIPT_VIEW_SECONDS
from reporting.intake.submissions import new_submission_id
from reporting.taxonomy import (
    AFFECTED,
    AREAS,
    GROUNDS,
    REGIONS,
    REPORTER_ROLES,
    YES_NO_UNSURE,
    Dimension,
    incident_period_choices,
)
from reporting.vault.opening import mailbox_key_for_reporter, open_messages
from reporting.vault.period_keys import PeriodKeys
from reporting.vault.values import REPORTER, FileUpload
from reporting.web.commits import commit
from reporting.web.forms import PostedForm, parsed_form
from reporting.web.language import use_request_language

FORM_ERROR = "form"


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    hint: str = ""


def _choices(dimension: Dimension, lang: str) -> list[Choice]:
    return [Choice(term.code, term.label(lang), term.hint(lang)) for term in dimension.terms]


def _service_ready(settings: Settings) -> bool:
    """Reports are refused until the organisation's recovery public key is installed."""
    try:
        return load_recovery_public_key(settings.keys_dir) is not None
    except CryptoError:
        return False


def _limits() -> dict[str, int]:
    return {
        "description": MAX_DESCRIPTION_LENGTH,
        "contact": MAX_CONTACT_LENGTH,
        "message": MAX_MESSAGE_LENGTH,
        "file_mb": MAX_FILE_BYTES // MEBIBYTE,
        "files": MAX_FILES,
        "total_mb": MAX_TOTAL_BYTES // MEBIBYTE,
    }


def _kept_files(files: list[FileUpload], secrets: InstanceSecrets) -> list[tuple[str, str]]:
    key = kept_attachment_key(secrets)
    return [(file.filename, keep_token(file, key)) for file in files]


def _altcha_strings() -> dict[str, str]:
    """The widget's texts from our catalogue, so it speaks the page's language."""
    return {
        "ariaLinkLabel": "ALTCHA",
        "cancel": _("Cancel"),
        "enterCode": _("Enter code"),
        "enterCodeAria": _("Enter code"),
        "enterCodeFromImage": _("Enter code"),
        "error": _("The automatic check failed. You can still send the form."),
        "expired": _("The automatic check expired. Please try again."),
        "footer": "",
        "getAudioChallenge": _("Enter code"),
        "label": _("Automatic check against mass submissions (no tracking)"),
        "loading": _("Loading…"),
        "reload": _("Try again"),
        "verify": _("Check"),
        "verificationRequired": _("Please wait for the automatic check to finish."),
        "verified": _("Check complete"),
        "verifying": _("Checking… this takes a few seconds."),
        "waitAlert": _("Checking… please wait."),
    }


def form_page(
    settings: Settings,
    secrets: InstanceSecrets,
    values: ReportFormValues,
    check: FormCheck,
    *,
    submission_id: str,
    status_code: int = 200,
) -> Template:
    """The reporting form, with what was entered, the files kept so far and a message per problem."""
    lang = current_language().code
    today = dt.date.today()
    return Template(
        template_name="intake/form.html",
        context={
            "values": values,
            "errors": check.errors,
            "kept_files": _kept_files(check.attachments, secrets),
            "service_ready": _service_ready(settings),
            "limits": _limits(),
            "accept": ACCEPT_ATTRIBUTE,
            "altcha_strings": _altcha_strings(),
            "choices": {
                "incident_period": [Choice(code, label) for code, label in incident_period_choices(today, lang)],
                "area": _choices(AREAS, lang),
                "region": _choices(REGIONS, lang),
                "grounds": _choices(GROUNDS, lang),
                "affected": _choices(AFFECTED, lang),
                "reporter_role": _choices(REPORTER_ROLES, lang),
                "yes_no_unsure": _choices(YES_NO_UNSURE, lang),
            },
            "language_path": "/",
            "language_form": ("report-form", "/language"),
            "submission_id": submission_id,
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def form_with_problem(
    settings: Settings,
    secrets: InstanceSecrets,
    values: ReportFormValues,
    check: FormCheck,
    problem: str,
    *,
    submission_id: str,
    status_code: int,
) -> Template:
    """The form again, with everything entered, and ``problem`` (why nothing was stored) above it."""
    check.add(FORM_ERROR, problem)
    return form_page(settings, secrets, values, check, submission_id=submission_id, status_code=status_code)


def rate_limited_form(
    settings: Settings,
    secrets: InstanceSecrets,
    values: ReportFormValues,
    attachments: list[FileUpload],
    submission_id: str,
) -> Template:
    """The form again, with everything entered, when this connection has sent too much for now."""
    problem = _(
        "Too many reports were sent from your connection in the last hour. Nothing was stored, and nothing "
        "you entered is lost: please wait a while and send the form again."
    )
    return form_with_problem(
        settings,
        secrets,
        values,
        FormCheck(attachments=attachments),
        problem,
        submission_id=submission_id,
        status_code=HTTP_429_TOO_MANY_REQUESTS,
    )


def receipt_page(receipt_code: str, *, web_address: str, shown_again: bool, minutes: int, region: str = "") -> Template:
    """The receipt code (stored nowhere), read out in groups, with a printable slip; never indexed.

    It answers ``GET /receipt``, so its language menu is a set of plain links (the sealed cookie follows).
    The help block names the offices serving the region the reporter chose (sealed in that cookie too).
    """
    return Template(
        template_name="intake/receipt.html",
        context={
            "code_groups": receipt_code.split(),
            "spoken_code": spoken_groups(receipt_code),
            "web_address": web_address,
            "shown_again": shown_again,
            "minutes": minutes,
            "language_path": "/receipt",
            "help_region": region,
        },
        media_type=MediaType.HTML,
    )


def receipt_gone_page() -> Template:
    """``GET /receipt`` once the code may no longer be shown (time is up or the browser was closed)."""
    return Template(
        template_name="intake/receipt_gone.html",
        context={"language_path": "/receipt"},
        media_type=MediaType.HTML,
    )


def privacy_page(settings: Settings) -> Template:
    return Template(
        template_name="intake/privacy.html",
        context={
            "language_path": "/privacy",
            "retention_years": settings.retention_years,
            "receipt_minutes": RECEIPT_VIEW_SECONDS // 60,
        },
    )


def problem_page(title: str, explanation: str, status_code: int, unsent_text: str = "") -> Template:
    """A short page about what went wrong; a message that could not be sent is shown to be copied."""
    return Template(
        template_name="intake/problem.html",
        context={"title": title, "explanation": explanation, "unsent_text": unsent_text},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


async def _mailbox_unreadable(session: AsyncSession, report: Report) -> Template:
    """The mailbox does not open with its keys and metadata: something was changed in the database. The
    reporter gets a plain answer (never another's words under the wrong name, never an error page), and
    the staff an alarm in the audit log (``mailbox.tampered``), committed although nothing else is."""
    report_id = report.id
    await session.rollback()
    await audit.record(session, actor=audit.SYSTEM_ACTOR, action="mailbox.tampered", report_id=report_id)
    await commit(session, where="mailbox.tampered")
    return problem_page(
        _("Your mailbox cannot be shown right now"),
        _(
            "Something stored with your report does not match its protection, so nothing of it is shown. "
            "The advisers have been alerted. Your code is still valid: please try again later, or contact "
            "a counselling office (see below) and tell them."
        ),
        HTTP_409_CONFLICT,
    )


def too_many_attempts(unsent_text: str = "") -> Template:
    return problem_page(
        _("Too many attempts"),
        _(
            "For everyone's protection, only a few attempts are possible from one connection in a "
            "certain time. Please wait a while (at most an hour) and try again. Nothing was stored."
        ),
        HTTP_429_TOO_MANY_REQUESTS,
        unsent_text,
    )


def _reporter_status(status: str, answered: bool) -> tuple[str, str]:
    """The status as the reporter sees it (title, explanation), not in staff wording; once the reporter
    has answered (the case then shows "reply received" to staff), the mailbox no longer asks them to reply."""
    if status == "reply_received" or (status == "waiting_for_reporter" and answered):
        return _("Your answer has arrived"), _("Thank you. An adviser will read it and reply here.")
    statuses = {
        "new": (_("Received"), _("Your report has arrived. An adviser will read it soon.")),
        "in_progress": (_("Being worked on"), _("An adviser is working on your report.")),
        "waiting_for_reporter": (
            _("A question for you"),
            _("An adviser has asked you something. Please read the messages below and reply."),
        ),
        "closed": (
            _("Finished"),
            _("Work on this report has finished. You can still write a message if something new happens."),
        ),
    }
    return statuses.get(status, (status, ""))


async def mailbox_page(
    session: AsyncSession,
    secrets: InstanceSecrets,
    report: Report,
    receipt: ReceiptKeys,
    code: str,
    *,
    period_keys: PeriodKeys,
    values: MessageFormValues | None = None,
    check: FormCheck | None = None,
    notice: str = "",
    submission_id: str = "",
    status_code: int = 200,
) -> Template:
    """Status and messages of the report, opened with the receipt keys, and the reply form."""
    lang = current_language().code
    try:
        mailbox_key = await mailbox_key_for_reporter(session, period_keys, report, receipt)
        messages = await open_messages(session, report.id, mailbox_key)
    except CryptoError:
        return await _mailbox_unreadable(session, report)
    status, status_explanation = _reporter_status(report.status, bool(messages) and messages[-1].author == REPORTER)
    region = (
        await session.execute(
            select(CaseCode.code).where(
                CaseCode.report_id == report.id, CaseCode.origin == REPORTER, CaseCode.dimension == REGIONS.code
            )
        )
    ).scalar()
    locale = babel_locale(lang)
    return Template(
        template_name="intake/mailbox.html",
        context={
            "code": code,
            "status": status,
            "status_explanation": status_explanation,
            "received_on": format_date(report.received_on, format="long", locale=locale),
            "help_region": region or "",
            "messages": [
                {
                    "from_reporter": message.author == REPORTER,
                    "sent_on": format_date(message.sent_on, format="long", locale=locale),
                    "body": message.body,
                }
                for message in messages
            ],
            "values": values or MessageFormValues(),
            "errors": check.errors if check else {},
            "kept_files": _kept_files(check.attachments, secrets) if check else [],
            "notice": notice,
            "submission_id": submission_id or new_submission_id(),
            "limits": _limits(),
            "accept": ACCEPT_ATTRIBUTE,
            "language_path": "/mailbox",
            "language_form": ("reply-form", "/mailbox/language"),
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def code_entry_page(code: str = "", error: str = "", status_code: int = 200) -> Template:
    return Template(
        template_name="intake/mailbox_login.html",
        context={
            "code": code,
            "error": error,
            "language_path": "/mailbox",
            "language_form": ("code-form", "/mailbox/language"),
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def unknown_code(code: str) -> Template:
    # One answer for every wrong code, malformed or well-formed: nothing tells them apart.
    return code_entry_page(
        code,
        _("No mailbox could be opened with this code. Please check the digits and try again."),
        HTTP_400_BAD_REQUEST,
    )


def refused_form(request: Request[Any, Any, State]) -> PostedForm:
    """What a request the CSRF check refused had posted, to be shown again; sets the page's language.

    Exception handlers run outside the language middleware, so the request's language is set again here
    (this request's context only).
    """
    use_request_language(request)
    return parsed_form(request, max_length=None)


def csrf_failed() -> str:
    return _(
        "For your protection nothing was sent, because this browser's security cookie was missing or had "
        "expired (for example after the browser was closed). Nothing you entered is lost: please send the "
        "form again."
    )


def unreadable_text() -> str:
    return _(
        "Nothing was sent, because some characters of what this browser sent could not be read. They are "
        "shown as “\ufffd”: please check your text and send it again."
    )


def with_renewed_csrf_cookie(request: Request[Any, Any, State], page: Template) -> Template:
    """Give the page shown again a fresh CSRF token and cookie, so that sending it again works.

    The usual cause of a failed check is harmless: a phone's browser was closed in the background while
    the reporter was writing and lost its session cookie. The posted values are only shown back to the
    browser that sent them; nothing is stored.
    """
    config = request.app.csrf_config
    assert config is not None  # create_app always configures CSRF
    token = generate_csrf_token(config.secret)
    ScopeState.from_scope(request.scope).csrf_token = token
    page.set_cookie(
        Cookie(
            key=config.cookie_name,
            value=token,
            path=config.cookie_path,
            domain=config.cookie_domain,
            secure=config.cookie_secure,
            httponly=config.cookie_httponly,
            samesite=config.cookie_samesite,
        )
    )
    return page
