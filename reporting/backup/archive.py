"""The backup file: an uncompressed tar (the database copy is mostly ciphertext) with a manifest.

Members: ``manifest.json`` (format version, database kind, schema revision, the day it was made, the
instance fingerprint), ``instance-secrets.json``, the recovery public key, the retention-period keys
(``period-keys/<id>.key``; without them no wrapped key in the database opens), the staff-signing key pair
(so the restored accounts' certificates still verify) and the database (a SQLite
file or a ``pg_dump`` custom-format archive). Member times are the day only and owners are blank, like the manifest.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

from reporting.crypto.recovery import RECOVERY_PUBLIC_KEY_FILENAME
from reporting.vault.key_trust import SIGNING_KEY_FILENAME, SIGNING_PUBLIC_KEY_FILENAME

FORMAT_NAME = "reporting-backup"
FORMAT_VERSION = 1
MANIFEST_MEMBER = "manifest.json"
SECRETS_MEMBER = "instance-secrets.json"
RECOVERY_KEY_MEMBER = RECOVERY_PUBLIC_KEY_FILENAME
SIGNING_KEY_MEMBER = SIGNING_KEY_FILENAME
SIGNING_PUBLIC_KEY_MEMBER = SIGNING_PUBLIC_KEY_FILENAME
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
SMALL_MEMBER_MAX_BYTES = 64 * 1024
PERIOD_KEY_MEMBER = re.compile(r"period-keys/(?P<key_id>[0-9]{4}Q[1-4]-[0-9]{4})\.key")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message is one line for the operator."""


@dataclass(frozen=True)
class Manifest:
    database: str
    schema_revision: str
    created_on: dt.date
    instance_fingerprint: str

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.database]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT_NAME,
                "version": FORMAT_VERSION,
                "database": self.database,
                "schema_revision": self.schema_revision,
                "created_on": self.created_on.isoformat(),
                "instance_fingerprint": self.instance_fingerprint,
            },
            indent=2,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data["format"] != FORMAT_NAME:
                raise ValueError("not a reporting backup")
            if data["version"] != FORMAT_VERSION:
                raise BackupError(
                    f"this backup has format version {data['version']!r}; this version of reporting reads "
                    f"version {FORMAT_VERSION} only"
                )
            manifest = cls(
                database=str(data["database"]),
                schema_revision=str(data["schema_revision"]),
                created_on=dt.date.fromisoformat(data["created_on"]),
                instance_fingerprint=str(data["instance_fingerprint"]),
            )
        except (ValueError, KeyError, TypeError):
            raise BackupError("the manifest of this backup is damaged") from None
        if manifest.database not in DATABASE_MEMBERS or not _FINGERPRINT.fullmatch(manifest.instance_fingerprint):
            raise BackupError("the manifest of this backup is damaged")
        return manifest


@dataclass(frozen=True)
class BackupContents:
    """The small members of a backup; the database member is copied out with :func:`extract_database`."""

    manifest: Manifest
    secrets_text: str
    recovery_key_text: str
    period_keys: dict[str, bytes]
    signing_key_pair: tuple[str, str] | None
    """The staff-signing key and its pinned public key (files' texts); None before the first account."""


def write_backup(
    out: Path,
    manifest: Manifest,
    secrets: bytes,
    recovery_key: bytes,
    database: Path,
    *,
    period_keys: dict[str, bytes],
    signing_key_pair: tuple[bytes, bytes] | None,
) -> None:
    """Create ``out`` owner-only (never over an existing file) and fsync it; on any failure remove it again."""
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{out} already exists: a backup never overwrites a file") from None
    except OSError as error:
        raise BackupError(f"cannot create {out}: {error.strerror}") from None
    day = calendar.timegm(manifest.created_on.timetuple())
    try:
        with os.fdopen(descriptor, "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST_MEMBER, manifest.to_json(), day)
                _add_bytes(tar, SECRETS_MEMBER, secrets, day)
                _add_bytes(tar, RECOVERY_KEY_MEMBER, recovery_key, day)
                if signing_key_pair is not None:
                    _add_bytes(tar, SIGNING_KEY_MEMBER, signing_key_pair[0], day)
                    _add_bytes(tar, SIGNING_PUBLIC_KEY_MEMBER, signing_key_pair[1], day)
                for key_id, key in sorted(period_keys.items()):
                    _add_bytes(tar, f"period-keys/{key_id}.key", key, day)
                with database.open("rb") as database_file:
                    tar.addfile(_member(manifest.database_member, database.stat().st_size, day), database_file)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def _member(name: str, size: int, day: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = day
    info.mode = 0o600
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes, day: int) -> None:
    tar.addfile(_member(name, len(content), day), BytesIO(content))


def read_backup(path: Path) -> BackupContents:
    """Read and check a backup's members: exactly the expected names, all regular files."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            members = {member.name: member for member in tar.getmembers()}
            if MANIFEST_MEMBER not in members:
                raise BackupError(f"{path} is not a reporting backup (no manifest)")
            manifest = Manifest.from_json(_read_small(tar, members[MANIFEST_MEMBER]))
            expected = {MANIFEST_MEMBER, SECRETS_MEMBER, RECOVERY_KEY_MEMBER, manifest.database_member}
            key_members = {name: match["key_id"] for name in members if (match := PERIOD_KEY_MEMBER.fullmatch(name))}
            signing = {SIGNING_KEY_MEMBER, SIGNING_PUBLIC_KEY_MEMBER}
            other = set(members) - set(key_members)
            if other - signing != expected or other & signing not in (set(), signing):
                raise BackupError(f"{path} is incomplete or holds unexpected files: not a backup to restore")
            if not all(member.isfile() for member in members.values()):
                raise BackupError(f"{path} is incomplete or holds unexpected files: not a backup to restore")
            return BackupContents(
                manifest=manifest,
                secrets_text=_read_small(tar, members[SECRETS_MEMBER]).decode(),
                recovery_key_text=_read_small(tar, members[RECOVERY_KEY_MEMBER]).decode("ascii"),
                period_keys={key_id: _read_small(tar, members[name]) for name, key_id in key_members.items()},
                signing_key_pair=(
                    (
                        _read_small(tar, members[SIGNING_KEY_MEMBER]).decode("ascii"),
                        _read_small(tar, members[SIGNING_PUBLIC_KEY_MEMBER]).decode("ascii"),
                    )
                    if SIGNING_KEY_MEMBER in members
                    else None
                ),
            )
    except (tarfile.TarError, EOFError, UnicodeDecodeError):
        raise BackupError(f"{path} is damaged or not a reporting backup") from None
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None


def _read_small(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None or member.size > SMALL_MEMBER_MAX_BYTES:
        raise BackupError(f"the member {member.name} of this backup is damaged")
    return handle.read()


def extract_database(path: Path, manifest: Manifest, target: Path) -> None:
    """Copy the database member of the backup at ``path`` to a new owner-only file ``target``."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            source: IO[bytes] | None = tar.extractfile(manifest.database_member)
            if source is None:
                raise BackupError(f"{path} holds no database")
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                shutil.copyfileobj(source, handle)
                handle.flush()
                os.fsync(handle.fileno())
    except (tarfile.TarError, EOFError, KeyError):
        raise BackupError(f"{path} is damaged: its database cannot be read") from None
