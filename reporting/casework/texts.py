"""Marks English message ids that are translated where they are shown (in a template), not where they
are made: the same message serves the web pages (translated) and the command line (English)."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802  (the gettext convention Babel extracts)
    return message
