"""Extract the message ids of code and templates and bring every catalogue up to date with them.

``python -m reporting.i18n.catalogues`` is the extract-and-update step of the build (the compile step
happens in memory at first use, see :func:`reporting.i18n.translations`). Public domains are kept for
every public language; staff domains exist in German only (English is the message id itself).
New messages are added with an empty translation, so the catalogue test fails until someone
translates them; messages gone from the code are dropped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from reporting.i18n import LOCALE_DIR, SUPPORTED_LANGUAGES

PACKAGE = Path(str(files("reporting")))
KEYWORDS = {"_": None, "gettext_": None, "N_": None, "ngettext": (1, 2), "ngettext_": (1, 2)}

PUBLIC_DOMAINS: dict[str, tuple[str, ...]] = {
    "common": ("templates/base.html", "templates/errors/*.html", "web/*.py"),
    "intake": ("templates/intake/*.html", "intake/*.py"),
    "taxonomy": ("taxonomy.py",),
}
"""Which sources feed which catalogue of the public pages (globs relative to the package); a message
shared by several lives in the first."""

MessageId = str | tuple[str, str]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _sources(globs: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    for pattern in globs:
        for path in sorted(PACKAGE.glob(pattern)):
            yield ("python" if path.suffix == ".py" else "jinja2.ext:babel_extract"), path


def extract(globs: tuple[str, ...] = ("**/*.py", "templates/**/*.html")) -> dict[MessageId, str]:
    """Every message id in the given sources with the first place it occurs."""
    found: dict[MessageId, str] = {}
    for method, path in _sources(globs):
        for line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS):
            key: MessageId = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, f"{path.relative_to(PACKAGE)}:{line}")
    return found


def public_message_ids() -> dict[MessageId, str]:
    """The messages a member of the public can see: every public language must translate them."""
    found: dict[MessageId, str] = {}
    for globs in PUBLIC_DOMAINS.values():
        found.update(extract(globs))
    return found


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message, ``%(name)s`` and ``{name}`` alike."""
    return {first or second for first, second in PLACEHOLDER.findall(text)}


def catalogue_path(code: str, domain: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{domain}.po"


Translation = str | tuple[str, ...] | list[str]


def _key(entry: Message) -> MessageId:
    return entry.id if isinstance(entry.id, str) else (entry.id[0], entry.id[1])


def _contents(catalog: Catalog) -> dict[MessageId, Translation | None]:
    return {_key(entry): entry.string for entry in catalog if entry.id}


def _translations_of(code: str, cldr: str) -> dict[MessageId, Translation]:
    """Every translation a language's catalogues hold, whatever their domain: a message that moves to
    another domain (its first use moved) keeps its translation."""
    found: dict[MessageId, Translation] = {}
    for path in sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po_file:
            for entry in read_po(po_file, locale=cldr):
                if entry.id and entry.string and any(entry.string):
                    found.setdefault(_key(entry), entry.string)
    return found


def _write_if_changed(path: Path, catalog: Catalog, before: dict[MessageId, Translation | None] | None) -> bool:
    if before == _contents(catalog):
        return False  # nothing added, dropped or carried over: leave the file (and its formatting) alone
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po_file:
        write_po(po_file, catalog, width=100)
    return True


def update() -> list[Path]:
    """Add new public messages to every public language's catalogues (untranslated unless another domain
    of that language translates them), drop gone ones, and drop messages no longer used from the staff
    catalogues."""
    written = []
    owned: set[MessageId] = set()
    known = {
        code: _translations_of(code, language.cldr) for code, language in SUPPORTED_LANGUAGES.items() if code != "en"
    }
    for domain, globs in PUBLIC_DOMAINS.items():
        template = Catalog()
        messages = {message: where for message, where in extract(globs).items() if message not in owned}
        owned.update(messages)
        for message, where in messages.items():
            source, _, line = where.rpartition(":")
            template.add(message, locations=[(f"reporting/{source}", int(line))])
        for code, language in SUPPORTED_LANGUAGES.items():
            if code == "en":
                continue
            path = catalogue_path(code, domain)
            catalog = Catalog(locale=language.cldr)
            before = None
            if path.exists():
                with path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=language.cldr)
                before = _contents(catalog)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            for entry in catalog:
                if entry.id and not any(entry.string or ()) and _key(entry) in known[code]:
                    entry.string = known[code][_key(entry)]
            if _write_if_changed(path, catalog, before):
                written.append(path)
    used = set(extract())
    for code, language in SUPPORTED_LANGUAGES.items():
        for path in sorted((LOCALE_DIR / code / "LC_MESSAGES").glob("*.po")):
            if path.stem in PUBLIC_DOMAINS:
                continue
            with path.open("rb") as po_file:
                catalog = read_po(po_file, locale=language.cldr)
            before = _contents(catalog)
            for entry in list(catalog):
                if entry.id and _key(entry) not in used:
                    del catalog[entry.id]
            catalog.obsolete.clear()
            if _write_if_changed(path, catalog, before):
                written.append(path)
    return written


if __name__ == "__main__":
    for updated in update():
        sys.stdout.write(f"{updated}\n")
