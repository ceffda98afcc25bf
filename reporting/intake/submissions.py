"""One-time ids of the public forms: what a form sent is stored once, however often it is sent.

Each rendered form carries a fresh id, spent when what it sent is stored: reloading the receipt page
(which re-posts the form) or a double click must not store a report or a message twice.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import UsedToken
from reporting.intake.coarse_time import day_rounded_expiry
from reporting.intake.forms import field_text
from reporting.web.forms import PostedForm

SUBMISSION_FIELD = "submission_id"
SUBMISSION_ID_LIFETIME_SECONDS = 2 * 24 * 3600
MAX_SUBMISSION_ID_LENGTH = 64


def new_submission_id() -> str:
    return secrets.token_urlsafe(18)


def submission_id(form: PostedForm) -> str:
    """The form's one-time id, or a fresh one when it is missing or malformed."""
    posted = field_text(form, SUBMISSION_FIELD)
    return posted if 0 < len(posted) <= MAX_SUBMISSION_ID_LENGTH else new_submission_id()


def _token_hash(submission: str) -> str:
    return hashlib.sha256(submission.encode()).hexdigest()


async def submission_spent(session: AsyncSession, scope: str, submission: str) -> bool:
    """Whether what this form sent was already stored (a reload or a repeat of the same form)."""
    return await session.get(UsedToken, (scope, _token_hash(submission))) is not None


async def claim_submission(session: AsyncSession, scope: str, submission: str) -> bool:
    """Whether the id is unused; if so, mark it used in this request's own transaction.

    So it counts as spent exactly when what it sent is stored: a failure rolls both back and the form
    can be sent again. Two requests racing with one id both pass this check, and the second then fails
    on the primary key when it flushes (:class:`IntegrityError`), which the handlers answer as a repeat.
    """
    if await submission_spent(session, scope, submission):
        return False
    expires_at = day_rounded_expiry(SUBMISSION_ID_LIFETIME_SECONDS)
    session.add(UsedToken(scope=scope, token_hash=_token_hash(submission), expires_at=expires_at))
    return True
