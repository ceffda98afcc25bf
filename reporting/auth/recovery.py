"""A staff member who lost their password gets a new key pair and exactly their former cases back."""

from __future__ import annotations

from sqlalchemy import delete, select

from reporting.audit import chain as audit
from reporting.auth.accounts import AccountError, find_account, password_hasher, reset_two_factor
from reporting.config.settings import Settings
from reporting.crypto import recovery
from reporting.db.engine import session_scope
from reporting.db.models import WrappedKey, utc_now
from reporting.vault.grants import recover_access_with_recovery_key
from reporting.vault.key_trust import certify_account
from reporting.vault.values import new_staff_key_material


async def restore_staff_access(settings: Settings, *, email: str, recovery_secret: bytes, new_password: str) -> int:
    """Give a staff member who lost their password a new, certified key pair and re-wrap for it the report
    keys they held before (their old wrapped keys say which: nothing more, so no role or grant widens)."""
    keypair = recovery.recovery_keypair_from_secret(recovery_secret)
    if recovery.load_recovery_public_key(settings.keys_dir) != keypair.public_key:
        raise AccountError("this recovery key does not belong to this installation")
    async with session_scope(settings) as session:
        staff = await find_account(session, email)
        if staff is None:
            raise AccountError(f"no staff account with the e-mail address {email}")
        held = (
            await session.execute(
                select(WrappedKey.report_id, WrappedKey.key_purpose).where(WrappedKey.staff_id == staff.id)
            )
        ).all()
        material = new_staff_key_material(new_password)
        staff.public_key = material.public_key
        staff.wrapped_private_key = material.wrapped_private_key
        staff.password_hash = password_hasher().hash(new_password)
        staff.password_changed_at = utc_now()
        certify_account(settings, staff)
        # The old TOTP secret was sealed under the lost key: enrol again at the next login (this also ends
        # the member's sessions, which hold the old private key).
        await reset_two_factor(session, staff)
        await session.execute(delete(WrappedKey).where(WrappedKey.staff_id == staff.id))
        await session.flush()
        restored = await recover_access_with_recovery_key(
            session,
            settings=settings,
            recovery_private_key=keypair.private_key,
            grantee=staff,
            keys=[(report_id, key_purpose) for report_id, key_purpose in held],
        )
        await audit.record(session, actor="cli", action="keys.recover", detail=f"staff:{staff.id} keys:{restored}")
        return restored
