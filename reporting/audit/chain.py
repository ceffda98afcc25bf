"""The audit trail: append-only, each event chained to the one before it by its hash.

``event_hash = SHA-256(canonical JSON of (id, time, actor, action, report, detail, previous_hash))``.
Editing, inserting or deleting a row breaks the chain at that row, and :func:`verify` names it.
Someone who can write to the database could recompute every hash after their edit, so the newest
hash (which ``reporting audit verify`` prints) should be noted now and then outside the database:
``reporting audit verify --expect ID:HASH`` then shows that the chain up to that event is unchanged.

Events say who did what to which case and when, never content: ``detail`` is a short code-like
text (a role, a status, a ``staff:<uuid>``), never something a reporter or adviser wrote.
Actors: ``staff:<uuid>`` (``StaffIdentity.actor``), ``cli``, ``system``, or ``unknown`` (failed login).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, String, cast, func, not_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import AuditEvent, Report, utc_now

GENESIS_HASH = "0" * 64
UNKNOWN_ACTOR = "unknown"
CLI_ACTOR = "cli"
SYSTEM_ACTOR = "system"
MAX_ACTION_LENGTH = 60
MAX_ACTOR_LENGTH = 100
MAX_DETAIL_LENGTH = 500
# Any constant: the PostgreSQL advisory lock that makes appending to the chain one-at-a-time.
_POSTGRES_AUDIT_LOCK = 0x61756469


def _occurred_at_text(occurred_at: dt.datetime) -> str:
    return occurred_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()


class EventFields(Protocol):
    """What the hash covers: an :class:`AuditEvent` or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def report_id(self) -> uuid.UUID | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def previous_hash(self) -> str: ...


_HASHED_COLUMNS = (
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.report_id,
    AuditEvent.detail,
    AuditEvent.previous_hash,
    AuditEvent.event_hash,
)


def event_digest(event: EventFields) -> str:
    """The hash an event must carry, given its ``previous_hash``."""
    canonical = json.dumps(
        [
            event.id,
            _occurred_at_text(event.occurred_at),
            event.actor,
            event.action,
            str(event.report_id) if event.report_id else "",
            event.detail,
            event.previous_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def record(
    db: AsyncSession, *, actor: str, action: str, report_id: uuid.UUID | None = None, detail: str = ""
) -> AuditEvent:
    """Append one event inside the caller's transaction: it exists exactly when the action it records
    was committed."""
    if not 0 < len(action) <= MAX_ACTION_LENGTH or not 0 < len(actor) <= MAX_ACTOR_LENGTH:
        raise ValueError("audit action must have 1 to 60 characters and actor 1 to 100")
    if db.get_bind().dialect.name == "postgresql":
        # Held until commit: the next writer waits, then sees this event as its predecessor.
        await db.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _POSTGRES_AUDIT_LOCK})
    # Insert first, then read the predecessor: on SQLite the insert takes the database's write lock, so
    # no other event can slip in between (a read first could see a head that is stale by then).
    event = AuditEvent(
        occurred_at=utc_now().replace(microsecond=0),
        actor=actor,
        action=action,
        report_id=report_id,
        detail=detail[:MAX_DETAIL_LENGTH],
        previous_hash="",
        event_hash=f"pending-{secrets.token_hex(16)}",
    )
    db.add(event)
    await db.flush()
    previous = (
        await db.execute(
            select(AuditEvent.event_hash).where(AuditEvent.id < event.id).order_by(AuditEvent.id.desc()).limit(1)
        )
    ).scalar_one_or_none()
    event.previous_hash = previous or GENESIS_HASH
    event.event_hash = event_digest(event)
    await db.flush()
    return event


@dataclass(frozen=True)
class ChainHead:
    event_id: int
    event_hash: str


EDITED = "edited: its content does not match its hash"
BROKEN_LINK = "does not follow the event before it: an event before it was deleted or inserted"


async def verify(db: AsyncSession, *, batch_size: int = 1000) -> list[str]:
    """Recompute the chain in id order; one line per event whose hash or link does not hold (empty: intact)."""
    problems: list[str] = []
    previous_hash = GENESIS_HASH
    last_id: int | None = None
    while True:
        query = select(*_HASHED_COLUMNS).order_by(AuditEvent.id).limit(batch_size)
        if last_id is not None:
            query = query.where(AuditEvent.id > last_id)
        batch = (await db.execute(query)).all()
        if not batch:
            return problems
        for event in batch:
            if not hmac.compare_digest(event.previous_hash, previous_hash):
                problems.append(f"event {event.id}: {BROKEN_LINK}")
            if not hmac.compare_digest(event.event_hash, event_digest(event)):
                problems.append(f"event {event.id}: {EDITED}")
            previous_hash = event.event_hash
            last_id = event.id


async def chain_head(db: AsyncSession) -> ChainHead | None:
    """The newest event, to be noted outside the database (see the module docstring)."""
    row = (
        await db.execute(select(AuditEvent.id, AuditEvent.event_hash).order_by(AuditEvent.id.desc()).limit(1))
    ).first()
    return ChainHead(event_id=row[0], event_hash=row[1]) if row else None


async def event_hash_of(db: AsyncSession, event_id: int) -> str | None:
    return (await db.execute(select(AuditEvent.event_hash).where(AuditEvent.id == event_id))).scalar_one_or_none()


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


async def audit_page(
    db: AsyncSession,
    *,
    page: int,
    page_size: int = 50,
    report_id: uuid.UUID | None = None,
    actor: str | None = None,
    case_reference: str | None = None,
    actions: Sequence[str] | None = None,
    visible_cases: ColumnElement[bool] | None = None,
) -> AuditPage:
    """One page of events, newest first, optionally only those of one case (by id, or by the short reference
    the inbox shows: the id's first eight hex digits), one actor or some actions. With ``visible_cases``
    (a condition on ``Report``), events of other cases are left out: a coordinator of one office does not
    learn from the log that another office's cases exist."""
    conditions = []
    if visible_cases is not None:
        hidden = select(Report.id).where(not_(visible_cases))
        conditions.append(or_(AuditEvent.report_id.is_(None), AuditEvent.report_id.not_in(hidden)))
    if report_id is not None:
        conditions.append(AuditEvent.report_id == report_id)
    if case_reference is not None:
        conditions.append(func.lower(cast(AuditEvent.report_id, String)).like(case_reference.lower() + "%"))
    if actions is not None:
        conditions.append(AuditEvent.action.in_(actions))
    if actor is not None:
        conditions.append(AuditEvent.actor == actor)
    total = (await db.execute(select(func.count()).select_from(AuditEvent).where(*conditions))).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    events = (
        (
            await db.execute(
                select(AuditEvent)
                .where(*conditions)
                .order_by(AuditEvent.id.desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        )
        .scalars()
        .all()
    )
    return AuditPage(events=list(events), page=page, pages=pages, total=total)
