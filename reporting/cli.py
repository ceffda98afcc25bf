"""The ``reporting`` command: the stable operator interface (others script against it)."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

import click

from reporting.casework.cli import audit_cli, staff_cli
from reporting.casework.retention import retention_cli
from reporting.crypto.keys_cli import RECOVERY_PRIVATE_KEY_FILENAME, create_recovery_key, keys_cli, write_owner_only
from reporting.db.engine import create_engine
from reporting.db.migrate import current_revision, head_revision, upgrade
from reporting.demo import demo
from reporting.instance import InstanceNotInitialisedError, create_instance_secrets
from reporting.settings import Settings, SettingsError
from reporting.stats.cli import stats


class ReportingError(click.ClickException):
    """An operator-facing error: printed as one line, exit status 1."""


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise ReportingError(str(error)) from None


async def _database_revision(settings: Settings) -> str | None:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return await current_revision(connection)
    finally:
        await engine.dispose()


def migrate_database(settings: Settings) -> bool:
    """Upgrade the database to the newest schema; return whether anything was applied."""
    if asyncio.run(_database_revision(settings)) == head_revision(settings):
        return False
    upgrade(settings)
    return True


@dataclass
class InitResult:
    changes: list[str]
    warnings: list[str]


def initialise(settings: Settings) -> InitResult:
    """Create what a new instance needs; safe to run any number of times."""
    changes: list[str] = []
    if not settings.data_dir.exists():
        settings.data_dir.mkdir(parents=True, mode=0o700)
        changes.append(f"created data directory {settings.data_dir}")
    if create_instance_secrets(settings):
        changes.append(f"created instance secrets in {settings.secrets_file}")
    if migrate_database(settings):
        changes.append("migrated the database to the newest schema")
    private_key_path = settings.data_dir / RECOVERY_PRIVATE_KEY_FILENAME
    private_text = create_recovery_key(settings)
    if private_text is not None:
        write_owner_only(private_key_path, private_text)
        changes.append(
            f"created the recovery key pair: public key in {settings.keys_dir}, PRIVATE key in {private_key_path}"
        )
    warnings = []
    if private_key_path.exists():
        warnings.append(
            f"WARNING: the private recovery key is still on this server ({private_key_path}). Print it or copy it "
            "to offline storage (or split it: `reporting keys init-recovery` on a fresh keys directory), then "
            "delete the file. Anyone who gets it can read every report."
        )
    return InitResult(changes, warnings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Anonymous reporting of discrimination: operator commands."""


@cli.command()
def init() -> None:
    """Create the data directory, instance secrets and database (idempotent)."""
    result = initialise(load_settings())
    if not result.changes:
        click.echo("Nothing to do: this instance is already initialised.")
    for change in result.changes:
        click.echo(change)
    for warning in result.warnings:
        click.echo(warning, err=True)


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default: REPORTING_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: REPORTING_PORT or 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the application (runs ``init`` first; workers share everything through the database)."""
    import uvicorn

    from reporting.web.logging import configure_logging, logging_config

    settings = load_settings()
    result = initialise(settings)
    for change in result.changes:
        click.echo(change)
    for warning in result.warnings:
        click.echo(warning, err=True)
    configure_logging(settings.log_level)
    uvicorn.run(
        "reporting.app:create_app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_config=logging_config(settings.log_level),
    )


@cli.group()
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


cli.add_command(keys_cli)
cli.add_command(staff_cli)
cli.add_command(audit_cli)
cli.add_command(retention_cli)
cli.add_command(stats)
cli.add_command(demo)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except InstanceNotInitialisedError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
