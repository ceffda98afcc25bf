"""Every message id in the code and templates has a German translation (English is the id itself)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from babel.messages.extract import extract_from_file

from reporting.i18n import translations

PACKAGE = Path(str(files("reporting")))
KEYWORDS = {"_": None, "gettext_": None, "N_": None, "ngettext": (1, 2), "ngettext_": (1, 2)}
SAME_IN_GERMAN = {"Code", "Name", "Status", "Details", "Person"}

MessageId = str | tuple[str, str]


def message_ids() -> dict[MessageId, str]:
    """Every message id with the first place it occurs, from the installed package's code and templates."""
    sources = [("python", path) for path in sorted(PACKAGE.rglob("*.py"))]
    sources += [("jinja2.ext:babel_extract", path) for path in sorted((PACKAGE / "templates").rglob("*.html"))]
    found: dict[MessageId, str] = {}
    for method, path in sources:
        for line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS):
            key: MessageId = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, f"{path.relative_to(PACKAGE)}:{line}")
    return found


def test_every_message_has_a_german_translation() -> None:
    german = translations("de")
    found = message_ids()
    assert len(found) > 300  # the extraction found the code and templates of every domain
    untranslated = {
        str(message): where
        for message, where in found.items()
        if (
            german.ngettext(message[0], message[1], 2) == message[1]
            if isinstance(message, tuple)
            else german.gettext(message) == message and message not in SAME_IN_GERMAN
        )
    }
    assert untranslated == {}
