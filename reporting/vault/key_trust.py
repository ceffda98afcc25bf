"""Which staff keys may receive data keys: those certified by the instance's staff-signing key.

The signing key lives in the data directory (owner-only); its public half is pinned in the keys
directory. Someone who can write to the database but not read the data directory cannot certify a key,
so a forged or altered ``staff_account`` row never becomes a reader. Someone who holds the data
directory can (SECURITY.md, "Database writer" and "Seized server").
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.files import write_owner_only
from reporting.config.settings import Settings
from reporting.crypto import staff_certificates
from reporting.crypto.errors import CryptoError
from reporting.db.models import StaffAccount
from reporting.vault.values import Recipient

SIGNING_KEY_FILENAME = "staff-signing.key"
SIGNING_PUBLIC_KEY_FILENAME = "staff-signing-public.key"

logger = logging.getLogger("reporting.vault.key_trust")


class KeyTrustError(RuntimeError):
    """The signing key is missing or does not match the pinned public key: nothing can be certified."""


class UncertifiedKeyError(PermissionError):
    """A staff key without a valid certificate: it receives no data key."""

    def __init__(self, staff_id: uuid.UUID) -> None:
        super().__init__(f"staff:{staff_id} has no valid key certificate")
        self.staff_id = staff_id


def trusted_public_key(settings: Settings) -> bytes | None:
    """The pinned staff-signing public key, or ``None`` before the instance has one."""
    path = settings.keys_dir / SIGNING_PUBLIC_KEY_FILENAME
    return staff_certificates.decode_key(path.read_text()) if path.exists() else None


def ensure_signing_key(settings: Settings) -> bool:
    """Create the signing key pair unless one is installed; return whether it was created."""
    private_path = settings.data_dir / SIGNING_KEY_FILENAME
    public_path = settings.keys_dir / SIGNING_PUBLIC_KEY_FILENAME
    if private_path.exists() or public_path.exists():
        return False
    signing_key = staff_certificates.new_signing_key()
    write_owner_only(private_path, staff_certificates.encode_key(signing_key))
    write_owner_only(public_path, staff_certificates.encode_key(staff_certificates.signing_public_key(signing_key)))
    return True


def _signing_key(settings: Settings) -> bytes:
    ensure_signing_key(settings)
    private_path = settings.data_dir / SIGNING_KEY_FILENAME
    if not private_path.exists():
        raise KeyTrustError(f"no staff-signing key in {settings.data_dir}: staff keys cannot be certified here")
    signing_key = staff_certificates.decode_key(private_path.read_text())
    if staff_certificates.signing_public_key(signing_key) != trusted_public_key(settings):
        raise KeyTrustError(f"the staff-signing key does not match the one pinned in {settings.keys_dir}")
    return signing_key


def certify_account(settings: Settings, account: StaffAccount) -> None:
    """Vouch for the account's current public key and role (account creation, recovery, certify-staff)."""
    account.key_certificate = staff_certificates.certify(
        _signing_key(settings), account.id, account.role, account.public_key
    )


def is_certified(settings: Settings, account: StaffAccount) -> bool:
    trusted = trusted_public_key(settings)
    if trusted is None:
        return False
    try:
        staff_certificates.verify(trusted, account.key_certificate, account.id, account.role, account.public_key)
    except CryptoError:
        return False
    return True


def certified_recipient(settings: Settings, account: StaffAccount) -> Recipient:
    """The account as a recipient of data keys; :class:`UncertifiedKeyError` (and an error log line) if
    its certificate does not verify. Called before every wrap for a staff member."""
    if not is_certified(settings, account):
        logger.error("refused to wrap a data key for staff:%s: key certificate invalid", account.id)
        raise UncertifiedKeyError(account.id)
    return Recipient.for_staff(account.id, account.public_key)


async def uncertified_accounts(session: AsyncSession, settings: Settings) -> list[StaffAccount]:
    """Active accounts whose key certificate does not verify (forged rows, or accounts from before
    certificates existed): the caller audits each one."""
    accounts = (await session.execute(select(StaffAccount).where(StaffAccount.is_active.is_(True)))).scalars()
    return [account for account in accounts if not is_certified(settings, account)]
