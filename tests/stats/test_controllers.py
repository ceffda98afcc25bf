"""The staff statistics pages: statisticians and coordinators preview and download; nobody else."""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import TextStringObject
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.app import create_app
from reporting.config.settings import Settings
from reporting.db.models import AuditEvent
from reporting.stats.pdf import render_report_html
from reporting.stats.report import build_report
from tests.casework.conftest import create_staff, set_staff_cookie, start_active_session
from tests.conftest import BASE_URL, run_db
from tests.stats.conftest import insert_cases, pdf_dictionary, random_cases

YEAR = 2026


@pytest.fixture
def stats_app(initialised_settings: Settings) -> Litestar:
    """The real app, with a year of categorised cases."""
    app = create_app(initialised_settings)
    cases = random_cases(random.Random(3), 120, YEAR)
    run_db(initialised_settings, lambda session: insert_cases(session, cases))
    return app


@pytest.fixture
def client(stats_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=stats_app, base_url=BASE_URL) as test_client:
        yield test_client


def log_in(client: TestClient[Litestar], settings: Settings, role: str) -> None:
    account, password, _secret = create_staff(settings, role)
    set_staff_cookie(client, start_active_session(settings, account, password))


@pytest.mark.parametrize("role", ["statistician", "coordinator"])
def test_preview_shows_the_protected_tables(
    role: str, client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    log_in(client, initialised_settings, role)
    response = client.get(f"/staff/stats?year={YEAR}&lang=en")
    assert response.status_code == 200, response.text
    assert "Annual statistics: preview 2026" in response.text
    assert "Cases by ground" in response.text
    assert "<svg" in response.text
    assert f"/staff/stats/{YEAR}/report.pdf?lang=de" in response.text


def test_downloads_for_a_statistician(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    log_in(client, initialised_settings, "statistician")
    pdf = client.get(f"/staff/stats/{YEAR}/report.pdf?lang=en")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="jahresstatistik-{YEAR}-en.pdf"'
    assert pdf_dictionary(PdfReader(io.BytesIO(pdf.content)).trailer["/Root"])["/Lang"] == TextStringObject("en")

    csv_response = client.get(f"/staff/stats/{YEAR}/tables.csv")
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.content.decode("utf-8-sig").startswith("table,table_title,row")

    xlsx = client.get(f"/staff/stats/{YEAR}/tables.xlsx")
    assert xlsx.status_code == 200
    assert "grounds" in load_workbook(io.BytesIO(xlsx.content)).sheetnames

    document = client.get(f"/staff/stats/{YEAR}/tables.json").json()
    csv_counts = sum(1 for line in csv_response.content.decode("utf-8-sig").splitlines()[1:] if line)
    json_counts = len(document["key_numbers"]) + sum(
        len(row["cells"]) for table in document["tables"] for row in table["rows"]
    )
    assert csv_counts == json_counts
    assert json.dumps(document).count('"count": 1,') == 0

    async def exports(session: AsyncSession) -> list[str]:
        rows = await session.execute(select(AuditEvent.detail).where(AuditEvent.action == "stats.export"))
        return sorted(rows.scalars())

    assert run_db(initialised_settings, exports) == [f"{YEAR} csv", f"{YEAR} json", f"{YEAR} pdf", f"{YEAR} xlsx"]


@pytest.mark.parametrize("role", ["adviser", "admin"])
def test_other_roles_are_refused(role: str, client: TestClient[Litestar], initialised_settings: Settings) -> None:
    log_in(client, initialised_settings, role)
    for path in ("/staff/stats", f"/staff/stats/{YEAR}/report.pdf", f"/staff/stats/{YEAR}/tables.json"):
        assert client.get(path, follow_redirects=False).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client: TestClient[Litestar]) -> None:
    for path in ("/staff/stats", f"/staff/stats/{YEAR}/tables.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 401)
        assert response.status_code == 401 or response.headers["location"].startswith("/staff/login")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_preview_and_pdf_share_one_method_section(
    lang: str, client: TestClient[Litestar], initialised_settings: Settings
) -> None:
    """One include (``stats/_method.html``) for both: the preview shows the method section of the PDF."""
    log_in(client, initialised_settings, "statistician")
    response = client.get(f"/staff/stats?year={YEAR}&lang={lang}")
    assert response.status_code == 200, response.text
    k = initialised_settings.stats_min_count
    view = run_db(initialised_settings, lambda session: build_report(session, YEAR, k, lang))
    method = re.search(r'<section class="method" id="method">.*?</section>', render_report_html(view), re.S)
    assert method is not None
    assert method.group(0) in response.text
    assert all(paragraph[:40] in method.group(0) for paragraph in view.method_paragraphs())
