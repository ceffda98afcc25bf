"""``reporting init`` is idempotent: the second run changes nothing and says so."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from reporting.cli import cli
from reporting.config.secrets import create_instance_secrets
from reporting.config.settings import Settings


def _env(settings: Settings) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }


def test_init_twice_changes_nothing_the_second_time(settings: Settings) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["init"], env=_env(settings))
    assert first.exit_code == 0, first.output
    assert "created instance secrets" in first.output
    assert "migrated the database" in first.output
    secrets_before = settings.secrets_file.read_bytes()
    assert stat.S_IMODE(settings.secrets_file.stat().st_mode) == 0o600

    second = runner.invoke(cli, ["init"], env=_env(settings))
    assert second.exit_code == 0, second.output
    assert "Nothing to do" in second.output
    assert "created" not in second.output
    assert settings.secrets_file.read_bytes() == secrets_before


def test_db_upgrade_reports_when_already_current(settings: Settings) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=_env(settings)).exit_code == 0
    result = runner.invoke(cli, ["db", "upgrade"], env=_env(settings))
    assert result.exit_code == 0
    assert "already at the newest schema" in result.output


def test_init_refuses_a_database_beside_another_instances_secrets(settings: Settings) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["init"], env=_env(settings))
    assert "recorded this instance's fingerprint" in first.output
    settings.secrets_file.unlink()
    create_instance_secrets(settings)  # as if the data directory of another instance were configured

    for command in (["init"], ["serve"]):
        refused = runner.invoke(cli, command, env=_env(settings))
        assert refused.exit_code == 1
        assert "the database belongs to instance" in refused.output
        assert "receipts would not open" in refused.output
