"""HTML to tagged PDF with WeasyPrint, fetching nothing but our own static files.

The report must render the same on an offline server and must never reach out to the network (a
request to a third party from a statistics run would say who is looking at what), so the URL fetcher
serves files under ``reporting/static/`` and stops the rendering on anything else.
"""

from __future__ import annotations

import asyncio
import mimetypes
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

from reporting.stats.report import ReportView
from reporting.web.templating import STATIC_DIR, TEMPLATES_DIR

REPORT_TEMPLATE = "stats/report.html"

PDF_VARIANT = "pdf/ua-1"


class StaticFilesOnlyFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
    """Serve ``file:`` URLs inside the static directory; refuse every other URL loudly.

    Refusal raises :class:`FatalURLFetchingError`, which stops the rendering: our templates never
    reference anything else, so another URL is a bug or injected markup, not something to skip.
    """

    def __init__(self, root: Path = STATIC_DIR, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, **kwargs)
        self.root = root.resolve()
        self.fetched: list[str] = []

    def resolve(self, url: str) -> Path:
        """The file a URL points to, or :class:`FatalURLFetchingError` if it is not one of ours."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FatalURLFetchingError(f"refused to fetch {url[:200]!r}: only our static files are served")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FatalURLFetchingError(f"refused to fetch {url[:200]!r}: not a file under {self.root}")
        return path

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        self.fetched.append(path.relative_to(self.root).as_posix())
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


@cache
def report_environment() -> Environment:
    """Jinja for the PDF: autoescaped, strict (a missing value is an error, not an empty cell)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_report_html(view: ReportView) -> str:
    """The finished report as one HTML document (numbers, charts, words; links only to static files).
    ``_`` is gettext in the report's language, so the templates shared with the staff pages translate alike."""
    template = report_environment().get_template(REPORT_TEMPLATE)
    return template.render(view=view, _=view.translate)


def render_report_pdf(view: ReportView) -> bytes:
    """HTML and PDF of the report in one go (synchronous; see :func:`render_report_pdf_in_thread`)."""
    return render_pdf(render_report_html(view))


async def render_report_pdf_in_thread(view: ReportView) -> bytes:
    return await asyncio.to_thread(render_report_pdf, view)


def render_pdf(html: str) -> bytes:
    """Render finished report HTML to a tagged PDF/UA-1 (title and language come from the HTML).

    CPU-bound and synchronous: from async code call :func:`render_pdf_in_thread`.
    """
    document = weasyprint.HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=StaticFilesOnlyFetcher(),
    )
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


async def render_pdf_in_thread(html: str) -> bytes:
    """Render without blocking the event loop (a report takes seconds of CPU)."""
    return await asyncio.to_thread(render_pdf, html)
