"""``reporting init``, ``serve`` and ``db upgrade``: bring an instance up and keep its schema current."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import click

from reporting.cli.common import ReportingError, load_settings
from reporting.config.files import owner_only_directory, write_owner_only
from reporting.config.secrets import create_instance_secrets, load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.engine import session_scope
from reporting.db.identity import ForeignInstanceError, bind_to_instance
from reporting.db.migrate import UnusableDatabaseError, upgrade_to_head
from reporting.offices.config import OfficesFileError, read_offices_file
from reporting.offices.store import load_offices
from reporting.vault.recovery_key import create_recovery_key


def migrate_database(settings: Settings) -> bool:
    """Upgrade the database to the newest schema; return whether anything was applied (one-line errors)."""
    try:
        return upgrade_to_head(settings)
    except UnusableDatabaseError as problem:
        raise ReportingError(str(problem)) from None


def bind_database(settings: Settings) -> bool:
    """Record which instance the database belongs to (first run), or refuse one filled beside other secrets."""

    async def bind() -> bool:
        async with session_scope(settings) as session:
            return await bind_to_instance(session, load_instance_secrets(settings).fingerprint)

    try:
        return asyncio.run(bind())
    except ForeignInstanceError as error:
        raise ReportingError(str(error)) from None


def load_offices_file(settings: Settings) -> list[str]:
    """Add the offices of ``REPORTING_OFFICES_FILE`` (when configured) that the database does not have yet;
    return what changed (one-line errors). Changing existing offices is ``reporting offices load``'s job or
    the administrator's, so a restart never undoes an edit."""
    if settings.offices_file is None:
        return []
    try:
        specs = read_offices_file(settings.offices_file)
    except OfficesFileError as error:
        raise ReportingError(str(error)) from None

    async def load() -> list[str]:
        async with session_scope(settings) as session:
            return await load_offices(session, specs, only_new=True)

    try:
        return asyncio.run(load())
    except OfficesFileError as error:
        raise ReportingError(str(error)) from None


@dataclass
class InitResult:
    changes: list[str]
    warnings: list[str]


def initialise(settings: Settings) -> InitResult:
    """Create what a new instance needs; safe to run any number of times."""
    changes: list[str] = []
    if not settings.data_dir.exists():
        changes.append(f"created data directory {settings.data_dir}")
    owner_only_directory(settings.data_dir)
    owner_only_directory(settings.keys_dir)
    if create_instance_secrets(settings):
        changes.append(f"created instance secrets in {settings.secrets_file}")
    if migrate_database(settings):
        changes.append("migrated the database to the newest schema")
    if bind_database(settings):
        changes.append("recorded this instance's fingerprint in the database")
    changes.extend(load_offices_file(settings))
    private_key_path = settings.recovery_private_key_file
    private_text = create_recovery_key(settings)
    if private_text is not None:
        write_owner_only(private_key_path, private_text)
        changes.append(
            f"created the recovery key pair: public key in {settings.keys_dir}, PRIVATE key in {private_key_path}"
        )
    warnings = []
    if private_key_path.exists():
        warnings.append(
            f"WARNING: the private recovery key is still on this server ({private_key_path}): this is a TEST "
            "instance and every page says so. Anyone who gets the key reads every report. Take it away with "
            "`reporting keys export-recovery --out FILE` (or --shares N --threshold K) and store it offline."
        )
    return InitResult(changes, warnings)


@click.command()
def init() -> None:
    """Create the data directory, instance secrets and database (idempotent)."""
    result = initialise(load_settings())
    if not result.changes:
        click.echo("Nothing to do: this instance is already initialised.")
    for change in result.changes:
        click.echo(change)
    for warning in result.warnings:
        click.echo(warning, err=True)


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: REPORTING_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: REPORTING_PORT or 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the application (runs ``init`` first; workers share everything through the database)."""
    from reporting.web.logging import configure_logging, logging_config
    from reporting.web.server import run_server, server_config

    settings = load_settings()
    result = initialise(settings)
    for change in result.changes:
        click.echo(change)
    for warning in result.warnings:
        click.echo(warning, err=True)
    configure_logging(settings.log_level)
    run_server(
        server_config(
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_config=logging_config(settings.log_level),
        )
    )


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all pending migrations."""
    settings = load_settings()
    if migrate_database(settings):
        click.echo("Database migrated to the newest schema.")
    else:
        click.echo("Database already at the newest schema.")
    for change in load_offices_file(settings):
        click.echo(change)
