"""``reporting backup`` and ``reporting restore``: the whole instance in one file, and back into a new one."""

from __future__ import annotations

from pathlib import Path

import click

from reporting.backup.archive import BackupError
from reporting.backup.create import create_backup
from reporting.backup.restore import restore_backup
from reporting.cli.common import ReportingError, load_settings
from reporting.db.identity import short_fingerprint
from reporting.db.migrate import database_location


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to create (owner-only; an existing file is never overwritten).",
)
def backup(out: Path) -> None:
    """Write a consistent backup of the running instance: database, instance secrets, recovery public key,
    staff-signing key pair and period keys."""
    try:
        manifest = create_backup(load_settings(), out)
    except BackupError as error:
        raise ReportingError(str(error)) from None
    click.echo(
        f"Backup of instance {short_fingerprint(manifest.instance_fingerprint)} ({manifest.database}, schema "
        f"{manifest.schema_revision}) written to {out}."
    )
    click.echo(
        "It holds the receipt salt, the signing keys and the period keys: keep it encrypted and offline, and no "
        "longer than the retention rules allow (see SECURITY.md).",
        err=True,
    )


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(backup_file: Path) -> None:
    """Restore a backup into a new data directory and an empty database (refuses anything else)."""
    settings = load_settings()
    try:
        manifest = restore_backup(settings, backup_file)
    except BackupError as error:
        raise ReportingError(str(error)) from None
    click.echo(
        f"Restored instance {short_fingerprint(manifest.instance_fingerprint)} (schema {manifest.schema_revision}, "
        f"backup of {manifest.created_on}) into {settings.data_dir} and {database_location(settings)}."
    )
    click.echo("Start it with `reporting serve`; it applies newer migrations first.")
