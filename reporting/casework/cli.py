"""``reporting staff …`` and ``reporting audit …``: accounts and the audit chain from the command line.

Passwords never come from argv (where ``ps`` and shell history see them): they are read from a file,
from standard input (``--password-file -``) or typed twice at a hidden prompt.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.engine import session_scope
from reporting.settings import Settings

from . import accounts, audit
from .roles import ROLES
from .sessions import staff_actor

T = TypeVar("T")
STDIN_MARKER = "-"


def _settings() -> Settings:
    from reporting.cli import load_settings

    return load_settings()


def _run_in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction; a database that is not set up is a one-line error."""

    async def run() -> T:
        async with session_scope(settings) as session:
            return await work(session)

    try:
        return asyncio.run(run())
    except DBAPIError:
        raise click.ClickException("the database is not ready: run `reporting init` first") from None


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def read_new_password(password_file: str | None) -> str:
    """A new password from a file, stdin (``-``) or a hidden prompt (never argv), checked for strength."""
    if password_file == STDIN_MARKER:
        password = sys.stdin.readline().rstrip("\r\n")
    elif password_file is not None:
        try:
            with open(password_file, encoding="utf-8") as file:
                password = file.readline().rstrip("\r\n")
        except OSError as error:
            raise click.ClickException(f"cannot read the password file: {error.strerror}") from None
    elif _stdin_is_terminal():
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    else:
        raise click.ClickException("no terminal to ask for the password: use --password-file PATH or -")
    if (problem := accounts.password_problem(password)) is not None:
        raise click.ClickException(problem)
    return password


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
def staff_add(email: str, role: str, name: str, password_file: str | None) -> None:
    """Create an account; its owner sets up the authenticator app at the first login."""
    settings = _settings()
    password = read_new_password(password_file)

    async def add(session: AsyncSession) -> str:
        try:
            account = await accounts.add_staff(session, email=email, display_name=name, role=role, password=password)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
        await audit.record(
            session, actor=audit.CLI_ACTOR, action="account.created", detail=f"{staff_actor(account.id)};role={role}"
        )
        return account.email

    click.echo(f"Created {role} account {_run_in_transaction(settings, add)}.")


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

    for row in _run_in_transaction(_settings(), rows):
        click.echo("\t".join(row))


def _set_active(email: str, active: bool) -> None:
    async def change(session: AsyncSession) -> None:
        account = await accounts.find_account(session, email)
        if account is None:
            raise click.ClickException("no account with this e-mail address")
        if active:
            await accounts.enable_staff(session, account.id)
        else:
            await accounts.disable_staff(session, account.id)
        action = "account.enabled" if active else "account.disabled"
        await audit.record(session, actor=audit.CLI_ACTOR, action=action, detail=staff_actor(account.id))

    _run_in_transaction(_settings(), change)


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


@click.group("audit")
def audit_cli() -> None:
    """The audit log."""


def _parse_anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    event_id, _, event_hash = value.partition(":")
    if not event_id.isdigit() or len(event_hash) != 64:
        raise click.BadParameter("expected ID:HASH as printed by an earlier `reporting audit verify`")
    return int(event_id), event_hash.lower()


@audit_cli.command("verify")
@click.option(
    "--expect",
    "anchor",
    default=None,
    metavar="ID:HASH",
    help="Also check that event ID still has HASH (noted from an earlier run): proves the chain up to it unchanged.",
)
def audit_verify(anchor: str | None) -> None:
    """Recompute the hash chain; name every edited, inserted or deleted event and exit 1 if there is one."""
    expected = _parse_anchor(anchor)

    async def check(session: AsyncSession) -> tuple[list[str], audit.ChainHead | None]:
        problems = await audit.verify(session)
        if expected is not None and await audit.event_hash_of(session, expected[0]) != expected[1]:
            problems.append(f"event {expected[0]}: missing or changed since its hash was noted")
        return problems, await audit.chain_head(session)

    problems, head = _run_in_transaction(_settings(), check)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"the audit log was tampered with: {len(problems)} event(s) named above")
    if head is None:
        click.echo("The audit log is empty.")
    else:
        click.echo(f"The audit log is intact. Newest event: {head.event_id}:{head.event_hash}")
