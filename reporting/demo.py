"""Synthetic reports for trying the service and its statistics out.

The reports go through the same sealing as real ones (``vault.sealing.create_report``: content encrypted for
the recovery key and the coordinators of the office serving the case's region; walk-in and phone cases
belong to the office of that region too), and most get an adviser's categorisation drawn from plausible
distributions over the taxonomy, with some multi-ground and intersectional cases, so that the staff
area and the annual report look like they will in use. Every narrative is invented.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.db.models import CaseCode, Categorisation
from reporting.tally import count_in
from reporting.taxonomy import validate_codes
from reporting.vault.offices import serving_office_id
from reporting.vault.sealing import create_report
from reporting.vault.values import STAFF, ReportContent, ReportMetadata

Weights = Mapping[str, float]

LANGUAGES: Weights = {"de": 55, "ar": 12, "fa": 7, "tr": 7, "uk": 8, "ru": 5, "en": 6}
SOURCES: Weights = {"online": 70, "walk_in": 24, "phone": 6}
CONSENT_RATE = 0.88
CATEGORISED_RATE = 0.92
CLOSED_RATE = 0.6
MISSING_RATE = 0.04
"""Share of categorised cases where an adviser left an optional dimension empty."""
GROUND_COUNT: Weights = {"1": 68, "2": 24, "3": 8}
INTERSECTIONAL_RATE = 0.4
"""Of the cases with two or more grounds."""

GROUNDS: Weights = {
    "racism_ethnic_origin": 44,
    "religion": 8,
    "belief": 0.5,
    "gender": 8,
    "gender_identity": 1.5,
    "sexual_identity": 2,
    "disability": 9,
    "chronic_illness": 2.5,
    "age": 5,
    "language": 5,
    "social_status": 4,
    "nationality": 5,
    "residence_status": 7,
    "skin_colour": 5,
    "other": 2,
}
RACISM_SUBTYPES: Weights = {
    "anti_muslim": 24,
    "anti_refugee": 24,
    "anti_black": 15,
    "antisemitism": 8,
    "antiziganism": 8,
    "anti_asian": 6,
    "other": 15,
}
AREAS: Weights = {
    "employment": 18,
    "housing": 15,
    "education": 10,
    "authorities": 9,
    "immigration_office": 9,
    "jobcenter_social_benefits": 8,
    "asylum_accommodation": 4,
    "police_justice": 4,
    "health_care": 5,
    "goods_services": 8,
    "public_space": 8,
    "media_internet": 2,
    "neighbourhood": 4,
    "church_caritas": 1,
    "other": 2,
}
PUBLIC_AREAS = frozenset(
    {"authorities", "immigration_office", "jobcenter_social_benefits", "asylum_accommodation", "police_justice"}
)
FORMS: Weights = {
    "direct": 55,
    "indirect": 15,
    "harassment": 30,
    "sexual_harassment": 3,
    "instruction": 2,
    "victimisation": 3,
    "denial_reasonable_accommodation": 3,
}
LEVELS: Weights = {"individual": 65, "institutional": 30, "structural": 15}
INCIDENT_TYPES: Weights = {
    "discrimination": 60,
    "verbal": 25,
    "threat": 6,
    "assault": 4,
    "property_damage": 2,
    "other": 3,
}
REPORTER_ROLES: Weights = {"affected": 70, "relative": 8, "witness": 10, "professional": 10, "organisation": 2}
TARGETS: Weights = {"person": 85, "group": 10, "institution": 5}
REGIONS: Weights = {
    "muenster": 12,
    "borken": 10,
    "coesfeld": 6,
    "kleve": 8,
    "recklinghausen": 17,
    "steinfurt": 11,
    "warendorf": 7,
    "wesel": 12,
    "oldenburg": 11,
    "outside_diocese": 2,
    "not_stated": 4,
}
INTERVENTIONS: Weights = {
    "information": 40,
    "counselling": 60,
    "complaint_letter": 15,
    "statement_requested": 10,
    "mediation": 8,
    "accompaniment": 8,
    "referral": 12,
    "amicable_settlement": 4,
    "legal_action": 2,
    "criminal_complaint": 3,
    "documentation_only": 10,
    "contact_lost": 8,
}
MONTH_WEIGHTS: Sequence[float] = (8, 8, 9, 8, 9, 7, 6, 6, 9, 10, 10, 10)
"""Fewer reports in the summer holidays."""

NARRATIVES: Sequence[str] = (
    "Bei der Wohnungsbesichtigung hieß es, an Menschen wie mich werde nicht vermietet. (Erfundenes Beispiel)",
    "Im Bewerbungsgespräch wurde ich nach meinem Kopftuch gefragt und danach abgelehnt. (Erfundenes Beispiel)",
    "In der Behörde wurde ich ohne Dolmetschung weggeschickt. (Erfundenes Beispiel)",
    "Im Bus hat mich ein Mann beschimpft, niemand hat geholfen. (Erfundenes Beispiel)",
    "Meinem Kind wurde in der Schule gesagt, es solle zurück in sein Land gehen. (Erfundenes Beispiel)",
    "Der Vermieter hat die Reparatur verweigert, seit er meinen Aufenthaltstitel gesehen hat. (Erfundenes Beispiel)",
    "At the club door they let my friends in but not me. (Invented example)",
    "In der Arztpraxis bekam ich wegen meines Namens keinen Termin. (Erfundenes Beispiel)",
)


@dataclass(frozen=True)
class SeedResult:
    created: int
    categorised: int
    consenting: int


def _choose(rng: random.Random, weights: Weights) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _choose_several(rng: random.Random, weights: Weights, count: int) -> list[str]:
    """``count`` distinct codes, drawn by weight without replacement."""
    remaining = dict(weights)
    chosen: list[str] = []
    while remaining and len(chosen) < count:
        code = _choose(rng, remaining)
        chosen.append(code)
        del remaining[code]
    return chosen


def _received_on(rng: random.Random, year: int) -> dt.date:
    month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, rng.randint(1, last_day))


def synthetic_categorisation(rng: random.Random) -> tuple[dict[str, list[str]], bool]:
    """An adviser's record: codes by dimension and the intersectional flag, plausibly distributed."""
    grounds = _choose_several(rng, GROUNDS, int(_choose(rng, GROUND_COUNT)))
    area = _choose(rng, AREAS)
    codes: dict[str, list[str]] = {
        "grounds": grounds,
        "areas": [area],
        "forms": _choose_several(rng, FORMS, rng.choice((1, 1, 1, 2))),
        "levels": _choose_several(rng, LEVELS, rng.choice((1, 1, 2))),
        "incident_types": [_choose(rng, INCIDENT_TYPES)],
        "reporter_roles": [_choose(rng, REPORTER_ROLES)],
        "targets": [_choose(rng, TARGETS)],
        "regions": [_choose(rng, REGIONS)],
        "interventions": _choose_several(rng, INTERVENTIONS, rng.choice((1, 1, 2, 2, 3))),
    }
    if "racism_ethnic_origin" in grounds and rng.random() > 0.1:
        codes["racism_subtypes"] = _choose_several(rng, RACISM_SUBTYPES, rng.choice((1, 1, 1, 2)))
    if area in PUBLIC_AREAS:
        codes["agg_applicable"] = [_choose(rng, {"no": 75, "unclear": 20, "yes": 5})]
    else:
        codes["agg_applicable"] = [_choose(rng, {"yes": 55, "no": 20, "unclear": 25})]
    for optional in ("levels", "targets", "agg_applicable", "interventions"):
        if rng.random() < MISSING_RATE:
            codes.pop(optional)
    for dimension, values in codes.items():
        validate_codes(dimension, values)  # the weights above must only name staff codes
    intersectional = len(grounds) >= 2 and rng.random() < INTERSECTIONAL_RATE
    return codes, intersectional


async def seed_demo_reports(
    session: AsyncSession,
    *,
    settings: Settings,
    secrets: InstanceSecrets,
    cases: int,
    year: int,
    rng: random.Random,
) -> SeedResult:
    """Seal ``cases`` synthetic reports received in ``year`` and categorise most of them."""
    categorised = consenting = 0
    tallied = []
    for _ in range(cases):
        received_on = _received_on(rng, year)
        source = _choose(rng, SOURCES)
        consent = rng.random() < CONSENT_RATE
        codes, intersectional = synthetic_categorisation(rng)
        online = source == "online"
        reporter_codes = (
            {"grounds": codes["grounds"][:1], "areas": codes["areas"], "regions": codes["regions"]} if online else {}
        )
        walk_in_office = None if online else await serving_office_id(session, codes["regions"][0])
        report, _receipt = await create_report(
            session,
            settings=settings,
            secrets=secrets,
            content=ReportContent(narrative=rng.choice(NARRATIVES)),
            metadata=ReportMetadata(
                received_on=received_on,
                language=_choose(rng, LANGUAGES) if source == "online" else "de",
                source=source,
                consent_statistics=consent,
                wants_counselling=rng.random() < 0.6,
                reporter_codes=reporter_codes,
            ),
            # A receipt costs an Argon2id run (about 0.2 s); nobody will ever open a demo mailbox.
            issue_receipt=False,
            office_id=walk_in_office,
        )
        consenting += consent
        if rng.random() >= CATEGORISED_RATE:
            continue
        categorised += 1
        categorised_on = min(received_on + dt.timedelta(days=rng.randint(0, 30)), dt.date(year, 12, 31))
        report.status = "closed" if rng.random() < CLOSED_RATE else "in_progress"
        if report.status == "closed":
            report.close_reason = _choose(rng, {"resolved": 50, "referred": 20, "no_contact": 20, "other": 10})
            report.closed_on = categorised_on
        report.last_activity_on = categorised_on
        session.add(Categorisation(report_id=report.id, intersectional=intersectional, categorised_on=categorised_on))
        session.add_all(
            CaseCode(report_id=report.id, origin=STAFF, dimension=dimension, code=code)
            for dimension, values in codes.items()
            for code in values
        )
        await session.flush()
        tallied.append(report.id)
    await count_in(session, tallied)  # as a categorisation through the case page would
    return SeedResult(created=cases, categorised=categorised, consenting=consenting)
