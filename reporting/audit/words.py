"""The audit log in words: what an event's code and detail mean, in the reader's language and local time.

Events store codes and ids only (never content); this turns them into sentences for the page. Unknown
codes are shown as they are, so a new event is never hidden by a missing description.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from reporting.i18n import babel_locale, current_language
from reporting.i18n import gettext_ as _
from reporting.taxonomy import CASE_STATUSES, CLOSE_REASONS, DIMENSIONS, REPORT_SOURCES

LOCAL_TIME_ZONE = ZoneInfo("Europe/Berlin")
GROUPS: dict[str, tuple[str, ...]] = {
    "cases": (
        "case.open",
        "case.export",
        "case.denied",
        "case.status",
        "case.categorise",
        "case.assign",
        "case.grant",
        "case.revoke",
        "case.note",
        "case.message",
        "case.intake",
        "case.incident_day",
        "case.transfer",
        "attachment.download",
        "retention.shred",
    ),
    "logins": ("login.succeeded", "login.failed", "logout", "two_factor.enrolled", "password.changed"),
    "accounts": (
        "account.created",
        "account.disabled",
        "account.enabled",
        "two_factor.reset",
        "invitation.created",
        "invitation.withdrawn",
        "keys.recover",
        "account.offices",
        "office.saved",
        "offices.loaded",
    ),
    "statistics": ("stats.export",),
    "alarms": ("case.tampered", "mailbox.tampered", "keys.certificate_refused"),
}
"""The page's "what" filter: event codes by kind."""


def group_label(group: str) -> str:
    labels = {
        "cases": _("Case work"),
        "logins": _("Logins and own account"),
        "accounts": _("Staff accounts"),
        "statistics": _("Statistics"),
        "alarms": _("Security alarms"),
    }
    return labels.get(group, group)


def action_label(action: str) -> str:
    labels = {
        "case.open": _("Opened the case"),
        "case.export": _("Exported the case"),
        "case.denied": _("Tried to open a case without access"),
        "case.status": _("Changed the status"),
        "case.categorise": _("Saved the categorisation"),
        "case.assign": _("Changed who is responsible"),
        "case.grant": _("Gave a colleague access"),
        "case.revoke": _("Revoked a colleague's access"),
        "case.note": _("Added an internal note"),
        "case.message": _("Replied to the reporter"),
        "case.intake": _("Recorded a walk-in or phone case"),
        "case.incident_day": _("Changed the day of the incident"),
        "case.transfer": _("Handed the case to another office"),
        "attachment.download": _("Downloaded an attachment"),
        "retention.shred": _("Deleted the case content (retention period over)"),
        "login.succeeded": _("Logged in"),
        "login.failed": _("Failed login"),
        "logout": _("Logged out"),
        "two_factor.enrolled": _("Set up two-factor authentication"),
        "two_factor.reset": _("Reset a colleague's two-factor authentication"),
        "password.changed": _("Changed their password"),
        "account.created": _("Account created"),
        "account.disabled": _("Disabled an account"),
        "account.enabled": _("Enabled an account"),
        "invitation.created": _("Invited a new staff member"),
        "invitation.withdrawn": _("Withdrew an invitation"),
        "keys.recover": _("Restored case keys with the recovery key"),
        "account.offices": _("Changed a colleague's offices"),
        "office.saved": _("Saved an office"),
        "offices.loaded": _("Loaded the offices file"),
        "stats.export": _("Exported statistics"),
        "case.tampered": _("Alarm: the case's stored data does not match its protection (changed in the database)"),
        "mailbox.tampered": _(
            "Alarm: a reporter's mailbox did not open, its stored data does not match its protection (changed in "
            "the database)"
        ),
        "keys.certificate_refused": _("Alarm: a staff key without a valid certificate was refused"),
    }
    return labels.get(action, action)


def actor_label(actor: str, names: Mapping[str, str]) -> str:
    if actor in names:
        return names[actor]
    return {"cli": _("Server administration (command line)"), "unknown": _("Unknown person")}.get(actor, actor)


def _term(dimension: str, code: str) -> str:
    known = DIMENSIONS.get(dimension)
    language = current_language().code
    return known.get(code).label(language) if known is not None and code in known else code


def _role_word(role: str) -> str:
    return {
        "adviser": _("Adviser"),
        "coordinator": _("Coordinator"),
        "statistician": _("Statistician"),
        "admin": _("Administrator"),
    }.get(role, role)


def _part(key: str, value: str) -> str:
    """One ``key=value`` (or ``staff:…``) piece of a detail in words."""
    language = current_language().code
    if key in DIMENSIONS:
        return f"{DIMENSIONS[key].label(language)}: {', '.join(_term(key, code) for code in value.split(','))}"
    words = {
        "intersectional": _("Intersectional"),
        "consent": _("Consent to statistics"),
        "receipt": _("Receipt code issued"),
        "kept": _("The sending office keeps access"),
    }
    if key in words:
        # Outside the f-string, so that extraction finds the messages.
        answer = _("yes") if value == "yes" else _("no")
        return f"{words[key]}: {answer}"
    if key == "reason":
        reason = _("Reason")
        return f"{reason}: {_term(CLOSE_REASONS.code, value)}"
    if key == "source":
        return _term(REPORT_SOURCES.code, value)
    if key == "role":
        return _role_word(value)
    if key == "offices":
        offices = _("Offices")
        return f"{offices}: {value}"
    return f"{key}={value}"


def describe_detail(action: str, detail: str, names: Mapping[str, str]) -> str:
    """The detail of an event in words; ids of notes, messages and attachments are left out (they say nothing
    to a reader and the content is not in the log anyway)."""
    pieces: list[str] = []
    for raw in filter(None, (piece.strip() for piece in detail.replace(" ", ";").split(";"))):
        if raw.startswith("staff:"):
            pieces.append(names.get(raw, _("a former staff member")))
        elif raw.startswith("office:"):
            pieces.append(names.get(raw, _("an office")))
        elif raw.split(":", 1)[0] in ("note", "message", "attachment", "keys"):
            continue
        elif "->" in raw and action == "case.status":
            before, after = raw.split("->", 1)
            pieces.append(f"{_term(CASE_STATUSES.code, before)} → {_term(CASE_STATUSES.code, after)}")
        elif "=" in raw:
            key, value = raw.split("=", 1)
            pieces.append(_part(key, value))
        elif raw == "none":
            pieces.append(_("nobody"))
        elif raw == "invitation":
            pieces.append(_("by invitation"))
        elif raw in ("password", "code"):
            pieces.append(_("wrong password") if raw == "password" else _("wrong two-factor code"))
        elif raw in ("set", "cleared"):
            pieces.append(_("set") if raw == "set" else _("cleared"))
        else:
            pieces.append(raw)
    return "; ".join(pieces)


def local_time(moment: dt.datetime) -> str:
    """Date and time in Germany (CET/CEST), in the page language's medium format."""
    return format_datetime(
        moment.astimezone(LOCAL_TIME_ZONE),
        "medium",
        tzinfo=LOCAL_TIME_ZONE,
        locale=babel_locale(current_language().code),
    )


def case_reference(report_id: object) -> str:
    """The case's short reference as the inbox shows it (eight capital hex digits)."""
    return str(report_id).replace("-", "")[:8].upper()
