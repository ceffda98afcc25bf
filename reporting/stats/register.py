"""The publication register: every release of statistics is recorded, and checked against all earlier ones.

Protection makes one release safe on its own. Two releases about the same year can still be subtracted:
a re-run after one more case shows where that case went, and next year's previous-year column against
this year's report shows the cases categorised late. So before anything is printed (PDF, export or the
staff preview), the new release is attacked together with every recorded release that states facts of
the same years (:func:`~reporting.stats.disclosure.attack.attack`), with one k for all of them. What
would disclose is refused; where the numbers of the year before are the trouble, the release goes out
without them (the report lists them as left out).

A recorded release holds only what was printed (numbers and "x"), the method and its parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import StatsPublication
from reporting.stats.disclosure.attack import Release, attack
from reporting.stats.disclosure.model import SECONDARY_DISPLAY, Cell, CellRef, ProtectedTable, ProtectedTableSet
from reporting.stats.report import COMPARISON_TABLES, YearStatistics

METHOD: Final = "suppression-tau-argus/1"
"""Primary suppression below k, one mark for every hidden count, protection intervals reaching k, checked
by integer programming over this and all earlier releases of the same years."""
KINDS: Final = frozenset({"pdf", "export", "preview"})


class PublicationRefusedError(ValueError):
    """Publishing would disclose against an earlier release, or use another k for the same years."""


async def publish(session: AsyncSession, statistics: YearStatistics, kind: str) -> YearStatistics:
    """Record ``statistics`` as released (``kind``: pdf, export or preview) and return what may be printed:
    the release itself, or the release without the previous year's numbers where only those disclose.

    Raises PublicationRefusedError when even that would disclose. The caller commits with what it prints.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of release {kind!r}")
    earlier = await _overlapping(session, statistics)
    other_k = sorted({release.printed.k for release in earlier} - {statistics.k})
    if other_k:
        raise PublicationRefusedError(
            f"the statistics of {statistics.year} were published with k={other_k[0]}: one k per series"
        )
    candidates = [statistics]
    if any(table.key in COMPARISON_TABLES for table in statistics.protected.tables):
        candidates.append(statistics.without_comparison())
    for candidate in candidates:
        release = Release(candidate.protected, candidate.facts())
        if not _discloses(earlier, release):
            session.add(
                StatsPublication(
                    kind=kind,
                    year=candidate.year,
                    years=",".join(str(year) for year in sorted(_years(release.facts))),
                    method=METHOD,
                    k=candidate.k,
                    printed=dump(release),
                )
            )
            await session.flush()
            return candidate
    raise PublicationRefusedError(
        f"the statistics of {statistics.year} would disclose, together with earlier releases, counts below "
        f"{statistics.k}: the published numbers stand"
    )


def _discloses(earlier: Sequence[Release], release: Release) -> bool:
    if any(dump(release) == dump(old) for old in earlier):
        return False  # printed before, exactly: nothing new
    new = len(earlier)
    return any(finding.release == new for finding in attack([*earlier, release]))


async def _overlapping(session: AsyncSession, statistics: YearStatistics) -> list[Release]:
    """Earlier releases that state facts of any year this one does, oldest first."""
    years = {statistics.previous_year, statistics.year}
    rows = await session.scalars(
        select(StatsPublication)
        .where(StatsPublication.year.between(min(years) - 1, max(years) + 1))
        .order_by(StatsPublication.id)
    )
    return [load(row.printed) for row in rows if {int(year) for year in row.years.split(",")} & years]


def _years(facts: Mapping[CellRef, str]) -> set[int]:
    return {int(fact.split("/", 1)[0]) for fact in facts.values()}


def dump(release: Release) -> str:
    """A release as stored: the printed numbers and marks, the table shapes, links, limits and facts."""
    printed = release.printed

    def ref(cell: CellRef) -> list[str]:
        return [cell.table, cell.row, cell.column]

    return json.dumps(
        {
            "k": printed.k,
            "tables": [
                {
                    "key": table.key,
                    "title": table.title,
                    "dimensions": list(table.dimensions),
                    "rows": list(table.rows),
                    "columns": list(table.columns),
                    "additive": table.additive,
                    "exhaustive": table.exhaustive,
                    "cells": [[row, column, cell.display] for (row, column), cell in sorted(table.cells.items())],
                }
                for table in printed.tables
            ],
            "links": [[ref(first), ref(second)] for first, second in printed.links],
            "limits": [[[*ref(cell), coefficient] for cell, coefficient in form.items()] for form in printed.limits],
            "facts": sorted([*ref(cell), fact] for cell, fact in release.facts.items()),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def load(text: str) -> Release:
    """A stored release as a reader holds it: which hidden count was small is nowhere in it."""
    data = json.loads(text)

    def cell(display: str) -> Cell:
        if display == SECONDARY_DISPLAY:
            return Cell(None, display, suppressed_primary=False, suppressed_secondary=True)
        return Cell(int(display), display, suppressed_primary=False, suppressed_secondary=False)

    tables = tuple(
        ProtectedTable(
            key=table["key"],
            title=table["title"],
            dimensions=tuple(table["dimensions"]),
            rows=tuple(table["rows"]),
            columns=tuple(table["columns"]),
            additive=table["additive"],
            exhaustive=table["exhaustive"],
            cells={(row, column): cell(display) for row, column, display in table["cells"]},
        )
        for table in data["tables"]
    )
    printed = ProtectedTableSet(
        k=data["k"],
        tables=tables,
        links=tuple((CellRef(*first), CellRef(*second)) for first, second in data["links"]),
        limits=tuple({CellRef(*entry[:3]): entry[3] for entry in form} for form in data["limits"]),
    )
    return Release(printed, {CellRef(*entry[:3]): entry[3] for entry in data["facts"]})
