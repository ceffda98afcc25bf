"""The case inbox: one page of cases drawn from plain metadata only.

Nothing is decrypted to draw the list (no key is even touched), so its cost does not depend on what
cases say. Filters are indexed probes on ``case_code`` and ``report`` columns, and pages are keyset
paginated (``after``/``before`` a cursor naming the last row shown), so the two-thousandth page of
100,000 cases costs what the first costs; an offset would make deep pages scan everything before them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.casework.deadlines import (
    ACKNOWLEDGE_WITHIN_DAYS,
    AGG_CLAIM_MONTHS,
    CaseDates,
    Deadline,
    add_months,
    case_deadlines,
    parse_incident_month,
)
from reporting.db.models import CaseCode, CaseUnread, Categorisation, Office, Report, StaffAccount
from reporting.taxonomy import AREAS, CASE_STATUSES, STAFF_GROUNDS
from reporting.vault.offices import case_visibility
from reporting.vault.values import REPORTER, STAFF

PAGE_SIZE = 50
SORTS = ("attention", "newest", "oldest", "status")
"""The inbox's orders; the first is the default."""
ATTENTION = ("unread", "new", "reply_received", "overdue")
"""What needs attention, the inbox's quick filters and the navigation's counts."""
ATTENTION_ORDER = ("reply_received", "overdue", "new", "rest")
"""The default order's groups: a reporter's reply, then passed deadlines, then new cases, then the rest;
the most recently active first within each."""
AGG_RELEVANT = ("yes", "unclear")
"""Categorised as AGG-relevant: the two-month claim deadline is tracked (and "unclear" may still need it)."""
ASSIGNEE_ME = "me"
ASSIGNEE_NONE = "none"
STATUS_ORDER = CASE_STATUSES.codes()
OPEN_STATUSES = tuple(status for status in STATUS_ORDER if status != "closed")
_CURSOR_SEPARATOR = "~"
PageRow = tuple[
    uuid.UUID, dt.date, dt.date, str, str, str, str | None, bool, dt.date | None, dt.date | None, bool, str | None
]
"""id, received, last activity, status, language, source, assignee's name, categorised, acknowledged,
incident day, unread, owning office's name."""


@dataclass(frozen=True)
class InboxFilters:
    """What the list is narrowed to; every field is a code, a date or a staff id, never free text."""

    status: str | None = None
    area: str | None = None
    ground: str | None = None
    assignee: str | None = None
    """``me``, ``none`` or a staff id."""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    language: str | None = None
    attention: str | None = None
    """One of :data:`ATTENTION`."""


@dataclass(frozen=True)
class InboxRequest:
    """One inbox URL, parsed. Unknown or malformed values are dropped rather than refused: the list
    then shows more than asked, never less, and a hand-edited URL cannot break the page."""

    filters: InboxFilters = field(default_factory=InboxFilters)
    sort: str = SORTS[0]
    after: str | None = None
    before: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str], *, languages: Sequence[str]) -> InboxRequest:
        def code(name: str, allowed: Sequence[str]) -> str | None:
            value = params.get(name) or None
            return value if value in allowed else None

        assignee = params.get("assignee") or None
        if assignee not in (None, ASSIGNEE_ME, ASSIGNEE_NONE) and _parse_uuid(assignee) is None:
            assignee = None
        filters = InboxFilters(
            status=code("status", STATUS_ORDER),
            area=code("area", AREAS.codes()),
            ground=code("ground", STAFF_GROUNDS.codes()),
            assignee=assignee,
            received_from=_parse_date(params.get("from")),
            received_to=_parse_date(params.get("to")),
            language=code("language", languages),
            attention=code("attention", ATTENTION),
        )
        return cls(
            filters=filters,
            sort=code("sort", SORTS) or SORTS[0],
            after=params.get("after") or None,
            before=None if params.get("after") else params.get("before") or None,
        )

    def query_string(self, *, after: str | None = None, before: str | None = None) -> str:
        """The URL query of this view with another cursor (``?`` included, or empty)."""
        filters = self.filters
        params = {
            "status": filters.status,
            "area": filters.area,
            "ground": filters.ground,
            "assignee": filters.assignee,
            "from": filters.received_from.isoformat() if filters.received_from else None,
            "to": filters.received_to.isoformat() if filters.received_to else None,
            "language": filters.language,
            "attention": filters.attention,
            "sort": self.sort if self.sort != SORTS[0] else None,
            "after": after,
            "before": before,
        }
        present = {name: value for name, value in params.items() if value}
        return f"?{urlencode(present)}" if present else ""

    def first_page(self) -> InboxRequest:
        return replace(self, after=None, before=None)


@dataclass(frozen=True)
class InboxRow:
    id: uuid.UUID
    received_on: dt.date
    last_activity_on: dt.date
    status: str
    language: str
    source: str
    assignee_name: str | None
    grounds: list[str]
    """The adviser's grounds, or the reporter's while the case is not categorised yet."""
    area: str | None
    categorised: bool
    unread: bool
    deadlines: list[Deadline]
    office_name: str = ""

    def overdue(self, today: dt.date) -> list[Deadline]:
        return [deadline for deadline in self.deadlines if deadline.is_overdue(today)]

    def next_deadline(self) -> Deadline | None:
        """The earliest deadline not met yet."""
        return next((deadline for deadline in self.deadlines if not deadline.met), None)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    previous_cursor: str | None


def _parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _parse_uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


SortKey = tuple[SQLColumnExpression[Any], bool]
"""An ORDER BY term: (expression, descending)."""
NEWEST_FIRST: list[SortKey] = [(Report.received_on, True), (Report.id, True)]
OLDEST_FIRST: list[SortKey] = [(Report.received_on, False), (Report.id, False)]
ACTIVE_FIRST: list[SortKey] = [(Report.last_activity_on, True), (Report.id, True)]
SEGMENTS = {"status": len(STATUS_ORDER), "attention": len(ATTENTION_ORDER)}
"""Sorts that run one query per group in order (their cursors name the group's rank), and how many groups."""


def _sort_keys(sort: str) -> list[SortKey]:
    if sort == "attention":
        return ACTIVE_FIRST
    return OLDEST_FIRST if sort == "oldest" else NEWEST_FIRST


Segment = list[list[ColumnElement[bool]]]
"""One group of a segmented sort: the conditions of each of its parts, one status each."""


def _segments(sort: str, *, today: dt.date, answer_due_months: int) -> list[Segment]:
    """The groups of a segmented sort in order (one group holding everything otherwise). The groups of the
    attention order exclude each other, so every case is in exactly one. A group spanning several statuses
    is read status by status, each part in the order of the (status, last activity) index so it stops
    early, and the parts are merged: one query over several statuses would sort all their cases."""
    if sort == "status":
        return [[[Report.status == status]] for status in STATUS_ORDER]
    if sort == "attention":
        overdue = overdue_condition(today, answer_due_months)

        def by_status(statuses: Sequence[str], *extra: ColumnElement[bool]) -> Segment:
            return [[Report.status == status, *extra] for status in statuses]

        open_statuses = [status for status in OPEN_STATUSES if status != "reply_received"]
        return [
            by_status(["reply_received"]),
            by_status(open_statuses, overdue),
            by_status(["new"], not_(overdue)),
            by_status([status for status in STATUS_ORDER if status not in ("reply_received", "new")], not_(overdue)),
        ]
    return [[[]]]


def _sort_values(keys: list[SortKey], row: PageRow) -> tuple[Any, ...]:
    """A fetched row's sort key in Python, for merging the parts of a group: every part is ordered by
    the same descending (date, id) keys, and UUIDs compare as the databases order them."""
    assert all(descending for _expression, descending in keys)
    date = row[2] if keys is ACTIVE_FIRST else row[1]
    return date, row[0]


def _cursor_of(sort: str, rank: int, row: PageRow) -> str:
    report_id, received_on, last_activity_on = row[0], row[1], row[2]
    parts = [(last_activity_on if sort == "attention" else received_on).isoformat(), report_id.hex]
    if sort in SEGMENTS:
        parts.insert(0, str(rank))
    return _CURSOR_SEPARATOR.join(parts)


def _parse_cursor(sort: str, raw: str) -> tuple[int, list[Any]] | None:
    """(group rank, [date, id]) of a cursor; the rank is 0 unless the sort runs by groups."""
    parts = raw.split(_CURSOR_SEPARATOR)
    rank = 0
    if sort in SEGMENTS:
        if len(parts) != 3 or parts[0] not in {str(rank) for rank in range(SEGMENTS[sort])}:
            return None
        rank = int(parts.pop(0))
    if len(parts) != 2:
        return None
    day, report_id = _parse_date(parts[0]), _parse_uuid(parts[1])
    if day is None or report_id is None:
        return None
    return rank, [day, report_id]


def _compare(key: SortKey, value: Any, *, forward: bool, strict: bool) -> ColumnElement[bool]:
    expression, descending = key
    comparison: ColumnElement[bool]
    if descending == forward:
        comparison = expression < value if strict else expression <= value
    else:
        comparison = expression > value if strict else expression >= value
    return comparison


def _beyond(keys: list[SortKey], values: list[Any], *, forward: bool) -> ColumnElement[bool]:
    """Rows strictly after (``forward``) or before the cursor in the sort order.

    The leading non-strict comparison on the first key is implied by the disjunction, but spelled out
    so the database can seek in the index instead of testing every row from the start.
    """
    alternatives = [
        and_(
            *(key[0] == value for key, value in zip(keys[:position], values, strict=False)),
            _compare(keys[position], values[position], forward=forward, strict=True),
        )
        for position in range(len(keys))
    ]
    return and_(_compare(keys[0], values[0], forward=forward, strict=False), or_(*alternatives))


def _has_code(dimension: str, code: str) -> ColumnElement[bool]:
    """The adviser's or the reporter's code matches. A correlated EXISTS, probed per candidate row in
    list order, so the first page stops early; an IN list would first collect every matching case."""
    return exists().where(
        CaseCode.report_id == Report.id,
        CaseCode.origin.in_((STAFF, REPORTER)),
        CaseCode.dimension == dimension,
        CaseCode.code == code,
    )


def unread_by(staff_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(CaseUnread.report_id == Report.id, CaseUnread.staff_id == staff_id)


def overdue_condition(today: dt.date, answer_due_months: int) -> ColumnElement[bool]:
    """Open cases past any of their deadlines (see ``deadlines``): acknowledgement, answer or AGG claim,
    each as an indexed range on plain metadata, agreeing with :func:`case_deadlines` on every day."""
    return and_(
        Report.status != "closed",
        or_(
            and_(
                Report.acknowledged_on.is_(None),
                Report.received_on < today - dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS),
            ),
            Report.received_on < overdue_cut_off(today, answer_due_months),
            agg_overdue_condition(today),
        ),
    )


def agg_overdue_condition(today: dt.date) -> ColumnElement[bool]:
    """AGG-relevant cases whose two-month claim deadline has passed: counted from the incident's day when
    staff recorded it, else from the last day of the month the reporter chose. A month's last day is before
    the cut-off exactly when the month is before the cut-off's month, so ``YYYY-MM`` codes compare as text
    (``LIKE`` keeps out ``earlier`` and anything else that is no month)."""
    cut_off = overdue_cut_off(today, AGG_CLAIM_MONTHS)
    # The AGG-relevant cases are a small set, read once from the code index; a probe per open case cost
    # six times more in the counts every staff page shows.
    agg_relevant = select(CaseCode.report_id).where(
        CaseCode.origin == STAFF, CaseCode.dimension == "agg_applicable", CaseCode.code.in_(AGG_RELEVANT)
    )
    return and_(
        Report.id.in_(agg_relevant),
        or_(
            # Spelled out with IS NOT NULL so the condition is never NULL: its negation must hold for
            # every case it does not, or the attention order would lose cases.
            and_(Report.incident_on.is_not(None), Report.incident_on < cut_off),
            and_(
                Report.incident_on.is_(None),
                exists().where(
                    CaseCode.report_id == Report.id,
                    CaseCode.origin == REPORTER,
                    CaseCode.dimension == "incident_period",
                    CaseCode.code.like("____-__"),
                    CaseCode.code < f"{cut_off:%Y-%m}",
                ),
            ),
        ),
    )


def overdue_cut_off(today: dt.date, months: int) -> dt.date:
    """The earliest start whose period of ``months`` has not ended before today: step back day by day from
    the month arithmetic's guess, since month ends make ``add_months`` not invertible."""
    candidate = add_months(today, -months) - dt.timedelta(days=4)
    while add_months(candidate, months) < today:
        candidate += dt.timedelta(days=1)
    return candidate


def attention_condition(
    attention: str, *, staff_id: uuid.UUID, today: dt.date, answer_due_months: int
) -> ColumnElement[bool]:
    if attention == "unread":
        return unread_by(staff_id)
    if attention == "overdue":
        return overdue_condition(today, answer_due_months)
    return Report.status == attention


def inbox_conditions(
    filters: InboxFilters,
    *,
    staff_id: uuid.UUID,
    visibility: ColumnElement[bool] | None,
    today: dt.date | None = None,
    answer_due_months: int = 3,
) -> list[ColumnElement[bool]]:
    """``visibility``: the cases this member may see (``vault.offices.case_visibility``; ``None``: all)."""
    conditions: list[ColumnElement[bool]] = [Report.shredded_on.is_(None)]
    if visibility is not None:
        conditions.append(visibility)
    if filters.status:
        conditions.append(Report.status == filters.status)
    if filters.language:
        conditions.append(Report.language == filters.language)
    if filters.received_from:
        conditions.append(Report.received_on >= filters.received_from)
    if filters.received_to:
        conditions.append(Report.received_on <= filters.received_to)
    if filters.assignee == ASSIGNEE_ME:
        conditions.append(Report.assignee_id == staff_id)
    elif filters.assignee == ASSIGNEE_NONE:
        conditions.append(Report.assignee_id.is_(None))
    elif filters.assignee:
        conditions.append(Report.assignee_id == uuid.UUID(filters.assignee))
    if filters.ground:
        conditions.append(_has_code("grounds", filters.ground))
    if filters.area:
        conditions.append(_has_code("areas", filters.area))
    if filters.attention:
        conditions.append(
            attention_condition(
                filters.attention,
                staff_id=staff_id,
                today=today or dt.date.today(),
                answer_due_months=answer_due_months,
            )
        )
    return conditions


@dataclass(frozen=True)
class AttentionCounts:
    """What the navigation counts for one staff member: cases they can see, by what needs doing."""

    unread: int
    new: int
    reply_received: int
    overdue: int


async def attention_counts(
    db: AsyncSession, *, staff_id: uuid.UUID, role: str, answer_due_months: int, today: dt.date | None = None
) -> AttentionCounts:
    """Four counts in one query over the cases this member sees (plain metadata only).

    Every staff page shows them, so they must not cost a pass over every case ever received: new, reply
    received and overdue are counted over the open cases only (an index range by status; closed cases,
    the bulk of a long-running instance, have no deadline left), unread from this member's unread rows.
    """
    today = today or dt.date.today()
    visibility = await case_visibility(db, staff_id, role)
    conditions = inbox_conditions(InboxFilters(), staff_id=staff_id, visibility=visibility)

    def count(condition: ColumnElement[bool]) -> Any:
        return func.count().filter(condition)

    unread = (
        select(func.count())
        .select_from(CaseUnread)
        .join(Report, Report.id == CaseUnread.report_id)
        .where(CaseUnread.staff_id == staff_id, *conditions)
        .scalar_subquery()
    )
    row = (
        await db.execute(
            select(
                unread,
                count(Report.status == "new"),
                count(Report.status == "reply_received"),
                count(overdue_condition(today, answer_due_months)),
            ).where(*conditions, Report.status.in_(OPEN_STATUSES))
        )
    ).one()
    return AttentionCounts(*row)


async def _codes_of(db: AsyncSession, report_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[tuple[str, str], list[str]]]:
    """(origin, dimension) -> codes of the listed cases, for the grounds and area columns."""
    codes: dict[uuid.UUID, dict[tuple[str, str], list[str]]] = {report_id: {} for report_id in report_ids}
    if not report_ids:
        return codes
    rows = await db.execute(
        select(CaseCode.report_id, CaseCode.origin, CaseCode.dimension, CaseCode.code).where(
            CaseCode.report_id.in_(report_ids),
            CaseCode.dimension.in_(("grounds", "areas", "agg_applicable", "incident_period")),
        )
    )
    for report_id, origin, dimension, code in rows:
        codes[report_id].setdefault((origin, dimension), []).append(code)
    return codes


async def _fetch(
    db: AsyncSession,
    conditions: list[ColumnElement[bool]],
    keys: list[SortKey],
    *,
    backwards: bool,
    limit: int,
    staff_id: uuid.UUID,
) -> list[PageRow]:
    statement = (
        select(
            Report.id,
            Report.received_on,
            Report.last_activity_on,
            Report.status,
            Report.language,
            Report.source,
            StaffAccount.display_name,
            Categorisation.report_id.is_not(None),
            Report.acknowledged_on,
            Report.incident_on,
            unread_by(staff_id),
            Office.name,
        )
        .outerjoin(StaffAccount, StaffAccount.id == Report.assignee_id)
        .outerjoin(Office, Office.id == Report.office_id)
        .outerjoin(Categorisation, Categorisation.report_id == Report.id)
        .where(*conditions)
        .order_by(
            *(expression.desc() if descending != backwards else expression.asc() for expression, descending in keys)
        )
        .limit(limit)
    )
    return list((await db.execute(statement)).all())


async def load_inbox(
    db: AsyncSession,
    request: InboxRequest,
    *,
    staff_id: uuid.UUID,
    role: str,
    answer_due_months: int = 3,
    today: dt.date | None = None,
) -> InboxPage:
    """One page of the inbox as ``staff_id`` with ``role`` may see it.

    Sorting by status or by attention runs one small indexed query per group in order (newest or most
    recently active first within each) until the page is full, instead of sorting every case by a
    computed rank. There is no total count: counting 100,000 filtered cases would cost more than the page
    itself.
    """
    today = today or dt.date.today()
    visibility = await case_visibility(db, staff_id, role)
    conditions = inbox_conditions(
        request.filters, staff_id=staff_id, visibility=visibility, today=today, answer_due_months=answer_due_months
    )
    keys = _sort_keys(request.sort)
    segments = _segments(request.sort, today=today, answer_due_months=answer_due_months)
    raw_cursor = request.after or request.before
    cursor = _parse_cursor(request.sort, raw_cursor) if raw_cursor else None
    backwards = cursor is not None and request.after is None
    start_rank, cursor_values = cursor if cursor else (len(segments) - 1 if backwards else 0, None)
    ranks = range(start_rank, -1, -1) if backwards else range(start_rank, len(segments))
    fetched: list[tuple[int, PageRow]] = []
    for position, rank in enumerate(ranks):
        # One row more than a page tells whether another page follows.
        limit = PAGE_SIZE + 1 - len(fetched)
        found: list[PageRow] = []
        for part in segments[rank]:
            part_conditions = [*conditions, *part]
            if position == 0 and cursor_values is not None:
                part_conditions.append(_beyond(keys, cursor_values, forward=not backwards))
            found += await _fetch(db, part_conditions, keys, backwards=backwards, limit=limit, staff_id=staff_id)
        if len(segments[rank]) > 1:
            found = sorted(found, key=lambda row: _sort_values(keys, row), reverse=not backwards)[:limit]
        fetched += [(rank, row) for row in found]
        if len(fetched) > PAGE_SIZE:
            break
    more = len(fetched) > PAGE_SIZE
    page = fetched[:PAGE_SIZE]
    if backwards:
        page.reverse()
    codes = await _codes_of(db, [row[0] for _rank, row in page])
    grounds_order = STAFF_GROUNDS.codes()
    rows: list[InboxRow] = []
    for _rank, (
        report_id,
        received_on,
        last_activity_on,
        status,
        language,
        source,
        assignee_name,
        categorised,
        acknowledged_on,
        incident_on,
        unread,
        office_name,
    ) in page:
        case_codes = codes[report_id]
        origin = STAFF if categorised else REPORTER
        incident_period = next(iter(case_codes.get((REPORTER, "incident_period"), [])), "")
        case_dates = CaseDates(
            received_on=received_on,
            acknowledged_on=acknowledged_on,
            closed=status == "closed",
            agg_relevant=bool(set(case_codes.get((STAFF, "agg_applicable"), [])) & set(AGG_RELEVANT)),
            incident_on=incident_on,
            incident_month=parse_incident_month(incident_period),
        )
        rows.append(
            InboxRow(
                id=report_id,
                received_on=received_on,
                last_activity_on=last_activity_on,
                status=status,
                language=language,
                source=source,
                assignee_name=assignee_name,
                grounds=sorted(
                    (code for code in case_codes.get((origin, "grounds"), []) if code in grounds_order),
                    key=grounds_order.index,
                ),
                area=next(iter(case_codes.get((origin, "areas"), [])), None),
                categorised=categorised,
                unread=unread,
                deadlines=case_deadlines(case_dates, answer_due_months=answer_due_months),
                office_name=office_name or "",
            )
        )
    cursors = [_cursor_of(request.sort, rank, row) for rank, row in page]
    has_before = (more if backwards else cursor is not None) and bool(rows)
    has_after = (backwards or more) and bool(rows)
    return InboxPage(
        rows=rows,
        next_cursor=cursors[-1] if has_after else None,
        previous_cursor=cursors[0] if has_before else None,
    )
