"""Files 0600 and directories 0700, always: even under a permissive umask and in a data directory that
existed before with access for others."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from reporting.app import create_app
from reporting.backup.databases import sqlite_path
from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from tests.conftest import BASE_URL
from tests.intake.conftest import full_report_form, post_form, receipt_code
from tests.live_server import server_environment


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("permissive_umask")
def test_database_files_and_data_directory_are_owner_only(settings: Settings) -> None:
    settings.data_dir.mkdir(mode=0o755)
    (settings.data_dir).chmod(0o755)
    initialise(settings)
    assert _mode(settings.data_dir) == 0o700
    assert _mode(settings.keys_dir) == 0o700
    assert _mode(settings.secrets_file) == 0o600

    settings.data_dir.chmod(0o755)  # loosened by hand while the service was down
    with TestClient(app=create_app(settings), base_url=BASE_URL) as client:
        receipt_code(post_form(client, "/report?lang=en", full_report_form()))
        assert _mode(settings.data_dir) == 0o700
        if settings.is_sqlite:
            database = sqlite_path(settings)
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(path.exists() for path in files)
            assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}
    for path in settings.data_dir.rglob("*"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_command_line_creates_owner_only_files_whatever_the_umask(settings: Settings) -> None:
    environment = server_environment(settings)
    result = subprocess.run(
        ["/bin/sh", "-c", f'umask 022 && exec "{sys.executable}" -m reporting init'],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for directory in (settings.data_dir, settings.keys_dir):
        assert _mode(directory) == 0o700
        for path in directory.rglob("*"):
            assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
