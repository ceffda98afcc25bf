"""Opening a case decrypts it for that request only, and every decryption, download and export is audited."""

from __future__ import annotations

import io

from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader

from reporting.casework.controllers import attachment_disposition, safe_filename
from reporting.config.settings import Settings
from reporting.vault import values
from tests.casework.case_helpers import NARRATIVE, actions, actor, audit_events, seed_case
from tests.casework.conftest import StaffClient


def test_case_page_shows_the_decrypted_case_and_audits_the_opening(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(
        initialised_settings,
        contact="Call me on 0151 000000",
        readers=[adviser.staff_account],
        reporter_codes={"grounds": ["racism_ethnic_origin"], "areas": ["housing"], "incident_period": ["earlier"]},
    )

    response = adviser.get(f"/staff/cases/{case.id}")

    assert response.status_code == 200, response.text
    assert NARRATIVE in response.text
    assert "0151 000000" in response.text
    assert "Wohnen / Wohnungsmarkt" in response.text  # the reporter's answers, labelled in German
    assert "Vor mehr als 12 Monaten" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert audit_events(initialised_settings, case.id) == [(actor(adviser.staff_account), "case.open", "")]


def test_attachment_download_is_a_safe_audited_download(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    upload = values.FileUpload(filename='../../evil"name<script>.html', media_type="text/html", content=b"<p>hi</p>")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], attachments=[upload])
    page = adviser.get(f"/staff/cases/{case.id}")
    attachment_id = page.text.split(f"/staff/cases/{case.id}/attachments/")[1].split('"')[0]

    response = adviser.get(f"/staff/cases/{case.id}/attachments/{attachment_id}")

    assert response.status_code == 200
    assert response.content == b"<p>hi</p>"
    assert response.headers["content-type"] == "application/octet-stream"  # HTML is never served as HTML
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert ".." not in disposition
    assert "/" not in disposition.split("filename*=")[0]
    assert actions(initialised_settings, case.id) == ["case.open", "attachment.download"]
    assert audit_events(initialised_settings, case.id)[-1][2] == f"attachment:{attachment_id}"


def test_safe_filename_strips_paths_and_control_characters() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\Bericht März.pdf") == "Bericht März.pdf"
    assert safe_filename('a"b\r\nc.txt') == "abc.txt"
    assert safe_filename("...") == "attachment"
    assert attachment_disposition("Bericht März.pdf") == (
        "attachment; filename=\"Bericht M_rz.pdf\"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf"
    )


def test_export_is_a_confidential_pdf_never_cached_and_audited(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account])

    response = adviser.get(f"/staff/cases/{case.id}/export")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith('attachment; filename="case-')
    assert response.headers["content-disposition"].split(";")[1].strip().endswith('.pdf"')
    text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert NARRATIVE in text
    assert "Vertraulich" in text or "Confidential" in text
    assert actions(initialised_settings, case.id) == ["case.export"]


def test_a_case_without_a_key_for_the_member_is_refused_and_the_attempt_audited(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings)  # sealed for the recovery key only

    for path in ("", "/export", "/attachments/00000000-0000-0000-0000-000000000000"):
        response = adviser.get(f"/staff/cases/{case.id}{path}")
        assert response.status_code == 403
        assert NARRATIVE not in response.text
    assert audit_events(initialised_settings, case.id) == [(actor(adviser.staff_account), "case.denied", "")] * 3
    assert adviser.get("/staff/cases/00000000-0000-0000-0000-000000000000").status_code == 404


def test_statistician_and_admin_never_reach_case_content(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    coordinator = staff_client("coordinator")
    case = seed_case(initialised_settings)
    for role in ("statistician", "admin"):
        other = staff_client(role)
        for path in ("/staff/", f"/staff/cases/{case.id}", f"/staff/cases/{case.id}/export", "/staff/intake"):
            response = other.get(path, follow_redirects=False)
            assert response.status_code == 403, path
            assert NARRATIVE not in response.text
    assert NARRATIVE in coordinator.get(f"/staff/cases/{case.id}").text


def test_not_logged_in_is_sent_to_the_login_page(client: TestClient[Litestar], initialised_settings: Settings) -> None:
    case = seed_case(initialised_settings)
    response = client.get(f"/staff/cases/{case.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"
