"""What every ``reporting`` command shares: settings as a one-line error, one transaction, passwords."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.auth import accounts
from reporting.config.settings import Settings, SettingsError
from reporting.db.engine import session_scope

T = TypeVar("T")
STDIN_MARKER = "-"


class ReportingError(click.ClickException):
    """An operator-facing error: printed as one line, exit status 1."""


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise ReportingError(str(error)) from None


def run_in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction; a database that is not set up is a one-line error."""

    async def run() -> T:
        async with session_scope(settings) as session:
            return await work(session)

    try:
        return asyncio.run(run())
    except DBAPIError:
        raise ReportingError("the database is not ready: run `reporting init` first") from None


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
