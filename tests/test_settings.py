"""Settings validation: every bad value stops start-up with one line naming the variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reporting.config.settings import Settings, SettingsError


def test_defaults_are_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path / "var"
    assert settings.keys_dir == tmp_path / "keys"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'reporting.db'}"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.secure_cookies is True
    assert settings.trusted_proxies == ()
    assert settings.stats_min_count == 5


def test_plain_postgresql_url_is_given_the_async_driver() -> None:
    settings = Settings.from_env({"REPORTING_DATABASE_URL": "postgresql://u@db/reporting"})
    assert settings.database_url == "postgresql+asyncpg://u@db/reporting"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("REPORTING_PORT", "eighty", "REPORTING_PORT must be a whole number between 1 and 65535, got 'eighty'"),
        ("REPORTING_PORT", "70000", "REPORTING_PORT must be between 1 and 65535, got 70000"),
        ("REPORTING_DATABASE_URL", "mysql://x/y", "REPORTING_DATABASE_URL must start with sqlite+aiosqlite:///"),
        ("REPORTING_SECURE_COOKIES", "maybe", "REPORTING_SECURE_COOKIES must be true or false, got 'maybe'"),
        ("REPORTING_TRUSTED_PROXIES", "10.0.0.1,nonsense", "REPORTING_TRUSTED_PROXIES must be a comma-separated"),
        ("REPORTING_ONION_LOCATION", "http://example.org", "REPORTING_ONION_LOCATION must be an http(s) URL of a"),
        ("REPORTING_LOG_LEVEL", "CHATTY", "REPORTING_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("REPORTING_STAFF_IDLE_MINUTES", "0", "REPORTING_STAFF_IDLE_MINUTES must be between 1 and 1440, got 0"),
        ("REPORTING_RETENTION_YEARS", "x", "REPORTING_RETENTION_YEARS must be a whole number"),
        ("REPORTING_STATS_MIN_COUNT", "2", "REPORTING_STATS_MIN_COUNT must be between 3 and 100, got 2"),
        ("REPORTING_ANSWER_DUE_MONTHS", "13", "REPORTING_ANSWER_DUE_MONTHS must be between 1 and 12, got 13"),
        ("REPORTING_HOST", "bad host", "REPORTING_HOST must be a host name or IP address"),
        ("REPORTING_DATABSE_URL", "sqlite+aiosqlite:///x", "REPORTING_DATABSE_URL is not a known setting"),
        ("REPORTING_OFFICES_FILE", "/no/such/offices.toml", "REPORTING_OFFICES_FILE must name an existing file"),
        ("REPORTING_HELP_OFFICE_NAME", "Caritas", "REPORTING_HELP_OFFICE_NAME was retired: where to get help"),
    ],
)
def test_each_bad_value_names_its_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({variable: value})
    assert str(raised.value).startswith(message)


def test_data_dir_that_is_a_file_is_rejected(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(SettingsError, match="REPORTING_DATA_DIR must be a directory"):
        Settings.from_env({"REPORTING_DATA_DIR": str(a_file)})


def test_cli_prints_one_clear_line_and_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reporting", "init"],
        env={"REPORTING_PORT": "eighty", "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == "Error: REPORTING_PORT must be a whole number between 1 and 65535, got 'eighty'"
    assert "Traceback" not in result.stdout + result.stderr
