"""Fixtures for the statistics tests: categorised cases written straight through the ORM.

Aggregation never opens a sealed column, so these reports carry no ciphertext (``sealed_* = None``);
the demo seeder and the command-line test go through the real sealing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, PdfObject
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import CaseCode, Categorisation, Report
from reporting.demo import synthetic_categorisation
from reporting.stats.aggregate import YearCounts
from reporting.stats.pdf import render_report_pdf
from reporting.stats.report import CONDITIONAL_DIMENSIONS, ReportView, YearStatistics, present, statistics_from_counts
from reporting.tally import count_in
from reporting.taxonomy import STAT_DIMENSIONS

T = TypeVar("T")


@dataclass(frozen=True)
class SyntheticCase:
    """One case as the tests insert it, and as the Python reference count reads it."""

    received_on: dt.date
    consent: bool = True
    categorised: bool = True
    intersectional: bool = False
    staff_codes: dict[str, list[str]] = field(default_factory=dict)
    reporter_codes: dict[str, list[str]] = field(default_factory=dict)
    source: str = "online"


async def insert_cases(session: AsyncSession, cases: Iterable[SyntheticCase]) -> None:
    """Reports (no ciphertext), their categorisation rows and their codes, in three flushes."""
    rows: list[tuple[uuid.UUID, SyntheticCase]] = [(uuid.uuid4(), case) for case in cases]
    session.add_all(
        Report(
            id=report_id,
            received_on=case.received_on,
            language="de",
            source=case.source,
            status="in_progress",
            last_activity_on=case.received_on,
            consent_statistics=case.consent,
        )
        for report_id, case in rows
    )
    await session.flush()
    session.add_all(
        Categorisation(report_id=report_id, intersectional=case.intersectional, categorised_on=case.received_on)
        for report_id, case in rows
        if case.categorised
    )
    session.add_all(
        CaseCode(report_id=report_id, origin=origin, dimension=dimension, code=code)
        for report_id, case in rows
        for origin, codes in (("staff", case.staff_codes), ("reporter", case.reporter_codes))
        for dimension, values in codes.items()
        for code in values
    )
    await session.flush()
    await count_in(session, [report_id for report_id, case in rows if case.categorised])


def random_cases(rng: random.Random, count: int, year: int) -> list[SyntheticCase]:
    """Plausible cases of ``year`` (the demo's distributions), with some left out for lack of consent or
    categorisation, and some noise the aggregation must ignore (reporter codes, codes of an uncategorised
    case)."""
    cases = []
    for _ in range(count):
        codes, intersectional = synthetic_categorisation(rng)
        received = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        cases.append(
            SyntheticCase(
                received_on=received,
                consent=rng.random() < 0.85,
                categorised=rng.random() < 0.9,
                intersectional=intersectional,
                staff_codes=codes,
                reporter_codes={"grounds": [rng.choice(["religion", "unknown", "age"])]},
                source=rng.choice(["online", "walk_in"]),
            )
        )
    return cases


def reference_counts(cases: Sequence[SyntheticCase], year: int, dimensions: Iterable[str]) -> YearCounts:
    """The same counts as ``aggregate_year``, in plain Python over the inserted cases."""
    in_year = [case for case in cases if case.received_on.year == year and case.categorised]
    counted = [case for case in in_year if case.consent]
    counts = YearCounts(year=year, cases=len(counted), excluded_no_consent=len(in_year) - len(counted))
    for dimension in dimensions:
        condition = CONDITIONAL_DIMENSIONS.get(dimension)
        universe = [
            case for case in counted if condition is None or condition[1] in case.staff_codes.get(condition[0], [])
        ]
        for case in universe:
            for code in case.staff_codes.get(dimension, []):
                by_code = counts.by_code.setdefault(dimension, {})
                by_code[code] = by_code.get(code, 0) + 1
        with_code = sum(1 for case in universe if case.staff_codes.get(dimension))
        if with_code:
            counts.with_any_code[dimension] = with_code
    for case in counted:
        counts.by_month[case.received_on.month] = counts.by_month.get(case.received_on.month, 0) + 1
        grounds = sorted(case.staff_codes.get("grounds", []))
        counts.multiple_grounds += len(grounds) >= 2
        counts.intersectional += case.intersectional
        for index, first in enumerate(grounds):
            for second in grounds[index + 1 :]:
                counts.ground_pairs[(first, second)] = counts.ground_pairs.get((first, second), 0) + 1
    return counts


NUMBER = re.compile(r"(?<![\w<>.,−+-])(\d{1,3}(?:[.,]\d{3})*|\d+)(?![\w.,]?\d)")


def small_counts_in_text(text: str, k: int, allowed: Iterable[str] = ()) -> list[str]:
    """Numbers 1..k-1 standing alone in ``text``, after removing what is not a count: percentages,
    signed changes, years, page numbers ("3 / 14"), the quarter names ("Q1") and ``allowed`` phrases."""
    for phrase in allowed:
        text = text.replace(phrase, " ")
    text = re.sub(r"\d+\s*/\s*\d+", " ", text)  # page numbers in the footer
    text = re.sub(r"[+−-]\s?\d[\d.,]*\s*(%|\([^)]*\))?", " ", text)  # changes against the previous year
    text = re.sub(r"\d[\d.,]*\s?%", " ", text)  # percentages
    text = re.sub(r"Q\d", " ", text)
    found = []
    for match in NUMBER.finditer(text):
        value = int(match.group(1).replace(".", "").replace(",", ""))
        if 0 < value < k:
            found.append(text[max(0, match.start() - 30) : match.end() + 10])
    return found


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20260101)


SAMPLE_YEAR = 2026
SAMPLE_K = 5
REPORT_LANGUAGES = ("de", "en")


def sample_counts() -> tuple[YearCounts, YearCounts]:
    """Counts of a plausible year and the one before (Python reference counts, no database)."""
    rng = random.Random(7)
    current = random_cases(rng, 320, SAMPLE_YEAR)
    previous = random_cases(rng, 260, SAMPLE_YEAR - 1)
    return (
        reference_counts(current, SAMPLE_YEAR, STAT_DIMENSIONS),
        reference_counts(previous, SAMPLE_YEAR - 1, STAT_DIMENSIONS),
    )


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF with whitespace collapsed (table rows come out as "label n n share")."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages)).replace("\u00a0", " ")


def pdf_dictionary(value: PdfObject) -> DictionaryObject:
    """``value`` checked to be a dictionary (pypdf types every entry it looks up as a plain ``PdfObject``)."""
    assert isinstance(value, DictionaryObject), f"not a PDF dictionary: {value!r}"
    return value


@pytest.fixture(scope="session")
def sample_statistics() -> YearStatistics:
    return statistics_from_counts(*sample_counts(), SAMPLE_K)


@pytest.fixture(scope="session")
def sample_views(sample_statistics: YearStatistics) -> dict[str, ReportView]:
    return {lang: present(sample_statistics, lang) for lang in REPORT_LANGUAGES}


@pytest.fixture(scope="session")
def sample_pdfs(sample_views: dict[str, ReportView]) -> dict[str, bytes]:
    """The sample report rendered once per language for the whole test session (seconds each)."""
    return {lang: render_report_pdf(view) for lang, view in sample_views.items()}


@pytest.fixture(scope="session")
def sample_pdf_texts(sample_pdfs: dict[str, bytes]) -> dict[str, str]:
    return {lang: pdf_text(pdf) for lang, pdf in sample_pdfs.items()}
