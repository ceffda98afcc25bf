"""ALTCHA proof of work: a small cost per submission for browsers with JavaScript, with no tracking.

The challenge is signed with a key derived from the instance secrets, so any worker process can check
it without shared state; a solved challenge is spent in the database (``used_token``), so it cannot be
replayed, also not on another worker. The server pre-computes each challenge from a secret random
counter and signs the derived key, so checking a solution is one HMAC, while the browser must try
counters from zero until it finds it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets as random
from typing import Any

import altcha
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.config.secrets import InstanceSecrets
from reporting.intake.coarse_time import seconds_until_day_rounded_expiry
from reporting.web.throttle import spend_once

ALGORITHM = "PBKDF2/SHA-256"
# PBKDF2 iterations per attempt and the range of the secret counter: about one to three seconds in a
# browser, nothing for a person, a real cost for a script sending thousands of reports.
COST = 1000
MIN_COUNTER = 1000
MAX_COUNTER = 4000
CHALLENGE_LIFETIME_SECONDS = 30 * 60
MAX_PAYLOAD_LENGTH = 4096
REPLAY_SCOPE = "altcha"
FIELD_NAME = "altcha"


def _signing_keys(secrets: InstanceSecrets) -> tuple[bytes, bytes]:
    return secrets.derive("altcha"), secrets.derive("altcha/derived-key")


def new_challenge(secrets: InstanceSecrets) -> dict[str, Any]:
    """A fresh signed challenge in the JSON form the widget expects."""
    challenge_key, derived_key_key = _signing_keys(secrets)
    challenge = altcha.create_challenge(
        ALGORITHM,
        COST,
        counter=MIN_COUNTER + random.randbelow(MAX_COUNTER - MIN_COUNTER),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=CHALLENGE_LIFETIME_SECONDS),
        hmac_secret=challenge_key,
        hmac_key_secret=derived_key_key,
    )
    result: dict[str, Any] = challenge.to_dict()
    return result


def _challenge_nonce(payload: str) -> str | None:
    try:
        nonce = json.loads(base64.b64decode(payload, validate=True))["challenge"]["parameters"]["nonce"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    return nonce if isinstance(nonce, str) else None


async def verify_and_spend(engine: AsyncEngine, secrets: InstanceSecrets, payload: str) -> bool:
    """Whether ``payload`` solves an unexpired challenge of ours that was never used before.

    The challenge's nonce is spent only after the solution checks out, so garbage cannot fill the
    replay table; it is kept until the first midnight after the challenge expired (never an exact time).
    """
    if not payload or len(payload) > MAX_PAYLOAD_LENGTH:
        return False
    challenge_key, derived_key_key = _signing_keys(secrets)
    result = altcha.verify_solution(payload, challenge_key, hmac_key_secret=derived_key_key)
    if not result.verified:
        return False
    nonce = _challenge_nonce(payload)
    if nonce is None:
        return False
    return await spend_once(
        engine, REPLAY_SCOPE, nonce, valid_for_seconds=seconds_until_day_rounded_expiry(CHALLENGE_LIFETIME_SECONDS + 60)
    )
