"""``reporting keys …``: the organisation's recovery key, created and used offline by people, not the service."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

import click

from reporting.auth.accounts import AccountError
from reporting.auth.recovery import restore_staff_access
from reporting.cli.common import ReportingError, load_settings, read_new_password
from reporting.config.files import write_owner_only
from reporting.crypto import recovery
from reporting.crypto.errors import CryptoError
from reporting.vault.recovery_key import create_recovery_key, read_recovery_secret


@click.group("keys")
def keys_cli() -> None:
    """The organisation's recovery key."""


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
