"""The landing page with the reporting form, its submission, and the privacy notice.

Every handler is public and outside the OpenAPI schema. Nothing here logs: a log line of this module
could only ever be about a reporter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.rules import PUBLIC
from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.i18n import current_language
from reporting.i18n import gettext_ as _
from reporting.intake import pow as proof_of_work
from reporting.intake.attachments import UPLOAD_REQUEST_MAX_BYTES, UPLOADS, kept_attachment_key
from reporting.intake.forms import (
    FormCheck,
    ReportFormValues,
    field_text,
    honeypot_filled,
    kept_attachments,
    read_attachments,
    read_report_form,
)
from reporting.intake.pages import (
    FORM_ERROR,
    csrf_failed,
    form_page,
    form_with_problem,
    privacy_page,
    rate_limited_form,
    receipt_gone_page,
    receipt_page,
    refused_form,
    unreadable_text,
    with_renewed_csrf_cookie,
)
from reporting.intake.receipt_slip import receipt_code_for
from reporting.intake.receipt_view import (
    RECEIPT_COOKIE,
    RECEIPT_PATH,
    RECEIPT_VIEW_SECONDS,
    ReceiptView,
    open_receipt_view,
    receipt_cookie,
    receipt_view_key,
)
from reporting.intake.submissions import claim_submission, new_submission_id, submission_id, submission_spent
from reporting.vault.opening import ReceiptWorkBusyError, receipt_keys_for
from reporting.vault.sealing import create_report
from reporting.vault.values import NoRecoveryKeyError, ReportContent, ReportMetadata
from reporting.web.app_state import app_secrets, app_settings
from reporting.web.commits import NotStoredError, commit, discard
from reporting.web.form_body import UnreadableFormError
from reporting.web.forms import PostedForm, read_form
from reporting.web.throttle import client_limit, within_limits

HOUR = 3600
# Every POST of the form counts (bounds the image decoding a client can cause); accepted reports count
# again, more strictly without proof of work, since a script can always leave the PoW field out.
FORM_ATTEMPT_LIMIT = 30
REPORT_LIMIT_WITH_POW = 10
REPORT_LIMIT_WITHOUT_POW = 3


def _to_receipt(settings: Settings, receipt_code: str, *, shown_again: bool, region: str) -> Redirect:
    """``303`` to the receipt page in the form's language, the code (and the region chosen, for the help
    block) sealed in a cookie for it alone."""
    redirect = Redirect(f"{RECEIPT_PATH}?lang={current_language().code}", status_code=HTTP_303_SEE_OTHER)
    view = ReceiptView(receipt_code, shown_again, region)
    redirect.set_cookie(receipt_cookie(view, secure=settings.secure_cookies))
    return redirect


def _refused_report(request: Request[Any, Any, State], problem: Callable[[], str], status_code: int) -> Template:
    """The form again with what was posted (the text and files already kept) and ``problem``.

    ``problem`` is called once :func:`refused_form` has set the request's language.
    """
    form = refused_form(request)
    secrets = app_secrets(request)
    values, _check = read_report_form(form, dt.date.today())
    page = form_with_problem(
        app_settings(request),
        secrets,
        values,
        FormCheck(attachments=kept_attachments(form, kept_attachment_key(secrets))),
        problem(),
        submission_id=submission_id(form),
        status_code=status_code,
    )
    return with_renewed_csrf_cookie(request, page)


def _report_not_verified(request: Request[Any, Any, State], _exc: PermissionDeniedException) -> Template:
    return _refused_report(request, csrf_failed, HTTP_403_FORBIDDEN)


def _report_unreadable(request: Request[Any, Any, State], _exc: UnreadableFormError) -> Template:
    return _refused_report(request, unreadable_text, HTTP_400_BAD_REQUEST)


class IntakeController(Controller):
    """The landing page with the reporting form, its submission, and the privacy notice."""

    path = "/"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def show_form(
        self, settings: NamedDependency[Settings], secrets: NamedDependency[InstanceSecrets]
    ) -> Template:
        return form_page(settings, secrets, ReportFormValues(), FormCheck(), submission_id=new_submission_id())

    @post(
        "/report",
        opt={**PUBLIC, **UPLOADS},
        request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
        exception_handlers={
            PermissionDeniedException: _report_not_verified,
            UnreadableFormError: _report_unreadable,
        },
        status_code=200,
    )
    async def submit_report(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        db_engine: NamedDependency[AsyncEngine],
        settings: NamedDependency[Settings],
        secrets: NamedDependency[InstanceSecrets],
    ) -> Template | Redirect:
        """Check, then seal in memory and store; answer with the receipt code, but only once the report is
        committed: when the database fails, the form comes back as it was sent.

        The answer to a stored report is a redirect to the receipt page, which shows the code from a
        sealed session cookie (Post/Redirect/Get: reload, Back and Forward never re-post the form). A
        repeat of the same form (Back to a form kept by the browser, send again) stores nothing and leads
        to the same code again: it is derived from the form's one-time id.
        """
        form = await read_form(request, max_length=None)
        try:
            return await self._store_report(
                request, form, db_session=db_session, db_engine=db_engine, settings=settings, secrets=secrets
            )
        except NotStoredError:
            pass
        except SQLAlchemyError as exc:  # a write refused before the commit (a full disk, a lost connection)
            await discard(db_session, exc, where="submit_report")
        values, check = read_report_form(form, dt.date.today())
        await read_attachments(form, check, kept_attachment_key(secrets))
        return form_with_problem(
            settings,
            secrets,
            values,
            check,
            _(
                "Nothing was stored: a technical problem stopped your report from being saved, and no receipt "
                "code was issued. Everything you entered is still here. Please send the form again later."
            ),
            submission_id=submission_id(form),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )

    async def _store_report(
        self,
        request: Request[Any, Any, State],
        form: PostedForm,
        *,
        db_session: AsyncSession,
        db_engine: AsyncEngine,
        settings: Settings,
        secrets: InstanceSecrets,
    ) -> Template | Redirect:
        kept_key = kept_attachment_key(secrets)
        today = dt.date.today()
        values, check = read_report_form(form, today)
        submission = submission_id(form)
        receipt_code = receipt_code_for(secrets, submission)
        if await submission_spent(db_session, "intake:submission", submission):
            # A reload of the receipt page: before the limits and the (already spent) proof of work.
            return _to_receipt(settings, receipt_code, shown_again=True, region=values.region)
        # End that read: on SQLite a read transaction that outlives other workers' writes can no longer
        # become a write (SQLITE_BUSY at once, past any busy timeout), and decoding photos takes a while.
        await db_session.rollback()
        if not await within_limits(
            db_engine, [client_limit(request, "intake:attempt", FORM_ATTEMPT_LIMIT)], window_seconds=HOUR
        ):
            # New uploads are not decoded (that is what this limit bounds), but the text and kept files stay.
            return rate_limited_form(settings, secrets, values, kept_attachments(form, kept_key), submission)
        await read_attachments(form, check, kept_key)
        if honeypot_filled(form):
            check.add(FORM_ERROR, _("The form could not be sent. Please check your entries and send it again."))
        if not check.valid:
            return form_page(
                settings, secrets, values, check, submission_id=submission, status_code=HTTP_400_BAD_REQUEST
            )

        pow_payload = field_text(form, proof_of_work.FIELD_NAME)
        scope, limit = ("intake:report", REPORT_LIMIT_WITH_POW)
        if not pow_payload:
            scope, limit = ("intake:report-nojs", REPORT_LIMIT_WITHOUT_POW)
        if not await within_limits(db_engine, [client_limit(request, scope, limit)], window_seconds=HOUR):
            return rate_limited_form(settings, secrets, values, check.attachments, submission)
        if pow_payload and not await proof_of_work.verify_and_spend(db_engine, secrets, pow_payload):
            return form_with_problem(
                settings,
                secrets,
                values,
                check,
                _("The automatic check did not succeed. Please send the form again."),
                submission_id=new_submission_id(),
                status_code=HTTP_400_BAD_REQUEST,
            )

        try:
            # Argon2id (slow on purpose) before this request's transaction starts, not inside it.
            receipt_keys = await receipt_keys_for(receipt_code, secrets)
            if not await claim_submission(db_session, "intake:submission", submission):
                return _to_receipt(settings, receipt_code, shown_again=True, region=values.region)
            await create_report(
                db_session,
                settings=settings,
                secrets=secrets,
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
                receipt_code=receipt_code,
                receipt_keys=receipt_keys,
            )
        except ReceiptWorkBusyError:
            busy = _(
                "Too many reports are being sent at this moment. Nothing was stored. "
                "Please send the form again in a minute."
            )
            return form_with_problem(
                settings,
                secrets,
                values,
                check,
                busy,
                submission_id=submission,
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        except NoRecoveryKeyError:
            not_ready = _(
                "The service is not ready yet and cannot accept reports at the moment. Nothing was stored. "
                "Please try again later or contact a Caritas counselling office directly."
            )
            return form_with_problem(
                settings,
                secrets,
                values,
                check,
                not_ready,
                submission_id=submission,
                status_code=HTTP_503_SERVICE_UNAVAILABLE,
            )
        except IntegrityError:
            return _to_receipt(settings, receipt_code, shown_again=True, region=values.region)
        await commit(db_session, where="submit_report")
        return _to_receipt(settings, receipt_code, shown_again=False, region=values.region)

    @get(RECEIPT_PATH, opt=PUBLIC)
    async def show_receipt(
        self,
        request: Request[Any, Any, State],
        settings: NamedDependency[Settings],
    ) -> Template:
        """The code again for as long as the sealed cookie lives: after reload, Back and Forward."""
        sealed = request.cookies.get(RECEIPT_COOKIE, "")
        view = open_receipt_view(receipt_view_key(), sealed) if sealed else None
        if view is None:
            return receipt_gone_page()
        return receipt_page(
            view.code,
            web_address=f"{settings.public_url}/",  # never from the request's Host header
            shown_again=view.shown_again,
            minutes=RECEIPT_VIEW_SECONDS // 60,
            region=view.region,
        )

    @get("/privacy", opt=PUBLIC)
    async def privacy_notice(self, settings: NamedDependency[Settings]) -> Template:
        return privacy_page(settings)
