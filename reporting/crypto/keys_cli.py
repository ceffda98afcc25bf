"""``reporting keys …``: the organisation's recovery key, created and used offline by people, not the service."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TextIO

import click
from sqlalchemy import delete

from reporting.casework import accounts, audit
from reporting.casework.cli import read_new_password
from reporting.crypto import recovery
from reporting.crypto.errors import CryptoError
from reporting.crypto.vault import new_staff_key_material, recover_access_with_recovery_key
from reporting.db.engine import session_scope
from reporting.db.models import WrappedKey, utc_now
from reporting.settings import Settings

RECOVERY_PRIVATE_KEY_FILENAME = "recovery-private-key.txt"


def write_owner_only(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only; never overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def recovery_secret_text(secret: bytes, threshold: int | None, shares: int | None) -> str:
    """The private recovery key as armour, or as SLIP-39 shares (one per line, numbered)."""
    if shares is None or threshold is None:
        return recovery.armor_private_key(secret)
    mnemonics = recovery.split_recovery_secret(secret, threshold, shares)
    lines = [f"# {threshold} of these {shares} shares recover the key. Give each to a different person."]
    lines += [f"share {number}: {mnemonic}" for number, mnemonic in enumerate(mnemonics, start=1)]
    return "\n".join(lines) + "\n"


def create_recovery_key(settings: Settings, *, threshold: int | None = None, shares: int | None = None) -> str | None:
    """Create the recovery key pair unless one is installed; return the private text (or shares) once."""
    if recovery.load_recovery_public_key(settings.keys_dir) is not None:
        return None
    secret = recovery.new_recovery_secret()
    recovery.write_recovery_public_key(settings.keys_dir, recovery.recovery_keypair_from_secret(secret).public_key)
    return recovery_secret_text(secret, threshold, shares)


def read_recovery_secret(text: str) -> bytes:
    """Accept either the armoured private key or k SLIP-39 shares (lines, optionally ``share N:`` prefixed)."""
    if "BEGIN REPORTING RECOVERY PRIVATE KEY" in text:
        return recovery.parse_private_key(text)
    mnemonics = [
        line.split(":", 1)[1] if line.lower().startswith("share") and ":" in line else line
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]
    return recovery.combine_recovery_shares(mnemonics)


async def restore_staff_access(settings: Settings, *, email: str, recovery_secret: bytes, new_password: str) -> int:
    """Give a staff member who lost their password a new key pair and re-wrap every report for it."""
    keypair = recovery.recovery_keypair_from_secret(recovery_secret)
    if recovery.load_recovery_public_key(settings.keys_dir) != keypair.public_key:
        raise click.ClickException("this recovery key does not belong to this installation")
    async with session_scope(settings) as session:
        staff = await accounts.find_account(session, email)
        if staff is None:
            raise click.ClickException(f"no staff account with the e-mail address {email}")
        material = new_staff_key_material(new_password)
        staff.public_key = material.public_key
        staff.wrapped_private_key = material.wrapped_private_key
        staff.password_hash = accounts.password_hasher().hash(new_password)
        staff.password_changed_at = utc_now()
        # The old TOTP secret was sealed under the lost key: enrol again at the next login (this also ends
        # the member's sessions, which hold the old private key).
        await accounts.reset_two_factor(session, staff)
        await session.execute(delete(WrappedKey).where(WrappedKey.staff_id == staff.id))
        await session.flush()
        restored = await recover_access_with_recovery_key(
            session, recovery_private_key=keypair.private_key, grantee=staff
        )
        await audit.record(session, actor="cli", action="keys.recover", detail=f"staff:{staff.id} keys:{restored}")
        return restored


@click.group("keys")
def keys_cli() -> None:
    """The organisation's recovery key."""


@keys_cli.command("init-recovery")
@click.option("--shares", type=click.IntRange(2, recovery.MAX_SHARES), default=None, help="Split into N shares.")
@click.option("--threshold", type=click.IntRange(2, recovery.MAX_SHARES), default=None, help="Shares needed.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here (owner-only).")
def init_recovery(shares: int | None, threshold: int | None, out: Path | None) -> None:
    """Create the recovery key pair: public key to the keys directory, private key (or shares) out once."""
    from reporting.cli import load_settings

    if (shares is None) != (threshold is None):
        raise click.UsageError("give --shares and --threshold together")
    if shares is not None and threshold is not None and threshold > shares:
        raise click.UsageError("--threshold cannot be larger than --shares")
    settings = load_settings()
    text = create_recovery_key(settings, threshold=threshold, shares=shares)
    if text is None:
        raise click.ClickException(
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
    from reporting.cli import load_settings

    settings = load_settings()
    try:
        secret = read_recovery_secret(recovery_file.read())
    except CryptoError as error:
        raise click.ClickException(str(error)) from None
    password = read_new_password(password_file)
    restored = asyncio.run(restore_staff_access(settings, email=email, recovery_secret=secret, new_password=password))
    click.echo(f"Access restored for {email}: {restored} report keys re-wrapped. They enrol two-factor again.")
