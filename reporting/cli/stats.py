"""``reporting stats …``: the annual report and its tables from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from reporting.cli.common import ReportingError, load_settings
from reporting.config.settings import Settings
from reporting.db.engine import session_scope
from reporting.stats.aggregate import rebuild_tally
from reporting.stats.disclosure.protection import MIN_K
from reporting.stats.export import EXPORT_FORMATS, export_tables
from reporting.stats.register import PublicationRefusedError, publish_year
from reporting.stats.report import (
    DEFAULT_REPORT_LANGUAGE,
    REPORT_LANGUAGES,
    Imprint,
    ReportView,
    YearStatistics,
    present,
)


async def _statistics(settings: Settings, year: int, k: int, kind: str) -> YearStatistics:
    """Count and protect, then check against and record in the publication register (committed on return)."""
    async with session_scope(settings) as session:
        return await publish_year(session, year, k, kind)


def load_report(year: int, k: int | None, lang: str, kind: str) -> ReportView:
    """Count and protect ``year`` (k from ``REPORTING_STATS_MIN_COUNT`` unless given), record the release
    of ``kind`` in the publication register, and label it."""
    settings = load_settings()
    try:
        statistics = asyncio.run(_statistics(settings, year, k or settings.stats_min_count, kind))
    except PublicationRefusedError as refused:
        raise ReportingError(f"not published: {refused}") from None
    except ValueError as error:
        raise ReportingError(str(error)) from None
    except DBAPIError as error:
        raise ReportingError(
            f"cannot read the database ({type(error.orig).__name__}): is it reachable, and has `reporting init` run?"
        ) from None
    today = dt.date.today()
    return present(statistics, lang, Imprint(today, today, settings.stats_publisher, settings.stats_contact))


def _write(out: Path, content: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)


@click.group()
def stats() -> None:
    """Anonymised statistics with disclosure control."""


YEAR_OPTION = click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    default=lambda: dt.date.today().year - 1,
    show_default="last year",
    help="Year of receipt of the counted cases.",
)
LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(REPORT_LANGUAGES),
    default=DEFAULT_REPORT_LANGUAGE,
    show_default=True,
    help="Language of the report.",
)
K_OPTION = click.option(
    "--k",
    "k",
    type=click.IntRange(min=MIN_K),
    default=None,
    help=f"Smallest published count (default: REPORTING_STATS_MIN_COUNT; never below {MIN_K}).",
)


@stats.command()
@YEAR_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PDF file to write.")
@LANG_OPTION
@K_OPTION
def annual(year: int, out: Path, lang: str, k: int | None) -> None:
    """Write the annual report of YEAR as a tagged PDF (PDF/UA-1)."""
    view = load_report(year, k, lang, "pdf")
    from reporting.stats.pdf import render_report_pdf  # WeasyPrint loads in about a second: only when used

    _write(out, render_report_pdf(view))
    click.echo(f"Wrote {out}: annual report {year} ({lang}), {view.statistics.cases.display} cases, k={view.k}.")


@stats.command("export")
@YEAR_OPTION
@click.option("--format", "export_format", type=click.Choice(EXPORT_FORMATS), required=True, help="File format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@LANG_OPTION
@K_OPTION
def export(year: int, export_format: str, out: Path, lang: str, k: int | None) -> None:
    """Write exactly the protected tables of the annual report of YEAR as CSV, XLSX or JSON."""
    view = load_report(year, k, lang, "export")
    _write(out, export_tables(view, export_format))
    click.echo(f"Wrote {out}: tables of {year} as {export_format}, k={view.k}.")


@stats.command()
def retally() -> None:
    """Recount the running tally of the statistics from the codes (after restoring or importing data
    that did not go through the case pages)."""

    async def rebuild() -> None:
        async with session_scope(load_settings()) as session:
            await rebuild_tally(session)

    asyncio.run(rebuild())
    click.echo("Recounted the statistics tally from the categorisations.")
