"""Every category the service knows, as data, in German and English.

The public form, the staff area and the statistics all read their choices from
here, so a category means the same thing everywhere and a code never changes
meaning once reports carry it. German terms follow German anti-discrimination
counselling and documentation practice (AGG, DeZIM/ADS minimum standards, advd,
RIAS, CLAIM, MIA). Labels are written out as plain literals (first letter
capitalised for lists and table rows) so that catalogues for further languages
can be built from them later; until then every language but English shows German.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from babel.dates import format_date

from reporting.i18n import babel_locale


def _is_english(lang: str) -> bool:
    return lang.replace("_", "-").split("-")[0].lower() == "en"


@dataclass(frozen=True)
class Term:
    """One value of a dimension. ``reporter_only`` values may be chosen on the public
    form but never by staff and never counted, e.g. "don't know" for the ground."""

    code: str
    de: str
    en: str
    hint_de: str = ""
    hint_en: str = ""
    reporter_only: bool = False

    def label(self, lang: str) -> str:
        return self.en if _is_english(lang) else self.de

    def hint(self, lang: str) -> str:
        """Short explanation shown under the label on forms; empty when the label says it all."""
        return self.hint_en if _is_english(lang) else self.hint_de


@dataclass(frozen=True)
class Dimension:
    """A named list of terms; ``multiple`` says whether one case may carry several of them."""

    code: str
    de: str
    en: str
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
        return self.en if _is_english(lang) else self.de

    def choices(self, lang: str) -> list[tuple[str, str]]:
        """(code, label) pairs in taxonomy order, ready for a select or a set of checkboxes."""
        return [(term.code, term.label(lang)) for term in self.terms]

    def for_staff(self) -> Dimension:
        """The same dimension without reporter-only terms: what staff categorise and statistics count."""
        return replace(self, terms=tuple(term for term in self.terms if not term.reporter_only))


GROUNDS = Dimension(
    "grounds",
    "Merkmale",
    "Grounds",
    (
        Term(
            "racism_ethnic_origin",
            "Rassistische Zuschreibung / ethnische Herkunft",
            "Racist attribution / ethnic origin",
        ),
        Term("religion", "Religion", "Religion"),
        Term("belief", "Weltanschauung", "Belief"),
        Term("gender", "Geschlecht", "Gender"),
        Term("gender_identity", "Geschlechtliche Identität", "Gender identity"),
        Term("sexual_identity", "Sexuelle Identität", "Sexual identity"),
        Term("disability", "Behinderung", "Disability"),
        Term("chronic_illness", "Chronische Erkrankung", "Chronic illness"),
        Term("age", "Lebensalter", "Age"),
        Term("language", "Sprache", "Language"),
        Term("social_status", "Sozialer Status", "Social status"),
        Term("nationality", "Staatsangehörigkeit", "Nationality"),
        Term("residence_status", "Aufenthaltsstatus", "Residence status"),
        Term("skin_colour", "Hautfarbe / Colorism", "Skin colour / colourism"),
        Term("other", "Sonstiges", "Other"),
        Term("unknown", "Weiß nicht", "Don't know", reporter_only=True),
    ),
    multiple=True,
)
STAFF_GROUNDS = GROUNDS.for_staff()

RACISM_SUBTYPES = Dimension(
    "racism_subtypes",
    "Formen von Rassismus",
    "Forms of racism",
    (
        Term("antisemitism", "Antisemitismus", "Antisemitism"),
        Term("anti_muslim", "Antimuslimischer Rassismus", "Anti-Muslim racism"),
        Term("antiziganism", "Antiziganismus", "Antigypsyism"),
        Term("anti_black", "Anti-Schwarzer Rassismus", "Anti-Black racism"),
        Term("anti_asian", "Antiasiatischer Rassismus", "Anti-Asian racism"),
        Term("anti_refugee", "Rassismus gegen Geflüchtete", "Racism against refugees"),
        Term("other", "Anderer Rassismus", "Other racism"),
    ),
    multiple=True,
)

AREAS = Dimension(
    "areas",
    "Lebensbereiche",
    "Areas of life",
    (
        Term("employment", "Arbeitsleben", "Employment"),
        Term("housing", "Wohnen / Wohnungsmarkt", "Housing / housing market"),
        Term(
            "education",
            "Bildung",
            "Education",
            hint_de="Kita, Schule, Hochschule, Ausbildung",
            hint_en="Day care, school, university, vocational training",
        ),
        Term("authorities", "Ämter und Behörden", "Public authorities"),
        Term("immigration_office", "Ausländerbehörde", "Immigration office"),
        Term("jobcenter_social_benefits", "Jobcenter / Sozialleistungen", "Jobcentre / social benefits"),
        Term("asylum_accommodation", "Unterkunft / Asylverfahren", "Accommodation / asylum procedure"),
        Term("police_justice", "Polizei und Justiz", "Police and justice"),
        Term("health_care", "Gesundheit und Pflege", "Health and care"),
        Term(
            "goods_services",
            "Güter und Dienstleistungen",
            "Goods and services",
            hint_de="Geschäfte, Gastronomie, Banken, Versicherungen, Verkehr",
            hint_en="Shops, restaurants and bars, banks, insurance, transport",
        ),
        Term("public_space", "Öffentlichkeit und Freizeit", "Public space and leisure"),
        Term("media_internet", "Medien und Internet", "Media and internet"),
        Term("neighbourhood", "Nachbarschaft", "Neighbourhood"),
        Term("church_caritas", "Kirchliche oder caritative Einrichtung", "Church or Caritas institution"),
        Term("other", "Sonstiges", "Other"),
    ),
    multiple=False,
)

FORMS = Dimension(
    "forms",
    "Formen der Diskriminierung",
    "Forms of discrimination",
    (
        Term("direct", "Unmittelbare Benachteiligung", "Direct discrimination"),
        Term("indirect", "Mittelbare Benachteiligung", "Indirect discrimination"),
        Term("harassment", "Belästigung", "Harassment"),
        Term("sexual_harassment", "Sexuelle Belästigung", "Sexual harassment"),
        Term("instruction", "Anweisung zur Benachteiligung", "Instruction to discriminate"),
        Term("victimisation", "Maßregelung", "Victimisation", hint_de="§ 16 AGG", hint_en="Section 16 AGG"),
        Term(
            "denial_reasonable_accommodation",
            "Verweigerung angemessener Vorkehrungen",
            "Denial of reasonable accommodation",
        ),
    ),
    multiple=True,
)

LEVELS = Dimension(
    "levels",
    "Ebene",
    "Level",
    (
        Term("individual", "Individuell", "Individual", hint_de="Eine Person handelt", hint_en="One person acts"),
        Term(
            "institutional",
            "Institutionell",
            "Institutional",
            hint_de="Regeln und Abläufe einer Organisation",
            hint_en="Rules and routines of one organisation",
        ),
        Term(
            "structural",
            "Strukturell",
            "Structural",
            hint_de="Gesetze, Verfahren, gesellschaftliche Muster",
            hint_en="Laws, procedures, societal patterns",
        ),
    ),
    multiple=True,
)

INCIDENT_TYPES = Dimension(
    "incident_types",
    "Art des Vorfalls",
    "Type of incident",
    (
        Term("discrimination", "Diskriminierung / Benachteiligung", "Discrimination / unequal treatment"),
        Term("verbal", "Verletzendes Verhalten, verbale Angriffe", "Hurtful behaviour, verbal attacks"),
        Term("threat", "Bedrohung", "Threat"),
        Term("assault", "Angriff / körperliche Gewalt", "Assault / physical violence"),
        Term("property_damage", "Gezielte Sachbeschädigung", "Targeted damage to property"),
        Term("other", "Sonstiges", "Other"),
    ),
    multiple=False,
)

REPORTER_ROLES = Dimension(
    "reporter_roles",
    "Meldende Person",
    "Reported by",
    (
        Term("affected", "Betroffene Person", "Affected person"),
        Term("relative", "Angehörige", "Relative"),
        Term("witness", "Zeug*in", "Witness"),
        Term("professional", "Fachkraft", "Professional"),
        Term("organisation", "Organisation", "Organisation"),
    ),
    multiple=False,
)

TARGETS = Dimension(
    "targets",
    "Ziel des Vorfalls",
    "Target",
    (
        Term("person", "Einzelperson", "Individual"),
        Term("group", "Gruppe", "Group"),
        Term(
            "institution",
            "Einrichtung",
            "Institution",
            hint_de="z. B. Moschee, Synagoge, Beratungsstelle",
            hint_en="e.g. mosque, synagogue, counselling centre",
        ),
    ),
    multiple=False,
)

AFFECTED = Dimension(
    "affected",
    "Wer war betroffen?",
    "Who was affected?",
    (
        Term("me", "Ich selbst", "Me"),
        Term("someone_else", "Eine andere Person", "Someone else"),
        Term("group", "Eine Gruppe", "A group"),
        Term("institution", "Eine Einrichtung", "An institution"),
    ),
    multiple=False,
)

REGIONS = Dimension(
    "regions",
    "Region",
    "Region",
    (
        Term("muenster", "Stadtdekanat Münster", "Münster (city deanery)"),
        Term("borken", "Kreisdekanat Borken", "Borken (district deanery)"),
        Term("coesfeld", "Kreisdekanat Coesfeld", "Coesfeld (district deanery)"),
        Term("kleve", "Kreisdekanat Kleve", "Kleve (district deanery)"),
        Term("recklinghausen", "Kreisdekanat Recklinghausen", "Recklinghausen (district deanery)"),
        Term("steinfurt", "Kreisdekanat Steinfurt", "Steinfurt (district deanery)"),
        Term("warendorf", "Kreisdekanat Warendorf", "Warendorf (district deanery)"),
        Term("wesel", "Kreisdekanat Wesel", "Wesel (district deanery)"),
        Term("oldenburg", "Offizialatsbezirk Oldenburg", "Oldenburg (Officialate district)"),
        Term("outside_diocese", "Außerhalb des Bistums Münster", "Outside the Diocese of Münster"),
        Term("not_stated", "Keine Angabe", "Prefer not to say"),
    ),
    multiple=False,
)

AGG_APPLICABLE = Dimension(
    "agg_applicable",
    "AGG anwendbar",
    "AGG applicable",
    (
        Term("yes", "Ja", "Yes"),
        Term("no", "Nein", "No"),
        Term("unclear", "Unklar", "Unclear"),
    ),
    multiple=False,
)

INTERVENTIONS = Dimension(
    "interventions",
    "Interventionen",
    "Interventions",
    (
        Term("information", "Information / rechtliche Erstauskunft", "Information / initial legal advice"),
        Term("counselling", "Beratung", "Counselling"),
        Term("complaint_letter", "Beschwerdebrief", "Letter of complaint"),
        Term("statement_requested", "Stellungnahme eingeholt", "Statement requested"),
        Term("mediation", "Vermittlung / Schlichtung", "Mediation / conciliation"),
        Term("accompaniment", "Begleitung", "Accompaniment"),
        Term("referral", "Weitervermittlung", "Referral"),
        Term("amicable_settlement", "Gütliche Einigung", "Amicable settlement"),
        Term("legal_action", "Klage / rechtliche Schritte", "Lawsuit / legal action"),
        Term("criminal_complaint", "Strafanzeige", "Criminal complaint"),
        Term("documentation_only", "Nur Dokumentation", "Documentation only"),
        Term("contact_lost", "Kontaktabbruch", "Contact lost"),
    ),
    multiple=True,
)

CASE_STATUSES = Dimension(
    "case_statuses",
    "Bearbeitungsstand",
    "Case status",
    (
        Term("new", "Neu", "New"),
        Term("reply_received", "Antwort eingegangen", "Reply received"),
        Term("in_progress", "In Bearbeitung", "In progress"),
        Term("waiting_for_reporter", "Wartet auf Rückmeldung der meldenden Person", "Waiting for the reporter"),
        Term("closed", "Abgeschlossen", "Closed"),
    ),
    multiple=False,
)

CLOSE_REASONS = Dimension(
    "close_reasons",
    "Abschlussgrund",
    "Reason for closing",
    (
        Term("resolved", "Erledigt / geklärt", "Resolved"),
        Term("referred", "Weitervermittelt", "Referred elsewhere"),
        Term("no_contact", "Kein Kontakt mehr", "No further contact"),
        Term("withdrawn", "Von der meldenden Person zurückgezogen", "Withdrawn by the reporter"),
        Term("other", "Sonstiges", "Other"),
    ),
    multiple=False,
)

REPORT_SOURCES = Dimension(
    "report_sources",
    "Eingangsweg",
    "How the report came in",
    (
        Term("online", "Online-Meldung", "Online report"),
        Term("walk_in", "Persönlich in der Beratungsstelle", "In person at the counselling office"),
        Term("phone", "Telefon", "Phone"),
    ),
    multiple=False,
)

YES_NO_UNSURE = Dimension(
    "yes_no_unsure",
    "Ja / Nein / Weiß nicht",
    "Yes / no / not sure",
    (
        Term("yes", "Ja", "Yes"),
        Term("no", "Nein", "No"),
        Term("unsure", "Weiß nicht", "Not sure"),
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


INCIDENT_PERIOD_EARLIER = Term("earlier", "Vor mehr als 12 Monaten", "More than 12 months ago")
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
