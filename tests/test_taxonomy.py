"""The taxonomy: complete against the domain reference, consistent, and safe to validate against."""

from datetime import date

import pytest

from reporting import taxonomy
from reporting.taxonomy import (
    DIMENSIONS,
    GROUNDS,
    MULTI_VALUED_STAT_DIMENSIONS,
    STAFF_GROUNDS,
    STAT_DIMENSIONS,
    Dimension,
    Term,
    incident_period_choices,
    validate_codes,
)

EXPECTED_CODES = {
    "grounds": (
        "racism_ethnic_origin",
        "religion",
        "belief",
        "gender",
        "gender_identity",
        "sexual_identity",
        "disability",
        "chronic_illness",
        "age",
        "language",
        "social_status",
        "nationality",
        "residence_status",
        "skin_colour",
        "other",
        "unknown",
    ),
    "racism_subtypes": (
        "antisemitism",
        "anti_muslim",
        "antiziganism",
        "anti_black",
        "anti_asian",
        "anti_refugee",
        "other",
    ),
    "areas": (
        "employment",
        "housing",
        "education",
        "authorities",
        "immigration_office",
        "jobcenter_social_benefits",
        "asylum_accommodation",
        "police_justice",
        "health_care",
        "goods_services",
        "public_space",
        "media_internet",
        "neighbourhood",
        "church_caritas",
        "other",
    ),
    "forms": (
        "direct",
        "indirect",
        "harassment",
        "sexual_harassment",
        "instruction",
        "victimisation",
        "denial_reasonable_accommodation",
    ),
    "levels": ("individual", "institutional", "structural"),
    "incident_types": ("discrimination", "verbal", "threat", "assault", "property_damage", "other"),
    "reporter_roles": ("affected", "relative", "witness", "professional", "organisation"),
    "targets": ("person", "group", "institution"),
    "affected": ("me", "someone_else", "group", "institution"),
    "regions": (
        "muenster",
        "borken",
        "coesfeld",
        "kleve",
        "recklinghausen",
        "steinfurt",
        "warendorf",
        "wesel",
        "oldenburg",
        "outside_diocese",
        "not_stated",
    ),
    "agg_applicable": ("yes", "no", "unclear"),
    "interventions": (
        "information",
        "counselling",
        "complaint_letter",
        "statement_requested",
        "mediation",
        "accompaniment",
        "referral",
        "amicable_settlement",
        "legal_action",
        "criminal_complaint",
        "documentation_only",
        "contact_lost",
    ),
    "case_statuses": ("new", "reply_received", "in_progress", "waiting_for_reporter", "closed"),
    "close_reasons": ("resolved", "referred", "no_contact", "withdrawn", "other"),
    "report_sources": ("online", "walk_in", "phone"),
    "yes_no_unsure": ("yes", "no", "unsure"),
}

GERMAN_TERMS = [
    ("grounds", "racism_ethnic_origin", "Rassistische Zuschreibung / ethnische Herkunft"),
    ("grounds", "belief", "Weltanschauung"),
    ("grounds", "age", "Lebensalter"),
    ("grounds", "skin_colour", "Hautfarbe / Colorism"),
    ("grounds", "residence_status", "Aufenthaltsstatus"),
    ("racism_subtypes", "antiziganism", "Antiziganismus"),
    ("racism_subtypes", "anti_black", "Anti-Schwarzer Rassismus"),
    ("racism_subtypes", "anti_refugee", "Rassismus gegen Geflüchtete"),
    ("areas", "immigration_office", "Ausländerbehörde"),
    ("areas", "jobcenter_social_benefits", "Jobcenter / Sozialleistungen"),
    ("areas", "asylum_accommodation", "Unterkunft / Asylverfahren"),
    ("areas", "church_caritas", "Kirchliche oder caritative Einrichtung"),
    ("areas", "goods_services", "Güter und Dienstleistungen"),
    ("forms", "victimisation", "Maßregelung"),
    ("forms", "denial_reasonable_accommodation", "Verweigerung angemessener Vorkehrungen"),
    ("levels", "institutional", "Institutionell"),
    ("incident_types", "property_damage", "Gezielte Sachbeschädigung"),
    ("reporter_roles", "witness", "Zeug*in"),
    ("reporter_roles", "affected", "Betroffene Person"),
    ("targets", "institution", "Einrichtung"),
    ("regions", "muenster", "Stadt Münster"),
    ("regions", "recklinghausen", "Kreis Recklinghausen"),
    (
        "regions",
        "oldenburg",
        "Oldenburger Land (Oldenburg, Cloppenburg, Vechta, Delmenhorst, Wilhelmshaven und Umgebung)",
    ),
    ("interventions", "information", "Information / rechtliche Erstauskunft"),
    ("interventions", "contact_lost", "Kontaktabbruch"),
]


def test_every_dimension_of_the_reference_is_complete_and_in_order() -> None:
    assert {code: dimension.codes() for code, dimension in DIMENSIONS.items()} == EXPECTED_CODES
    assert all(code == dimension.code for code, dimension in DIMENSIONS.items())


@pytest.mark.parametrize(("dimension", "code", "german"), GERMAN_TERMS)
def test_german_terms_follow_the_reference(dimension: str, code: str, german: str) -> None:
    assert DIMENSIONS[dimension].get(code).label("de") == german


@pytest.mark.parametrize("dimension", list(DIMENSIONS.values()), ids=list(DIMENSIONS))
def test_labels_are_present_and_tell_terms_apart(dimension: Dimension) -> None:
    assert dimension.label("de").strip()
    assert dimension.label("en").strip()
    for language in ("de", "en"):
        labels = [term.label(language) for term in dimension.terms]
        assert all(label.strip() == label and label for label in labels)
        assert len(set(labels)) == len(labels), f"{dimension.code}: two terms share a {language} label"
    assert all(term.code.isidentifier() and term.code.islower() for term in dimension.terms)


def test_codes_must_be_unique_within_a_dimension() -> None:
    with pytest.raises(ValueError, match="repeats the codes"):
        Dimension("x", "X", (Term("a", "A"), Term("a", "B")), multiple=False)


def test_labels_come_from_the_catalogue_of_each_language() -> None:
    witness = taxonomy.REPORTER_ROLES.get("witness")

    assert witness.label("de") == "Zeug*in"
    assert witness.label("en") == "Witness"
    assert witness.label("uk") == "Свідок / свідкиня"
    assert witness.label("ar") == "شاهد/ة"
    assert taxonomy.AREAS.label("en") == "Areas of life"


def test_hints_explain_terms_that_need_it() -> None:
    education = taxonomy.AREAS.get("education")

    assert education.hint("de") == "Kita, Schule, Hochschule, Ausbildung"
    assert education.hint("en") == "Day care, school, university, vocational training"
    assert taxonomy.AREAS.get("housing").hint("de") == ""


def test_dimension_lookup() -> None:
    assert "immigration_office" in taxonomy.AREAS
    assert "nonsense" not in taxonomy.AREAS
    assert taxonomy.AREAS.get("housing").label("en") == "Housing / housing market"
    with pytest.raises(KeyError, match="nonsense"):
        taxonomy.AREAS.get("nonsense")
    assert taxonomy.TARGETS.choices("de") == [
        ("person", "Einzelperson"),
        ("group", "Gruppe"),
        ("institution", "Einrichtung"),
    ]


def test_dont_know_is_for_the_reporter_form_only() -> None:
    assert GROUNDS.get("unknown").reporter_only
    assert "unknown" not in STAFF_GROUNDS
    assert STAFF_GROUNDS.codes() == GROUNDS.codes()[:-1]
    assert GROUNDS.for_staff() == STAFF_GROUNDS
    assert not any(
        term.reporter_only for dimension in DIMENSIONS.values() if dimension is not GROUNDS for term in dimension.terms
    )
    with pytest.raises(ValueError, match="'unknown'"):
        validate_codes("grounds", ["religion", "unknown"])
    assert validate_codes("grounds", ["unknown"], allow_reporter_only=True) == ["unknown"]


def test_statistics_count_the_categorisation_dimensions() -> None:
    assert STAT_DIMENSIONS == (
        "grounds",
        "racism_subtypes",
        "areas",
        "forms",
        "levels",
        "incident_types",
        "reporter_roles",
        "targets",
        "regions",
        "agg_applicable",
        "interventions",
    )
    assert set(STAT_DIMENSIONS) <= set(DIMENSIONS)
    assert sorted(MULTI_VALUED_STAT_DIMENSIONS) == ["forms", "grounds", "interventions", "levels", "racism_subtypes"]


def test_validate_codes_returns_each_code_once_in_taxonomy_order() -> None:
    assert validate_codes("grounds", ["age", "religion", "age"]) == ["religion", "age"]
    assert validate_codes("areas", ["housing"]) == ["housing"]
    assert validate_codes("forms", []) == []


@pytest.mark.parametrize(
    ("dimension", "codes", "message"),
    [
        ("grounds", ["religion", "ethnicity"], "'ethnicity' is not a valid code of dimension 'grounds'"),
        ("areas", ["Housing"], "'Housing'"),
        ("areas", ["housing", "employment"], "takes one code"),
        ("colours", ["red"], "unknown dimension 'colours'"),
    ],
)
def test_validate_codes_names_what_is_wrong(dimension: str, codes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_codes(dimension, codes)


def test_incident_period_offers_twelve_months_then_earlier_in_german_by_default() -> None:
    choices = incident_period_choices(date(2026, 11, 25))

    assert len(choices) == 13
    assert choices[0] == ("2026-11", "November 2026")
    assert choices[1] == ("2026-10", "Oktober 2026")
    assert choices[8] == ("2026-03", "März 2026")
    assert choices[11] == ("2025-12", "Dezember 2025")
    assert choices[12] == ("earlier", "Vor mehr als 12 Monaten")
    assert len({code for code, _ in choices}) == 13


def test_incident_period_crosses_the_year_and_speaks_the_language() -> None:
    january = incident_period_choices(date(2027, 1, 3), "en")
    arabic = incident_period_choices(date(2027, 1, 3), "ar")

    assert [code for code, _ in january] == [
        "2027-01",
        *(f"2026-{month:02d}" for month in range(12, 1, -1)),
        "earlier",
    ]
    assert january[1] == ("2026-12", "December 2026")
    assert january[-1] == ("earlier", "More than 12 months ago")
    assert arabic[0] == ("2027-01", "يناير 2027")
    assert arabic[-1] == ("earlier", "قبل أكثر من 12 شهراً")
