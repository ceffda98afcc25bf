"""``reporting restore``: a backup into a new, empty instance, never over anything else.

Everything is checked before anything is written: the backup against itself (its secrets must be those of
the instance its manifest names, its staff-signing key that of its pin), then the target. A data directory
or keys directory may already hold the secrets, recovery key, signing pin or period keys of the *same*
instance (a database server lost, the application host kept, or a restore interrupted and run again); those
of another instance are refused, as is any database that is not empty. Secrets and keys are written first,
the database last, so an interrupted restore can simply be repeated.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from reporting.backup.archive import BackupContents, BackupError, Manifest, extract_database, read_backup
from reporting.backup.databases import (
    SQLITE,
    DatabaseFacts,
    database_kind,
    postgres_facts,
    restore_postgres,
    sqlite_facts,
    sqlite_path,
)
from reporting.config.files import write_owner_only
from reporting.config.secrets import parse_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import recovery, staff_certificates
from reporting.crypto.envelope import DATA_KEY_LENGTH
from reporting.crypto.errors import CryptoError
from reporting.db.identity import short_fingerprint
from reporting.db.migrate import database_location, is_known_revision
from reporting.vault.key_trust import SIGNING_KEY_FILENAME, SIGNING_PUBLIC_KEY_FILENAME
from reporting.vault.period_keys import PeriodKeys

SQLITE_COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


def restore_backup(settings: Settings, path: Path) -> Manifest:
    contents = read_backup(path)
    manifest = contents.manifest
    public_key = _check_backup(settings, contents)
    _check_target(settings, contents, public_key)
    if database_kind(settings) == SQLITE:
        _restore_sqlite(settings, path, contents, public_key)
    else:
        _install_instance_files(settings, contents, public_key)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.data_dir))
        try:
            dump = staging / manifest.database_member
            extract_database(path, manifest, dump)
            restore_postgres(settings, dump)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _check_matches(postgres_facts(settings), manifest)
    return manifest


def _check_backup(settings: Settings, contents: BackupContents) -> bytes:
    """Check the backup fits this installation and is whole; return its recovery public key."""
    manifest = contents.manifest
    kind = database_kind(settings)
    if manifest.database != kind:
        raise BackupError(
            f"this backup holds a {manifest.database} database, but REPORTING_DATABASE_URL names a {kind} one"
        )
    if not is_known_revision(settings, manifest.schema_revision):
        raise BackupError(
            f"this backup is at schema version {manifest.schema_revision!r}, which this version of reporting "
            "does not know: restore it with the version that made it"
        )
    try:
        secrets = parse_instance_secrets(contents.secrets_text)
        public_key = recovery.parse_public_key(contents.recovery_key_text)
    except (ValueError, CryptoError):
        raise BackupError("this backup is damaged: its secrets or recovery key cannot be read") from None
    if secrets.fingerprint != manifest.instance_fingerprint:
        raise BackupError("this backup is damaged: its secrets are not those of the instance its manifest names")
    if any(len(key) != DATA_KEY_LENGTH for key in contents.period_keys.values()):
        raise BackupError("this backup is damaged: a period key has the wrong length")
    if contents.signing_key_pair is not None:
        signing_key, pinned = contents.signing_key_pair
        try:
            matches = staff_certificates.signing_public_key(
                staff_certificates.decode_key(signing_key)
            ) == staff_certificates.decode_key(pinned)
        except (ValueError, CryptoError):
            matches = False
        if not matches:
            raise BackupError("this backup is damaged: its staff-signing key does not match its public key")
    return public_key


def _check_target(settings: Settings, contents: BackupContents, public_key: bytes) -> None:
    manifest, manifest_keys = contents.manifest, contents.period_keys
    backup_instance = short_fingerprint(manifest.instance_fingerprint)
    if settings.secrets_file.exists():
        try:
            present = parse_instance_secrets(settings.secrets_file.read_text()).fingerprint
        except ValueError:
            raise BackupError(f"{settings.secrets_file} is damaged: restore into a new data directory") from None
        if present != manifest.instance_fingerprint:
            raise BackupError(
                f"{settings.data_dir} holds the secrets of instance {short_fingerprint(present)}, but this backup "
                f"is of instance {backup_instance}: restore into a new data directory (nothing was changed)"
            )
    try:
        installed_key = recovery.load_recovery_public_key(settings.keys_dir)
    except CryptoError:
        raise BackupError(f"{settings.keys_dir} holds a damaged recovery public key") from None
    if installed_key is not None and installed_key != public_key:
        raise BackupError(
            f"{settings.keys_dir} holds another recovery public key than this backup of instance {backup_instance}: "
            "restore into a new keys directory (nothing was changed)"
        )
    if contents.signing_key_pair is not None:
        installed = settings.keys_dir / SIGNING_PUBLIC_KEY_FILENAME
        if installed.exists() and installed.read_text() != contents.signing_key_pair[1]:
            raise BackupError(
                f"{settings.keys_dir} holds another staff-signing public key than this backup: restore into a new "
                "keys directory (nothing was changed)"
            )
    keys = PeriodKeys.of(settings)
    present_keys = set(keys.key_ids())
    for key_id, key in manifest_keys.items():
        if key_id in present_keys and keys.key(key_id) != key:
            raise BackupError(
                f"{keys.directory} holds another period key {key_id} than this backup: restore into a new data "
                "directory (nothing was changed)"
            )
    if database_kind(settings) == SQLITE:
        database = sqlite_path(settings)
        for existing in (database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANION_SUFFIXES)):
            if existing.exists():
                raise BackupError(
                    f"{existing} already exists: restore only into a new, empty database (nothing was changed)"
                )
        return
    facts = postgres_facts(settings)
    if facts.tables:
        holder = f" (instance {short_fingerprint(facts.fingerprint)})" if facts.fingerprint else ""
        raise BackupError(
            f"the database {database_location(settings)} is not empty{holder}: restore only into a new, empty "
            "database (nothing was changed)"
        )


def _install_instance_files(settings: Settings, contents: BackupContents, public_key: bytes) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not settings.secrets_file.exists():
        write_owner_only(settings.secrets_file, contents.secrets_text)
    recovery.write_recovery_public_key(settings.keys_dir, public_key)
    keys = PeriodKeys.of(settings)
    for key_id, key in sorted(contents.period_keys.items()):
        keys.install(key_id, key)
    if contents.signing_key_pair is not None:
        signing_key, pinned = contents.signing_key_pair
        for path, text in (
            (settings.data_dir / SIGNING_KEY_FILENAME, signing_key),
            (settings.keys_dir / SIGNING_PUBLIC_KEY_FILENAME, pinned),
        ):
            if not path.exists():
                write_owner_only(path, text)


def _restore_sqlite(settings: Settings, path: Path, contents: BackupContents, public_key: bytes) -> None:
    """Stage and check the copy beside its final place, then link it there (never over an existing file)."""
    database = sqlite_path(settings)
    database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=database.parent))
    try:
        staged = staging / database.name
        extract_database(path, contents.manifest, staged)
        _check_matches(sqlite_facts(staged), contents.manifest)
        _install_instance_files(settings, contents, public_key)
        try:
            os.link(staged, database)
        except OSError as error:
            raise BackupError(f"cannot place the database at {database}: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_matches(facts: DatabaseFacts, manifest: Manifest) -> None:
    if facts.fingerprint != manifest.instance_fingerprint or facts.schema_revision != manifest.schema_revision:
        raise BackupError(
            "the database in this backup does not match its manifest (instance or schema version): it is damaged"
        )
