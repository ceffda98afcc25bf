"""The publication register: every release of statistics is recorded, and checked against all earlier ones.

Protection makes one release safe on its own. Two releases about the same year can still be subtracted:
a re-run after one more case shows where that case went, and next year's previous-year column against
this year's report shows the cases categorised late. So before anything is printed (PDF, export or the
staff preview), the new release is attacked together with every recorded release that states facts of
the same years (:func:`~reporting.stats.disclosure.attack.attack`), with one k for all of them. What
would disclose is protected again jointly with the earlier releases (numbers that changed by 1..k-1
hidden), so a preview never blocks the next release; where the numbers of the year before are the
trouble, the release goes out without them (the report lists them as left out); what still discloses is
refused.

A recorded release holds only what was printed (numbers and "x"), the method and its parameters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.db.models import StatsPublication
from reporting.stats.disclosure.attack import Finding, Release, attack
from reporting.stats.disclosure.model import SECONDARY_DISPLAY, Cell, CellRef, ProtectedTable, ProtectedTableSet
from reporting.stats.report import COMPARISON_TABLES, YearStatistics, count_year, statistics_from_counts

METHOD: Final = "suppression-tau-argus/1"
"""Primary suppression below k, one mark for every hidden count, protection intervals reaching k, checked
by integer programming over this and all earlier releases of the same years."""
KINDS: Final = frozenset({"pdf", "export", "preview"})


class PublicationRefusedError(ValueError):
    """Publishing would disclose against an earlier release, or use another k for the same years."""


Reprotect = Callable[[frozenset[CellRef]], YearStatistics]
"""The same counts protected again with more positions hidden (see ``statistics_from_counts``)."""
MAX_ROUNDS: Final = 4


async def publish_year(session: AsyncSession, year: int, k: int, kind: str) -> YearStatistics:
    """Count and protect ``year``, then :func:`publish` it, protected jointly with earlier releases."""
    current, previous = await count_year(session, year)

    def reprotect(hide: frozenset[CellRef]) -> YearStatistics:
        return statistics_from_counts(current, previous, k, also_hide=hide)

    return await publish(session, reprotect(frozenset()), kind, reprotect)


async def publish(
    session: AsyncSession, statistics: YearStatistics, kind: str, reprotect: Reprotect | None = None
) -> YearStatistics:
    """Record ``statistics`` as released (``kind``: pdf, export or preview) and return what may be printed.

    That is the release itself if nothing discloses together with the earlier releases of its years.
    Otherwise, with ``reprotect``, the counts are protected again with every printed number hidden whose
    fact an earlier release printed differently by 1..k-1 (and then what the joint attack still places),
    so that a preview of an open year never blocks the next release; the numbers both print are the
    same. Failing that, the release without the previous year's numbers, if only those disclose.

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
    variants = [_whole]
    if any(table.key in COMPARISON_TABLES for table in statistics.protected.tables):
        variants.append(_without_comparison)
    for variant in variants:
        candidate = _jointly_protected(earlier, variant(statistics), variant, reprotect)
        if candidate is not None:
            release = Release(candidate.protected, candidate.facts())
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


def _whole(statistics: YearStatistics) -> YearStatistics:
    return statistics


def _without_comparison(statistics: YearStatistics) -> YearStatistics:
    return statistics.without_comparison()


def _jointly_protected(
    earlier: Sequence[Release],
    statistics: YearStatistics,
    variant: Callable[[YearStatistics], YearStatistics],
    reprotect: Reprotect | None,
) -> YearStatistics | None:
    """``statistics`` if it discloses nothing together with ``earlier``, else (with ``reprotect``) the
    counts protected again with more hidden, round by round; None if that does not help."""
    hide: frozenset[CellRef] = frozenset()
    for _ in range(MAX_ROUNDS):
        release = Release(statistics.protected, statistics.facts())
        findings = _findings(earlier, release)
        if not findings:
            return statistics
        if reprotect is None:
            return None
        releases = [*earlier, release]
        facts = {
            finding.fact if finding.ref is None else releases[finding.release].facts.get(finding.ref)
            for finding in findings
        }
        more = _changed(earlier, release) | _stating(release, facts)
        if more <= hide:
            return None
        hide |= more
        statistics = variant(reprotect(hide))
    return None


def _changed(earlier: Sequence[Release], release: Release) -> frozenset[CellRef]:
    """Printed positions whose fact an earlier release printed with a difference of 1..k-1."""
    k = release.printed.k
    printed_before: dict[str, set[int]] = {}
    for old in earlier:
        for ref, fact in old.facts.items():
            value = old.printed.cell(ref).value
            if value is not None:
                printed_before.setdefault(fact, set()).add(value)
    changed = set()
    for ref, fact in release.facts.items():
        value = release.printed.cell(ref).value
        if value is not None and any(0 < abs(value - old) < k for old in printed_before.get(fact, ())):
            changed.add(ref)
    return frozenset(changed)


def _stating(release: Release, facts: set[str | None]) -> frozenset[CellRef]:
    return frozenset(ref for ref, fact in release.facts.items() if fact in facts)


def _findings(earlier: Sequence[Release], release: Release) -> list[Finding]:
    """What the joint attack finds that the earlier releases alone did not: in the new release, and in
    an earlier one (a count hidden there that the new numbers pin)."""
    if any(dump(release) == dump(old) for old in earlier):
        return []  # printed before, exactly: nothing new
    joint = attack([*earlier, release])
    if not joint or not earlier:
        return joint
    before = set(attack(earlier))
    return [finding for finding in joint if finding not in before]


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
