"""Nothing acknowledged is lost: reports sent through a running service (their receipt codes shown), a backup
taken while it serves, a restore into a new instance, and every receipt opens its own mailbox there.
A restore never touches an instance that exists, nor pairs a database with another instance's secrets."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.backup.databases import libpq_environment, sqlite_path
from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.crypto import passwords, staff_certificates
from reporting.db.identity import recorded_fingerprint
from reporting.db.models import Message, Report, ThrottleCounter
from reporting.vault.key_trust import SIGNING_PUBLIC_KEY_FILENAME
from reporting.vault.opening import open_case
from reporting.vault.period_keys import PeriodKeys
from tests.casework.case_helpers import seed_case
from tests.casework.conftest import create_staff
from tests.conftest import new_postgres_database, run_db, settings_for
from tests.intake.conftest import full_report_form, post_form, receipt_code, solved_pow
from tests.live_server import live_server, server_environment

REPORTS = 3
SECOND = "second"  # the directory of the instance restored into


@pytest.fixture
def second_database_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same engine as ``settings``, for the instance restored into."""
    if settings.is_sqlite:
        yield f"sqlite+aiosqlite:///{tmp_path / SECOND / 'var' / 'reporting.db'}"
        return
    with new_postgres_database() as url:
        yield url


def _reporting(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The real command line, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "reporting", *arguments],
        env=server_environment(settings),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _refused(settings: Settings, *arguments: str) -> str:
    result = _reporting(settings, *arguments)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _report_and_note(browser: httpx.Client, number: int) -> tuple[str, str]:
    """Send a report (with the proof of work, or without as a browser without JavaScript does), then a note
    from its mailbox that only this report's mailbox will show."""
    proof = {"altcha": solved_pow(browser)} if number % 2 == 0 else {}
    sent = post_form(browser, "/report?lang=en", full_report_form(description=f"Report number {number}.", **proof))
    assert sent.status_code == 200, sent.text
    code = receipt_code(sent)
    note = f"Note {number} {uuid.uuid4().hex}"
    reply = post_form(browser, "/mailbox/reply?lang=en", {"code": code, "message": note})
    assert reply.status_code == 200
    assert note in reply.text
    return code, note


def _messages_in_the_database_file_alone(settings: Settings, tmp_path: Path) -> int:
    """What a plain copy of the ``.db`` file (without its WAL) would hold."""
    naive_copy = tmp_path / "naive-copy" / "reporting.db"
    naive_copy.parent.mkdir()
    shutil.copyfile(sqlite_path(settings), naive_copy)
    with closing(sqlite3.connect(naive_copy)) as database:
        return int(database.execute("SELECT count(*) FROM message").fetchone()[0])


async def _message_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Message))).scalar_one())


async def _client_keys(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(ThrottleCounter.client_key))).scalars())


@pytest.mark.slow
def test_backup_while_serving_then_restore_opens_every_receipt(
    settings: Settings, second_database_url: str, tmp_path: Path
) -> None:
    backup_file = tmp_path / "offline" / "reporting.backup"
    backup_file.parent.mkdir()
    with (
        live_server(settings, tmp_path / "before.log") as server,
        httpx.Client(base_url=server.base_url, timeout=60, follow_redirects=True) as browser,
    ):
        notes = dict(_report_and_note(browser, number) for number in range(REPORTS))
        if settings.is_sqlite:
            # The last writes are still only in the WAL: a file copy would lose them, the backup must not.
            assert Path(f"{sqlite_path(settings)}-wal").stat().st_size > 0
            assert _messages_in_the_database_file_alone(settings, tmp_path) < REPORTS
        made = _reporting(settings, "backup", "--out", str(backup_file))
        assert made.returncode == 0, made.stderr
        assert browser.get("/healthz").status_code == 200
    assert "keep it encrypted and offline" in made.stderr
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert sorted(path.name for path in backup_file.parent.iterdir()) == ["reporting.backup"]
    assert "already exists" in _refused(settings, "backup", "--out", str(backup_file))

    restored = settings_for(tmp_path / SECOND, second_database_url)
    result = _reporting(restored, "restore", str(backup_file))
    assert result.returncode == 0, result.stderr
    assert restored.secrets_file.read_bytes() == settings.secrets_file.read_bytes()
    assert stat.S_IMODE(restored.secrets_file.stat().st_mode) == 0o600
    assert run_db(restored, _message_count) == REPORTS
    # Rate-limit counters (pseudonyms of client addresses) stay out of backups.
    client_keys = run_db(settings, _client_keys)
    assert client_keys
    backup_bytes = backup_file.read_bytes()
    assert not [key for key in client_keys if key.encode() in backup_bytes]
    assert run_db(restored, _client_keys) == []

    with (
        live_server(restored, tmp_path / "after.log") as server,
        httpx.Client(base_url=server.base_url, timeout=60, follow_redirects=True) as browser,
    ):
        for code, note in notes.items():
            mailbox = post_form(browser, "/mailbox?lang=en", {"code": code})
            assert mailbox.status_code == 200
            assert "Status of your report" in mailbox.text
            assert [text for text in notes.values() if text in mailbox.text] == [note]
        unknown = post_form(browser, "/mailbox?lang=en", {"code": "1234 5678 9012 3456 7890"})
        assert "Status of your report" not in unknown.text


def _instance_state(settings: Settings) -> tuple[dict[str, bytes], set[str], str | None]:
    """Every file of the data and keys directories, and the database's tables and recorded instance."""
    files = {
        str(path): path.read_bytes()
        for directory in (settings.data_dir, settings.keys_dir)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }

    async def database(session: AsyncSession) -> tuple[set[str], str | None]:
        connection = await session.connection()
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        return tables, await recorded_fingerprint(session)

    tables, fingerprint = run_db(settings, database)
    return files, tables, fingerprint


def _backup_of(settings: Settings, tmp_path: Path) -> Path:
    initialise(settings)
    backup_file = tmp_path / "instance.backup"
    result = _reporting(settings, "backup", "--out", str(backup_file))
    assert result.returncode == 0, result.stderr
    return backup_file


def test_restore_refuses_an_instance_with_other_secrets_and_changes_nothing(
    settings: Settings, second_database_url: str, tmp_path: Path
) -> None:
    backup_file = _backup_of(settings, tmp_path)
    other = settings_for(tmp_path / SECOND, second_database_url)
    initialise(other)
    before = _instance_state(other)

    line = _refused(other, "restore", str(backup_file))
    assert f"{other.data_dir} holds the secrets of instance" in line
    assert "restore into a new data directory" in line
    assert _instance_state(other) == before


def test_restore_refuses_a_database_of_another_instance_beside_a_new_data_directory(
    settings: Settings, second_database_url: str, tmp_path: Path
) -> None:
    backup_file = _backup_of(settings, tmp_path)
    other = settings_for(tmp_path / SECOND, second_database_url)
    initialise(other)
    # New data and keys directories, but the database still holds the other instance.
    other.secrets_file.unlink()
    other.recovery_private_key_file.unlink()
    shutil.rmtree(other.keys_dir)
    before = _instance_state(other)

    line = _refused(other, "restore", str(backup_file))
    assert "restore only into a new, empty database" in line
    assert _instance_state(other) == before
    assert not other.secrets_file.exists()


def test_restore_over_the_existing_instance_is_refused(settings: Settings, tmp_path: Path) -> None:
    backup_file = _backup_of(settings, tmp_path)
    before = _instance_state(settings)
    line = _refused(settings, "restore", str(backup_file))
    assert "restore only into a new, empty database" in line
    assert _instance_state(settings) == before


def test_an_interrupted_restore_can_be_run_again(settings: Settings, second_database_url: str, tmp_path: Path) -> None:
    """The data directory may already hold this same instance's secrets (written first by a restore that
    stopped before the database, or kept on the application host): the empty database is still filled."""
    backup_file = _backup_of(settings, tmp_path)
    restored = settings_for(tmp_path / SECOND, second_database_url)
    restored.data_dir.mkdir(parents=True)
    shutil.copy2(settings.secrets_file, restored.secrets_file)
    result = _reporting(restored, "restore", str(backup_file))
    assert result.returncode == 0, result.stderr
    assert run_db(restored, recorded_fingerprint) == run_db(settings, recorded_fingerprint)


def test_postgresql_tools_get_the_password_from_the_environment(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, "postgresql+asyncpg://reporter:pa%3Ass%20word@db.example:6543/reports?ssl=require"
    )
    environment = libpq_environment(settings)
    assert environment["PGPASSWORD"] == "pa:ss word"
    assert (environment["PGHOST"], environment["PGPORT"], environment["PGUSER"]) == ("db.example", "6543", "reporter")
    assert (environment["PGDATABASE"], environment["PGSSLMODE"]) == ("reports", "require")


def test_a_truncated_backup_is_refused_before_anything_is_written(
    settings: Settings, second_database_url: str, tmp_path: Path
) -> None:
    backup_file = _backup_of(settings, tmp_path)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size // 2])
    restored = settings_for(tmp_path / SECOND, second_database_url)

    assert "is damaged or not a reporting backup" in _refused(restored, "restore", str(truncated))
    assert not restored.data_dir.exists()
    assert not restored.keys_dir.exists()


def test_a_restored_instance_routes_new_reports_to_its_coordinators(
    settings: Settings, second_database_url: str, tmp_path: Path
) -> None:
    """Issue 11: the staff-signing key pair and the period keys travel in the backup, so after a restore into
    new data and keys directories the coordinators' certificates verify, a new report is wrapped for them,
    and the reports from before open."""
    initialise(settings)
    coordinator, password, _ = create_staff(settings, "coordinator")
    before = seed_case(settings, narrative="before the backup").id
    backup_file = tmp_path / "instance.backup"
    assert _reporting(settings, "backup", "--out", str(backup_file)).returncode == 0

    restored = settings_for(tmp_path / SECOND, second_database_url)
    result = _reporting(restored, "restore", str(backup_file))
    assert result.returncode == 0, result.stderr
    after = seed_case(restored, narrative="after the restore").id
    private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, password)

    async def narratives(db: AsyncSession) -> list[str]:
        opened = []
        for report_id in (before, after):
            report = await db.get(Report, report_id)
            assert report is not None
            case = await open_case(
                db, PeriodKeys.of(restored), report, staff_id=coordinator.id, private_key=private_key
            )
            opened.append(case.content.narrative)
        return opened

    assert run_db(restored, narratives) == ["before the backup", "after the restore"]


def test_a_backup_whose_signing_key_does_not_match_its_pin_is_refused(
    settings: Settings, second_database_url: str, tmp_path: Path
) -> None:
    initialise(settings)
    create_staff(settings, "coordinator")
    (settings.keys_dir / SIGNING_PUBLIC_KEY_FILENAME).write_text(
        staff_certificates.encode_key(staff_certificates.signing_public_key(staff_certificates.new_signing_key()))
    )
    backup_file = tmp_path / "instance.backup"
    assert _reporting(settings, "backup", "--out", str(backup_file)).returncode == 0
    restored = settings_for(tmp_path / SECOND, second_database_url)
    assert "staff-signing key does not match" in _refused(restored, "restore", str(backup_file))
    assert not restored.data_dir.exists()
