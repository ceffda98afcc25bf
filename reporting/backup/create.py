"""``reporting backup``: one consistent, owner-only backup file of a running instance."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from reporting.backup.archive import BackupError, Manifest, write_backup
from reporting.backup.databases import (
    SQLITE,
    database_kind,
    dump_postgres,
    postgres_facts,
    snapshot_sqlite,
    sqlite_facts,
    sqlite_path,
)
from reporting.config.secrets import parse_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import recovery
from reporting.crypto.errors import CryptoError
from reporting.db.identity import short_fingerprint
from reporting.vault.key_trust import SIGNING_KEY_FILENAME, SIGNING_PUBLIC_KEY_FILENAME
from reporting.vault.period_keys import PeriodKeys


def create_backup(settings: Settings, out: Path) -> Manifest:
    """Write the backup to the new file ``out``; the database copy is staged next to it, never in /tmp."""
    try:
        secrets_file = settings.secrets_file.read_bytes()
        secrets = parse_instance_secrets(secrets_file.decode())
    except FileNotFoundError:
        raise BackupError(f"{settings.secrets_file} is missing: run `reporting init` first") from None
    except ValueError:
        raise BackupError(f"{settings.secrets_file} is damaged") from None
    recovery_key = _recovery_public_key_text(settings)
    out = out.absolute()
    if out.exists():
        raise BackupError(f"{out} already exists: a backup never overwrites a file")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory")
    kind = database_kind(settings)
    staging = Path(tempfile.mkdtemp(prefix=".reporting-backup-", dir=out.parent))
    # Read before and after the database copy: a retention run in between may replace a period key, and
    # the copy needs the keys of whichever moment it shows.
    period_keys = _period_keys(settings)
    try:
        database_copy = staging / "database"
        if kind == SQLITE:
            source = sqlite_path(settings)
            if not source.is_file():
                raise BackupError(f"{source} does not exist: nothing to back up")
            snapshot_sqlite(source, database_copy)
            facts = sqlite_facts(database_copy)
        else:
            # The revision and fingerprint change only through `reporting init`/`db upgrade`, not while serving.
            facts = postgres_facts(settings)
            dump_postgres(settings, database_copy)
        if facts.schema_revision is None or facts.fingerprint is None:
            raise BackupError("the database has no schema version or instance fingerprint: run `reporting init` first")
        if facts.fingerprint != secrets.fingerprint:
            raise BackupError(
                f"the database belongs to instance {short_fingerprint(facts.fingerprint)}, the secrets file to "
                f"instance {short_fingerprint(secrets.fingerprint)}: refusing to back up a pair that opens no receipt"
            )
        manifest = Manifest(
            database=kind,
            schema_revision=facts.schema_revision,
            created_on=dt.datetime.now(dt.UTC).date(),
            instance_fingerprint=secrets.fingerprint,
        )
        write_backup(
            out,
            manifest,
            secrets_file,
            recovery_key,
            database_copy,
            period_keys=period_keys | _period_keys(settings),
            signing_key_pair=_signing_key_pair(settings),
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _period_keys(settings: Settings) -> dict[str, bytes]:
    keys = PeriodKeys.of(settings)
    present = {}
    for key_id in keys.key_ids():
        with contextlib.suppress(CryptoError):  # destroyed by retention in the meantime
            present[key_id] = keys.key(key_id)
    return present


def _signing_key_pair(settings: Settings) -> tuple[bytes, bytes] | None:
    """The staff-signing key and its pin, so the restored accounts stay certified (SECURITY.md, "Backups")."""
    private, public = settings.data_dir / SIGNING_KEY_FILENAME, settings.keys_dir / SIGNING_PUBLIC_KEY_FILENAME
    if not private.exists() and not public.exists():
        return None
    try:
        return private.read_bytes(), public.read_bytes()
    except FileNotFoundError as missing:
        raise BackupError(f"{missing.filename} is missing: the staff-signing key pair is incomplete") from None


def _recovery_public_key_text(settings: Settings) -> bytes:
    path = settings.keys_dir / recovery.RECOVERY_PUBLIC_KEY_FILENAME
    try:
        if recovery.load_recovery_public_key(settings.keys_dir) is None:
            raise BackupError(f"{path} is missing: run `reporting init` first")
    except CryptoError:
        raise BackupError(f"{path} is damaged") from None
    return path.read_bytes()
