"""``reporting audit verify``: recompute the audit hash chain and name every tampered event."""

from __future__ import annotations

import click
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.audit import chain as audit
from reporting.cli.common import load_settings, run_in_transaction


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

    problems, head = run_in_transaction(load_settings(), check)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"the audit log was tampered with: {len(problems)} event(s) named above")
    if head is None:
        click.echo("The audit log is empty.")
    else:
        click.echo(f"The audit log is intact. Newest event: {head.event_id}:{head.event_hash}")
