"""Staff accounts: creation, password checks with constant work, password change, disabling.

Each account has an Argon2id password hash (to check the password) and a private key wrapped under
the password (to open case keys). Checking a login always costs both Argon2id runs, whether the
e-mail exists, the password is wrong, or both are right, so response times reveal nothing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.access.roles import Role, parse_role
from reporting.auth.sessions import end_all_sessions
from reporting.config.settings import Settings
from reporting.crypto import passwords
from reporting.crypto.errors import CryptoError
from reporting.db.models import StaffAccount, StaffOffice, utc_now
from reporting.i18n import N_
from reporting.vault import key_trust, values
from reporting.vault import offices as vault_offices

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 320
MAX_DISPLAY_NAME_LENGTH = 200

logger = logging.getLogger("reporting.auth.accounts")


class AccountError(ValueError):
    """An account cannot be created or changed; the message is safe to show (it never holds a password)."""


def password_hasher(params: passwords.Argon2Params = passwords.DEFAULT_ARGON2) -> PasswordHasher:
    """Argon2id with the same cost as the private-key wrapping, so both runs take about as long."""
    return PasswordHasher(time_cost=params.time_cost, memory_cost=params.memory_kib, parallelism=params.parallelism)


def normalise_email(raw: str) -> str | None:
    """A lower-cased, trimmed e-mail address, or ``None`` when it cannot be one."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or "@" in domain or len(email) > MAX_EMAIL_LENGTH:
        return None
    if any(char.isspace() or ord(char) < 32 for char in email):
        return None
    return email


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (English message id), or ``None``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password must have at least 12 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("The password is too long.")
    if not password.strip():
        return N_("The password must not consist of spaces only.")
    return None


async def add_staff(
    db: AsyncSession,
    *,
    settings: Settings,
    email: str,
    display_name: str,
    role: str,
    password: str,
    argon2: passwords.Argon2Params = passwords.DEFAULT_ARGON2,
    office_ids: Sequence[uuid.UUID] = (),
) -> StaffAccount:
    """Create an active account with a fresh key pair, certified by the instance's staff-signing key
    (TOTP is enrolled at first login), as a member of ``office_ids`` (none given: the central office).

    Raise :class:`AccountError` for an unknown role, a bad e-mail or name, a weak password or a taken
    e-mail. ``argon2`` exists for tests; production uses the default cost.
    """
    valid_role = parse_role(role)
    if valid_role is None:
        raise AccountError(N_("Unknown role."))
    normalised = normalise_email(email)
    if normalised is None:
        raise AccountError(N_("This is not a valid e-mail address."))
    name = display_name.strip() or normalised.partition("@")[0]
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise AccountError(N_("The name is too long."))
    if (problem := password_problem(password)) is not None:
        raise AccountError(problem)
    if await find_account(db, normalised) is not None:
        raise AccountError(N_("An account with this e-mail address exists already."))
    password_hash, key_material = await asyncio.to_thread(_hash_and_wrap, password, argon2)
    account = StaffAccount(
        id=uuid.uuid4(),
        email=normalised,
        display_name=name,
        role=valid_role.value,
        is_active=True,
        password_hash=password_hash,
        public_key=key_material.public_key,
        wrapped_private_key=key_material.wrapped_private_key,
    )
    try:
        key_trust.certify_account(settings, account)
    except key_trust.KeyTrustError:
        logger.error("a new account was refused: the staff-signing key is missing or does not match its pin")
        raise AccountError(
            N_(
                "This server cannot approve new accounts at the moment: its staff-signing key is missing or does "
                "not match the pinned public key. Please tell the administrator."
            )
        ) from None
    db.add(account)
    try:
        await db.flush()
    except IntegrityError:
        raise AccountError(N_("An account with this e-mail address exists already.")) from None
    offices = list(dict.fromkeys(office_ids)) or [await vault_offices.central_office_id(db)]
    db.add_all(StaffOffice(staff_id=account.id, office_id=office_id) for office_id in offices)
    await db.flush()
    return account


def _hash_and_wrap(password: str, argon2: passwords.Argon2Params) -> tuple[str, values.StaffKeyMaterial]:
    return password_hasher(argon2).hash(password), values.new_staff_key_material(password, argon2)


async def find_account(db: AsyncSession, email: str) -> StaffAccount | None:
    normalised = normalise_email(email)
    if normalised is None:
        return None
    return (await db.execute(select(StaffAccount).where(StaffAccount.email == normalised))).scalar_one_or_none()


@cache
def _timing_decoy() -> tuple[str, bytes]:
    """A hash and a wrapped key no password opens, at the default cost, made once per process."""
    decoy_password = uuid.uuid4().hex
    return password_hasher().hash(decoy_password), values.new_staff_key_material(decoy_password).wrapped_private_key


def _check_password(password_hash: str, wrapped_private_key: bytes, password: str) -> bytes | None:
    """Both Argon2id runs, always: the private key when the password opens hash and key, else ``None``."""
    hash_matches: bool
    try:
        hash_matches = password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        hash_matches = False
    try:
        private_key: bytes | None = passwords.unwrap_private_key(wrapped_private_key, password)
    except (CryptoError, ValueError):
        private_key = None
    return private_key if hash_matches else None


@dataclass(frozen=True)
class Authenticated:
    account: StaffAccount
    role: Role
    private_key: bytes = field(repr=False)


async def authenticate(db: AsyncSession, email: str, password: str) -> Authenticated | None:
    """The account and unlocked private key for a correct e-mail and password of an active account.

    Every failure (unknown e-mail, wrong password, disabled account) costs the same two Argon2id runs
    and returns the same ``None``.
    """
    decoy_hash, decoy_key = await asyncio.to_thread(_timing_decoy)
    account = await find_account(db, email) if len(password) <= MAX_PASSWORD_LENGTH else None
    if account is None:
        await asyncio.to_thread(_check_password, decoy_hash, decoy_key, password[:MAX_PASSWORD_LENGTH])
        return None
    private_key = await asyncio.to_thread(_check_password, account.password_hash, account.wrapped_private_key, password)
    role = parse_role(account.role)
    if private_key is None or not account.is_active or role is None:
        return None
    return Authenticated(account=account, role=role, private_key=private_key)


async def change_password(db: AsyncSession, account: StaffAccount, old_password: str, new_password: str) -> bool:
    """Re-wrap the private key and re-hash under ``new_password``; ``False`` when ``old_password`` is wrong.

    The caller ends the account's other sessions and rotates the current one.
    """
    if (problem := password_problem(new_password)) is not None:
        raise AccountError(problem)
    private_key = await asyncio.to_thread(
        _check_password, account.password_hash, account.wrapped_private_key, old_password
    )
    if private_key is None:
        return False
    account.wrapped_private_key, account.password_hash = await asyncio.to_thread(_rewrap, private_key, new_password)
    account.password_changed_at = utc_now()
    await db.flush()
    return True


def _rewrap(private_key: bytes, new_password: str) -> tuple[bytes, str]:
    return passwords.wrap_private_key(private_key, new_password), password_hasher().hash(new_password)


async def disable_staff(db: AsyncSession, staff_id: uuid.UUID) -> StaffAccount | None:
    """Disable an account and end all its sessions: its access stops with the next request.

    Its wrapped case keys stay, so enabling it again restores exactly the access it had.
    """
    account = await db.get(StaffAccount, staff_id)
    if account is None:
        return None
    account.is_active = False
    await end_all_sessions(db, staff_id)
    await db.flush()
    return account


async def enable_staff(db: AsyncSession, staff_id: uuid.UUID) -> StaffAccount | None:
    account = await db.get(StaffAccount, staff_id)
    if account is None:
        return None
    account.is_active = True
    await db.flush()
    return account


async def reset_two_factor(db: AsyncSession, account: StaffAccount) -> None:
    """Forget the TOTP secret (lost phone): the next login enrols a new one after the password."""
    account.sealed_totp_secret = None
    account.totp_last_step = None
    await end_all_sessions(db, account.id)
    await db.flush()


async def list_accounts(db: AsyncSession) -> list[StaffAccount]:
    return list((await db.execute(select(StaffAccount).order_by(StaffAccount.email))).scalars().all())
