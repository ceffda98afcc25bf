"""``reporting offices …``: load the offices file, list offices, set a member's offices."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import staff_actor
from reporting.audit import chain as audit
from reporting.cli.common import ReportingError, load_settings, run_in_transaction
from reporting.db.models import StaffAccount
from reporting.offices.config import OfficesFileError, read_offices_file
from reporting.offices.store import list_offices, load_offices, office_ids_by_slug
from reporting.vault.offices import set_memberships


@click.group("offices")
def offices_cli() -> None:
    """Local counselling offices."""


@offices_cli.command("load")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def offices_load(path: Path | None) -> None:
    """Create or update the offices of PATH (default: REPORTING_OFFICES_FILE)."""
    settings = load_settings()
    source = path or settings.offices_file
    if source is None:
        raise ReportingError("no offices file: name one or set REPORTING_OFFICES_FILE")
    try:
        specs = read_offices_file(source)
    except OfficesFileError as error:
        raise ReportingError(str(error)) from None

    async def load(session: AsyncSession) -> list[str]:
        try:
            changes = await load_offices(session, specs)
        except OfficesFileError as error:
            raise ReportingError(str(error)) from None
        if changes:
            await audit.record(session, actor=audit.CLI_ACTOR, action="offices.loaded", detail=f"offices={len(specs)}")
        return changes

    changes = run_in_transaction(settings, load)
    for change in changes:
        click.echo(change)
    if not changes:
        click.echo("The offices are already as in the file.")


@offices_cli.command("list")
def offices_list() -> None:
    """Every office: slug, central mark, regions served, members, name."""
    settings = load_settings()
    for office in run_in_transaction(settings, list_offices):
        central = "central" if office.is_central else "-"
        click.echo(f"{office.slug}\t{central}\t{','.join(office.regions) or '-'}\t{office.members}\t{office.name}")


@offices_cli.command("member")
@click.option("--email", required=True, help="The member's e-mail address.")
@click.option("--office", "slugs", required=True, multiple=True, help="An office slug (repeat for several).")
def offices_member(email: str, slugs: tuple[str, ...]) -> None:
    """Make an account a member of exactly these offices."""
    settings = load_settings()

    async def change(session: AsyncSession) -> None:
        account = (
            await session.execute(select(StaffAccount).where(StaffAccount.email == email.strip().lower()))
        ).scalar_one_or_none()
        if account is None:
            raise ReportingError(f"no account {email}")
        try:
            office_ids = await office_ids_by_slug(session, list(slugs))
        except OfficesFileError as error:
            raise ReportingError(str(error)) from None
        await set_memberships(session, account.id, office_ids)
        await audit.record(
            session,
            actor=audit.CLI_ACTOR,
            action="account.offices",
            detail=f"{staff_actor(account.id)};offices={len(office_ids)}",
        )

    run_in_transaction(settings, change)
    click.echo(f"{email} now belongs to {', '.join(slugs)}.")
