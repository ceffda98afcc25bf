"""The case export as a PDF marked confidential, rendered from the export template with nothing fetched.

WeasyPrint is imported inside the function (about a second of import time, which a uvicorn worker must
not spend at start-up), and the rendering runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reporting.web.templating import TEMPLATES_DIR, configure_environment

EXPORT_TEMPLATE = "casework/export.html"


@functools.cache
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined, autoescape=True)
    configure_environment(environment)
    return environment


def render_export_html(context: dict[str, Any]) -> str:
    """The export page as one self-contained HTML document (in the request's language)."""
    return _environment().get_template(EXPORT_TEMPLATE).render(**context)


def _render_pdf(html: str) -> bytes:
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    class NothingFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        """The export is self-contained: any URL in it is a bug or injected markup, so stop the rendering."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            raise FatalURLFetchingError(f"refused to fetch {url[:200]!r}: the case export fetches nothing")

    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=NothingFetcher()).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


async def render_export_pdf(html: str) -> bytes:
    return await asyncio.to_thread(_render_pdf, html)
