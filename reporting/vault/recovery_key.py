"""The organisation's recovery key pair on an instance: created once, the private half handed out once."""

from __future__ import annotations

from reporting.config.settings import Settings
from reporting.crypto import recovery


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
