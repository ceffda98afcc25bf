"""Finding 6: while the private recovery key sits on the server, every page says this is a test instance;
``reporting keys export-recovery`` takes the key away (whole or as shares) and the warning with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient

from reporting.cli import cli
from reporting.config.settings import Settings
from reporting.crypto import recovery
from reporting.i18n import SUPPORTED_LANGUAGES, translations
from reporting.vault.recovery_key import read_recovery_secret
from tests.casework.conftest import StaffClient

BANNER = "Test instance: do not report real incidents here. This installation is not ready to protect reports yet."
PUBLIC_PAGES = ["/", "/privacy", "/mailbox", "/no-such-page"]
STAFF_PAGES = ["/staff/", "/staff/stats", "/staff/audit", "/staff/accounts", "/staff/me"]


def _banners(client: TestClient[Litestar], staff: TestClient[Litestar]) -> dict[str, bool]:
    shown = {}
    for code in SUPPORTED_LANGUAGES:
        banner = translations(code).gettext(BANNER)
        for path in PUBLIC_PAGES:
            shown[f"{path}?lang={code}"] = banner in client.get(path, params={"lang": code}).text
    for code in ("de", "en"):  # the staff area speaks German and English only
        shown[f"/staff/login?lang={code}"] = (
            translations(code).gettext(BANNER) in client.get("/staff/login", params={"lang": code}).text
        )
    for path in STAFF_PAGES:
        shown[path] = BANNER in staff.get(path).text or translations("de").gettext(BANNER) in staff.get(path).text
    return shown


def _env(settings: Settings) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }


@pytest.mark.parametrize("split", [False, True], ids=["private-key", "shares"])
def test_every_page_warns_until_the_recovery_key_has_left_the_server(
    client: TestClient[Litestar],
    staff_client: StaffClient,
    initialised_settings: Settings,
    tmp_path: Path,
    split: bool,
) -> None:
    staff = staff_client("coordinator")
    assert translations("de").gettext(BANNER) != BANNER
    assert all(_banners(client, staff).values()), _banners(client, staff)

    out = tmp_path / "recovery.txt"
    options = ["--shares", "5", "--threshold", "3"] if split else []
    result = CliRunner().invoke(
        cli, ["keys", "export-recovery", "--out", str(out), *options], env=_env(initialised_settings)
    )
    assert result.exit_code == 0, result.output

    assert not initialised_settings.recovery_private_key_file.exists()
    assert out.stat().st_mode & 0o077 == 0
    lines = out.read_text().splitlines()
    text = "\n".join([line for line in lines if line.startswith("share")][:3]) if split else out.read_text()
    exported = recovery.recovery_keypair_from_secret(read_recovery_secret(text)).public_key
    assert exported == recovery.load_recovery_public_key(initialised_settings.keys_dir)
    assert not any(_banners(client, staff).values()), _banners(client, staff)

    again = CliRunner().invoke(
        cli, ["keys", "export-recovery", "--out", str(tmp_path / "again.txt")], env=_env(initialised_settings)
    )
    assert again.exit_code != 0
