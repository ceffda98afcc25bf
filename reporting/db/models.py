"""Tables of the service.

Rule of this module: a column is either a sealed blob (``sealed_*``, ``wrapped_*``: opened only with a
staff, recovery or receipt key, see ``reporting.crypto``) or a coarse code that triage and statistics
need. Nothing here holds an IP address, a user agent, a receipt code or a time of day of a report.
"""

from __future__ import annotations

import datetime as dt
import uuid

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporting.db.base import Base


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StaffAccount(Base):
    """A staff member. The private key is stored wrapped under the password (Argon2id)."""

    __tablename__ = "staff_account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Signed by the instance's staff-signing key (``vault.key_trust``): without a valid one, no data key.
    key_certificate: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sealed_totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)


class Office(Base):
    """A local counselling office (or the diocesan central office, ``is_central``): its public contact
    details, shown to reporters, and the regions it serves (:class:`OfficeRegion`), by which new reports
    are routed. Exactly one office is central: it takes what no other office serves."""

    __tablename__ = "office"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    """The office's stable key in the offices file (``REPORTING_OFFICES_FILE``)."""
    name: Mapped[str] = mapped_column(String(200))
    is_central: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    languages: Mapped[str] = mapped_column(String(300), default="")
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)


class OfficeRegion(Base):
    """A region (``taxonomy.REGIONS`` code) an office serves; each region is served by at most one office,
    so a report's routing is never a choice."""

    __tablename__ = "office_region"

    region: Mapped[str] = mapped_column(String(40), primary_key=True)
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)


class StaffOffice(Base):
    """A staff member's membership of an office (one or more per account)."""

    __tablename__ = "staff_office"

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True)
    office_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("office.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StaffSession(Base):
    """A logged-in staff web session.

    Only a hash of the session id is stored, and the unlocked private key is sealed under a key
    that exists only in the browser's cookie: a dump of this table opens nothing.
    """

    __tablename__ = "staff_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_account.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_pending_totp: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)


class StaffInvitation(Base):
    """A one-time invitation to create a staff account; only the token's hash is stored."""

    __tablename__ = "staff_invitation"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    invited_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_account.id", ondelete="CASCADE"))
    office_ids: Mapped[str] = mapped_column(Text, default="")
    """The offices the new account joins (comma-separated ids; empty: the central office)."""
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class Report(Base):
    """One case: a report from the public form or a walk-in intake.

    Plain columns are the coarse metadata triage and statistics need; all content is sealed under the
    report's case key, messages under its mailbox key.
    """

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_status_received_on", "status", "received_on"),
        # The inbox's attention order reads each status most recently active first and stops at a page.
        Index("ix_report_status_activity", "status", "last_activity_on", "id"),
        # Covers the attention counts every staff page shows (open statuses, their deadlines): read from
        # this index alone instead of the wide case rows.
        Index(
            "ix_report_open_work",
            "status",
            "shredded_on",
            "received_on",
            "acknowledged_on",
            "incident_on",
            "last_activity_on",
            "id",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="new")
    close_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_activity_on: Mapped[dt.date] = mapped_column(Date)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("office.id"), nullable=True, index=True)
    """The office that owns the case (routing metadata, not content: see SECURITY.md, "Offices")."""
    consent_statistics: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_counselling: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_lookup: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, unique=True)
    receipt_public_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sealed_narrative: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sealed_contact: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sealed_answers: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    shredded_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    acknowledged_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    """When staff first wrote to the reporter (the 7-day acknowledgement); walk-in cases on receipt."""
    incident_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    """The incident's day when the adviser knows it (for the AGG deadline); cleared when the case is shredded."""

    codes: Mapped[list[CaseCode]] = relationship(back_populates="report", cascade="all, delete-orphan", lazy="raise")


class CaseCode(Base):
    """One taxonomy code of a case, in long form so every dimension aggregates with one GROUP BY.

    ``origin`` is ``reporter`` (what the person chose on the form) or ``staff`` (the adviser's
    categorisation, the statistical record that outlives the case content).
    """

    __tablename__ = "case_code"
    __table_args__ = (Index("ix_case_code_lookup", "origin", "dimension", "code", "report_id"),)

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(10), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)

    report: Mapped[Report] = relationship(back_populates="codes", lazy="raise")


class Categorisation(Base):
    """The adviser's statistical record of a case, beside its codes in :class:`CaseCode`."""

    __tablename__ = "categorisation"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    intersectional: Mapped[bool] = mapped_column(Boolean, default=False)
    categorised_on: Mapped[dt.date] = mapped_column(Date)


class WrappedKey(Base):
    """A report data key sealed (HPKE) to one recipient: a staff member, the recovery key or the reporter.

    Deleting every row of a report is crypto-shredding: its ciphertexts can no longer be opened.
    """

    __tablename__ = "wrapped_key"
    __table_args__ = (
        # The cases a staff member can open, read from the index alone (inbox and navigation counts).
        Index("ix_wrapped_key_staff_cases", "staff_id", "key_purpose", "recipient", "report_id"),
    )

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    key_purpose: Mapped[str] = mapped_column(String(10), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(60), primary_key=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), nullable=True, index=True
    )
    wrapped_data_key: Mapped[bytes] = mapped_column(LargeBinary)


class CaseUnread(Base):
    """A case with a reporter's message this staff member has not opened since (one row per reader).

    Rows are written for the staff who hold a key of the case when the reporter writes, and removed when
    that member opens the case: the inbox marks and counts them without decrypting anything.
    """

    __tablename__ = "case_unread"

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Attachment(Base):
    """A file added to a case; name, type and content are sealed under the case key (files from staff and
    the public form) or the mailbox key (files a reporter adds later from the mailbox, who holds no case key)."""

    __tablename__ = "attachment"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[str] = mapped_column(String(10))
    key_purpose: Mapped[str] = mapped_column(String(10))
    added_on: Mapped[dt.date] = mapped_column(Date)
    sealed_meta: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)


class Message(Base):
    """A message between reporter and advisers, sealed under the report's mailbox key."""

    __tablename__ = "message"
    # Messages are shown in sequence order: two replies racing must never get the same number.
    __table_args__ = (UniqueConstraint("report_id", "sequence"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    sent_on: Mapped[dt.date] = mapped_column(Date)
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)


class Note(Base):
    """An adviser's internal note, sealed under the case key (never shown to the reporter)."""

    __tablename__ = "note"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEvent(Base):
    """An append-only, hash-chained record of who did what to which case (never content)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    report_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    previous_hash: Mapped[str] = mapped_column(String(64))
    event_hash: Mapped[str] = mapped_column(String(64), unique=True)


class ThrottleCounter(Base):
    """Requests per client and time window, shared by all worker processes.

    ``client_key`` is an HMAC of the client address under a key per scope and window that exists only in
    memory (``web.address_keys``), so these rows cannot be turned back into addresses.
    """

    __tablename__ = "throttle_counter"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class UsedToken(Base):
    """A one-time value (solved proof-of-work, TOTP step) already spent; the primary key stops replays
    across processes."""

    __tablename__ = "used_token"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class InstanceIdentity(Base):
    """The one row naming the instance this database belongs to: the fingerprint of its secrets file
    (:attr:`InstanceSecrets.fingerprint`). Receipts open only with the secrets the database was filled
    with, so a database beside another instance's secrets is refused rather than served."""

    __tablename__ = "instance_identity"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=1)
    fingerprint: Mapped[str] = mapped_column(String(64))


class StatsPublication(Base):
    """One published statistics release (PDF, export or preview): what a reader now holds, so that a later
    release of the same years is checked against it. ``printed`` is the release's printed tables as JSON
    (numbers and the mark "x" only, never a true count or why a cell is hidden); ``years`` the data years
    its facts are about, comma-separated and sorted."""

    __tablename__ = "stats_publication"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utc_now)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer, index=True)
    years: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(60))
    k: Mapped[int] = mapped_column(Integer)
    printed: Mapped[str] = mapped_column(Text)


class StatsTally(Base):
    """Running counts of the statistical record per year of receipt, kept up to date at categorisation
    (``reporting.tally``), so that the annual report reads a few hundred rows instead of every code of
    the year. ``key`` names what is counted (``code/grounds/religion``, ``month/3``, ``pair/age/gender``);
    year 0 holds the marker that the tally was built from the codes once."""

    __tablename__ = "stats_tally"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
