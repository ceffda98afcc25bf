"""Languages and translations.

Message ids in code and templates are English; every supported language has catalogues under
``reporting/i18n/locale/<code>/LC_MESSAGES/<domain>.po`` (kept current with
``python -m reporting.i18n.catalogues``), compiled in memory at first use, so an installed copy can
never serve a ``.mo`` file older than its ``.po``. The language of a request travels in the URL
(``?lang=ar``) or a form field, never in a cookie, so nothing on a shared device remembers that
someone used this service.

Eight languages face the public, chosen for the people the service is for (Arabic, Dari/Farsi,
Turkish, Ukrainian and Russian speakers among them); the staff area speaks German and English.
Leichte Sprache has no ISO code of its own, so it uses the private-use BCP-47 tag ``de-x-ls`` (valid
in ``<html lang>``, read by screen readers as German) and German dates and numbers.
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
    """``code`` is the BCP-47 tag of ``<html lang>``, ``?lang=`` and the catalogue directory;
    ``cldr`` the Babel locale for dates and numbers."""

    code: str
    native_name: str
    cldr: str
    rtl: bool = False
    staff: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"


SUPPORTED_LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("de", "Deutsch", "de", staff=True),
        Language("de-x-ls", "Leichte Sprache", "de"),
        Language("en", "English", "en", staff=True),
        Language("ar", "العربية", "ar", rtl=True),
        Language("fa", "فارسی / دری", "fa", rtl=True),
        Language("tr", "Türkçe", "tr"),
        Language("uk", "Українська", "uk"),
        Language("ru", "Русский", "ru"),
    )
}
"""The public languages, in the order of the language menu."""

STAFF_LANGUAGES: dict[str, Language] = {code: lang for code, lang in SUPPORTED_LANGUAGES.items() if lang.staff}

LANGUAGE_ALIASES: dict[str, str] = {"prs": "fa", "fa-af": "fa", "pes": "fa"}
"""Tags a browser may send for a language we serve under another code: Dari (``prs``, ``fa-AF``)
is written like Farsi and its speakers read the Farsi pages."""

_current_language: contextvars.ContextVar[str] = contextvars.ContextVar("current_language", default=DEFAULT_LANGUAGE)


def resolve_language(query_lang: str | None, accept_language: str | None, *, staff: bool = False) -> str:
    """Pick the language: an explicit ``?lang=`` first, then Accept-Language, then German.

    The staff area only offers German and English, whatever the browser prefers.
    """
    offered = STAFF_LANGUAGES if staff else SUPPORTED_LANGUAGES
    candidates = [query_lang.strip()] if query_lang else []
    candidates += _parse_accept_language(accept_language or "")
    for tag in candidates:
        code = _match(tag.lower(), offered)
        if code:
            return code
    return DEFAULT_LANGUAGE


def _match(tag: str, offered: dict[str, Language]) -> str | None:
    """The offered language for a tag: exact, an alias, then the primary subtag (``uk-UA`` → ``uk``)."""
    tag = tag.replace("_", "-")
    primary = tag.split("-")[0]
    for candidate in (tag, LANGUAGE_ALIASES.get(tag), LANGUAGE_ALIASES.get(primary), primary):
        if candidate in offered:
            return candidate
    return None


def _parse_accept_language(header: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (ties keep their order)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


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
    cldr = SUPPORTED_LANGUAGES[code].cldr if code in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    for po_path in sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=cldr)
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


@dataclass(frozen=True)
class Translator:
    """gettext bound to one language rather than the request's: a document such as the annual report is
    written in the language chosen for it (``--lang``), whoever renders it. ``_("… %(year)s", year=2026)``
    translates first, then fills in the values (Babel extracts the calls as ``_``)."""

    code: str

    def __call__(self, message: str, **values: object) -> str:
        text = translations(self.code).gettext(message)
        return text % values if values else text


def babel_locale(code: str | None = None) -> Locale:
    code = code or _current_language.get()
    try:
        return Locale.parse(SUPPORTED_LANGUAGES[code].cldr if code in SUPPORTED_LANGUAGES else code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE)
