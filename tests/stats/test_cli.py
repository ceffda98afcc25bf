"""``reporting demo seed`` then ``reporting stats annual`` works on a fresh instance."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import TextStringObject
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.cli import cli
from reporting.cli.demo import demo
from reporting.cli.stats import stats
from reporting.config.settings import Settings
from reporting.db.models import Categorisation, Report, WrappedKey
from reporting.stats.aggregate import aggregate_year
from tests.conftest import run_db
from tests.stats.conftest import pdf_dictionary, pdf_text


def reporting_command() -> click.Group:
    """The ``reporting`` command with the two groups attached, as ``reporting.cli`` will have them."""
    group = click.Group("reporting", commands=dict(cli.commands))
    group.add_command(stats)
    group.add_command(demo)
    return group


def environment(settings: Settings) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }


@pytest.mark.slow
def test_demo_seed_then_annual_report_on_a_fresh_instance(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    command = reporting_command()
    env = environment(settings) | {
        "REPORTING_STATS_PUBLISHER": "Caritasverband für die Diözese Münster",
        "REPORTING_STATS_CONTACT": "statistik@example.org",
    }

    seeded = runner.invoke(command, ["demo", "seed", "--cases", "60", "--year", "2026", "--seed", "5"], env=env)
    assert seeded.exit_code == 0, seeded.output
    assert "Created 60 synthetic reports for 2026" in seeded.output

    async def inspect(session: AsyncSession) -> tuple[int, int, int, int]:
        reports = (await session.execute(select(func.count()).select_from(Report))).scalar_one()
        sealed = (
            await session.execute(select(func.count()).select_from(Report).where(Report.sealed_narrative.is_not(None)))
        ).scalar_one()
        categorised = (await session.execute(select(func.count()).select_from(Categorisation))).scalar_one()
        wrapped = (await session.execute(select(func.count(func.distinct(WrappedKey.report_id))))).scalar_one()
        return reports, sealed, categorised, wrapped

    reports, sealed, categorised, wrapped = run_db(settings, inspect)
    assert reports == sealed == wrapped == 60
    assert 40 < categorised < 60

    out = tmp_path / "out" / "report.pdf"
    annual = runner.invoke(command, ["stats", "annual", "--year", "2026", "--out", str(out)], env=env)
    assert annual.exit_code == 0, annual.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.metadata is not None
    assert reader.metadata.title == "Diskriminierung melden – Jahresstatistik 2026"
    assert pdf_dictionary(reader.trailer["/Root"])["/Lang"] == TextStringObject("de")

    exported = tmp_path / "tables.json"
    other_k = runner.invoke(
        command,
        ["stats", "export", "--year", "2026", "--format", "json", "--out", str(exported), "--lang", "en", "--k", "7"],
        env=env,
    )
    assert other_k.exit_code == 1
    assert "one k per series" in other_k.output
    assert not exported.exists()
    export = runner.invoke(
        command, ["stats", "export", "--year", "2026", "--format", "json", "--out", str(exported)], env=env
    )
    assert export.exit_code == 0, export.output
    document = json.loads(exported.read_text())
    assert (document["k"], document["language"]) == (5, "de")
    counts = [cell["count"] for table in document["tables"] for row in table["rows"] for cell in row["cells"]]
    assert all(count is None or not 0 < count < 5 for count in counts)
    text = pdf_text(out.read_bytes())
    assert "Herausgeber: Caritasverband für die Diözese Münster" in text
    assert "Kontakt: statistik@example.org" in text
    assert "Datenstand:" in text
    assert ("vorläufig" in text) == (dt.date.today().year <= 2026)
    # The PDF prints exactly the exported numbers (same release, recorded once each in the register).
    words = set(pdf_text(out.read_bytes()).replace("\u00a0", " ").split())
    assert {f"{count:,}".replace(",", ".") for count in counts if count is not None} <= words

    again = runner.invoke(command, ["demo", "seed", "--cases", "5", "--year", "2026"], env=env, input="n\n")
    assert again.exit_code == 1
    assert "already holds 60 reports" in again.output


def test_k_below_three_is_refused(settings: Settings, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        reporting_command(),
        ["stats", "annual", "--year", "2026", "--out", str(tmp_path / "r.pdf"), "--k", "2"],
        env=environment(settings),
    )
    assert result.exit_code == 2
    assert "2 is not in the range x>=3" in result.output


def test_retally_recounts_what_bypassed_the_case_pages(settings: Settings) -> None:
    """Cases written straight into the database (an import, say) reach the statistics after ``retally``."""
    runner = CliRunner()
    command = reporting_command()
    initialised = runner.invoke(command, ["init"], env=environment(settings))
    assert initialised.exit_code == 0, initialised.output

    async def write(session: AsyncSession) -> None:
        session.add_all(
            Report(
                id=report_id,
                received_on=dt.date(2026, 3, 1),
                language="de",
                source="online",
                status="closed",
                last_activity_on=dt.date(2026, 3, 1),
                consent_statistics=True,
            )
            for report_id in IDS
        )
        await session.flush()
        session.add_all(Categorisation(report_id=report_id, categorised_on=dt.date(2026, 3, 2)) for report_id in IDS)

    async def count(session: AsyncSession) -> int:
        return (await aggregate_year(session, 2026, ["grounds"])).cases

    run_db(settings, write)
    assert run_db(settings, count) == 0
    recounted = runner.invoke(command, ["stats", "retally"], env=environment(settings))
    assert recounted.exit_code == 0, recounted.output
    assert run_db(settings, count) == len(IDS)


IDS = [uuid.UUID(int=number) for number in range(1, 4)]
