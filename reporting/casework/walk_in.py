"""Walk-in intake: an adviser records a case taken in person or by phone.

It goes into the same encrypted store as online reports (``sealing.create_report``): sealed for the
recovery key, every coordinator and the recording adviser, who is also assigned. If the person wants
to follow the case anonymously the adviser hands them a receipt code, shown once and never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.categorisation import CategorisationInput, parse_categorisation, save_categorisation
from reporting.casework.workflow import CaseWork, member_offices
from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.db.models import Report, StaffAccount, UsedToken, utc_now
from reporting.i18n import STAFF_LANGUAGES, SUPPORTED_LANGUAGES
from reporting.i18n import gettext_ as _
from reporting.vault import sealing, values
from reporting.vault.offices import home_office_id

INTAKE_SOURCES = ("walk_in", "phone")
"""Codes of ``taxonomy.REPORT_SOURCES`` an adviser can record (``online`` is the public form's)."""
CASE_LANGUAGES: tuple[str, ...] = tuple(
    dict.fromkeys((*STAFF_LANGUAGES, *SUPPORTED_LANGUAGES, "ku", "ps", "ti", "so", "fr", "other"))
)
"""Languages a case can be held in: every public locale of the form (so the inbox filters by each) and
those most spoken by the people served (REFERENCE.md)."""
MAX_NARRATIVE_LENGTH = 20_000
MAX_CONTACT_LENGTH = 1_000
FORM_TOKEN_SCOPE = "walk_in_intake"  # noqa: S105  (a table scope name, not a secret)
FORM_TOKEN_LIFETIME = dt.timedelta(days=2)


@dataclass(frozen=True)
class IntakeInput:
    """A checked walk-in form; the free text never appears in a repr."""

    narrative: str = field(repr=False)
    contact: str = field(repr=False)
    source: str
    language: str
    received_on: dt.date
    categorisation: CategorisationInput
    issue_receipt: bool
    office: str = ""
    """The chosen office's id as sent (checked against the member's offices when recording)."""


def _text(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0].replace("\r\n", "\n").strip()


def parse_intake(form: Mapping[str, Sequence[str]], *, today: dt.date) -> tuple[IntakeInput, dict[str, str]]:
    """Check the walk-in form; return what can be kept for a re-rendered form and errors by field."""
    errors: dict[str, str] = {}
    narrative, contact = _text(form, "narrative"), _text(form, "contact")
    if not narrative:
        errors["narrative"] = _("Please write down what happened.")
    elif len(narrative) > MAX_NARRATIVE_LENGTH:
        errors["narrative"] = _("This text is too long.")
    if len(contact) > MAX_CONTACT_LENGTH:
        errors["contact"] = _("This text is too long.")
    source = _text(form, "source")
    if source not in INTAKE_SOURCES:
        errors["source"] = _("Choose how the case came in.")
    language = _text(form, "language")
    if language not in CASE_LANGUAGES:
        errors["language"] = _("Choose a language.")
    try:
        received_on = dt.date.fromisoformat(_text(form, "received_on"))
    except ValueError:
        received_on = today
        errors["received_on"] = _("Enter the date the case was taken in.")
    if received_on > today:
        errors["received_on"] = _("The date cannot be in the future.")
    categorisation, categorisation_errors = parse_categorisation(form, records_consent=True)
    errors.update(categorisation_errors)
    data = IntakeInput(
        narrative=narrative,
        contact=contact,
        source=source,
        language=language,
        received_on=received_on,
        categorisation=categorisation,
        issue_receipt="yes" in form.get("issue_receipt", ()),
        office=_text(form, "office_id"),
    )
    return data, errors


async def spend_form_token(db: AsyncSession, token: str) -> bool:
    """Record the form's one-time token in this transaction; ``False`` when it was used before.

    The receipt page is the POST's answer (the code must not travel in a URL), so reloading it would
    post the form again: the token keeps that from recording the same person twice.
    """
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    if not token or await db.get(UsedToken, (FORM_TOKEN_SCOPE, token_hash)) is not None:
        return False
    db.add(UsedToken(scope=FORM_TOKEN_SCOPE, token_hash=token_hash, expires_at=utc_now() + FORM_TOKEN_LIFETIME))
    await db.flush()
    return True


async def _walk_in_office(work: CaseWork, chosen: str) -> uuid.UUID:
    """The office the member chose among their own, else their home office (``vault.offices``)."""
    for office in await member_offices(work.db, work.staff.staff_id):
        if str(office.id) == chosen:
            return office.id
    return await home_office_id(work.db, work.staff.staff_id)


async def record_walk_in(
    work: CaseWork, data: IntakeInput, *, settings: Settings, secrets: InstanceSecrets
) -> tuple[Report, str | None]:
    """Seal and store the case, assign it to the recording adviser; it belongs to their office. Return it
    and the receipt code."""
    account = await work.db.get(StaffAccount, work.staff.staff_id)
    if account is None:
        raise values.AccessDeniedError
    report, receipt_code = await sealing.create_report(
        work.db,
        settings=settings,
        secrets=secrets,
        content=values.ReportContent(narrative=data.narrative, contact=data.contact or None),
        metadata=values.ReportMetadata(
            received_on=data.received_on,
            language=data.language,
            source=data.source,
            consent_statistics=bool(data.categorisation.consent_statistics),
        ),
        issue_receipt=data.issue_receipt,
        extra_recipients=[values.Recipient(values.staff_recipient(account.id), account.public_key, account.id)],
        office_id=await _walk_in_office(work, data.office),
    )
    report.assignee_id = account.id
    # In person or on the phone, being heard is the acknowledgement.
    report.acknowledged_on = data.received_on
    await work.record("case.intake", report.id, f"source={data.source};receipt={'yes' if receipt_code else 'no'}")
    if not data.categorisation.is_empty():
        await save_categorisation(work, report, data.categorisation)
    return report, receipt_code
