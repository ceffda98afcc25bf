"""The reporter's mailbox: the receipt code opens status and messages; nothing else identifies them.

Every handler is public and outside the OpenAPI schema. Nothing here logs: a log line of this module
could only ever be about a reporter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_409_CONFLICT,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.rules import PUBLIC
from reporting.config.secrets import InstanceSecrets
from reporting.crypto import report_keys
from reporting.i18n import gettext_ as _
from reporting.intake.attachments import UPLOAD_REQUEST_MAX_BYTES, UPLOADS, kept_attachment_key
from reporting.intake.forms import field_text, read_message_form
from reporting.intake.pages import (
    code_entry_page,
    csrf_failed,
    mailbox_page,
    problem_page,
    refused_form,
    too_many_attempts,
    unknown_code,
    unreadable_text,
    with_renewed_csrf_cookie,
)
from reporting.intake.submissions import claim_submission, submission_id
from reporting.vault.opening import find_report_by_receipt, mailbox_key_for_reporter
from reporting.vault.period_keys import PeriodKeys
from reporting.vault.sealing import add_attachment, add_message
from reporting.vault.values import REPORTER
from reporting.web.commits import NotStoredError, commit, discard
from reporting.web.form_body import UnreadableFormError
from reporting.web.forms import PostedForm, read_form
from reporting.web.throttle import Limit, client_limit, within_limits

MAILBOX_ATTEMPT_LIMIT = 10
MAILBOX_WINDOW_SECONDS = 15 * 60


def _mailbox_limit(request: Request[Any, Any, State]) -> list[Limit]:
    """Opening a mailbox and replying count together: both derive the receipt keys (a code guess)."""
    return [client_limit(request, "mailbox", MAILBOX_ATTEMPT_LIMIT)]


def _code_not_verified(request: Request[Any, Any, State], _exc: PermissionDeniedException) -> Template:
    code = field_text(refused_form(request), "code")
    return with_renewed_csrf_cookie(request, code_entry_page(code, csrf_failed(), HTTP_403_FORBIDDEN))


def _unsent_reply(request: Request[Any, Any, State], problem: Callable[[], str], status_code: int) -> Template:
    unsent_text = field_text(refused_form(request), "message")
    page = problem_page(_("Your message was not sent"), problem(), status_code, unsent_text=unsent_text)
    return with_renewed_csrf_cookie(request, page)


def _reply_not_verified(request: Request[Any, Any, State], _exc: PermissionDeniedException) -> Template:
    return _unsent_reply(request, csrf_failed, HTTP_403_FORBIDDEN)


def _reply_unreadable(request: Request[Any, Any, State], _exc: UnreadableFormError) -> Template:
    return _unsent_reply(request, unreadable_text, HTTP_400_BAD_REQUEST)


async def _reply_not_stored(
    db_session: AsyncSession, secrets: InstanceSecrets, period_keys: PeriodKeys, form: PostedForm
) -> Template:
    """The mailbox with the reply form as it was sent (text and files) and why nothing was stored; only
    the text, to be copied, when the mailbox cannot even be read."""
    values, check = await read_message_form(form, kept_attachment_key(secrets))
    code = field_text(form, "code")
    explanation = _(
        "Nothing was stored: a technical problem stopped your reply from being saved, so it has not reached "
        "the advisers. What you wrote is still here. Please send it again later."
    )
    try:
        found = await find_report_by_receipt(db_session, secrets, code)
        if found is not None:
            report, receipt = found
            return await mailbox_page(
                db_session,
                secrets,
                report,
                receipt,
                code,
                period_keys=period_keys,
                values=values,
                check=check,
                notice=explanation,
                submission_id=submission_id(form),
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
    except SQLAlchemyError as exc:
        await discard(db_session, exc, where="reply page")
    return problem_page(_("Nothing was stored"), explanation, HTTP_503_SERVICE_UNAVAILABLE, values.message)


class MailboxController(Controller):
    """The reporter's way back: the receipt code opens status and messages; nothing else identifies them.

    The code is never put in a URL or cookie: each page that needs it posts it again in a hidden field
    and the receipt keys are derived afresh (Argon2id, about 0.2 s), so no session exists to steal.
    """

    path = "/mailbox"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def enter_code(self) -> Template:
        return code_entry_page()

    @post("/", opt=PUBLIC, exception_handlers={PermissionDeniedException: _code_not_verified}, status_code=200)
    async def open_mailbox(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        db_engine: NamedDependency[AsyncEngine],
        secrets: NamedDependency[InstanceSecrets],
        period_keys: NamedDependency[PeriodKeys],
    ) -> Template:
        if not await within_limits(db_engine, _mailbox_limit(request), window_seconds=MAILBOX_WINDOW_SECONDS):
            return too_many_attempts()
        code = field_text(await read_form(request, max_length=None), "code")
        found = await find_report_by_receipt(db_session, secrets, code)
        if found is None:
            return unknown_code(code)
        report, receipt = found
        return await mailbox_page(db_session, secrets, report, receipt, code, period_keys=period_keys)

    @post(
        "/reply",
        opt={**PUBLIC, **UPLOADS},
        request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
        exception_handlers={PermissionDeniedException: _reply_not_verified, UnreadableFormError: _reply_unreadable},
        status_code=200,
    )
    async def reply(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        db_engine: NamedDependency[AsyncEngine],
        secrets: NamedDependency[InstanceSecrets],
        period_keys: NamedDependency[PeriodKeys],
    ) -> Template:
        """Add a message and/or files, sealed under the mailbox key (advisers and the reporter can read it),
        and say so only once it is committed: when the database fails, the reply comes back as it was sent."""
        form = await read_form(request, max_length=None)
        try:
            return await self._store_reply(
                request, form, db_session=db_session, db_engine=db_engine, secrets=secrets, period_keys=period_keys
            )
        except NotStoredError:
            pass
        except SQLAlchemyError as exc:  # a write refused before the commit (a full disk, a lost connection)
            await discard(db_session, exc, where="reply")
        return await _reply_not_stored(db_session, secrets, period_keys, form)

    async def _store_reply(
        self,
        request: Request[Any, Any, State],
        form: PostedForm,
        *,
        db_session: AsyncSession,
        db_engine: AsyncEngine,
        secrets: InstanceSecrets,
        period_keys: PeriodKeys,
    ) -> Template:
        if not await within_limits(db_engine, _mailbox_limit(request), window_seconds=MAILBOX_WINDOW_SECONDS):
            return too_many_attempts(unsent_text=field_text(form, "message"))
        code = field_text(form, "code")
        found = await find_report_by_receipt(db_session, secrets, code)
        if found is None:
            return unknown_code(code)
        report, receipt = found
        values, check = await read_message_form(form, kept_attachment_key(secrets))
        submission = submission_id(form)
        if not check.valid:
            return await mailbox_page(
                db_session,
                secrets,
                report,
                receipt,
                code,
                period_keys=period_keys,
                values=values,
                check=check,
                submission_id=submission,
                status_code=HTTP_400_BAD_REQUEST,
            )
        if not await claim_submission(db_session, "mailbox:submission", submission):
            return await mailbox_page(
                db_session,
                secrets,
                report,
                receipt,
                code,
                period_keys=period_keys,
                notice=_("This was already sent."),
                status_code=HTTP_409_CONFLICT,
            )
        mailbox_key = await mailbox_key_for_reporter(db_session, period_keys, report, receipt)
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
            return problem_page(_("This was already sent."), _("You can close this page."), HTTP_409_CONFLICT)
        await commit(db_session, where="reply")
        return await mailbox_page(
            db_session,
            secrets,
            report,
            receipt,
            code,
            period_keys=period_keys,
            notice=_("Thank you. What you sent has reached the advisers."),
        )
