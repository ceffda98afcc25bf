"""Files and directories of the instance are its owner's alone: files 0600, directories 0700.

Files that hold secrets are created readable by their owner only, and never overwritten. Everything else
the service writes (the SQLite database, its WAL and shared-memory files, logs of the CLI) is covered by
the umask set at start-up, and the database files are also tightened explicitly when a connection opens.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

OWNER_ONLY_UMASK = 0o077
OWNER_ONLY_DIRECTORY = 0o700
OWNER_ONLY_FILE = 0o600

logger = logging.getLogger(__name__)


def restrict_new_files() -> None:
    """From now on this process (and what it starts) creates files 0600 and directories 0700."""
    os.umask(OWNER_ONLY_UMASK)


def owner_only_directory(path: Path) -> None:
    """Create ``path`` as 0700, or tighten it to 0700 (loudly) when it exists with access for others."""
    path.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_DIRECTORY)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~OWNER_ONLY_DIRECTORY:
        path.chmod(OWNER_ONLY_DIRECTORY)
        logger.warning("%s was accessible to others (mode %o); it is now %o", path, mode, OWNER_ONLY_DIRECTORY)


def owner_only_file(path: Path) -> None:
    """Tighten an existing file to 0600 (a file that does not exist is left alone)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) != OWNER_ONLY_FILE:
            path.chmod(OWNER_ONLY_FILE)
    except FileNotFoundError:
        return


def write_owner_only(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only; never overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def overwrite_and_delete(path: Path) -> None:
    """Overwrite a secret file with zeros, flush it to disk, then delete it.

    Best effort: copy-on-write or journaling filesystems and SSDs may keep old blocks (SECURITY.md).
    """
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(bytes(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
