"""Staff web sessions: server-side rows, a cookie that alone holds the key to the unlocked private key.

The cookie carries a random session id and the random key that seals the unlocked private key in the
``staff_session`` row. The row stores only a hash of the id, so neither a database dump nor a stolen
row opens anything; the private key exists in memory only while a request is handled.

A session goes through two stages: ``totp`` (password accepted, TOTP code or enrolment missing)
and ``active``. Each stage change and each password change starts a new session with a new id (Litestar
never rotates ids by itself), and logout deletes the row, destroying the sealed private key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
import uuid
from typing import Any

from litestar import Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reporting.access.identity import CURRENT_STAFF_STATE_KEY, StaffIdentity, Stage
from reporting.access.roles import parse_role
from reporting.config.settings import Settings
from reporting.crypto import envelope, passwords
from reporting.crypto.errors import CryptoError
from reporting.db.models import StaffAccount, StaffSession, utc_now
from reporting.web.app_state import app_settings, request_db_session

STAFF_SESSION_COOKIE = "staff_session"
SESSION_COOKIE_PATH = "/staff"
SESSION_ID_BYTES = 32
# The second factor must follow the password quickly; an abandoned half-login must not linger.
TOTP_STAGE_LIFETIME = dt.timedelta(minutes=5)
# However active, a session ends after a working day; the next login asks for password and code again.
ABSOLUTE_LIFETIME = dt.timedelta(hours=12)
# ``last_seen_at`` is written at most this often, so every page view is not a database write.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=30)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hash_session_id(session_id: bytes) -> str:
    return hashlib.sha256(session_id).hexdigest()


def _parse_cookie(value: str) -> tuple[str, bytes] | None:
    """``(id hash, cookie key)`` from a cookie value, or ``None`` when it is malformed."""
    id_part, _, key_part = value.partition(".")
    try:
        session_id, cookie_key = _decode(id_part), _decode(key_part)
    except (binascii.Error, ValueError):
        return None
    if len(session_id) != SESSION_ID_BYTES or len(cookie_key) != envelope.DATA_KEY_LENGTH:
        return None
    return _hash_session_id(session_id), cookie_key


async def start_session(
    db: AsyncSession, staff: StaffAccount, private_key: bytes, *, stage: str, replaces: str | None = None
) -> str:
    """Write a session with a fresh id (deleting the one it ``replaces``) and return the cookie value.

    The only way a session begins: ids are never reused across login stages or password changes.
    """
    if replaces is not None:
        await end_session(db, replaces)
    session_id = os.urandom(SESSION_ID_BYTES)
    sealed_private_key, cookie_key = passwords.session_seal(private_key)
    id_hash = _hash_session_id(session_id)
    now = utc_now()
    db.add(
        StaffSession(
            id_hash=id_hash,
            staff_id=staff.id,
            stage=Stage(stage).value,
            sealed_private_key=sealed_private_key,
            created_at=now,
            last_seen_at=now,
        )
    )
    await db.flush()
    return f"{_encode(session_id)}.{_encode(cookie_key)}"


async def end_session(db: AsyncSession, id_hash: str) -> None:
    """Delete a session row, and with it the sealed private key."""
    await db.execute(delete(StaffSession).where(StaffSession.id_hash == id_hash))


async def end_all_sessions(db: AsyncSession, staff_id: uuid.UUID, *, keep: str | None = None) -> None:
    """Log a staff member out everywhere (account disabled, password changed), except ``keep``."""
    statement = delete(StaffSession).where(StaffSession.staff_id == staff_id)
    if keep is not None:
        statement = statement.where(StaffSession.id_hash != keep)
    await db.execute(statement)


async def purge_expired_sessions(engine: AsyncEngine, settings: Settings) -> None:
    """Delete every session that can no longer be used, so abandoned sealed keys do not linger (housekeeping)."""
    now = utc_now()
    async with engine.begin() as connection:
        await connection.execute(
            delete(StaffSession).where(
                or_(
                    StaffSession.created_at < now - ABSOLUTE_LIFETIME,
                    and_(StaffSession.stage == Stage.TOTP.value, StaffSession.created_at < now - TOTP_STAGE_LIFETIME),
                    StaffSession.last_seen_at < now - dt.timedelta(minutes=settings.staff_idle_minutes),
                )
            )
        )


def _expired(row: StaffSession, now: dt.datetime, settings: Settings) -> bool:
    if now - row.created_at > ABSOLUTE_LIFETIME:
        return True
    if row.stage == Stage.TOTP:
        return now - row.created_at > TOTP_STAGE_LIFETIME
    return now - row.last_seen_at > dt.timedelta(minutes=settings.staff_idle_minutes)


async def load_session(db: AsyncSession, cookie_value: str | None, settings: Settings) -> StaffIdentity | None:
    """The staff member behind a session cookie, or ``None`` (no, unknown, expired or disabled session).

    An expired session or one of a disabled account is deleted on sight; an active session's idle clock
    restarts.
    """
    parsed = _parse_cookie(cookie_value) if cookie_value else None
    if parsed is None:
        return None
    id_hash, cookie_key = parsed
    found = (
        await db.execute(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
            .where(StaffSession.id_hash == id_hash)
        )
    ).first()
    if found is None:
        return None
    row, account = found
    now = utc_now()
    role = parse_role(account.role)
    if _expired(row, now, settings) or not account.is_active or role is None or row.stage not in set(Stage):
        await end_session(db, id_hash)
        return None
    try:
        private_key = passwords.session_unseal(row.sealed_private_key, cookie_key)
    except CryptoError:
        return None
    if row.stage == Stage.ACTIVE and now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    return StaffIdentity(
        staff_id=account.id,
        email=account.email,
        display_name=account.display_name,
        role=role,
        stage=Stage(row.stage),
        private_key=private_key,
        totp_enrolled=account.sealed_totp_secret is not None,
        session_id_hash=id_hash,
    )


def session_cookie(value: str, settings: Settings) -> Cookie:
    """The session cookie: a browser-session cookie, HttpOnly, SameSite=Strict, only sent to ``/staff``."""
    return Cookie(
        key=STAFF_SESSION_COOKIE,
        value=value,
        path=SESSION_COOKIE_PATH,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
    )


def expired_session_cookie(settings: Settings) -> Cookie:
    """A cookie that makes the browser forget the session cookie."""
    return Cookie(
        key=STAFF_SESSION_COOKIE,
        value="",
        path=SESSION_COOKIE_PATH,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        max_age=0,
        expires=0,
    )


def set_session_cookie(response: Response[Any], cookie_value: str, settings: Settings) -> None:
    response.set_cookie(session_cookie(cookie_value, settings))


def clear_session_cookie(response: Response[Any], settings: Settings) -> None:
    response.set_cookie(expired_session_cookie(settings))


async def session_of_connection(connection: ASGIConnection[Any, Any, Any, Any]) -> StaffIdentity | None:
    """Load (once per request) the staff session the connection's cookie points to."""
    state = connection.state
    if CURRENT_STAFF_STATE_KEY in state:
        cached: StaffIdentity | None = state[CURRENT_STAFF_STATE_KEY]
        return cached
    current = await load_session(
        request_db_session(connection), connection.cookies.get(STAFF_SESSION_COOKIE), app_settings(connection)
    )
    state[CURRENT_STAFF_STATE_KEY] = current
    return current
