"""Files that hold secrets are created readable by their owner only, and never overwritten."""

from __future__ import annotations

import os
from pathlib import Path


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
