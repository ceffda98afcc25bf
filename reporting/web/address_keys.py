"""Rate-limit keys for client addresses, from key material that never touches disk.

A counter row names a client by ``HMAC(window key, address)``. The window key is derived from a random
seed that lives only in memory, separately for every scope, window length and window, so:

- nothing on disk (database, data directory, keys directory, secrets file, backups) reproduces a counter
  key: trying every IPv4 address against a seized server gives nothing;
- counters of different scopes (report, mailbox, staff login) and of different windows cannot be linked;
- the staff-login limits per e-mail address and per account use the same keys, so no counter names a
  person that a seized disk could test;
- once a process ends, nobody can compute its keys again.

The serving supervisor (``web.server``) creates the seed before it starts its workers and hands it to them
in their environment (process memory, never a file); every worker takes it out of its own environment on
first use, so programs it starts do not inherit it. A process that finds none (a single process, tests)
makes its own. Several hosts share limits only if they are started with the same seed in
``REPORTING_ADDRESS_KEY_SEED`` from an orchestrator's in-memory secret; otherwise each host counts alone.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field

SEED_ENVIRONMENT_VARIABLE = "REPORTING_ADDRESS_KEY_SEED"
SEED_BYTES = 32


def share_seed_with_workers() -> None:
    """Put a fresh seed into this process's environment for the workers it is about to start."""
    os.environ.setdefault(SEED_ENVIRONMENT_VARIABLE, secrets.token_hex(SEED_BYTES))


def adopt_handed_on_seed() -> None:
    """Take the seed out of the environment now, before the settings read (and refuse) unknown variables."""
    _process_seed()


@functools.cache
def _process_seed() -> bytes:
    handed_on = os.environ.pop(SEED_ENVIRONMENT_VARIABLE, None)
    return bytes.fromhex(handed_on) if handed_on else secrets.token_bytes(SEED_BYTES)


def process_key(purpose: str) -> bytes:
    """A key for ``purpose`` from the same in-memory seed: for what every worker must read for a short
    while (the sealed receipt cookie) and nothing on a seized disk may ever open."""
    return hmac.new(_process_seed(), f"reporting/v1 process key\x00{purpose}".encode(), hashlib.sha256).digest()


def window_key(scope: str, window_seconds: int, window_start: int) -> bytes:
    """The key of one scope's one window; independent of every other scope's and window's."""
    label = f"reporting/v1 address window\x00{scope}\x00{window_seconds}\x00{window_start}".encode()
    return hmac.new(_process_seed(), label, hashlib.sha256).digest()


@dataclass(frozen=True)
class ClientAddress:
    """A client address (or an e-mail address tried at staff login, or an account: ``throttle.pseudonym``)
    that is only ever written as its pseudonym for one scope and window."""

    address: str = field(repr=False)

    def key_for(self, scope: str, window_seconds: int, window_start: int) -> str:
        key = window_key(scope, window_seconds, window_start)
        return hmac.new(key, self.address.encode(), hashlib.sha256).hexdigest()
