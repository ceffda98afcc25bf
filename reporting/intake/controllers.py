"""Public pages: the reporting form, the receipt, the privacy notice, the mailbox and the PoW challenge.

Every handler is public (``opt={"public": True}``) and outside the OpenAPI schema. Nothing here logs:
a log line of this module could only ever be about a reporter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets as random
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie, FormMultiDict, State
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import generate_csrf_token
from litestar.response import Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.crypto import report_keys
from reporting.crypto.errors import CryptoError
from reporting.crypto.receipt import ReceiptKeys
from reporting.crypto.recovery import load_recovery_public_key
from reporting.db.models import Report, UsedToken
from reporting.i18n import babel_locale, current_language, resolve_language, set_language
from reporting.i18n import gettext_ as _
from reporting.intake import pow as proof_of_work
from reporting.intake.attachments import (
    ACCEPT_ATTRIBUTE,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    MEBIBYTE,
    keep_token,
)
from reporting.intake.coarse_time import day_rounded_expiry
from reporting.intake.forms import (
    MAX_CONTACT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    FormCheck,
    MessageFormValues,
    ReportFormValues,
    honeypot_filled,
    kept_attachments,
    read_attachments,
    read_message_form,
    read_report_form,
)
from reporting.intake.memory_form import in_memory_form_middleware
from reporting.taxonomy import (
    AFFECTED,
    AREAS,
    CASE_STATUSES,
    GROUNDS,
    REGIONS,
    REPORTER_ROLES,
    YES_NO_UNSURE,
    Dimension,
    incident_period_choices,
)
from reporting.vault.opening import find_report_by_receipt, mailbox_key_for_reporter, open_messages
from reporting.vault.sealing import add_attachment, add_message, create_report
from reporting.vault.values import REPORTER, FileUpload, NoRecoveryKeyError, ReportContent, ReportMetadata
from reporting.web.throttle import client_key, purge_expired, register_hit

PUBLIC = {"public": True}
HOUR = 3600
# Every POST of the form counts (bounds the image decoding a client can cause); accepted reports count
# again, more strictly without proof of work, since a script can always leave the PoW field out.
FORM_ATTEMPT_LIMIT = 30
REPORT_LIMIT_WITH_POW = 10
REPORT_LIMIT_WITHOUT_POW = 3
MAILBOX_ATTEMPT_LIMIT = 10
MAILBOX_WINDOW_SECONDS = 15 * 60
CHALLENGE_LIMIT = 60
CHALLENGE_WINDOW_SECONDS = 10 * 60
FORM_ERROR = "form"
# A one-time id in each rendered form, spent when what it sent is stored: reloading the receipt page
# (which re-posts the form) or a double click must not store a report or a message twice.
SUBMISSION_FIELD = "submission_id"
SUBMISSION_ID_LIFETIME_SECONDS = 2 * 24 * HOUR
MAX_SUBMISSION_ID_LENGTH = 64
upload_middleware = in_memory_form_middleware(MAX_FILE_BYTES)
# Phone photos are often larger than the per-file limit: a request with a few of them must still reach
# the handler, so the form comes back with a message per file instead of an error page that loses the
# text. Memory stays bounded: the parser drops a file's bytes once it passes the per-file limit.
UPLOAD_REQUEST_MAX_BYTES = 64 * MEBIBYTE


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    hint: str = ""


def _choices(dimension: Dimension, lang: str) -> list[Choice]:
    return [Choice(term.code, term.label(lang), term.hint(lang)) for term in dimension.terms]


def _settings(request: Request[Any, Any, State]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _secrets(request: Request[Any, Any, State]) -> InstanceSecrets:
    secrets: InstanceSecrets = request.app.state.secrets
    return secrets


def _kept_key(request: Request[Any, Any, State]) -> bytes:
    return _secrets(request).derive("intake/kept-attachment")


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


def _kept_files(files: list[FileUpload], key: bytes) -> list[tuple[str, str]]:
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


def _new_submission_id() -> str:
    return random.token_urlsafe(18)


def _submission_id(form: FormMultiDict) -> str:
    """The form's one-time id, or a fresh one when it is missing or malformed."""
    posted = _field(form, SUBMISSION_FIELD)
    return posted if 0 < len(posted) <= MAX_SUBMISSION_ID_LENGTH else _new_submission_id()


async def _claim_submission(session: AsyncSession, scope: str, submission_id: str) -> bool:
    """Whether the id is unused; if so, mark it used in this request's own transaction.

    So it counts as spent exactly when what it sent is stored: a failure rolls both back and the form
    can be sent again. Two requests racing with one id both pass this check, and the second then fails
    on the primary key when it flushes (:class:`IntegrityError`), which the handlers answer as a repeat.
    """
    token_hash = hashlib.sha256(submission_id.encode()).hexdigest()
    if await session.get(UsedToken, (scope, token_hash)) is not None:
        return False
    expires_at = day_rounded_expiry(SUBMISSION_ID_LIFETIME_SECONDS)
    session.add(UsedToken(scope=scope, token_hash=token_hash, expires_at=expires_at))
    return True


def _already_sent() -> Template:
    return _problem_page(
        _("This report was already sent"),
        _(
            "The form was sent a second time, for example because the page was reloaded. The report was "
            "stored only once. Its receipt code was shown after the first sending; if you could not note "
            "it, you can send a new report and mention the earlier one."
        ),
        HTTP_409_CONFLICT,
    )


def _rate_limited_form(
    request: Request[Any, Any, State], values: ReportFormValues, attachments: list[FileUpload], submission_id: str
) -> Template:
    """The form again, with everything entered, when this connection has sent too much for now."""
    check = FormCheck(attachments=attachments)
    check.add(
        FORM_ERROR,
        _(
            "Too many reports were sent from your connection in the last hour. Nothing was stored, and nothing "
            "you entered is lost: please wait a while and send the form again."
        ),
    )
    return _form_page(request, values, check, submission_id=submission_id, status_code=HTTP_429_TOO_MANY_REQUESTS)


def _form_page(
    request: Request[Any, Any, State],
    values: ReportFormValues,
    check: FormCheck,
    *,
    submission_id: str,
    status_code: int = 200,
) -> Template:
    lang = current_language().code
    today = dt.date.today()
    return Template(
        template_name="intake/form.html",
        context={
            "values": values,
            "errors": check.errors,
            "kept_files": _kept_files(check.attachments, _kept_key(request)),
            "service_ready": _service_ready(_settings(request)),
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
            "submission_id": submission_id,
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def _problem_page(title: str, explanation: str, status_code: int, unsent_text: str = "") -> Template:
    """A short page about what went wrong; a message that could not be sent is shown to be copied."""
    return Template(
        template_name="intake/problem.html",
        context={"title": title, "explanation": explanation, "unsent_text": unsent_text},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def _too_many_attempts(unsent_text: str = "") -> Template:
    return _problem_page(
        _("Too many attempts"),
        _(
            "For everyone's protection, only a few attempts are possible from one connection in a "
            "certain time. Please wait a while (at most an hour) and try again. Nothing was stored."
        ),
        HTTP_429_TOO_MANY_REQUESTS,
        unsent_text,
    )


async def _within_limit(
    request: Request[Any, Any, State], engine: AsyncEngine, scope: str, *, limit: int, window_seconds: int
) -> bool:
    return await register_hit(engine, scope, client_key(request), limit=limit, window_seconds=window_seconds)


def _field(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _posted_form(request: Request[Any, Any, State]) -> FormMultiDict:
    """The body as parsed before the CSRF check failed (by the upload middleware or the CSRF middleware).

    Exception handlers run outside the language middleware, so this also sets the request's language
    again for the page about to be rendered (this request's context only).
    """
    set_language(resolve_language(request.query_params.get("lang"), request.headers.get("accept-language")))
    data = ScopeState.from_scope(request.scope).form
    return FormMultiDict() if data is Empty else FormMultiDict.from_form_data(data)


def _with_renewed_csrf_cookie(request: Request[Any, Any, State], page: Template) -> Template:
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


def _csrf_failed() -> str:
    return _(
        "For your protection nothing was sent, because this browser's security cookie was missing or had "
        "expired (for example after the browser was closed). Nothing you entered is lost: please send the "
        "form again."
    )


def _report_not_verified(request: Request[Any, Any, State], _exc: PermissionDeniedException) -> Template:
    form = _posted_form(request)
    values, _check = read_report_form(form, dt.date.today())
    check = FormCheck(attachments=kept_attachments(form, _kept_key(request)))
    check.add(FORM_ERROR, _csrf_failed())
    page = _form_page(request, values, check, submission_id=_submission_id(form), status_code=HTTP_403_FORBIDDEN)
    return _with_renewed_csrf_cookie(request, page)


class IntakeController(Controller):
    """The landing page with the reporting form, its submission, and the privacy notice."""

    path = "/"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def show_form(self, request: Request[Any, Any, State]) -> Template:
        return _form_page(request, ReportFormValues(), FormCheck(), submission_id=_new_submission_id())

    @post(
        "/report",
        opt=PUBLIC,
        middleware=[upload_middleware],
        request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
        exception_handlers={PermissionDeniedException: _report_not_verified},
        status_code=200,
    )
    async def submit_report(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        db_engine: NamedDependency[AsyncEngine],
    ) -> Template:
        """Check, then seal in memory and store; answer with the receipt code (shown only this once)."""
        # Expired rate-limit counters and spent tokens carry the hour or day of past requests: remove them
        # as reports come in (before this request's own transaction writes, which SQLite would block).
        await purge_expired(db_engine)
        form = await request.form()
        today = dt.date.today()
        values, check = read_report_form(form, today)
        submission_id = _submission_id(form)
        if not await _within_limit(request, db_engine, "intake:attempt", limit=FORM_ATTEMPT_LIMIT, window_seconds=HOUR):
            # New uploads are not decoded (that is what this limit bounds), but the text and kept files stay.
            return _rate_limited_form(request, values, kept_attachments(form, _kept_key(request)), submission_id)
        await read_attachments(form, check, _kept_key(request))
        if honeypot_filled(form):
            check.add(FORM_ERROR, _("The form could not be sent. Please check your entries and send it again."))
        if not check.valid:
            return _form_page(request, values, check, submission_id=submission_id, status_code=HTTP_400_BAD_REQUEST)

        pow_payload = _field(form, proof_of_work.FIELD_NAME)
        scope, limit = ("intake:report", REPORT_LIMIT_WITH_POW)
        if not pow_payload:
            scope, limit = ("intake:report-nojs", REPORT_LIMIT_WITHOUT_POW)
        if not await _within_limit(request, db_engine, scope, limit=limit, window_seconds=HOUR):
            return _rate_limited_form(request, values, check.attachments, submission_id)
        if pow_payload and not await proof_of_work.verify_and_spend(db_engine, _secrets(request), pow_payload):
            check.add(FORM_ERROR, _("The automatic check did not succeed. Please send the form again."))
            return _form_page(
                request, values, check, submission_id=_new_submission_id(), status_code=HTTP_400_BAD_REQUEST
            )

        if not await _claim_submission(db_session, "intake:submission", submission_id):
            return _already_sent()
        try:
            _report, receipt_code = await create_report(
                db_session,
                settings=_settings(request),
                secrets=_secrets(request),
                content=ReportContent(
                    narrative=values.description, contact=values.contact or None, answers=values.answers()
                ),
                metadata=ReportMetadata(
                    received_on=today,
                    language=current_language().code,
                    source="online",
                    consent_statistics=values.consent_statistics,
                    wants_counselling=values.wants_counselling,
                    reporter_codes=values.reporter_codes(),
                ),
                attachments=check.attachments,
            )
        except NoRecoveryKeyError:
            check.add(
                FORM_ERROR,
                _(
                    "The service is not ready yet and cannot accept reports at the moment. Nothing was stored. "
                    "Please try again later or contact a Caritas counselling office directly."
                ),
            )
            return _form_page(
                request, values, check, submission_id=submission_id, status_code=HTTP_503_SERVICE_UNAVAILABLE
            )
        except IntegrityError:
            return _already_sent()
        assert receipt_code is not None  # create_report issues one unless told not to
        return Template(
            template_name="intake/receipt.html",
            context={"code_groups": receipt_code.split()},
            media_type=MediaType.HTML,
        )

    @get("/privacy", opt=PUBLIC)
    async def privacy_notice(self, request: Request[Any, Any, State]) -> Template:
        return Template(
            template_name="intake/privacy.html",
            context={"language_path": "/privacy", "retention_years": _settings(request).retention_years},
        )


def _status_explanation(status: str) -> str:
    explanations = {
        "new": _("Your report has arrived. An adviser will read it soon."),
        "in_progress": _("An adviser is working on your report."),
        "waiting_for_reporter": _("An adviser has asked you something. Please read the messages below and reply."),
        "closed": _("Work on this report has finished. You can still write a message if something new happens."),
    }
    return explanations.get(status, "")


async def _mailbox_page(
    request: Request[Any, Any, State],
    session: AsyncSession,
    report: Report,
    receipt: ReceiptKeys,
    code: str,
    *,
    values: MessageFormValues | None = None,
    check: FormCheck | None = None,
    notice: str = "",
    submission_id: str = "",
    status_code: int = 200,
) -> Template:
    lang = current_language().code
    mailbox_key = await mailbox_key_for_reporter(session, report, receipt)
    messages = await open_messages(session, report.id, mailbox_key)
    status = CASE_STATUSES.get(report.status).label(lang) if report.status in CASE_STATUSES else report.status
    locale = babel_locale(lang)
    return Template(
        template_name="intake/mailbox.html",
        context={
            "code": code,
            "status": status,
            "status_explanation": _status_explanation(report.status),
            "received_on": format_date(report.received_on, format="long", locale=locale),
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
            "kept_files": _kept_files(check.attachments, _kept_key(request)) if check else [],
            "notice": notice,
            "submission_id": submission_id or _new_submission_id(),
            "limits": _limits(),
            "accept": ACCEPT_ATTRIBUTE,
            "language_path": "/mailbox",
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def _code_entry_page(code: str = "", error: str = "", status_code: int = 200) -> Template:
    return Template(
        template_name="intake/mailbox_login.html",
        context={"code": code, "error": error, "language_path": "/mailbox"},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def _unknown_code(code: str) -> Template:
    # One answer for every wrong code, malformed or well-formed: nothing tells them apart.
    return _code_entry_page(
        code,
        _("No mailbox could be opened with this code. Please check the digits and try again."),
        HTTP_400_BAD_REQUEST,
    )


def _code_not_verified(request: Request[Any, Any, State], _exc: PermissionDeniedException) -> Template:
    code = _field(_posted_form(request), "code")
    return _with_renewed_csrf_cookie(request, _code_entry_page(code, _csrf_failed(), HTTP_403_FORBIDDEN))


def _reply_not_verified(request: Request[Any, Any, State], _exc: PermissionDeniedException) -> Template:
    page = _problem_page(
        _("Your message was not sent"),
        _csrf_failed(),
        HTTP_403_FORBIDDEN,
        unsent_text=_field(_posted_form(request), "message"),
    )
    return _with_renewed_csrf_cookie(request, page)


class MailboxController(Controller):
    """The reporter's way back: the receipt code opens status and messages; nothing else identifies them.

    The code is never put in a URL or cookie: each page that needs it posts it again in a hidden field
    and the receipt keys are derived afresh (Argon2id, about 0.2 s), so no session exists to steal.
    """

    path = "/mailbox"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def enter_code(self) -> Template:
        return _code_entry_page()

    @post("/", opt=PUBLIC, exception_handlers={PermissionDeniedException: _code_not_verified}, status_code=200)
    async def open_mailbox(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        db_engine: NamedDependency[AsyncEngine],
    ) -> Template:
        if not await _within_limit(
            request, db_engine, "mailbox", limit=MAILBOX_ATTEMPT_LIMIT, window_seconds=MAILBOX_WINDOW_SECONDS
        ):
            return _too_many_attempts()
        code = _field(await request.form(), "code")
        found = await find_report_by_receipt(db_session, _secrets(request), code)
        if found is None:
            return _unknown_code(code)
        report, receipt = found
        return await _mailbox_page(request, db_session, report, receipt, code)

    @post(
        "/reply",
        opt=PUBLIC,
        middleware=[upload_middleware],
        request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
        exception_handlers={PermissionDeniedException: _reply_not_verified},
        status_code=200,
    )
    async def reply(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        db_engine: NamedDependency[AsyncEngine],
    ) -> Template:
        """Add a message and/or files, sealed under the mailbox key (advisers and the reporter can read it)."""
        form = await request.form()
        if not await _within_limit(
            request, db_engine, "mailbox", limit=MAILBOX_ATTEMPT_LIMIT, window_seconds=MAILBOX_WINDOW_SECONDS
        ):
            return _too_many_attempts(unsent_text=_field(form, "message"))
        code = _field(form, "code")
        found = await find_report_by_receipt(db_session, _secrets(request), code)
        if found is None:
            return _unknown_code(code)
        report, receipt = found
        values, check = await read_message_form(form, _kept_key(request))
        submission_id = _submission_id(form)
        if not check.valid:
            return await _mailbox_page(
                request,
                db_session,
                report,
                receipt,
                code,
                values=values,
                check=check,
                submission_id=submission_id,
                status_code=HTTP_400_BAD_REQUEST,
            )
        if not await _claim_submission(db_session, "mailbox:submission", submission_id):
            return await _mailbox_page(
                request,
                db_session,
                report,
                receipt,
                code,
                notice=_("This was already sent."),
                status_code=HTTP_409_CONFLICT,
            )
        mailbox_key = await mailbox_key_for_reporter(db_session, report, receipt)
        try:
            if values.message:
                await add_message(db_session, report, mailbox_key=mailbox_key, author=REPORTER, body=values.message)
            for upload in check.attachments:
                await add_attachment(
                    db_session,
                    report,
                    upload,
                    data_key=mailbox_key,
                    key_purpose=report_keys.MAILBOX_KEY,
                    added_by=REPORTER,
                )
        except IntegrityError:
            return _problem_page(_("This was already sent."), _("You can close this page."), HTTP_409_CONFLICT)
        return await _mailbox_page(
            request, db_session, report, receipt, code, notice=_("Thank you. What you sent has reached the advisers.")
        )


class ProofOfWorkController(Controller):
    """Challenges for the ALTCHA widget (fetched by the page's own script; same origin only)."""

    path = "/altcha"
    include_in_schema = False

    @get("/challenge", opt=PUBLIC, media_type=MediaType.JSON)
    async def challenge(
        self, request: Request[Any, Any, State], db_engine: NamedDependency[AsyncEngine]
    ) -> Response[dict[str, Any]]:
        if not await _within_limit(
            request, db_engine, "altcha:challenge", limit=CHALLENGE_LIMIT, window_seconds=CHALLENGE_WINDOW_SECONDS
        ):
            return Response({"error": "too many requests"}, status_code=HTTP_429_TOO_MANY_REQUESTS)
        return Response(proof_of_work.new_challenge(_secrets(request)))
