"""The offices file and the operator commands: ``reporting offices load`` (idempotent, one-line errors),
``offices list`` and ``offices member``, ``demo staff`` and ``demo seed`` with offices, and the upgrade of an
instance from before offices (every account and case goes to the central office, nobody gains or loses)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.cli import cli
from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.db.engine import create_engine
from reporting.db.migrate import downgrade, upgrade
from reporting.db.models import CaseCode, Office, OfficeRegion, Report, StaffOffice
from tests.conftest import run_db

EXAMPLE_OFFICES = Path(__file__).resolve().parents[1] / "offices.example.toml"


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
        **extra,
    }


def test_offices_load_is_idempotent_and_lists_the_example_offices(initialised_settings: Settings) -> None:
    runner = CliRunner()
    env = environment(initialised_settings)
    first = runner.invoke(cli, ["offices", "load", str(EXAMPLE_OFFICES)], env=env)
    assert first.exit_code == 0, first.output
    assert "updated office zentrale" in first.output
    assert "added office beispiel-kleve" in first.output
    again = runner.invoke(cli, ["offices", "load", str(EXAMPLE_OFFICES)], env=env)
    assert again.output.strip() == "The offices are already as in the file."
    listed = runner.invoke(cli, ["offices", "list"], env=env).output.splitlines()
    assert listed[0].startswith("zentrale\tcentral\tcoesfeld,muenster,steinfurt,warendorf\t0\t")
    assert any(line.startswith("beispiel-kleve\t-\tkleve,wesel\t0\tBeispielstelle Kleve (Beispiel)") for line in listed)


def test_a_bad_offices_file_is_one_line_naming_the_problem(initialised_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    env = environment(initialised_settings)
    cases = {
        'slug = "a"\nname = "A"\ncentral = true': "must consist of [[office]] entries",
        '[[office]]\nslug = "a"\nname = "A"': "exactly one office must be the central office",
        '[[office]]\nslug = "a"\nname = "A"\ncentral = true\nregions = ["atlantis"]': "'atlantis' is not a region",
        '[[office]]\nslug = "a"\nname = "A"\ncentral = true\nregions = ["kleve"]\n'
        '[[office]]\nslug = "b"\nname = "B"\nregions = ["kleve"]': "served by both 'a' and 'b'",
        '[[office]]\nslug = "A b"\nname = "A"\ncentral = true': "slug must be lower-case",
        '[[office]]\nslug = "a"\nname = "A"\ncentral = true\nfax = "1"': "unknown field 'fax'",
    }
    for number, (content, problem) in enumerate(cases.items()):
        path = tmp_path / f"offices-{number}.toml"
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(cli, ["offices", "load", str(path)], env=env)
        assert result.exit_code == 1, content
        assert problem in result.output, (content, result.output)
        assert "Traceback" not in result.output


def test_init_with_the_offices_setting_loads_them(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init"], env=environment(settings, REPORTING_OFFICES_FILE=str(EXAMPLE_OFFICES)))
    assert result.exit_code == 0, result.output
    assert "added office beispiel-oldenburg" in result.output

    async def count(db: AsyncSession) -> tuple[int, int]:
        offices = (await db.execute(select(func.count()).select_from(Office))).scalar_one()
        regions = (await db.execute(select(func.count()).select_from(OfficeRegion))).scalar_one()
        return offices, regions

    assert run_db(settings, count) == (4, 9)


def test_demo_staff_and_demo_seed_give_every_office_members_and_cases(settings: Settings) -> None:
    runner = CliRunner()
    env = environment(settings, REPORTING_OFFICES_FILE=str(EXAMPLE_OFFICES))
    staff = runner.invoke(cli, ["demo", "staff"], env=env)
    assert staff.exit_code == 0, staff.output
    assert staff.output.count("@demo.invalid") == 8
    seeded = runner.invoke(cli, ["demo", "seed", "--cases", "40", "--seed", "3", "--yes"], env=env)
    assert seeded.exit_code == 0, seeded.output

    async def routing(db: AsyncSession) -> tuple[int, int, int]:
        members = (await db.execute(select(func.count()).select_from(StaffOffice))).scalar_one()
        offices_with_cases = (await db.execute(select(func.count(func.distinct(Report.office_id))))).scalar_one()
        misrouted = (
            await db.execute(
                select(func.count())
                .select_from(Report)
                .join(CaseCode, CaseCode.report_id == Report.id)
                .join(OfficeRegion, OfficeRegion.region == CaseCode.code)
                .where(
                    CaseCode.origin == "reporter",
                    CaseCode.dimension == "regions",
                    Report.office_id != OfficeRegion.office_id,
                )
            )
        ).scalar_one()
        return members, offices_with_cases, misrouted

    members, offices_with_cases, misrouted = run_db(settings, routing)
    assert members == 8
    assert offices_with_cases >= 3
    assert misrouted == 0


def test_upgrading_an_instance_from_before_offices_puts_everyone_in_the_central_office(settings: Settings) -> None:
    initialise(settings)
    downgrade(settings, "0006")
    staff_id, report_id = uuid.uuid4(), uuid.uuid4()

    async def fill() -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO staff_account (id, email, display_name, role, is_active, password_hash, "
                        "public_key, wrapped_private_key, created_at, password_changed_at) VALUES (:id, 'a@b.example', "
                        "'A', 'coordinator', true, 'x', :key, :key, :now, :now)"
                    ),
                    {"id": _uuid_value(settings, staff_id), "key": b"k", "now": dt.datetime.now(dt.UTC)},
                )
                await connection.execute(
                    text(
                        "INSERT INTO report (id, received_on, language, source, status, last_activity_on, "
                        "consent_statistics, wants_counselling) VALUES (:id, :day, 'de', 'online', 'new', :day, "
                        "false, false)"
                    ),
                    {"id": _uuid_value(settings, report_id), "day": dt.date(2026, 5, 1)},
                )
        finally:
            await engine.dispose()

    asyncio.run(fill())
    upgrade(settings)

    async def placed(db: AsyncSession) -> tuple[str, list[uuid.UUID], uuid.UUID | None]:
        central = (await db.execute(select(Office).where(Office.is_central.is_(True)))).scalar_one()
        members = list((await db.execute(select(StaffOffice.staff_id))).scalars())
        report = await db.get(Report, report_id)
        assert report is not None
        assert report.office_id == central.id
        return central.slug, members, report.office_id

    slug, members, _ = run_db(settings, placed)
    assert (slug, members) == ("zentrale", [staff_id])


def _uuid_value(settings: Settings, value: uuid.UUID) -> object:
    """How SQLAlchemy's ``Uuid`` stores a value: 32 hex digits on SQLite, a native uuid on PostgreSQL."""
    return value.hex if settings.is_sqlite else value


def test_a_restart_adds_new_offices_of_the_file_but_never_undoes_an_edit(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    env = environment(settings, REPORTING_OFFICES_FILE=str(EXAMPLE_OFFICES))
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0

    async def edit(db: AsyncSession) -> None:
        office = (await db.execute(select(Office).where(Office.slug == "beispiel-kleve"))).scalar_one()
        office.phone = "0000 999"

    run_db(settings, edit)
    extended = tmp_path / "offices.toml"
    extended.write_text(
        EXAMPLE_OFFICES.read_text(encoding="utf-8") + '\n[[office]]\nslug = "neu"\nname = "Neu (Beispiel)"\n',
        encoding="utf-8",
    )
    again = runner.invoke(cli, ["init"], env=environment(settings, REPORTING_OFFICES_FILE=str(extended)))
    assert again.exit_code == 0, again.output
    assert "added office neu" in again.output
    assert "beispiel-kleve" not in again.output

    async def phone(db: AsyncSession) -> str:
        return (await db.execute(select(Office.phone).where(Office.slug == "beispiel-kleve"))).scalar_one()

    assert run_db(settings, phone) == "0000 999"
    reloaded = runner.invoke(cli, ["offices", "load", str(extended)], env=environment(settings))
    assert "updated office beispiel-kleve" in reloaded.output
    assert run_db(settings, phone) == "0000 000000 20"


def test_staff_add_and_offices_member_set_the_offices_of_an_account(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    env = environment(settings, REPORTING_OFFICES_FILE=str(EXAMPLE_OFFICES))
    password = tmp_path / "password"
    password.write_text("a long enough passphrase\n", encoding="utf-8")
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    add = ["staff", "add", "--password-file", str(password), "--email"]
    added = runner.invoke(
        cli, [*add, "k@caritas.example", "--role", "coordinator", "--office", "beispiel-kleve"], env=env
    )
    assert added.exit_code == 0, added.output
    unknown = runner.invoke(cli, [*add, "x@caritas.example", "--role", "adviser", "--office", "atlantis"], env=env)
    assert (unknown.exit_code, "no office 'atlantis'" in unknown.output) == (1, True)

    async def slugs(db: AsyncSession) -> list[str]:
        rows = await db.execute(select(Office.slug).join(StaffOffice, StaffOffice.office_id == Office.id))
        return sorted(rows.scalars())

    assert run_db(settings, slugs) == ["beispiel-kleve"]
    moved = runner.invoke(
        cli,
        ["offices", "member", "--email", "k@caritas.example", "--office", "zentrale", "--office", "beispiel-kleve"],
        env=env,
    )
    assert moved.exit_code == 0, moved.output
    assert run_db(settings, slugs) == ["beispiel-kleve", "zentrale"]
