"""Retention: case content is crypto-shredded a configurable time after the case was closed.

The rule is the issue's: content goes ``settings.retention_years`` (default 3) after ``closed_on``.
Counselling practice often counts "three years after the end of the year of last contact" instead,
which keeps a file up to a year longer; whoever needs that sets ``REPORTING_RETENTION_YEARS`` to 4.
Reopening a case clears ``closed_on``, so its clock starts again when it is closed the next time.

Shredding (``shredding.shred_report``) deletes every wrapped key, attachment, message and note and the
sealed narrative, contact and answers, and the receipt lookup, so nothing of the case can be opened
again, not even with the recovery key; on PostgreSQL, whose files keep deleted rows, the period keys
that sealed its wraps are renewed and destroyed (``reporting.vault.period_keys``).
What stays is the de-identified statistical record: the adviser's categorisation codes and the coarse
metadata statistics count (language, source, consent), with every date reduced to its month. The
reporter's own form codes go too: they are not part of the statistics and may be finer (the month of the
incident). Each shredded case is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.audit import chain as audit
from reporting.db.models import CaseCode, Categorisation, Report
from reporting.vault import period_keys, shredding, values
from reporting.vault.period_keys import PeriodKeys

CLOSED = "closed"
RETENTION_ACTOR = "cli"


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.date
    """Cases closed on or before this day are due."""
    due: int
    shredded: int


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` ago (28 February for a 29 February that year lacks)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


async def due_case_ids(db: AsyncSession, cutoff: dt.date) -> list[uuid.UUID]:
    rows = await db.execute(
        select(Report.id)
        .where(Report.status == CLOSED, Report.closed_on <= cutoff, Report.shredded_on.is_(None))
        .order_by(Report.closed_on, Report.id)
    )
    return list(rows.scalars())


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


async def shred_case(db: AsyncSession, report: Report) -> set[str]:
    """Destroy the content of one case and keep only its de-identified statistical record; return the
    periods whose keys must be renewed (see ``apply_retention``)."""
    periods = await shredding.shred_report(db, report)
    await db.execute(delete(CaseCode).where(CaseCode.report_id == report.id, CaseCode.origin == values.REPORTER))
    report.received_on = _month_of(report.received_on)
    report.last_activity_on = _month_of(report.last_activity_on)
    if report.closed_on is not None:
        report.closed_on = _month_of(report.closed_on)
    report.shredded_on = _month_of(dt.date.today())
    report.assignee_id = None
    report.office_id = None  # which office held it is no statistic
    categorisation = await db.get(Categorisation, report.id)
    if categorisation is not None:
        categorisation.categorised_on = _month_of(categorisation.categorised_on)
    await audit.record(db, actor=RETENTION_ACTOR, action="retention.shred", report_id=report.id)
    return periods


async def apply_retention(
    db: AsyncSession, keys: PeriodKeys, *, retention_years: int, today: dt.date, dry_run: bool = False
) -> RetentionResult:
    """Shred every closed case whose retention period has passed (``dry_run``: only count them).

    Wraps stored before period keys existed are sealed under one first. Every period that held a shredded
    case gets a new key generation; after the commit, ``period_keys.retire_old_generations`` moves the
    surviving cases to it and destroys the old key, which is what makes the deleted rows' copies in
    PostgreSQL's table files and WAL useless.
    """
    cutoff = retention_cutoff(today, retention_years)
    due = await due_case_ids(db, cutoff)
    if dry_run:
        return RetentionResult(cutoff=cutoff, due=len(due), shredded=0)
    await period_keys.seal_legacy_wraps(db, keys)
    periods: set[str] = set()
    for report_id in due:
        report = await db.get(Report, report_id)
        if report is not None:
            periods |= await shred_case(db, report)
    for period in sorted(periods):
        keys.new_generation(period)
    return RetentionResult(cutoff=cutoff, due=len(due), shredded=len(due))
