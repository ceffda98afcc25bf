"""Every category the service knows, as data: stable codes and English message ids.

The public form, the staff area and the statistics all read their choices from
here, so a category means the same thing everywhere and a code never changes
meaning once reports carry it. German terms follow German anti-discrimination
counselling and documentation practice (AGG, DeZIM/ADS minimum standards, advd,
RIAS, CLAIM, MIA). Labels are gettext message ids (``N_``) translated by the
``taxonomy.po`` catalogue of each language, like every other text of the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from babel.dates import format_date

from reporting.i18n import N_, babel_locale, translations


@dataclass(frozen=True)
class Term:
    """One value of a dimension. ``reporter_only`` values may be chosen on the public
    form but never by staff and never counted, e.g. "don't know" for the ground."""

    code: str
    message: str
    hint_message: str = ""
    reporter_only: bool = False

    def label(self, lang: str) -> str:
        return translations(lang).gettext(self.message)

    def hint(self, lang: str) -> str:
        """Short explanation shown under the label on forms; empty when the label says it all."""
        return translations(lang).gettext(self.hint_message) if self.hint_message else ""


@dataclass(frozen=True)
class Dimension:
    """A named list of terms; ``multiple`` says whether one case may carry several of them."""

    code: str
    message: str
    terms: tuple[Term, ...]
    multiple: bool

    def __post_init__(self) -> None:
        codes = [term.code for term in self.terms]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"dimension {self.code!r} repeats the codes {duplicates}")

    def codes(self) -> tuple[str, ...]:
        return tuple(term.code for term in self.terms)

    def get(self, code: str) -> Term:
        for term in self.terms:
            if term.code == code:
                return term
        raise KeyError(f"{code!r} is not a code of dimension {self.code!r}")

    def __contains__(self, code: object) -> bool:
        return any(term.code == code for term in self.terms)

    def label(self, lang: str) -> str:
        return translations(lang).gettext(self.message)

    def choices(self, lang: str) -> list[tuple[str, str]]:
        """(code, label) pairs in taxonomy order, ready for a select or a set of checkboxes."""
        return [(term.code, term.label(lang)) for term in self.terms]

    def for_staff(self) -> Dimension:
        """The same dimension without reporter-only terms: what staff categorise and statistics count."""
        return replace(self, terms=tuple(term for term in self.terms if not term.reporter_only))


GROUNDS = Dimension(
    "grounds",
    N_("Grounds"),
    (
        Term(
            "racism_ethnic_origin",
            N_("Racist attribution / ethnic origin"),
            hint_message=N_("Because of origin, name, appearance or accent"),
        ),
        Term("religion", N_("Religion")),
        Term("belief", N_("Belief"), hint_message=N_("A world view that is not a religion")),
        Term("gender", N_("Gender")),
        Term(
            "gender_identity", N_("Gender identity"), hint_message=N_("For example trans, inter or non-binary people")
        ),
        Term("sexual_identity", N_("Sexual identity"), hint_message=N_("For example lesbian, gay or bisexual people")),
        Term("disability", N_("Disability")),
        Term("chronic_illness", N_("Chronic illness")),
        Term("age", N_("Age")),
        Term("language", N_("Language")),
        Term(
            "social_status", N_("Social status"), hint_message=N_("For example poverty, homelessness, education or job")
        ),
        Term("nationality", N_("Nationality")),
        Term(
            "residence_status",
            N_("Residence status"),
            hint_message=N_("For example asylum, Duldung or residence permit"),
        ),
        Term(
            "skin_colour",
            N_("Skin colour / colourism"),
            hint_message=N_("Also unfair treatment because skin is lighter or darker"),
        ),
        Term("other", N_("Other")),
        Term("unknown", N_("Don't know"), reporter_only=True),
    ),
    multiple=True,
)
STAFF_GROUNDS = GROUNDS.for_staff()

RACISM_SUBTYPES = Dimension(
    "racism_subtypes",
    N_("Forms of racism"),
    (
        Term("antisemitism", N_("Antisemitism")),
        Term("anti_muslim", N_("Anti-Muslim racism")),
        Term("antiziganism", N_("Antigypsyism")),
        Term("anti_black", N_("Anti-Black racism")),
        Term("anti_asian", N_("Anti-Asian racism")),
        Term("anti_refugee", N_("Racism against refugees")),
        Term("other", N_("Other racism")),
    ),
    multiple=True,
)

AREAS = Dimension(
    "areas",
    N_("Areas of life"),
    (
        Term("employment", N_("Employment")),
        Term("housing", N_("Housing / housing market")),
        Term(
            "education",
            N_("Education"),
            hint_message=N_("Day care, school, university, vocational training"),
        ),
        Term("authorities", N_("Public authorities")),
        Term("immigration_office", N_("Immigration office")),
        Term("jobcenter_social_benefits", N_("Jobcentre / social benefits")),
        Term("asylum_accommodation", N_("Accommodation / asylum procedure")),
        Term("police_justice", N_("Police and justice")),
        Term("health_care", N_("Health and care")),
        Term(
            "goods_services",
            N_("Goods and services"),
            hint_message=N_("Shops, restaurants and bars, banks, insurance, transport"),
        ),
        Term("public_space", N_("Public space and leisure")),
        Term("media_internet", N_("Media and internet")),
        Term("neighbourhood", N_("Neighbourhood")),
        Term("church_caritas", N_("Church or Caritas institution")),
        Term("other", N_("Other")),
    ),
    multiple=False,
)

FORMS = Dimension(
    "forms",
    N_("Forms of discrimination"),
    (
        Term("direct", N_("Direct discrimination")),
        Term("indirect", N_("Indirect discrimination")),
        Term("harassment", N_("Harassment")),
        Term("sexual_harassment", N_("Sexual harassment")),
        Term("instruction", N_("Instruction to discriminate")),
        Term("victimisation", N_("Victimisation"), hint_message=N_("Section 16 AGG")),
        Term(
            "denial_reasonable_accommodation",
            N_("Denial of reasonable accommodation"),
        ),
    ),
    multiple=True,
)

LEVELS = Dimension(
    "levels",
    N_("Level"),
    (
        Term("individual", N_("Individual"), hint_message=N_("One person acts")),
        Term(
            "institutional",
            N_("Institutional"),
            hint_message=N_("Rules and routines of one organisation"),
        ),
        Term(
            "structural",
            N_("Structural"),
            hint_message=N_("Laws, procedures, societal patterns"),
        ),
    ),
    multiple=True,
)

INCIDENT_TYPES = Dimension(
    "incident_types",
    N_("Type of incident"),
    (
        Term("discrimination", N_("Discrimination / unequal treatment")),
        Term("verbal", N_("Hurtful behaviour, verbal attacks")),
        Term("threat", N_("Threat")),
        Term("assault", N_("Assault / physical violence")),
        Term("property_damage", N_("Targeted damage to property")),
        Term("other", N_("Other")),
    ),
    multiple=False,
)

REPORTER_ROLES = Dimension(
    "reporter_roles",
    N_("Reported by"),
    (
        Term("affected", N_("Affected person")),
        Term("relative", N_("Relative")),
        Term("witness", N_("Witness")),
        Term("professional", N_("Professional")),
        Term("organisation", N_("Organisation")),
    ),
    multiple=False,
)

TARGETS = Dimension(
    "targets",
    N_("Target"),
    (
        Term("person", N_("Individual person")),
        Term("group", N_("Group")),
        Term(
            "institution",
            N_("Institution"),
            hint_message=N_("e.g. mosque, synagogue, counselling centre"),
        ),
    ),
    multiple=False,
)

AFFECTED = Dimension(
    "affected",
    N_("Who was affected?"),
    (
        Term("me", N_("Me")),
        Term("someone_else", N_("Someone else")),
        Term("group", N_("A group")),
        Term("institution", N_("An institution")),
    ),
    multiple=False,
)

# Named as people know them (towns and districts); which church district each belongs to is the
# organisation's internal mapping, and the codes stay the same.
REGIONS = Dimension(
    "regions",
    N_("Region"),
    (
        Term("muenster", N_("City of Münster")),
        Term("borken", N_("Borken district")),
        Term("coesfeld", N_("Coesfeld district")),
        Term("kleve", N_("Kleve district")),
        Term("recklinghausen", N_("Recklinghausen district")),
        Term("steinfurt", N_("Steinfurt district")),
        Term("warendorf", N_("Warendorf district")),
        Term("wesel", N_("Wesel district")),
        Term(
            "oldenburg", N_("Oldenburg region (Oldenburg, Cloppenburg, Vechta, Delmenhorst, Wilhelmshaven and around)")
        ),
        Term("outside_diocese", N_("Somewhere else")),
        Term("not_stated", N_("Prefer not to say")),
    ),
    multiple=False,
)

AGG_APPLICABLE = Dimension(
    "agg_applicable",
    N_("AGG applicable"),
    (
        Term("yes", N_("Yes")),
        Term("no", N_("No")),
        Term("unclear", N_("Unclear")),
    ),
    multiple=False,
)

INTERVENTIONS = Dimension(
    "interventions",
    N_("Interventions"),
    (
        Term("information", N_("Information / initial legal advice")),
        Term("counselling", N_("Counselling")),
        Term("complaint_letter", N_("Letter of complaint")),
        Term("statement_requested", N_("Statement requested")),
        Term("mediation", N_("Mediation / conciliation")),
        Term("accompaniment", N_("Accompaniment")),
        Term("referral", N_("Referral")),
        Term("amicable_settlement", N_("Amicable settlement")),
        Term("legal_action", N_("Lawsuit / legal action")),
        Term("criminal_complaint", N_("Criminal complaint")),
        Term("documentation_only", N_("Documentation only")),
        Term("contact_lost", N_("Contact lost")),
    ),
    multiple=True,
)

CASE_STATUSES = Dimension(
    "case_statuses",
    N_("Case status"),
    (
        Term("new", N_("New")),
        Term("reply_received", N_("Reply received")),
        Term("in_progress", N_("In progress")),
        Term("waiting_for_reporter", N_("Waiting for the reporter")),
        Term("closed", N_("Closed")),
    ),
    multiple=False,
)

CLOSE_REASONS = Dimension(
    "close_reasons",
    N_("Reason for closing"),
    (
        Term("resolved", N_("Resolved")),
        Term("referred", N_("Referred elsewhere")),
        Term("no_contact", N_("No further contact")),
        Term("withdrawn", N_("Withdrawn by the reporter")),
        Term("other", N_("Other")),
    ),
    multiple=False,
)

REPORT_SOURCES = Dimension(
    "report_sources",
    N_("How the report came in"),
    (
        Term("online", N_("Online report")),
        Term("walk_in", N_("In person at the counselling office")),
        Term("phone", N_("Phone")),
    ),
    multiple=False,
)

YES_NO_UNSURE = Dimension(
    "yes_no_unsure",
    N_("Yes / no / not sure"),
    (
        Term("yes", N_("Yes")),
        Term("no", N_("No")),
        Term("unsure", N_("Not sure")),
    ),
    multiple=False,
)

DIMENSIONS: dict[str, Dimension] = {
    dimension.code: dimension
    for dimension in (
        GROUNDS,
        RACISM_SUBTYPES,
        AREAS,
        FORMS,
        LEVELS,
        INCIDENT_TYPES,
        REPORTER_ROLES,
        TARGETS,
        AFFECTED,
        REGIONS,
        AGG_APPLICABLE,
        INTERVENTIONS,
        CASE_STATUSES,
        CLOSE_REASONS,
        REPORT_SOURCES,
        YES_NO_UNSURE,
    )
}

STAT_DIMENSIONS: tuple[str, ...] = (
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
"""Dimensions of the categorisation record that the annual statistics count, in report order."""

MULTI_VALUED_STAT_DIMENSIONS: frozenset[str] = frozenset(code for code in STAT_DIMENSIONS if DIMENSIONS[code].multiple)
"""Statistics dimensions whose tables are not additive: a case counts once per value it carries."""


def validate_codes(dimension_code: str, codes: Iterable[str], *, allow_reporter_only: bool = False) -> list[str]:
    """Check submitted codes against a dimension and return them once each, in taxonomy order.

    Reporter-only codes are refused unless ``allow_reporter_only`` (the public form) is set,
    so "don't know" can never reach a categorisation or a statistic.
    """
    if dimension_code not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension_code!r}")
    dimension = DIMENSIONS[dimension_code]
    allowed = dimension if allow_reporter_only else dimension.for_staff()
    submitted = set()
    for code in codes:
        if code not in allowed:
            raise ValueError(f"{code!r} is not a valid code of dimension {dimension_code!r}")
        submitted.add(code)
    if len(submitted) > 1 and not dimension.multiple:
        raise ValueError(f"dimension {dimension_code!r} takes one code, got {sorted(submitted)}")
    return [code for code in allowed.codes() if code in submitted]


INCIDENT_PERIOD_EARLIER = Term("earlier", N_("More than 12 months ago"))
"""The last choice of "when did it happen?": anything before the twelve months offered."""


def incident_period_choices(today: date, lang: str = "de") -> list[tuple[str, str]]:
    """The form's "when did it happen?" choices: this month and the eleven before it as
    ``YYYY-MM`` codes, newest first, then ``earlier``. Only month and year are asked,
    never a day, so the answer cannot single out a person or an encounter."""
    locale = babel_locale(lang)
    choices: list[tuple[str, str]] = []
    year, month = today.year, today.month
    for _ in range(12):
        first_of_month = date(year, month, 1)
        choices.append((f"{year:04d}-{month:02d}", format_date(first_of_month, "LLLL y", locale=locale)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    choices.append((INCIDENT_PERIOD_EARLIER.code, INCIDENT_PERIOD_EARLIER.label(lang)))
    return choices
