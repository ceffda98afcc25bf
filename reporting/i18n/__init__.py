"""Languages and translations.

Message ids in code and templates are English; every supported language has a catalogue under
``reporting/i18n/locale/<lang>/LC_MESSAGES/<domain>.po``, compiled in memory at start-up so there is
no build step. The language of a request travels in the URL (``?lang=ar``), never in a cookie, so
nothing on a shared device remembers that someone used this service.
"""

from __future__ import annotations

import contextvars
import gettext
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(str(files("reporting.i18n") / "locale"))
DEFAULT_LANGUAGE = "de"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


SUPPORTED_LANGUAGES: dict[str, Language] = {
    "de": Language("de", "Deutsch"),
    "en": Language("en", "English"),
}

_current_language: contextvars.ContextVar[str] = contextvars.ContextVar("current_language", default=DEFAULT_LANGUAGE)


def resolve_language(query_lang: str | None, accept_language: str | None) -> str:
    """Pick the language: an explicit ``?lang=`` first, then Accept-Language, then German."""
    if query_lang:
        code = query_lang.strip().lower()
        if code in SUPPORTED_LANGUAGES:
            return code
    for code in _parse_accept_language(accept_language or ""):
        if code in SUPPORTED_LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def _parse_accept_language(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.split("-")[0].lower()))
    return [code for _, _, code in sorted(weighted)]


def set_language(code: str) -> contextvars.Token[str]:
    return _current_language.set(code if code in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)


def reset_language(token: contextvars.Token[str]) -> None:
    _current_language.reset(token)


def current_language() -> Language:
    return SUPPORTED_LANGUAGES[_current_language.get()]


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogues of a language: every ``*.po`` file of the language, one per domain
    (``common.po``, ``intake.po``, ``casework.po`` …), merged. English message ids need none."""
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for po_path in sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        domain = Translations(fp=buffer)
        if isinstance(merged, Translations):
            merged.merge(domain)
        else:
            merged = domain
    return merged


def N_(message: str) -> str:  # noqa: N802  (the gettext convention Babel extracts)
    """Mark an English message id that is translated where it is shown (in a template), not where it is
    made: the same message serves the web pages (translated) and the command line (English)."""
    return message


def gettext_(message: str) -> str:
    """Translate into the current request's language."""
    return translations(_current_language.get()).gettext(message)


def ngettext_(singular: str, plural: str, count: int) -> str:
    return translations(_current_language.get()).ngettext(singular, plural, count)


def babel_locale(code: str | None = None) -> Locale:
    try:
        return Locale.parse(code or _current_language.get())
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE)
