"""``reporting demo seed``: synthetic, sealed and categorised reports for trying the service out."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from secrets import token_urlsafe

import click
from sqlalchemy import func, select

from reporting.auth.accounts import AccountError, add_staff
from reporting.cli.common import ReportingError, load_settings
from reporting.cli.instance import initialise
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.engine import session_scope
from reporting.db.models import Office, Report, StaffOffice
from reporting.demo import SeedResult, seed_demo_reports


async def _count_reports(settings: Settings) -> int:
    async with session_scope(settings) as session:
        return int((await session.execute(select(func.count()).select_from(Report))).scalar_one())


async def _seed(settings: Settings, cases: int, year: int, rng: random.Random) -> SeedResult:
    secrets = load_instance_secrets(settings)
    async with session_scope(settings) as session:
        return await seed_demo_reports(session, settings=settings, secrets=secrets, cases=cases, year=year, rng=rng)


@click.group()
def demo() -> None:
    """Synthetic data for trying the service out (never on a production instance)."""


@demo.command("seed")
@click.option("--cases", type=click.IntRange(1, 100_000), default=500, show_default=True, help="Reports to create.")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Year received (default: this year).")
@click.option("--seed", "random_seed", type=int, default=None, help="Random seed, for repeatable data.")
@click.option("--yes", is_flag=True, help="Do not ask before adding to a database that already holds reports.")
def seed(cases: int, year: int | None, random_seed: int | None, yes: bool) -> None:
    """Create synthetic, sealed and categorised reports (initialises the instance if needed)."""
    settings = load_settings()
    result = initialise(settings)
    for change in result.changes:
        click.echo(change)
    existing = asyncio.run(_count_reports(settings))
    if existing and not yes:
        click.confirm(f"The database already holds {existing} reports. Add {cases} synthetic ones to them?", abort=True)
    try:
        seeded = asyncio.run(_seed(settings, cases, year or dt.date.today().year, random.Random(random_seed)))  # noqa: S311 (invented data, no secret)
    except RuntimeError as error:
        raise ReportingError(str(error)) from None
    click.echo(
        f"Created {seeded.created} synthetic reports for {year or dt.date.today().year}: "
        f"{seeded.categorised} categorised, {seeded.consenting} with consent to statistics."
    )


DEMO_EMAIL_DOMAIN = "demo.invalid"


async def _seed_staff(settings: Settings) -> list[tuple[str, str, str]]:
    """A coordinator and an adviser for every office without members, each a member of that office only;
    (office, e-mail, password) of each. The passwords are random and shown once."""
    created = []
    async with session_scope(settings) as session:
        offices = (await session.execute(select(Office).order_by(Office.is_central.desc(), Office.name))).scalars()
        for office in list(offices):
            if (await session.execute(select(StaffOffice).where(StaffOffice.office_id == office.id))).first():
                continue
            for role in ("coordinator", "adviser"):
                password = token_urlsafe(15)
                account = await add_staff(
                    session,
                    settings=settings,
                    email=f"{role}.{office.slug}@{DEMO_EMAIL_DOMAIN}",
                    display_name=f"Demo {role} ({office.name})",
                    role=role,
                    password=password,
                    office_ids=[office.id],
                )
                created.append((office.name, account.email, password))
    return created


@demo.command("staff")
def staff() -> None:
    """Create a demo coordinator and adviser for every office without members (prints their passwords once)."""
    settings = load_settings()
    for change in initialise(settings).changes:
        click.echo(change)
    try:
        created = asyncio.run(_seed_staff(settings))
    except AccountError as error:
        raise ReportingError(str(error)) from None
    for office, email, password in created:
        click.echo(f"{office}: {email}  password: {password}")
    if not created:
        click.echo("Every office has members already.")
