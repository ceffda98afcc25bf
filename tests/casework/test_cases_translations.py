"""Every message of the case pages has a German translation (English is the message id itself)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from reporting.i18n import translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext_": None, "ngettext": (1, 2)}


def case_page_messages() -> set[str | tuple[str, str]]:
    messages: set[str | tuple[str, str]] = set()
    sources = [("python", path) for path in sorted((ROOT / "reporting/casework/cases").glob("*.py"))]
    sources += [
        ("jinja2.ext:babel_extract", path) for path in sorted((ROOT / "templates/casework/cases").glob("*.html"))
    ]
    for method, path in sources:
        for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS):
            messages.add(message if isinstance(message, str) else (message[0], message[1]))
    return messages


def test_every_case_page_message_is_translated_into_german() -> None:
    german = translations("de")
    messages = case_page_messages()
    assert len(messages) > 100  # the extraction found the templates and modules
    untranslated = sorted(
        str(message)
        for message in messages
        if (
            german.ngettext(message[0], message[1], 2) == message[1]
            if isinstance(message, tuple)
            else german.gettext(message) == message
        )
        and message not in {"Status"}  # the same word in German
    )
    assert untranslated == []
