"""Names of codes in the page language, for the case templates (the codes themselves come from the taxonomy)."""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from reporting.access.roles import ROLE_LABELS
from reporting.i18n import SUPPORTED_LANGUAGES, babel_locale, current_language
from reporting.i18n import gettext_ as _
from reporting.taxonomy import DIMENSIONS, INCIDENT_PERIOD_EARLIER, YES_NO_UNSURE


def _reporter_only_dimensions() -> dict[str, str]:
    """Questions of the public form that are no taxonomy dimension of their own."""
    return {
        "incident_period": _("When it happened"),
        "authority_involved": _("Public authority involved"),
        "structural": _("Caused by rules or laws"),
    }


def dimension_label(dimension: str) -> str:
    if dimension in DIMENSIONS:
        return DIMENSIONS[dimension].label(current_language().code)
    return _reporter_only_dimensions().get(dimension, dimension)


def term_label(dimension: str, code: str) -> str:
    """The term's label; codes outside the taxonomy (an incident month such as ``2025-03``) as they are."""
    return _term_label(dimension, code, current_language().code)


@functools.lru_cache(maxsize=4096)
def _term_label(dimension: str, code: str, language: str) -> str:
    known = DIMENSIONS.get(dimension)
    if dimension in ("authority_involved", "structural"):
        known = YES_NO_UNSURE
    if known is not None and code in known:
        return known.get(code).label(language)
    if dimension == "incident_period" and code == INCIDENT_PERIOD_EARLIER.code:
        return INCIDENT_PERIOD_EARLIER.label(language)
    return code


def language_name(code: str) -> str:
    """A case language's name in the page language ("Other" for ``other`` and unknown codes).

    A public locale Babel does not know (``de-x-ls``, a private-use tag) is named by its own name
    ("Leichte Sprache"), the name the service's language menu shows, never lumped in with "Other".
    """
    return _language_name(code, current_language().code) or _("Other")


@functools.lru_cache(maxsize=256)
def _language_name(code: str, language: str) -> str | None:
    try:
        return Locale.parse(code).get_display_name(babel_locale(language))
    except (ValueError, UnknownLocaleError):
        public = SUPPORTED_LANGUAGES.get(code)
        return public.native_name if public else None


def role_label(role: str) -> str:
    """A role in the page's language (the names are ``access.roles.ROLE_LABELS``)."""
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def attention_label(attention: str) -> str:
    """The inbox's quick filters (``inbox.ATTENTION``)."""
    labels = {
        "unread": _("Unread replies"),
        "new": _("New"),
        "reply_received": _("Reply received"),
        "overdue": _("Overdue"),
    }
    return labels.get(attention, attention)


def day(value: dt.date | dt.datetime | None) -> str:
    """A date in the page language's medium format ("" for none)."""
    if value is None:
        return ""
    return _day(value.date() if isinstance(value, dt.datetime) else value, current_language().code)


@functools.lru_cache(maxsize=8192)
def _day(value: dt.date, language: str) -> str:
    """Cached: an inbox page shows a hundred dates, and Babel formats each one from its locale data."""
    return format_date(value, "medium", locale=babel_locale(language))


TEMPLATE_HELPERS = {
    "dimension_label": dimension_label,
    "term_label": term_label,
    "role_label": role_label,
    "language_name": language_name,
    "attention_label": attention_label,
    "day": day,
}
"""Passed into every case template's context."""
