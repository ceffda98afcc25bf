"""Every message id in the code and templates has a German translation (English is the id itself), and
every public language translates every message a member of the public can see: none missing, none
fuzzy, and the same placeholders as the English source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from reporting.i18n import DEFAULT_LANGUAGE, LOCALE_DIR, SUPPORTED_LANGUAGES, Translator, translations
from reporting.i18n import catalogues as catalogue_step
from reporting.i18n.catalogues import MessageId, extract, placeholders, public_message_ids

TRANSLATED_LANGUAGES = [code for code in SUPPORTED_LANGUAGES if code != "en"]


def _catalogues(code: str) -> list[Catalog]:
    catalogues = []
    for path in sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po_file:
            catalogues.append(read_po(po_file, locale=SUPPORTED_LANGUAGES[code].cldr))
    return catalogues


def _translated(code: str) -> dict[MessageId, tuple[str, ...]]:
    """Message id → its non-empty translations, over all catalogues of a language."""
    found: dict[MessageId, tuple[str, ...]] = {}
    for catalogue in _catalogues(code):
        for message in catalogue:
            if not message.id:
                continue
            key: MessageId = message.id if isinstance(message.id, str) else (message.id[0], message.id[1])
            strings = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
            if all(strings):
                found[key] = strings
    return found


def _missing(wanted: dict[MessageId, str], code: str) -> dict[str, str]:
    translated = _translated(code)
    return {str(message): where for message, where in wanted.items() if message not in translated}


def test_every_message_has_a_german_translation() -> None:
    found = extract()
    assert len(found) > 300  # the extraction found the code and templates of every domain
    assert _missing(found, DEFAULT_LANGUAGE) == {}


@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_every_public_message_is_translated(code: str) -> None:
    assert _missing(public_message_ids(), code) == {}
    if code != DEFAULT_LANGUAGE:  # written by the team, not yet by native speakers: the header says so
        for catalogue in _catalogues(code):
            assert "AWAITS REVIEW BY NATIVE SPEAKERS" in (catalogue.header_comment or "")


@pytest.mark.parametrize("code", TRANSLATED_LANGUAGES)
def test_no_fuzzy_entry_and_the_placeholders_of_the_source(code: str) -> None:
    fuzzy, differing = [], []
    for catalogue in _catalogues(code):
        for message in catalogue:
            if not message.id:
                continue
            if message.fuzzy:
                fuzzy.append(message.id)
            sources = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
            wanted = set().union(*(placeholders(source) for source in sources))
            if any(string and placeholders(string) != wanted for string in strings):
                differing.append(message.id)
    assert fuzzy == []
    assert differing == []


def test_public_messages_are_found_in_every_public_domain() -> None:
    public = public_message_ids()
    assert "Report discrimination" in public  # layout
    assert "Page not found" in public  # error pages
    assert "Witness" in public  # taxonomy labels
    assert "Log in" not in public  # staff pages stay German and English


def test_translations_follow_the_request_language() -> None:
    assert translations("de").gettext("Witness") == "Zeug*in"
    assert translations("en").gettext("Witness") == "Witness"


def test_the_annual_report_speaks_through_the_catalogues() -> None:
    """The report, its preview and its exports have no text mechanism of their own: their messages are
    extracted like every other and translated into German (the published original)."""
    report = extract(("stats/*.py", "stats/**/*.py", "templates/stats/*.html"))
    assert len(report) > 90
    assert "Method and anonymisation" in report
    assert "Annex: all tables" in report
    assert _missing(report, DEFAULT_LANGUAGE) == {}
    assert Translator("de")("Annual statistics %(year)s", year=2026) == "Jahresstatistik 2026"
    assert Translator("en")("Annual statistics %(year)s", year=2026) == "Annual statistics 2026"


def test_no_catalogue_keeps_obsolete_or_unused_messages() -> None:
    """Every entry of every catalogue is a message the code or a template still uses.

    A stale entry is dead weight for translators and reviewers, and an obsolete one (``#~``) comes
    back to life as a wrong translation when a message with the same id is added again.
    """
    used = set(extract())
    stale: dict[str, list[str]] = {}
    for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        with path.open("rb") as po_file:
            catalogue = read_po(po_file)
        where = str(path.relative_to(LOCALE_DIR))
        unused = [
            str(message.id)
            for message in catalogue
            if message.id
            and (message.id if isinstance(message.id, str) else (message.id[0], message.id[1])) not in used
        ]
        obsolete = [f"#~ {message_id}" for message_id in catalogue.obsolete]
        if unused or obsolete or "\n#~ " in "\n" + path.read_text(encoding="utf-8"):
            stale[where] = unused + obsolete
    assert stale == {}


def test_the_catalogues_are_what_the_extract_and_update_step_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Running ``python -m reporting.i18n.catalogues`` on the committed catalogues changes nothing: no message
    sits in another domain than the step puts it, and no translation would be lost by running it."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    monkeypatch.setattr(catalogue_step, "LOCALE_DIR", copy)
    assert catalogue_step.update() == []
