"""Expiry times for rows the public pages write, rounded up to the next midnight (UTC).

A spent proof of work or form id is stored with an expiry; an exact one would tell whoever reads the
database at what time of day a report was sent, which the report itself never records (only the day).
"""

from __future__ import annotations

import datetime as dt
import math


def day_rounded_expiry(minimum_seconds: int, now: dt.datetime | None = None) -> dt.datetime:
    """The first midnight (UTC) at least ``minimum_seconds`` from now."""
    earliest = (now or dt.datetime.now(dt.UTC)) + dt.timedelta(seconds=minimum_seconds)
    midnight = earliest.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == earliest else midnight + dt.timedelta(days=1)


def seconds_until_day_rounded_expiry(minimum_seconds: int) -> int:
    """``valid_for_seconds`` for :func:`reporting.web.throttle.spend_once` that lands just after a midnight
    (whole seconds: within a second of it, which says nothing about the time of day)."""
    now = dt.datetime.now(dt.UTC)
    return math.ceil((day_rounded_expiry(minimum_seconds, now) - now).total_seconds())
