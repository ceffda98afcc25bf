"""Categorisation: the statistical record of a case, taxonomy codes only, validated and audited."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.categorisation import (
    CATEGORISATION_DIMENSIONS,
    is_multiple_discrimination,
    parse_categorisation,
)
from reporting.config.settings import Settings
from reporting.db.models import Categorisation
from reporting.taxonomy import STAT_DIMENSIONS
from tests.casework.case_helpers import audit_events, load_report, seed_case, staff_codes
from tests.casework.conftest import StaffClient, post_form
from tests.conftest import run_db

FULL_RECORD = {
    "grounds": ["racism_ethnic_origin", "religion"],
    "racism_subtypes": ["anti_muslim"],
    "areas": ["housing"],
    "forms": ["direct", "harassment"],
    "levels": ["individual"],
    "incident_types": ["discrimination"],
    "reporter_roles": ["affected"],
    "targets": ["person"],
    "regions": ["muenster"],
    "agg_applicable": ["yes"],
    "interventions": ["counselling", "complaint_letter"],
    "intersectional": ["yes"],
}


def test_every_statistics_dimension_is_on_the_form() -> None:
    assert [dimension.code for dimension in CATEGORISATION_DIMENSIONS] == list(STAT_DIMENSIONS)
    assert all("unknown" not in dimension for dimension in CATEGORISATION_DIMENSIONS)


def test_a_full_record_is_accepted_in_taxonomy_order() -> None:
    data, errors = parse_categorisation(
        {**FULL_RECORD, "grounds": ["religion", "racism_ethnic_origin", "religion"]}, records_consent=False
    )
    assert errors == {}
    assert data.codes["grounds"] == ["racism_ethnic_origin", "religion"]
    assert is_multiple_discrimination(data.codes["grounds"])
    assert data.intersectional
    assert data.consent_statistics is None
    assert data.audit_detail() == ""  # the audit log never lists codes


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"grounds": ["religion"], "racism_subtypes": ["antisemitism"]}, "racism_subtypes"),
        ({"grounds": ["religion"], "intersectional": ["yes"]}, "intersectional"),
        ({"grounds": ["unknown"]}, "grounds"),  # "don't know" is for reporters only
        ({"areas": ["housing", "employment"]}, "areas"),  # one area per case
        ({"levels": ["galactic"]}, "levels"),
    ],
)
def test_invalid_records_are_refused_by_field(form: dict[str, list[str]], field: str) -> None:
    _data, errors = parse_categorisation(form, records_consent=False)
    assert set(errors) == {field}


def test_consent_is_recorded_only_where_the_adviser_records_it() -> None:
    assert parse_categorisation({"consent_statistics": ["yes"]}, records_consent=True)[0].consent_statistics is True
    assert parse_categorisation({}, records_consent=True)[0].consent_statistics is False
    assert parse_categorisation({"consent_statistics": ["yes"]}, records_consent=False)[0].consent_statistics is None


def test_saving_replaces_the_advisers_record_and_audits_codes_only(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account], reporter_codes={"grounds": ["unknown"]}).id
    url = f"/staff/cases/{case}/categorisation"

    response = post_form(adviser, url, FULL_RECORD)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/cases/{case}?saved=categorisation#categorisation"
    assert staff_codes(initialised_settings, case)["grounds"] == ["racism_ethnic_origin", "religion"]
    page = adviser.get(f"/staff/cases/{case}").text
    assert "Dieser Fall: Mehrfachdiskriminierung." in page

    assert post_form(adviser, url, {"grounds": ["age"], "areas": ["employment"]}).status_code == 303
    assert staff_codes(initialised_settings, case) == {"grounds": ["age"], "areas": ["employment"]}

    async def categorisation(db: AsyncSession) -> Categorisation | None:
        return await db.get(Categorisation, case)

    record = run_db(initialised_settings, categorisation)
    assert record is not None
    assert record.intersectional is False
    details = [detail for _, action, detail in audit_events(initialised_settings, case) if action == "case.categorise"]
    # The audit log names the action only: no codes, no region (it is kept for good).
    assert details == ["", ""]
    # The reporter's own answer stays as it was, beside the adviser's record.
    assert "Weiß nicht" in page


def test_a_refused_record_shows_the_form_again_with_the_choices_kept(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    case = seed_case(initialised_settings, readers=[adviser.staff_account]).id

    response = post_form(
        adviser,
        f"/staff/cases/{case}/categorisation",
        {"grounds": ["religion"], "racism_subtypes": ["antisemitism"], "areas": ["housing"]},
    )

    assert response.status_code == 400
    assert "Formen von Rassismus können nur zusammen" in response.text
    assert 'value="antisemitism" checked' in response.text
    assert 'value="housing" selected' in response.text
    assert staff_codes(initialised_settings, case) == {}


def test_the_form_starts_from_the_reporters_answers(staff_client: StaffClient, initialised_settings: Settings) -> None:
    adviser = staff_client("adviser")
    case = seed_case(
        initialised_settings,
        readers=[adviser.staff_account],
        reporter_codes={"grounds": ["religion", "unknown"], "areas": ["housing"], "incident_period": ["earlier"]},
    ).id
    page = adviser.get(f"/staff/cases/{case}").text
    assert 'name="grounds" value="religion" checked' in page
    assert 'value="housing" selected' in page
    assert "Noch nicht gespeichert" in page


def test_consent_for_statistics_is_set_by_the_adviser_only_for_walk_in_cases(
    staff_client: StaffClient, initialised_settings: Settings
) -> None:
    adviser = staff_client("adviser")
    online = seed_case(initialised_settings, readers=[adviser.staff_account]).id  # the reporter consented
    walk_in = seed_case(initialised_settings, readers=[adviser.staff_account], source="walk_in").id

    assert 'name="consent_statistics"' not in adviser.get(f"/staff/cases/{online}").text
    assert 'name="consent_statistics"' in adviser.get(f"/staff/cases/{walk_in}").text
    for case in (online, walk_in):
        assert post_form(adviser, f"/staff/cases/{case}/categorisation", {"grounds": ["age"]}).status_code == 303
    assert load_report(initialised_settings, online).consent_statistics is True  # unchanged
    assert load_report(initialised_settings, walk_in).consent_statistics is False  # box not ticked
