"""The statistics' running tally follows every categorisation saved through the case page: after intake,
recategorisation and a withdrawn or given consent it equals a recount of the codes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.settings import Settings
from reporting.stats.aggregate import YearCounts, aggregate_year, recount_year
from reporting.tally import CONDITIONAL_DIMENSIONS
from reporting.taxonomy import STAT_DIMENSIONS
from tests.casework.case_helpers import use_cheap_receipts
from tests.casework.conftest import StaffClient, post_form
from tests.casework.test_cases_intake import case_id_of, intake_form
from tests.conftest import run_db

YEAR = dt.date.today().year


def tallied_and_recounted(settings: Settings) -> tuple[YearCounts, YearCounts]:
    async def read(db: AsyncSession) -> tuple[YearCounts, YearCounts]:
        tallied = await aggregate_year(db, YEAR, STAT_DIMENSIONS)
        recounted = await recount_year(db, YEAR, STAT_DIMENSIONS, conditional_dimensions=CONDITIONAL_DIMENSIONS)
        return tallied, recounted

    result: tuple[YearCounts, YearCounts] = run_db(settings, read)
    return result


def test_the_tally_follows_intake_recategorisation_and_consent(
    staff_client: StaffClient, initialised_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_receipts(monkeypatch)
    adviser = staff_client("adviser")
    cases = []
    for grounds in (["racism_ethnic_origin"], ["religion", "age"]):
        response = post_form(adviser, "/staff/intake", intake_form(adviser, grounds=grounds, issue_receipt=""))
        assert response.status_code == 201, response.text
        cases.append(case_id_of(response.text))
    tallied, recounted = tallied_and_recounted(initialised_settings)
    assert tallied == recounted
    assert (tallied.cases, tallied.by_code["grounds"]) == (2, {"racism_ethnic_origin": 1, "religion": 1, "age": 1})

    steps: list[dict[str, str | list[str]]] = [
        {"grounds": ["racism_ethnic_origin", "gender"], "racism_subtypes": ["antisemitism"], "regions": ["kleve"]},
        {"grounds": ["age", "gender"], "areas": ["housing"], "intersectional": "yes"},
        {"grounds": ["age"], "areas": ["housing"], "consent_statistics": ""},
        {"grounds": ["gender", "age", "religion"], "consent_statistics": "yes"},
    ]
    for step in steps:
        form: dict[str, str | list[str]] = {"consent_statistics": "yes", **step}
        response = post_form(adviser, f"/staff/cases/{cases[0]}/categorisation", form)
        assert response.status_code == 303, response.text
        tallied, recounted = tallied_and_recounted(initialised_settings)
        assert tallied == recounted, step
    assert tallied.by_code["grounds"] == {"gender": 1, "age": 2, "religion": 2}
    assert tallied.multiple_grounds == 2
