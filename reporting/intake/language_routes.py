"""Switching the language of a public page without losing what was typed or closing the mailbox.

The language menu of a page with a form is a set of submit buttons of that form, each posting to
one of these handlers with ``?lang=<code>`` in its ``formaction``: the page comes back in the new
language with every value posted (the receipt code included, carried in the body, never a URL).
Nothing is stored and nothing is sent; no cookie remembers the choice. Files chosen but not yet sent
travel with the switch: a browser cannot refill a file input, so they are cleaned as on sending and come
back as kept files (HMAC-signed hidden fields, as after a mistake in the form), shown by name with a
checkbox. When the limit on decoding is reached they cannot be taken along, and a message next to the
file field says so: a file is never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.rules import PUBLIC
from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.i18n import gettext_ as _
from reporting.intake.attachments import UPLOAD_REQUEST_MAX_BYTES, UPLOADS, kept_attachment_key
from reporting.intake.forms import (
    ATTACHMENTS_FIELD,
    FormCheck,
    MessageFormValues,
    field_text,
    kept_attachments,
    read_attachments,
    read_report_form,
)
from reporting.intake.mailbox_routes import MAILBOX_ATTEMPT_LIMIT, MAILBOX_WINDOW_SECONDS
from reporting.intake.pages import code_entry_page, form_page, mailbox_page, too_many_attempts, unknown_code
from reporting.intake.report_routes import FORM_ATTEMPT_LIMIT, HOUR
from reporting.intake.submissions import submission_id
from reporting.vault.opening import find_report_by_receipt
from reporting.vault.period_keys import PeriodKeys
from reporting.web.form_body import ReceivedFile
from reporting.web.forms import PostedForm, read_form
from reporting.web.throttle import client_limit, within_limits

FORM_LANGUAGE_PATH = "/language"
MAILBOX_LANGUAGE_PATH = "/mailbox/language"


@post(
    FORM_LANGUAGE_PATH,
    opt={**PUBLIC, **UPLOADS},
    request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
    status_code=200,
    include_in_schema=False,
)
async def switch_form_language(
    request: Request[Any, Any, State],
    db_engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    secrets: NamedDependency[InstanceSecrets],
) -> Template:
    """The reporting form in the chosen language with everything entered, files included (nothing is
    stored). Cleaning new files counts against the same limit as sending the form."""
    form = await read_form(request, max_length=None)
    values, _check = read_report_form(form, dt.date.today())
    check = FormCheck()
    key = kept_attachment_key(secrets)
    if not _files_chosen(form):
        check.attachments = kept_attachments(form, key)
    elif await within_limits(
        db_engine, [client_limit(request, "intake:attempt", FORM_ATTEMPT_LIMIT)], window_seconds=HOUR
    ):
        await read_attachments(form, check, key)
    else:
        check.attachments = kept_attachments(form, key)
        check.add(ATTACHMENTS_FIELD, _files_not_carried())
    return form_page(settings, secrets, values, check, submission_id=submission_id(form))


def _files_chosen(form: PostedForm) -> bool:
    """Whether the file input held any file (an empty input still sends one empty part)."""
    return any(upload.filename or upload.content for upload in form.files(ATTACHMENTS_FIELD, ReceivedFile))


def _files_not_carried() -> str:
    return _(
        "The files you had just chosen could not be taken along to the other language. "
        "Please choose them again before sending."
    )


@post(
    MAILBOX_LANGUAGE_PATH,
    opt={**PUBLIC, **UPLOADS},
    request_max_body_size=UPLOAD_REQUEST_MAX_BYTES,
    status_code=200,
    include_in_schema=False,
)
async def switch_mailbox_language(
    request: Request[Any, Any, State],
    db_session: NamedDependency[AsyncSession],
    db_engine: NamedDependency[AsyncEngine],
    secrets: NamedDependency[InstanceSecrets],
    period_keys: NamedDependency[PeriodKeys],
) -> Template:
    """The code entry page with the digits typed so far, or the open mailbox with the reply typed so far.

    Re-opening the mailbox derives the receipt keys again, so it counts like opening it; the files chosen
    for the reply are carried as on the reporting form (within the mailbox's own limit).
    """
    form = await read_form(request, max_length=None)
    code = field_text(form, "code")
    if "message" not in form.all_texts():
        return code_entry_page(code)
    message = field_text(form, "message")
    limit = [client_limit(request, "mailbox", MAILBOX_ATTEMPT_LIMIT)]
    if not await within_limits(db_engine, limit, window_seconds=MAILBOX_WINDOW_SECONDS):
        return too_many_attempts(unsent_text=message)
    found = await find_report_by_receipt(db_session, secrets, code)
    if found is None:
        return unknown_code(code)
    report, receipt = found
    check = FormCheck()
    await read_attachments(form, check, kept_attachment_key(secrets))
    return await mailbox_page(
        db_session,
        secrets,
        report,
        receipt,
        code,
        period_keys=period_keys,
        values=MessageFormValues(message=message),
        check=check,
        submission_id=submission_id(form),
    )
