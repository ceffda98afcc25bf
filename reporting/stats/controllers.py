"""Staff pages of the statistics: a preview of the protected tables and their downloads.

Open to statisticians and coordinators only; neither page nor download ever shows a case or a count
that protection hides, since both render the same :class:`~reporting.stats.report.ReportView` as the
command line. Every request counts afresh (no cache of raw counts anywhere).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import StaffIdentity
from reporting.access.roles import Role
from reporting.access.rules import allow
from reporting.audit import chain as audit
from reporting.config.settings import Settings
from reporting.i18n import current_language
from reporting.stats.export import EXPORT_FORMATS, MEDIA_TYPES, export_tables
from reporting.stats.register import PublicationRefusedError, publish_year
from reporting.stats.report import (
    DEFAULT_REPORT_LANGUAGE,
    Imprint,
    ReportView,
    present,
    report_language,
)
from reporting.web.commits import commit

STATS_ACCESS: dict[str, Any] = allow(Role.STATISTICIAN, Role.COORDINATOR)
"""``opt`` of every statistics route: ``{"roles": ("statistician", "coordinator")}``."""
FIRST_YEAR = 2000
LAST_YEAR = 2100
YEARS_OFFERED = 6


async def _audited_download(
    db_session: AsyncSession, staff: StaffIdentity, *, year: int, content: bytes, export_format: str, filename: str
) -> Response[bytes]:
    """Every download of published figures is written to the audit log, like case exports."""
    await audit.record(db_session, actor=staff.actor, action="stats.export", detail=f"{year} {export_format}")
    return Response(
        content=content,
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _report(db_session: AsyncSession, settings: Settings, year: int, lang: str, kind: str) -> ReportView:
    """Count, protect, check against and record in the publication register (committed before anything
    is shown), and label. A release that would disclose against an earlier one is refused with 409."""
    try:
        statistics = await publish_year(db_session, year, settings.stats_min_count, kind)
    except PublicationRefusedError as refused:
        raise ClientException(str(refused), status_code=409) from None
    await commit(db_session, where="publish statistics")
    today = dt.date.today()
    imprint = Imprint(today, today, settings.stats_publisher, settings.stats_contact)
    return present(statistics, report_language(lang), imprint)


ReportYear = Annotated[int, PathParameter(ge=FIRST_YEAR, le=LAST_YEAR)]
ChosenYear = Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR)]
ReportLanguage = Annotated[str, QueryParameter(description="de or en; anything else gives German")]


class StatsController(Controller):
    """``/staff/stats``: preview page and PDF, CSV, XLSX and JSON of the annual report."""

    path = "/staff/stats"
    include_in_schema = False
    opt = STATS_ACCESS

    @get("/", opt=STATS_ACCESS, media_type=MediaType.HTML)
    async def preview(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        year: ChosenYear = None,
    ) -> Template:
        """The report's tables as they will be printed, in the page language, with download links."""
        this_year = dt.date.today().year
        chosen = year or this_year
        lang = current_language().code
        view = await _report(db_session, settings, chosen, lang, "preview")
        return Template(
            template_name="stats/preview.html",
            context={
                "view": view,
                "years": list(range(this_year, this_year - YEARS_OFFERED, -1)),
                "chosen_year": chosen,
            },
        )

    @get("/{year:int}/report.pdf", opt=STATS_ACCESS)
    async def report_pdf(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffIdentity],
        year: ReportYear,
        lang: ReportLanguage = DEFAULT_REPORT_LANGUAGE,
    ) -> Response[bytes]:
        """The annual report as tagged PDF (rendered in a worker thread: seconds of CPU)."""
        view = await _report(db_session, settings, year, lang, "pdf")
        # WeasyPrint takes about a second to import: a worker loads it with the first PDF, not at start-up.
        from reporting.stats.pdf import render_report_pdf_in_thread

        pdf = await render_report_pdf_in_thread(view)
        return await _audited_download(
            db_session,
            staff,
            year=year,
            content=pdf,
            export_format="pdf",
            filename=f"jahresstatistik-{year}-{view.lang}.pdf",
        )

    @get([f"/{{year:int}}/tables.{export_format}" for export_format in EXPORT_FORMATS], opt=STATS_ACCESS)
    async def tables(
        self,
        *,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffIdentity],
        year: ReportYear,
        lang: ReportLanguage = DEFAULT_REPORT_LANGUAGE,
    ) -> Response[bytes]:
        """The protected tables as CSV, XLSX or JSON, as the path's file extension says."""
        export_format = request.url.path.rsplit(".", 1)[1]
        view = await _report(db_session, settings, year, lang, "export")
        return await _audited_download(
            db_session,
            staff,
            year=year,
            content=export_tables(view, export_format),
            export_format=export_format,
            filename=f"statistik-{year}-{view.lang}.{export_format}",
        )
