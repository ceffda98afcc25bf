"""``reporting keys …``: the organisation's recovery key, created and used offline by people, not the service."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

import click
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.identity import staff_actor
from reporting.audit import chain as audit
from reporting.auth.accounts import AccountError, find_account
from reporting.auth.recovery import restore_staff_access
from reporting.cli.common import ReportingError, load_settings, read_new_password, run_in_transaction
from reporting.config.files import overwrite_and_delete, write_owner_only
from reporting.crypto import recovery
from reporting.crypto.errors import CryptoError
from reporting.vault.key_trust import certify_account, uncertified_accounts
from reporting.vault.recovery_key import create_recovery_key, read_recovery_secret, recovery_secret_text


@click.group("keys")
def keys_cli() -> None:
    """The organisation's recovery key and the certificates of staff keys."""


@keys_cli.command("init-recovery")
@click.option("--shares", type=click.IntRange(2, recovery.MAX_SHARES), default=None, help="Split into N shares.")
@click.option("--threshold", type=click.IntRange(2, recovery.MAX_SHARES), default=None, help="Shares needed.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here (owner-only).")
def init_recovery(shares: int | None, threshold: int | None, out: Path | None) -> None:
    """Create the recovery key pair: public key to the keys directory, private key (or shares) out once."""
    if (shares is None) != (threshold is None):
        raise click.UsageError("give --shares and --threshold together")
    if shares is not None and threshold is not None and threshold > shares:
        raise click.UsageError("--threshold cannot be larger than --shares")
    settings = load_settings()
    text = create_recovery_key(settings, threshold=threshold, shares=shares)
    if text is None:
        raise ReportingError(
            f"a recovery public key already exists in {settings.keys_dir}; it is not replaced automatically"
        )
    if out is None:
        click.echo(text, nl=False)
    else:
        write_owner_only(out, text)
        click.echo(f"Private recovery key written to {out}: store it offline and delete this file.")
    click.echo(f"Public key written to {settings.keys_dir / recovery.RECOVERY_PUBLIC_KEY_FILENAME}.", err=True)


@keys_cli.command("recover")
@click.option("--email", required=True, help="The staff member who lost their password.")
@click.option(
    "--recovery-file",
    type=click.File("r"),
    required=True,
    help="Armoured private recovery key or k shares, one per line ('-' for stdin).",
)
@click.option("--password-file", default=None, help="File with the new password ('-': stdin); else prompted.")
def recover(email: str, recovery_file: TextIO, password_file: str | None) -> None:
    """Restore a staff member's access with the recovery key (or k of n shares)."""
    settings = load_settings()
    try:
        secret = read_recovery_secret(recovery_file.read())
    except CryptoError as error:
        raise ReportingError(str(error)) from None
    password = read_new_password(password_file)
    try:
        restored = asyncio.run(
            restore_staff_access(settings, email=email, recovery_secret=secret, new_password=password)
        )
    except AccountError as error:
        raise ReportingError(str(error)) from None
    click.echo(f"Access restored for {email}: {restored} report keys re-wrapped. They enrol two-factor again.")


@keys_cli.command("export-recovery")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Write here (owner-only).")
@click.option("--shares", type=click.IntRange(2, recovery.MAX_SHARES), default=None, help="Split into N shares.")
@click.option("--threshold", type=click.IntRange(2, recovery.MAX_SHARES), default=None, help="Shares needed.")
def export_recovery(out: Path, shares: int | None, threshold: int | None) -> None:
    """Move the private recovery key that `init` left in the data directory off the server.

    Writes it (or k-of-n SLIP-39 shares) to OUT, then overwrites and deletes the server copy: from then on
    the instance is no longer a trial and its pages stop saying so.
    """
    if (shares is None) != (threshold is None):
        raise click.UsageError("give --shares and --threshold together")
    if shares is not None and threshold is not None and threshold > shares:
        raise click.UsageError("--threshold cannot be larger than --shares")
    settings = load_settings()
    server_copy = settings.recovery_private_key_file
    if not server_copy.exists():
        raise ReportingError(f"no private recovery key in {settings.data_dir}: it has left the server already")
    try:
        secret = read_recovery_secret(server_copy.read_text())
    except CryptoError:
        raise ReportingError(f"{server_copy} is damaged; it was left in place") from None
    if recovery.recovery_keypair_from_secret(secret).public_key != recovery.load_recovery_public_key(settings.keys_dir):
        raise ReportingError(f"{server_copy} does not belong to the installed recovery public key; left in place")
    try:
        write_owner_only(out, recovery_secret_text(secret, threshold, shares))
    except FileExistsError:
        raise ReportingError(f"{out} exists already; it is not overwritten") from None
    overwrite_and_delete(server_copy)
    click.echo(f"Private recovery key written to {out} and removed from {settings.data_dir}.")
    click.echo("Store it offline (print it, or give each share to a different person), then delete this file.")


@keys_cli.command("certify-staff")
@click.option("--email", "emails", multiple=True, help="An account to vouch for (repeatable).")
@click.option("--all-active", is_flag=True, help="Every active account without a valid certificate.")
def certify_staff(emails: tuple[str, ...], all_active: bool) -> None:
    """Vouch for accounts from before key certificates (or after a restore onto a new server).

    Only accounts you have checked (`reporting staff list`): a certified key receives report keys.
    """
    if bool(emails) == all_active:
        raise click.UsageError("give --email (one or more) or --all-active")
    settings = load_settings()

    async def certify(session: AsyncSession) -> list[str]:
        if all_active:
            accounts = await uncertified_accounts(session, settings)
        else:
            accounts = []
            for email in emails:
                account = await find_account(session, email)
                if account is None:
                    raise ReportingError(f"no staff account with the e-mail address {email}")
                accounts.append(account)
        for account in accounts:
            certify_account(settings, account)
            await audit.record(session, actor=audit.CLI_ACTOR, action="keys.certified", detail=staff_actor(account.id))
        return [account.email for account in accounts]

    for email in run_in_transaction(settings, certify):
        click.echo(f"Certified the key of {email}.")
