"""``reporting staff …``: staff accounts from the command line.

Passwords never come from argv (where ``ps`` and shell history see them): they are read from a file,
from standard input (``--password-file -``) or typed twice at a hidden prompt.
"""

from __future__ import annotations

import click
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import staff_actor
from reporting.access.roles import ROLES
from reporting.audit import chain as audit
from reporting.auth import accounts
from reporting.cli.common import ReportingError, load_settings, read_new_password, run_in_transaction
from reporting.offices.config import OfficesFileError
from reporting.offices.store import office_ids_by_slug


@click.group("staff")
def staff_cli() -> None:
    """Staff accounts."""


@staff_cli.command("add")
@click.option("--email", required=True, help="E-mail address (the login name).")
@click.option(
    "--role", required=True, type=click.Choice([role.value for role in ROLES]), help="What the account may see and do."
)
@click.option("--name", default="", help="Name shown to colleagues (default: the e-mail's local part).")
@click.option(
    "--password-file",
    default=None,
    metavar="PATH|-",
    help="Read the initial password from the first line of PATH, or of standard input with '-'. "
    "Without it the password is asked for twice.",
)
@click.option(
    "--office",
    "offices",
    multiple=True,
    metavar="SLUG",
    help="An office the account belongs to (repeat for several; default: the central office).",
)
def staff_add(email: str, role: str, name: str, password_file: str | None, offices: tuple[str, ...]) -> None:
    """Create an account; its owner sets up the authenticator app at the first login."""
    settings = load_settings()
    password = read_new_password(password_file)

    async def add(session: AsyncSession) -> str:
        try:
            office_ids = await office_ids_by_slug(session, list(offices)) if offices else []
            account = await accounts.add_staff(
                session,
                settings=settings,
                email=email,
                display_name=name,
                role=role,
                password=password,
                office_ids=office_ids,
            )
        except (accounts.AccountError, OfficesFileError) as error:
            raise ReportingError(str(error)) from None
        await audit.record(
            session, actor=audit.CLI_ACTOR, action="account.created", detail=f"{staff_actor(account.id)};role={role}"
        )
        return account.email

    click.echo(f"Created {role} account {run_in_transaction(settings, add)}.")


@staff_cli.command("list")
def staff_list() -> None:
    """List every account: e-mail, role, status, whether the authenticator is set up, name."""

    async def rows(session: AsyncSession) -> list[tuple[str, str, str, str, str]]:
        return [
            (
                account.email,
                account.role,
                "active" if account.is_active else "disabled",
                "2fa" if account.sealed_totp_secret is not None else "no-2fa",
                account.display_name,
            )
            for account in await accounts.list_accounts(session)
        ]

    for row in run_in_transaction(load_settings(), rows):
        click.echo("\t".join(row))


def _set_active(email: str, active: bool) -> None:
    async def change(session: AsyncSession) -> None:
        account = await accounts.find_account(session, email)
        if account is None:
            raise ReportingError("no account with this e-mail address")
        if active:
            await accounts.enable_staff(session, account.id)
        else:
            await accounts.disable_staff(session, account.id)
        action = "account.enabled" if active else "account.disabled"
        await audit.record(session, actor=audit.CLI_ACTOR, action=action, detail=staff_actor(account.id))

    run_in_transaction(load_settings(), change)


@staff_cli.command("disable")
@click.option("--email", required=True)
def staff_disable(email: str) -> None:
    """Disable an account; its open sessions end at once."""
    _set_active(email, active=False)
    click.echo("Account disabled; its sessions are ended.")


@staff_cli.command("enable")
@click.option("--email", required=True)
def staff_enable(email: str) -> None:
    """Enable a disabled account again (with the access to cases it had)."""
    _set_active(email, active=True)
    click.echo("Account enabled.")
