"""The adviser's categorisation: the statistical record of a case, codes only, no free text.

It is stored as ``case_code`` rows of origin ``staff`` (one per dimension and code) beside one
``categorisation`` row (the intersectional flag and the date). Retention keeps exactly this record when
the case content is crypto-shredded, so it must never hold anything a person could be recognised by.
Multiple discrimination is not stored: it is derived (two or more grounds), so it cannot contradict them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.workflow import CaseWork
from reporting.db.models import CaseCode, Categorisation, Report
from reporting.i18n import gettext_ as _
from reporting.tally import retallied
from reporting.taxonomy import (
    DIMENSIONS,
    GROUNDS,
    RACISM_SUBTYPES,
    REPORT_SOURCES,
    STAT_DIMENSIONS,
    Dimension,
    validate_codes,
)
from reporting.vault.sealing import lock_case
from reporting.vault.values import REPORTER, STAFF

CATEGORISATION_DIMENSIONS: tuple[Dimension, ...] = tuple(DIMENSIONS[code].for_staff() for code in STAT_DIMENSIONS)
"""What an adviser records, in form order (the dimensions the statistics count)."""
RACISM = "racism_ethnic_origin"
INTERSECTIONAL_FIELD = "intersectional"
CONSENT_FIELD = "consent_statistics"
ONLINE_SOURCE = REPORT_SOURCES.get("online").code


def is_multiple_discrimination(grounds: Sequence[str]) -> bool:
    """Multiple discrimination is derived, never stored: two or more grounds."""
    return len(grounds) >= 2


def adviser_records_consent(source: str) -> bool:
    """Walk-in and phone cases: the adviser records the person's consent to statistical use (online,
    the reporter gave or refused it on the form, and staff cannot change that)."""
    return source != ONLINE_SOURCE


@dataclass(frozen=True)
class CategorisationInput:
    """A validated categorisation; ``consent_statistics`` is None where the reporter gave it (online)."""

    codes: dict[str, list[str]] = field(default_factory=dict)
    intersectional: bool = False
    consent_statistics: bool | None = None

    def is_empty(self) -> bool:
        return not any(self.codes.values()) and not self.intersectional

    def audit_detail(self) -> str:
        """The audit log names the action, never the codes: the log is kept for good, and codes such as the
        region would make a case recognisable there long after its content was shredded. Only a recorded
        statistics consent is noted (who recorded it matters)."""
        if self.consent_statistics is None:
            return ""
        return f"consent={'yes' if self.consent_statistics else 'no'}"


@dataclass(frozen=True)
class CaseCodes:
    """The codes a case carries now: the adviser's record and what the reporter chose on the form."""

    staff: dict[str, list[str]]
    reporter: dict[str, list[str]]
    intersectional: bool
    categorised_on: dt.date | None


def parse_categorisation(
    form: Mapping[str, Sequence[str]], *, records_consent: bool
) -> tuple[CategorisationInput, dict[str, str]]:
    """Validate the submitted form (``name -> values``); return the input and errors by field name.

    ``records_consent`` is set for walk-in and phone cases, where the adviser records the person's
    consent to statistical use; for online reports it is the reporter's own answer and stays untouched.
    """
    errors: dict[str, str] = {}
    codes: dict[str, list[str]] = {}
    for dimension in CATEGORISATION_DIMENSIONS:
        submitted = [value for value in form.get(dimension.code, ()) if value]
        try:
            codes[dimension.code] = validate_codes(dimension.code, submitted)
        except ValueError:
            errors[dimension.code] = (
                _("Choose from the list.") if dimension.multiple else _("Choose one value from the list.")
            )
    if codes.get(RACISM_SUBTYPES.code) and RACISM not in codes.get(GROUNDS.code, []):
        errors[RACISM_SUBTYPES.code] = _(
            "Forms of racism can only be recorded together with the ground racist attribution / ethnic origin."
        )
    intersectional = "yes" in form.get(INTERSECTIONAL_FIELD, ())
    if intersectional and not is_multiple_discrimination(codes.get(GROUNDS.code, [])):
        errors[INTERSECTIONAL_FIELD] = _("Intersectional discrimination needs at least two grounds.")
    consent = ("yes" in form.get(CONSENT_FIELD, ())) if records_consent else None
    return CategorisationInput(codes=codes, intersectional=intersectional, consent_statistics=consent), errors


async def load_case_codes(db: AsyncSession, report_id: uuid.UUID) -> CaseCodes:
    by_origin: dict[str, dict[str, list[str]]] = {STAFF: {}, REPORTER: {}}
    rows = await db.execute(
        select(CaseCode.origin, CaseCode.dimension, CaseCode.code).where(CaseCode.report_id == report_id)
    )
    for origin, dimension, code in rows:
        by_origin.setdefault(origin, {}).setdefault(dimension, []).append(code)
    for codes in by_origin.values():
        for dimension, values in codes.items():
            if dimension in DIMENSIONS:
                order = DIMENSIONS[dimension].codes()
                values.sort(key=lambda code: order.index(code) if code in order else len(order))
    categorisation = await db.get(Categorisation, report_id)
    return CaseCodes(
        staff=by_origin[STAFF],
        reporter=by_origin[REPORTER],
        intersectional=categorisation.intersectional if categorisation else False,
        categorised_on=categorisation.categorised_on if categorisation else None,
    )


async def save_categorisation(work: CaseWork, report: Report, data: CategorisationInput) -> None:
    """Replace the adviser's record of ``report`` with ``data`` and audit it (codes only).

    The case is locked first, so a double click waits for the first save and then replaces it.
    """
    db = work.db
    await lock_case(db, report)
    today = dt.date.today()
    async with retallied(db, [report.id]):  # the statistics' running counts follow the record
        await db.execute(delete(CaseCode).where(CaseCode.report_id == report.id, CaseCode.origin == STAFF))
        db.add_all(
            CaseCode(report_id=report.id, origin=STAFF, dimension=dimension, code=code)
            for dimension, codes in data.codes.items()
            for code in codes
        )
        categorisation = await db.get(Categorisation, report.id)
        if categorisation is None:
            db.add(Categorisation(report_id=report.id, intersectional=data.intersectional, categorised_on=today))
        else:
            categorisation.intersectional = data.intersectional
            categorisation.categorised_on = today
        if data.consent_statistics is not None:
            report.consent_statistics = data.consent_statistics
        report.last_activity_on = today
    await work.record("case.categorise", report.id, data.audit_detail())
