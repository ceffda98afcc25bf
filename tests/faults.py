"""Real faults that make a database unwritable for the running service, and lift them again.

Tests run as root here, and root ignores file modes: a chmod would change nothing. As root the SQLite
file, its WAL and the directory get the immutable attribute (``chattr +i``), which binds root too; as
another user they lose write permission. The ``-shm`` file stays writable, as a chmod would leave it for a
running process that has it mapped (an immutable ``-shm`` kills the process with SIGBUS instead).
On PostgreSQL the database turns read-only the way a standby or a full-disk guard does it
(``default_transaction_read_only``), and its sessions are ended so the service has to reconnect.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from reporting.config.settings import Settings
from tests.conftest import postgres_admin


@contextmanager
def database_read_only(settings: Settings) -> Iterator[None]:
    if settings.is_sqlite:
        with _sqlite_read_only(Path(str(make_url(settings.database_url).database))):
            yield
    else:
        with _postgres_read_only(str(make_url(settings.database_url).database)):
            yield


@contextmanager
def _sqlite_read_only(database: Path) -> Iterator[None]:
    paths = [path for path in (database, Path(f"{database}-wal"), database.parent) if path.exists()]
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        return
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in paths}
    for path, mode in modes.items():
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


@contextmanager
def _postgres_read_only(name: str) -> Iterator[None]:
    postgres_admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    postgres_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    try:
        yield
    finally:
        postgres_admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
