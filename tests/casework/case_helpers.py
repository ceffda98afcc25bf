"""Helpers for the case tests: seal real cases into the test database and read back what the app stored."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import passwords, receipt
from reporting.db.models import AuditEvent, CaseCode, Categorisation, Report, StaffAccount
from reporting.tally import count_in
from reporting.vault import opening, sealing, values
from tests.conftest import run_db

CHEAP_RECEIPT_ARGON2 = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)
NARRATIVE = "The landlord refused the flat when he heard my name."


def use_cheap_receipts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Derive receipt keys with the cheapest Argon2 costs in this process (the app's and the helpers')."""
    monkeypatch.setattr(
        opening, "derive_receipt_keys", functools.partial(receipt.derive_receipt_keys, params=CHEAP_RECEIPT_ARGON2)
    )


@dataclass
class SeededCase:
    id: uuid.UUID
    receipt_code: str | None = field(default=None, repr=False)


def seed_case(
    settings: Settings,
    *,
    narrative: str = NARRATIVE,
    contact: str | None = None,
    received_on: dt.date | None = None,
    language: str = "de",
    source: str = "online",
    status: str = "new",
    reporter_codes: dict[str, list[str]] | None = None,
    staff_codes: dict[str, list[str]] | None = None,
    readers: Sequence[StaffAccount] = (),
    assignee: StaffAccount | None = None,
    receipt_code: bool = False,
    attachments: Sequence[values.FileUpload] = (),
    closed_on: dt.date | None = None,
) -> SeededCase:
    """A sealed case, readable by the recovery key, the active coordinators and ``readers`` (and the assignee)."""

    async def create(db: AsyncSession) -> SeededCase:
        accounts = [*readers, *([assignee] if assignee else [])]
        report, code = await sealing.create_report(
            db,
            settings=settings,
            secrets=load_instance_secrets(settings),
            content=values.ReportContent(narrative=narrative, contact=contact),
            metadata=values.ReportMetadata(
                received_on=received_on or dt.date.today(),
                language=language,
                source=source,
                consent_statistics=True,
                reporter_codes=reporter_codes or {},
            ),
            attachments=attachments,
            issue_receipt=receipt_code,
            extra_recipients=[
                values.Recipient(values.staff_recipient(account.id), account.public_key, account.id)
                for account in accounts
            ],
        )
        report.status = status
        report.assignee_id = assignee.id if assignee else None
        if closed_on is not None:
            report.status, report.closed_on, report.close_reason = "closed", closed_on, "resolved"
        if staff_codes is not None:
            db.add_all(
                CaseCode(report_id=report.id, origin=values.STAFF, dimension=dimension, code=code)
                for dimension, codes in staff_codes.items()
                for code in codes
            )
            db.add(Categorisation(report_id=report.id, intersectional=False, categorised_on=dt.date.today()))
            await db.flush()
            await count_in(db, [report.id])
        return SeededCase(report.id, code)

    result: SeededCase = run_db(settings, create)
    return result


def load_report(settings: Settings, report_id: uuid.UUID) -> Report:
    async def load(db: AsyncSession) -> Report:
        report = await db.get(Report, report_id)
        assert report is not None
        return report

    report: Report = run_db(settings, load)
    return report


def audit_events(settings: Settings, report_id: uuid.UUID | None = None) -> list[tuple[str, str, str]]:
    """(actor, action, detail) of the audit log, oldest first, optionally of one case."""

    async def load(db: AsyncSession) -> list[tuple[str, str, str]]:
        query = select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id)
        if report_id is not None:
            query = query.where(AuditEvent.report_id == report_id)
        return [(actor, action, detail) for actor, action, detail in (await db.execute(query)).all()]

    events: list[tuple[str, str, str]] = run_db(settings, load)
    return events


def actions(settings: Settings, report_id: uuid.UUID) -> list[str]:
    return [action for _actor, action, _detail in audit_events(settings, report_id)]


def staff_codes(settings: Settings, report_id: uuid.UUID) -> dict[str, list[str]]:
    async def load(db: AsyncSession) -> dict[str, list[str]]:
        rows = await db.execute(
            select(CaseCode.dimension, CaseCode.code).where(
                CaseCode.report_id == report_id, CaseCode.origin == values.STAFF
            )
        )
        codes: dict[str, list[str]] = {}
        for dimension, code in rows:
            codes.setdefault(dimension, []).append(code)
        return {dimension: sorted(values) for dimension, values in codes.items()}

    codes: dict[str, list[str]] = run_db(settings, load)
    return codes


def actor(account: StaffAccount) -> str:
    """How a staff member is named in the audit log."""
    return f"staff:{account.id}"


def seed_plain_cases(settings: Settings, count: int, *, start: dt.date, **columns: object) -> list[uuid.UUID]:
    """``count`` metadata-only cases received one a day from ``start`` (enough for the inbox, which never
    decrypts); ``columns`` override report columns for all of them."""

    async def create(db: AsyncSession) -> list[uuid.UUID]:
        defaults: dict[str, object] = {"language": "de", "source": "online", "status": "new"}
        reports = [
            Report(
                id=uuid.uuid4(),
                received_on=start + dt.timedelta(days=day),
                last_activity_on=start + dt.timedelta(days=day),
                **{**defaults, **columns},
            )
            for day in range(count)
        ]
        db.add_all(reports)
        return [report.id for report in reports]

    ids: list[uuid.UUID] = run_db(settings, create)
    return ids


NOT_LAYOUT_PAGES = {
    "/staff/login",
    "/staff/login/two-factor",
    "/staff/invite/{token}",
    "/staff/cases/{report_id}/attachments/{attachment_id}",
    "/staff/cases/{report_id}/export",
    "/staff/stats/{year}/report.pdf",
    "/staff/stats/{year}/tables.csv",
    "/staff/stats/{year}/tables.json",
    "/staff/stats/{year}/tables.xlsx",
}
"""Staff GET routes that are no page of a logged-in member's staff layout (before login, or a download)."""


def staff_layout_routes(app: Litestar) -> set[str]:
    """Every GET route under /staff that draws a page in the staff layout, as ``{name}`` templates (the
    pages the attention counts, axe and the 1280 px check must all cover)."""
    return {
        re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/staff") and "GET" in route.methods
    } - NOT_LAYOUT_PAGES
