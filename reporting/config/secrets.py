"""Per-installation secrets kept in the data directory (owner-only file), never in the database.

- ``signing_key``: derives the CSRF secret and the other keyed hashes of the instance. Client addresses
  are deliberately not keyed from it (a seized disk would reveal them): see ``web.address_keys``.
- ``receipt_salt``: the per-installation salt of the Argon2id receipt derivation, so a receipt code
  guessed against one installation's data says nothing about another's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from reporting.config.settings import Settings

SECRETS_FORMAT_VERSION = 1
FINGERPRINT_LABEL = b"reporting/v1 instance fingerprint\x00"


class InstanceNotInitialisedError(RuntimeError):
    """The data directory has no secrets file: ``reporting init`` has not run."""


@dataclass(frozen=True)
class InstanceSecrets:
    signing_key: bytes = field(repr=False)
    receipt_salt: bytes = field(repr=False)

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self.signing_key, purpose.encode(), hashlib.sha256).digest()

    @property
    def csrf_secret(self) -> str:
        return self.derive("csrf").hex()

    @property
    def fingerprint(self) -> str:
        """Names the instance these secrets belong to; recorded in its database at init, so a database is never
        run or restored beside another instance's secrets (where no receipt would open)."""
        material = FINGERPRINT_LABEL + self.signing_key + self.receipt_salt
        return hashlib.sha256(material).hexdigest()


def create_instance_secrets(settings: Settings) -> bool:
    """Write a new secrets file unless one exists; return whether one was created."""
    path = settings.secrets_file
    if path.exists():
        return False
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    content = json.dumps(
        {
            "version": SECRETS_FORMAT_VERSION,
            "signing_key": secrets.token_hex(32),
            "receipt_salt": secrets.token_hex(16),
        }
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as secrets_file:
        secrets_file.write(content)
    return True


def parse_instance_secrets(text: str) -> InstanceSecrets:
    """The secrets in the text of a secrets file; ``ValueError`` when it is not one."""
    try:
        data = json.loads(text)
        return InstanceSecrets(
            signing_key=bytes.fromhex(data["signing_key"]), receipt_salt=bytes.fromhex(data["receipt_salt"])
        )
    except (ValueError, KeyError, TypeError):
        raise ValueError("not an instance secrets file") from None


def load_instance_secrets(settings: Settings) -> InstanceSecrets:
    path: Path = settings.secrets_file
    try:
        return parse_instance_secrets(path.read_text())
    except FileNotFoundError:
        raise InstanceNotInitialisedError(f"{path} is missing: run `reporting init` first") from None
    except ValueError:
        raise InstanceNotInitialisedError(f"{path} is damaged: restore it from the backup") from None
