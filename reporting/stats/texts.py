"""The words of the annual report, its preview page and its exports, in German and English.

Kept here rather than in the gettext catalogues because the report is rendered in a language chosen
for the document (``--lang``), not the one of a web request, and because the German text is the
published original: it is written out, not translated from message ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REPORT_LANGUAGES: tuple[str, ...] = ("de", "en")
DEFAULT_REPORT_LANGUAGE = "de"

_DE: dict[str, str] = {
    "document_title": "Diskriminierung melden – Jahresstatistik {year}",
    "cover_kicker": "Meldestelle gegen Diskriminierung",
    "cover_title": "Jahresstatistik {year}",
    "cover_subtitle": (
        "Anonymisierte Auswertung der gemeldeten Fälle von Diskriminierung bei den Caritas-Fachdiensten "
        "Integration und Migration im Bistum Münster"
    ),
    "issuer": "Caritas im Bistum Münster · Fachdienste Integration und Migration",
    "cover_note": "Alle Zahlen sind anonymisiert: Kleine Werte werden nicht veröffentlicht (siehe „Methode“).",
    "summary_heading": "Das Jahr {year} in Zahlen",
    "summary_intro": (
        "Gezählt werden Fälle, die im Jahr {year} eingegangen sind und die die Beratung kategorisiert hat. "
        "Ein Fall ist eine Meldung, online oder persönlich in einer Beratungsstelle."
    ),
    "key_cases": "ausgewertete Fälle {year}",
    "key_change": "gegenüber {previous_year} ({previous} Fälle)",
    "key_change_unavailable": "nicht angegeben",
    "table_cases_previous": "Fälle des Vorjahres",
    "findings_heading": "Das Wichtigste in Kürze",
    "finding_cases": "{year} hat die Meldestelle {cases} Fälle ausgewertet.",
    "finding_more": "Das sind {difference} mehr als {previous_year} ({previous} Fälle).",
    "finding_fewer": "Das sind {difference} weniger als {previous_year} ({previous} Fälle).",
    "finding_same": "Das sind genauso viele wie {previous_year}.",
    "finding_top_ground": "Am häufigsten ging es um das Merkmal „{label}“ ({count} Fälle).",
    "finding_top_area": "Am häufigsten betroffen war der Lebensbereich „{label}“ ({count} Fälle).",
    "term_grounds_skin_colour": "Hautfarbe",
    "term_regions_muenster": "Stadt Münster (NRW)",
    "term_regions_borken": "Kreis Borken (NRW)",
    "term_regions_coesfeld": "Kreis Coesfeld (NRW)",
    "term_regions_kleve": "Kreis Kleve (NRW)",
    "term_regions_recklinghausen": "Kreis Recklinghausen (NRW)",
    "term_regions_steinfurt": "Kreis Steinfurt (NRW)",
    "term_regions_warendorf": "Kreis Warendorf (NRW)",
    "term_regions_wesel": "Kreis Wesel (NRW)",
    "term_regions_oldenburg": "Oldenburger Land (Niedersachsen)",
    "imprint_published": "Veröffentlicht am {date}",
    "imprint_cut_off": "Datenstand: {date}",
    "imprint_publisher": "Herausgeber: {publisher}",
    "imprint_contact": "Kontakt: {contact}",
    "preliminary_mark": "vorläufig",
    "preliminary_note": (
        "Vorläufige Zahlen: Das Jahr {year} war am Datenstand noch nicht abgeschlossen. Später eingehende "
        "oder später kategorisierte Fälle fehlen."
    ),
    "key_excluded": "kategorisierte Fälle ohne Zustimmung zur Statistik, nicht gezählt",
    "key_multiple": "Mehrfachdiskriminierung: zwei oder mehr Merkmale",
    "key_intersectional": "intersektionale Diskriminierung",
    "key_top_ground": "häufigstes Merkmal",
    "key_top_area": "häufigster Lebensbereich",
    "method_heading": "Methode und Anonymisierung",
    "method_data": (
        "Ausgewertet werden allein die Kategorien, die die Beratung einem Fall zuordnet (Merkmal, "
        "Lebensbereich, Form, Region und weitere), nie Freitexte, Namen oder Kontaktdaten. Gezählt werden nur "
        "Fälle, deren meldende Person der anonymisierten statistischen Auswertung zugestimmt hat; bei "
        "persönlichen Meldungen hält die Beratung diese Zustimmung fest. Mangels Zustimmung blieben "
        "{excluded} kategorisierte Fälle des Jahres unberücksichtigt. Ein Fall mit mehreren Merkmalen wird "
        "bei jedem seiner Merkmale einmal gezählt; darauf weisen die betroffenen Tabellen hin."
    ),
    "method_suppression": (
        "Kleine Zahlen können Menschen erkennbar machen, gerade in einer Region oder bei einem seltenen "
        "Merkmal. Deshalb nennt dieser Bericht keine Fallzahl unter {k} außer der Null: Solche Werte "
        "erscheinen als „x“; eine Null wird gezeigt, weil sie niemanden betrifft. Damit sich ein verdeckter "
        "Wert nicht aus Zeilen-, Spalten- oder Gesamtsummen oder aus einer anderen Tabelle dieses Berichts "
        "zurückrechnen lässt, werden weitere Werte verdeckt, ebenfalls als „x“: Am Zeichen ist nicht zu "
        "erkennen, ob ein Wert klein ist. Vor der Veröffentlichung rechnet ein Programm wie ein Angreifer "
        "mit allen gedruckten Zahlen zusammen (und mit denen früherer Veröffentlichungen desselben Jahres) "
        "und prüft für jeden kleinen verdeckten Wert, dass er ebenso gut {k} oder mehr betragen könnte. So "
        "arbeiten auch die Statistikämter mit dem Programm τ-Argus."
    ),
    "method_limits": (
        "Anteile in Prozent stehen nur dort, wo die Bezugsgröße mindestens {min_base} Fälle umfasst und "
        "der Wert selbst gedruckt ist. Keine Tabelle verbindet Region, Merkmal und Zeitraum miteinander; "
        "Monatswerte gibt es nur für das gesamte Bistum. Kombinationen zweier Merkmale werden nur genannt, "
        "wenn sie mindestens {k}-mal vorkamen. Die Zahlen beschreiben, was gemeldet wurde, nicht wie häufig "
        "Diskriminierung tatsächlich vorkommt: Viele Betroffene melden sich nie."
    ),
    "left_out": (
        "Wegen sehr kleiner Fallzahlen entfallen diese Tabellen, weil sich ihre Werte nicht sicher verdecken "
        "ließen: {tables}."
    ),
    "pooled_year": (
        "Für {year} wurden weniger als {minimum} Fälle gezählt. Damit niemand erkennbar wird, erscheint für "
        "dieses Jahr nur die Zahl der Fälle, keine Aufschlüsselung."
    ),
    "pooled_comparison": (
        "Der Vergleich mit {previous_year} entfällt: In dem Jahr wurden weniger als {minimum} Fälle gezählt."
    ),
    "pooled_tables": "Diese Tabellen entfallen, weil sie weniger als {minimum} Fälle zählen würden: {tables}.",
    "pooled_regions": (
        "Die Tabelle nach Regionen entfällt: Dafür braucht es mindestens {minimum} Fälle im Jahr, sonst "
        "zeigten die vielen leeren und verdeckten Felder, wo sich jemand gemeldet hat."
    ),
    "legend": (
        "„x“: verdeckt – weniger als {k} Fälle, oder verdeckt, damit sich kein kleiner Wert zurückrechnen "
        "lässt; mindestens ein Fall. „–“: kein Anteil angegeben."
    ),
    "column_cases": "Fälle",
    "column_share": "Anteil",
    "column_total": "Insgesamt",
    "column_pair": "Kombination",
    "heading_month": "Monat",
    "heading_year": "Jahr",
    "heading_grounds_per_case": "Merkmale je Fall",
    "heading_intersectional": "Zusammenwirken der Merkmale",
    "row_total": "Fälle insgesamt",
    "row_quarter_total": "{quarter} zusammen",
    "row_not_recorded": "Nicht erfasst",
    "row_one_ground": "Ein Merkmal",
    "row_several_grounds": "Zwei oder mehr Merkmale",
    "row_no_ground": "Kein Merkmal erfasst",
    "row_intersectional": "Intersektional",
    "row_not_intersectional": "Nicht intersektional",
    "quarter": "Q{number}",
    "note_multiple": (
        "Mehrfachnennung: Ein Fall mit mehreren Angaben wird bei jeder einmal gezählt. Die Zeilen ergeben "
        "zusammen mehr als die Zahl der Fälle, die Anteile zusammen mehr als 100 %."
    ),
    "note_racism_subtypes": "Nur Fälle mit dem Merkmal „Rassistische Zuschreibung / ethnische Herkunft“.",
    "note_months": "Monatswerte nur für das gesamte Bistum.",
    "note_pairs": (
        "Nur Kombinationen mit mindestens {k} Fällen, deren beide Merkmale oben gedruckt sind. Ein Fall "
        "mit drei Merkmalen zählt in jeder seiner Kombinationen."
    ),
    "pairs_none": "Keine Kombination zweier Merkmale kam oft genug vor, um sie zu nennen.",
    "chart_description": (
        "Balkendiagramm zur Tabelle „{title}“. Verdeckte Werte haben keinen Balken; alle Zahlen stehen in der Tabelle."
    ),
    "section_grounds": "Merkmale",
    "section_incidents": "Lebensbereiche und Vorfälle",
    "section_time_region": "Zeit und Region",
    "section_handling": "Meldende, Rechtslage und Interventionen",
    "section_comparison": "Vergleich mit dem Vorjahr",
    "table_cases_by_year": "Fälle je Jahr",
    "table_grounds": "Fälle nach Merkmal",
    "table_racism_subtypes": "Fälle rassistischer Diskriminierung nach Form des Rassismus",
    "table_areas": "Fälle nach Lebensbereich",
    "table_forms": "Fälle nach Form der Diskriminierung",
    "table_levels": "Fälle nach Ebene",
    "table_incident_types": "Fälle nach Art des Vorfalls",
    "table_reporter_roles": "Fälle nach meldender Person",
    "table_targets": "Fälle nach Ziel des Vorfalls",
    "table_regions": "Fälle nach Region",
    "table_agg_applicable": "Fälle nach Anwendbarkeit des AGG",
    "table_interventions": "Fälle nach Intervention und Ergebnis",
    "table_months": "Fälle nach Monat und Quartal",
    "table_grounds_per_case": "Fälle nach Zahl der Merkmale",
    "table_intersectional": "Intersektionale Diskriminierung",
    "table_grounds_by_year": "Fälle nach Merkmal im Jahresvergleich",
    "table_areas_by_year": "Fälle nach Lebensbereich im Jahresvergleich",
    "table_pairs": "Häufigste Kombinationen zweier Merkmale",
    "preview_heading": "Jahresstatistik: Vorschau",
    "preview_intro": (
        "So erscheinen die Tabellen im Bericht, mit allen Sperrungen. Die Downloads enthalten genau diese Tabellen."
    ),
    "preview_year": "Jahr",
    "preview_show": "Anzeigen",
    "preview_downloads": "Herunterladen",
    "preview_pdf_de": "PDF-Bericht (Deutsch)",
    "preview_pdf_en": "PDF-Bericht (Englisch)",
    "preview_csv": "Tabellen als CSV",
    "preview_xlsx": "Tabellen als Excel-Datei (XLSX)",
    "preview_json": "Tabellen als JSON",
    "preview_k": "Kleinste veröffentlichte Fallzahl: {k}",
    "export_table": "Tabelle",
    "export_row": "Zeile",
    "export_column": "Spalte",
    "export_value": "Wert",
    "export_display": "Anzeige",
    "export_share": "Anteil",
    "export_method": "Methode",
}

_EN: dict[str, str] = {
    "document_title": "Reporting discrimination – annual statistics {year}",
    "cover_kicker": "Discrimination reporting service",
    "cover_title": "Annual statistics {year}",
    "cover_subtitle": (
        "Anonymised analysis of the cases of discrimination reported to the Caritas integration and "
        "migration services in the Diocese of Münster"
    ),
    "issuer": "Caritas in the Diocese of Münster · Integration and migration services",
    "cover_note": "All figures are anonymised: small values are not published (see “Method”).",
    "summary_heading": "{year} at a glance",
    "summary_intro": (
        "The figures count cases received in {year} that an adviser has categorised. A case is one report, "
        "made online or in person at a counselling office."
    ),
    "key_cases": "cases analysed in {year}",
    "key_change": "compared with {previous_year} ({previous} cases)",
    "key_change_unavailable": "not given",
    "table_cases_previous": "Cases of the previous year",
    "term_regions_muenster": "City of Münster (North Rhine-Westphalia)",
    "term_regions_borken": "District of Borken (North Rhine-Westphalia)",
    "term_regions_coesfeld": "District of Coesfeld (North Rhine-Westphalia)",
    "term_regions_kleve": "District of Kleve (North Rhine-Westphalia)",
    "term_regions_recklinghausen": "District of Recklinghausen (North Rhine-Westphalia)",
    "term_regions_steinfurt": "District of Steinfurt (North Rhine-Westphalia)",
    "term_regions_warendorf": "District of Warendorf (North Rhine-Westphalia)",
    "term_regions_wesel": "District of Wesel (North Rhine-Westphalia)",
    "term_regions_oldenburg": "Oldenburg region (Lower Saxony)",
    "findings_heading": "Key findings",
    "finding_cases": "In {year} the reporting office analysed {cases} cases.",
    "finding_more": "That is {difference} more than in {previous_year} ({previous} cases).",
    "finding_fewer": "That is {difference} fewer than in {previous_year} ({previous} cases).",
    "finding_same": "That is as many as in {previous_year}.",
    "finding_top_ground": "The most frequent ground was “{label}” ({count} cases).",
    "finding_top_area": "The most affected area of life was “{label}” ({count} cases).",
    "imprint_published": "Published on {date}",
    "imprint_cut_off": "Data as of {date}",
    "imprint_publisher": "Publisher: {publisher}",
    "imprint_contact": "Contact: {contact}",
    "preliminary_mark": "preliminary",
    "preliminary_note": (
        "Preliminary figures: the year {year} was not over on the data cut-off date. Cases received or "
        "categorised later are missing."
    ),
    "key_excluded": "categorised cases without consent to statistics, not counted",
    "key_multiple": "multiple discrimination: two or more grounds",
    "key_intersectional": "intersectional discrimination",
    "key_top_ground": "most frequent ground",
    "key_top_area": "most frequent area of life",
    "method_heading": "Method and anonymisation",
    "method_data": (
        "Only the categories an adviser assigns to a case (ground, area of life, form, region and others) "
        "are analysed, never free text, names or contact details. Only cases whose reporter consented to "
        "anonymised statistical use are counted; for reports made in person the adviser records this "
        "consent. For lack of consent, {excluded} categorised cases of the year were left out. A case with "
        "several grounds counts once under each of its grounds; the tables concerned say so."
    ),
    "method_suppression": (
        "Small numbers can make people recognisable, especially within one region or for a rare ground. "
        "This report therefore gives no count below {k} other than zero: such values appear as “x”; zero is "
        "shown, because it concerns nobody. So that a hidden value cannot be worked out from row, column or "
        "grand totals or from another table of this report, further values are hidden, also as “x”: the mark "
        "does not tell whether a value is small. Before publication a program calculates like an attacker "
        "with all printed numbers together (and those of earlier releases for the same year) and checks for "
        "every small hidden value that it might just as well be {k} or more. Statistics offices work the "
        "same way with the τ-Argus software."
    ),
    "method_limits": (
        "Percentages are given only where the base is at least {min_base} cases and the value itself is "
        "printed. No table combines region, ground and period; monthly figures exist only for the diocese "
        "as a whole. Combinations of two grounds are listed only if they occurred at least {k} times. The "
        "figures describe what was reported, not how often discrimination actually happens: many people "
        "affected never report it."
    ),
    "left_out": (
        "Because the numbers of cases are very small, these tables are left out, as their values could not be "
        "hidden safely: {tables}."
    ),
    "pooled_year": (
        "Fewer than {minimum} cases were counted for {year}. So that nobody can be recognised, this year shows "
        "only the number of cases, no breakdown."
    ),
    "pooled_comparison": (
        "The comparison with {previous_year} is left out: fewer than {minimum} cases were counted that year."
    ),
    "pooled_tables": "These tables are left out because they would count fewer than {minimum} cases: {tables}.",
    "pooled_regions": (
        "The table by region is left out: it needs at least {minimum} cases in the year, or its many empty and "
        "hidden cells would show where someone reported."
    ),
    "legend": (
        "“x”: hidden – fewer than {k} cases, or hidden so that no small value can be worked out; at least "
        "one case. “–”: no percentage given."
    ),
    "column_cases": "Cases",
    "column_share": "Share",
    "column_total": "Total",
    "column_pair": "Combination",
    "heading_month": "Month",
    "heading_year": "Year",
    "heading_grounds_per_case": "Grounds per case",
    "heading_intersectional": "How the grounds act",
    "row_total": "All cases",
    "row_quarter_total": "{quarter} together",
    "row_not_recorded": "Not recorded",
    "row_one_ground": "One ground",
    "row_several_grounds": "Two or more grounds",
    "row_no_ground": "No ground recorded",
    "row_intersectional": "Intersectional",
    "row_not_intersectional": "Not intersectional",
    "quarter": "Q{number}",
    "note_multiple": (
        "Several answers possible: a case with several of them counts once under each. The rows add up to "
        "more than the number of cases, the percentages to more than 100%."
    ),
    "note_racism_subtypes": "Only cases with the ground “racist attribution / ethnic origin”.",
    "note_months": "Monthly figures only for the diocese as a whole.",
    "note_pairs": (
        "Only combinations with at least {k} cases whose two grounds are both printed above. A case with "
        "three grounds counts in each of its combinations."
    ),
    "pairs_none": "No combination of two grounds occurred often enough to be listed.",
    "chart_description": ("Bar chart of the table “{title}”. Hidden values have no bar; all numbers are in the table."),
    "section_grounds": "Grounds",
    "section_incidents": "Areas of life and incidents",
    "section_time_region": "Time and region",
    "section_handling": "Reporters, legal situation and interventions",
    "section_comparison": "Comparison with the previous year",
    "table_cases_by_year": "Cases per year",
    "table_grounds": "Cases by ground",
    "table_racism_subtypes": "Cases of racist discrimination by form of racism",
    "table_areas": "Cases by area of life",
    "table_forms": "Cases by form of discrimination",
    "table_levels": "Cases by level",
    "table_incident_types": "Cases by type of incident",
    "table_reporter_roles": "Cases by who reported",
    "table_targets": "Cases by target of the incident",
    "table_regions": "Cases by region",
    "table_agg_applicable": "Cases by whether the AGG applies",
    "table_interventions": "Cases by intervention and outcome",
    "table_months": "Cases by month and quarter",
    "table_grounds_per_case": "Cases by number of grounds",
    "table_intersectional": "Intersectional discrimination",
    "table_grounds_by_year": "Cases by ground, year on year",
    "table_areas_by_year": "Cases by area of life, year on year",
    "table_pairs": "Most frequent combinations of two grounds",
    "preview_heading": "Annual statistics: preview",
    "preview_intro": (
        "This is how the tables appear in the report, with every suppression. The downloads contain exactly "
        "these tables."
    ),
    "preview_year": "Year",
    "preview_show": "Show",
    "preview_downloads": "Download",
    "preview_pdf_de": "PDF report (German)",
    "preview_pdf_en": "PDF report (English)",
    "preview_csv": "Tables as CSV",
    "preview_xlsx": "Tables as Excel file (XLSX)",
    "preview_json": "Tables as JSON",
    "preview_k": "Smallest published count: {k}",
    "export_table": "Table",
    "export_row": "Row",
    "export_column": "Column",
    "export_value": "Value",
    "export_display": "Display",
    "export_share": "Share",
    "export_method": "Method",
}

TEXTS: Mapping[str, Mapping[str, str]] = {"de": _DE, "en": _EN}


def report_language(lang: str | None) -> str:
    """The report language for a requested one: German unless English is asked for."""
    return lang if lang is not None and lang in TEXTS else DEFAULT_REPORT_LANGUAGE


@dataclass(frozen=True)
class Texts:
    """The texts of one language, callable in templates: ``t("key_cases", year=2026)``."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        text = TEXTS[self.lang][key]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in TEXTS[self.lang]
