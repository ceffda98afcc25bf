"""Invitation links are built from the configured public URL, never from the request's Host header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from reporting.config.settings import Settings
from tests.casework.conftest import StaffClient, post_form
from tests.conftest import settings_for

PUBLIC_URL = "https://melden.example.org"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # The test client talks to testserver.local, a second allowed name (as an internal name would be).
    return settings_for(tmp_path, database_url, public_url=PUBLIC_URL, allowed_hosts="testserver.local")


def test_invitation_link_names_the_public_url_whatever_the_host_header(
    client: TestClient[Litestar], staff_client: StaffClient
) -> None:
    coordinator = staff_client("coordinator")
    page = post_form(
        coordinator, "/staff/accounts/invite?lang=en", {"email": "new.colleague@caritas.example", "role": "adviser"}
    )
    assert page.status_code == 200
    assert re.search(rf"{re.escape(PUBLIC_URL)}/staff/invite/[A-Za-z0-9_-]{{40,}}", page.text)
    assert "testserver.local/staff/invite" not in page.text

    forged = coordinator.get("/staff/accounts?lang=en", headers={"host": "attacker.example"})
    assert forged.status_code == 400
    assert "attacker.example" not in forged.text
