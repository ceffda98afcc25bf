"""``reporting retention apply``: crypto-shred case content after the retention period (run it daily)."""

from __future__ import annotations

import asyncio
import datetime as dt

import click

from reporting.casework.retention import RetentionResult, apply_retention
from reporting.cli.common import load_settings
from reporting.config.settings import Settings
from reporting.db.engine import session_scope
from reporting.vault.period_keys import PeriodKeys, retire_old_generations
from reporting.vault.shredding import truncate_sqlite_wal


@click.group("retention")
def retention_cli() -> None:
    """Deleting case content after the retention period."""


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Only count the cases that are due; change nothing.")
def retention_apply(dry_run: bool) -> None:
    """Crypto-shred the content of cases closed more than REPORTING_RETENTION_YEARS ago.

    Their de-identified categorisation stays for the statistics. Run it daily (cron, systemd timer).
    """
    settings: Settings = load_settings()

    async def run() -> RetentionResult:
        async with session_scope(settings) as db:
            return await apply_retention(
                db,
                PeriodKeys.of(settings),
                retention_years=settings.retention_years,
                today=dt.date.today(),
                dry_run=dry_run,
            )

    result = asyncio.run(run())
    if not dry_run:
        asyncio.run(retire_old_generations(settings, dt.date.today()))
    if result.shredded:
        asyncio.run(truncate_sqlite_wal(settings))
    period = f"closed on or before {result.cutoff.isoformat()} (retention {settings.retention_years} years)"
    if dry_run:
        click.echo(f"{result.due} cases {period} are due for deletion. Dry run: nothing was changed.")
    else:
        click.echo(
            f"Crypto-shredded the content of {result.shredded} cases {period}; "
            "their de-identified categorisation stays for the statistics."
        )
