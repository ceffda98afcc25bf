"""Reading and checking the public forms inside the handler.

A body that fails Litestar's own validation would never reach the handler and would come back as a
JSON error, losing everything the person typed. So the handlers take the raw form and these functions
check it: every value is kept for the re-rendered form, and each problem gets a translated message
next to its field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reporting.i18n import gettext_ as _
from reporting.intake.attachments import check_attachments, restore_kept
from reporting.taxonomy import (
    AFFECTED,
    AREAS,
    GROUNDS,
    REGIONS,
    REPORTER_ROLES,
    YES_NO_UNSURE,
    incident_period_choices,
)
from reporting.vault.values import FileUpload
from reporting.web.form_body import ReceivedFile
from reporting.web.forms import PostedForm

MAX_DESCRIPTION_LENGTH = 20_000
MAX_CONTACT_LENGTH = 1_000
MAX_MESSAGE_LENGTH = 10_000
HONEYPOT_FIELD = "homepage_url"
ATTACHMENTS_FIELD = "attachments"
KEPT_ATTACHMENTS_FIELD = "kept_attachment"

# Single-choice questions: form field -> (dimension stored as the reporter's code, allowed codes).
SINGLE_CHOICE_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "area": ("areas", AREAS.codes()),
    "region": ("regions", REGIONS.codes()),
    "affected": ("affected", AFFECTED.codes()),
    "reporter_role": ("reporter_roles", REPORTER_ROLES.codes()),
    "authority_involved": ("authority_involved", YES_NO_UNSURE.codes()),
    "structural": ("structural", YES_NO_UNSURE.codes()),
}
INCIDENT_PERIOD_DIMENSION = "incident_period"
GROUNDS_DIMENSION = "grounds"


@dataclass
class ReportFormValues:
    """Everything a reporter entered, as strings, ready to be shown again."""

    description: str = ""
    incident_period: str = ""
    area: str = ""
    region: str = ""
    grounds: list[str] = field(default_factory=list)
    affected: str = ""
    reporter_role: str = ""
    authority_involved: str = ""
    structural: str = ""
    wants_counselling: bool = False
    consent_statistics: bool = False
    contact: str = ""

    def __repr__(self) -> str:
        return "ReportFormValues(<redacted>)"

    def reporter_codes(self) -> dict[str, list[str]]:
        """The chosen codes by dimension: the only part of a report stored unencrypted."""
        codes = {GROUNDS_DIMENSION: list(self.grounds)}
        if self.incident_period:
            codes[INCIDENT_PERIOD_DIMENSION] = [self.incident_period]
        for name, (dimension, _codes) in SINGLE_CHOICE_FIELDS.items():
            value = getattr(self, name)
            if value:
                codes[dimension] = [value]
        return {dimension: values for dimension, values in codes.items() if values}

    def answers(self) -> dict[str, str]:
        """All choices as sealed form answers (free text is sealed separately)."""
        return {
            "incident_period": self.incident_period,
            "grounds": ",".join(self.grounds),
            **{name: getattr(self, name) for name in SINGLE_CHOICE_FIELDS},
            "wants_counselling": "yes" if self.wants_counselling else "no",
            "consent_statistics": "yes" if self.consent_statistics else "no",
        }


@dataclass
class FormCheck:
    """The outcome of checking a form: per-field messages (empty when valid) and the accepted files."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    attachments: list[FileUpload] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def valid(self) -> bool:
        return not self.errors


def field_text(form: PostedForm, name: str) -> str:
    """A field's text without surrounding whitespace, its line breaks as in Unix (a browser sends CRLF)."""
    return form.text(name).replace("\r\n", "\n").strip()


def honeypot_filled(form: PostedForm) -> bool:
    """People never see the honeypot field; only scripts that fill every field do."""
    return bool(field_text(form, HONEYPOT_FIELD))


def incident_period_codes(today: dt.date) -> set[str]:
    """Codes accepted for "when": also last month's list, for a form opened before midnight on the 1st."""
    earlier = today.replace(day=1) - dt.timedelta(days=1)
    return {code for day in (today, earlier) for code, _label in incident_period_choices(day)}


def read_report_form(form: PostedForm, today: dt.date) -> tuple[ReportFormValues, FormCheck]:
    """Read every field of the reporting form (files are checked separately) and check the choices."""
    values = ReportFormValues(
        description=field_text(form, "description"),
        incident_period=field_text(form, "incident_period"),
        grounds=form.texts("grounds"),
        wants_counselling=field_text(form, "wants_counselling") == "yes",
        consent_statistics=field_text(form, "consent_statistics") == "yes",
        contact=field_text(form, "contact"),
        **{name: field_text(form, name) for name in SINGLE_CHOICE_FIELDS},
    )
    check = FormCheck()
    if not values.description:
        check.add("description", _("Please describe what happened. This is the only question you must answer."))
    elif len(values.description) > MAX_DESCRIPTION_LENGTH:
        check.add(
            "description",
            _("Please shorten your description to at most {limit} characters (now {length}).").format(
                limit=MAX_DESCRIPTION_LENGTH, length=len(values.description)
            ),
        )
    if values.incident_period and values.incident_period not in incident_period_codes(today):
        check.add("incident_period", _("Please choose a month from the list."))
        values.incident_period = ""
    for name, (_dimension, codes) in SINGLE_CHOICE_FIELDS.items():
        if getattr(values, name) and getattr(values, name) not in codes:
            check.add(name, _("Please choose one of the options."))
            setattr(values, name, "")
    known_grounds = [code for code in GROUNDS.codes() if code in values.grounds]
    if len(known_grounds) != len(set(values.grounds)):
        check.add("grounds", _("Please choose from the options shown."))
    values.grounds = known_grounds
    if len(values.contact) > MAX_CONTACT_LENGTH:
        check.add(
            "contact",
            _("Please shorten your contact details to at most {limit} characters.").format(limit=MAX_CONTACT_LENGTH),
        )
    return values, check


def kept_attachments(form: PostedForm, kept_key: bytes) -> list[FileUpload]:
    """Files accepted on an earlier attempt of the same form (checking them is one HMAC each)."""
    return [file for token in form.texts(KEPT_ATTACHMENTS_FIELD) if (file := restore_kept(token, kept_key))]


async def read_attachments(form: PostedForm, check: FormCheck, kept_key: bytes) -> None:
    """Clean the uploaded files and those kept from an earlier attempt into ``check``."""
    result = await check_attachments(form.files(ATTACHMENTS_FIELD, ReceivedFile), kept_attachments(form, kept_key))
    check.attachments = result.files
    for message in result.errors:
        check.add(ATTACHMENTS_FIELD, message)


@dataclass
class MessageFormValues:
    message: str = ""

    def __repr__(self) -> str:
        return "MessageFormValues(<redacted>)"


async def read_message_form(form: PostedForm, kept_key: bytes) -> tuple[MessageFormValues, FormCheck]:
    """The mailbox reply: some text or at least one file."""
    values = MessageFormValues(message=field_text(form, "message"))
    check = FormCheck()
    await read_attachments(form, check, kept_key)
    if len(values.message) > MAX_MESSAGE_LENGTH:
        check.add(
            "message",
            _("Please shorten your message to at most {limit} characters (now {length}).").format(
                limit=MAX_MESSAGE_LENGTH, length=len(values.message)
            ),
        )
    if not values.message and not check.attachments and ATTACHMENTS_FIELD not in check.errors:
        check.add("message", _("Please write a message or add a file."))
    return values, check
