"""The attacker: integer programming over published releases only, as a statistics office's audit runs it.

Input is what anyone holds after publication: the printed tables of each release (numbers and the mark
"x"), how they add up, the published method (k; "x" is at least 1, zeros are printed) and, to line up
releases, which statistical fact each printed position states ("cases of 2025 with the ground religion").
Nothing else: no true count, no reason why a cell is hidden.

A release on its own exposes a hidden count when no integer assignment consistent with everything printed
gives it k or more: it lies inside 1..k-1. Two releases that state the same fact (a re-run of a year; next
year's previous-year column) also expose the difference between them, the number of cases that came in
between, when it can be neither 0 nor k or more. The attacker assumes what makes differencing strongest:
cases only come in, so no printed fact shrinks between releases. Where the releases contradict that (a
case recategorised or withdrawn), it drops the assumption and asks the same of differences of either sign.

Verdicts are exact in the same way as the audit's (:class:`~reporting.stats.disclosure.audit.IntegerRanges`):
"protected" needs an integer point checked in integers; whatever HiGHS cannot decide counts as exposed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from reporting.stats.disclosure.audit import HIDDEN_BOUNDS, IntegerRanges, Layout, LinearRow, Structure
from reporting.stats.disclosure.model import CellRef, ProtectedTableSet

_UNBOUNDED_BELOW: Final = -(2**40)
"""Lower bound of a difference of either sign: far beyond any count, well inside exact doubles."""


@dataclass(frozen=True)
class Release:
    """One publication as a reader holds it: the printed tables and the fact each position states."""

    printed: ProtectedTableSet
    facts: Mapping[CellRef, str]
    """Printed position -> the statistical fact it states, the same string in every release."""


@dataclass(frozen=True)
class Finding:
    """A count the attacker places inside 1..k-1: a hidden position of release ``release``, or the
    difference of ``fact`` between releases ``earlier`` and ``release``."""

    release: int
    ref: CellRef | None = None
    fact: str | None = None
    earlier: int | None = None


def attack(releases: Sequence[Release]) -> list[Finding]:
    """Every hidden count and every difference between releases that the printed numbers place in 1..k-1.

    All releases must share one k (one k per series): with two, "x" would mean different things.
    """
    if not releases:
        return []
    ks = {release.printed.k for release in releases}
    if len(ks) != 1:
        raise ValueError(f"releases of one series must share one k, got {sorted(ks)}")
    k = ks.pop()
    system = _System(releases)
    findings = system.decide(k, differences_grow=True)
    if findings is None:
        findings = system.decide(k, differences_grow=False)
    assert findings is not None
    return findings


class _System:
    """Every release's printed positions as integer variables (hidden) or constants (printed), its
    sums and limits as rows, and for each fact stated in two releases a difference variable."""

    def __init__(self, releases: Sequence[Release]) -> None:
        self.releases = releases
        self.lower: list[int] = []
        self.rows: list[LinearRow] = []
        self.hidden: list[tuple[int, CellRef]] = []
        """variable -> (release, first printed position of its class)"""
        self.terms: list[dict[str, tuple[int | None, int]]] = []
        """per release: fact -> (variable or None, printed value or 0)"""
        for number, release in enumerate(releases):
            self._add_release(number, release)

    def _add_release(self, number: int, release: Release) -> None:
        printed = release.printed
        structure = Structure.build([Layout.of(table) for table in printed.tables], printed.links, printed.limits)
        variable_of: dict[int, int] = {}
        known: dict[int, int] = {}
        for cls, members in enumerate(structure.members):
            values = {printed.cell(ref).value for ref in members}
            if len(values) > 1:
                raise ValueError(f"linked positions print different numbers: {members}")
            value = values.pop()
            if value is None:
                variable_of[cls] = len(self.lower)
                self.lower.append(HIDDEN_BOUNDS[0])
                self.hidden.append((number, members[0]))
            else:
                known[cls] = value
        for terms, equality in [(t, True) for t in structure.sums] + [(t, False) for t in structure.limits]:
            coefficients = {variable_of[cls]: c for cls, c in terms if cls in variable_of}
            rest = -sum(c * known[cls] for cls, c in terms if cls in known)
            if coefficients:
                self.rows.append(LinearRow(coefficients, rest, equality))
            elif (rest != 0) if equality else (rest < 0):
                raise ValueError("the printed numbers contradict each other")
        stated: dict[str, tuple[int | None, int]] = {}
        for ref, fact in release.facts.items():
            cls = structure.class_of[ref]
            stated[fact] = (variable_of[cls], 0) if cls in variable_of else (None, known[cls])
        self.terms.append(stated)

    def decide(self, k: int, *, differences_grow: bool) -> list[Finding] | None:
        """The findings, or None if the releases contradict ``differences_grow``."""
        lower, rows = list(self.lower), list(self.rows)
        findings: list[Finding] = []
        differences: list[tuple[int, int, int, str]] = []
        for later in range(len(self.releases)):
            for earlier in range(later):
                for fact in sorted(self.terms[earlier].keys() & self.terms[later].keys()):
                    (old, old_value), (new, new_value) = self.terms[earlier][fact], self.terms[later][fact]
                    if old is None and new is None:
                        difference = new_value - old_value
                        if differences_grow and difference < 0:
                            return None
                        if 0 < abs(difference) < k:
                            findings.append(Finding(later, fact=fact, earlier=earlier))
                        continue
                    variable = len(lower)
                    lower.append(0 if differences_grow else _UNBOUNDED_BELOW)
                    coefficients = {variable: 1}
                    for term, sign in ((new, -1), (old, 1)):
                        if term is not None:
                            coefficients[term] = coefficients.get(term, 0) + sign
                    rows.append(LinearRow(coefficients, new_value - old_value))
                    differences.append((variable, earlier, later, fact))
        upper: list[int | None] = [None] * len(lower)
        try:
            ranges = IntegerRanges(rows, lower, upper)
        except ValueError:
            if differences_grow:
                return None
            raise
        findings += [
            Finding(release, ref=ref)
            for variable, (release, ref) in enumerate(self.hidden)
            if not ranges.reaches(variable, k)
        ]
        for variable, earlier, later, fact in differences:
            outside = ranges.attains(variable, 0, 0) or ranges.reaches(variable, k)
            if not (outside or (lower[variable] < 0 and ranges.attains(variable, lower[variable], -k))):
                findings.append(Finding(later, fact=fact, earlier=earlier))
        return findings
