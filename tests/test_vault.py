"""The encryption protocol against a real database: every field round-trips for those allowed, grants
re-wrap without re-encrypting, password change and recovery (key and k-of-n shares) restore access,
staff replies reach the receipt holder, shredding destroys content, and a seized disk reads nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.auth.recovery import restore_staff_access
from reporting.cli import cli
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import passwords, recovery
from reporting.crypto.errors import CryptoError
from reporting.crypto.report_keys import CASE_KEY, MAILBOX_KEY
from reporting.db.engine import session_scope
from reporting.db.models import Report, StaffAccount, WrappedKey
from reporting.vault.grants import grant_access
from reporting.vault.key_trust import certify_account
from reporting.vault.opening import (
    data_key_for_staff,
    find_report_by_receipt,
    mailbox_key_for_reporter,
    open_attachment,
    open_case,
    open_messages,
)
from reporting.vault.period_keys import PeriodKeys
from reporting.vault.recovery_key import read_recovery_secret
from reporting.vault.sealing import add_message, add_note, create_report
from reporting.vault.shredding import shred_report
from reporting.vault.values import (
    AccessDeniedError,
    FileUpload,
    NoRecoveryKeyError,
    ReportContent,
    ReportMetadata,
    new_staff_key_material,
)
from tests.offices_helpers import add_to_central_office

CHEAP = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)


def _staff(settings: Settings, role: str, password: str) -> StaffAccount:
    """An account as ``add_staff`` makes it (certified), at the tests' Argon2 cost."""
    material = new_staff_key_material(password, params=CHEAP)
    account = StaffAccount(
        id=uuid.uuid4(),
        email=f"{uuid.uuid4().hex[:8]}@caritas.example",
        display_name=role,
        role=role,
        password_hash="not used here",
        public_key=material.public_key,
        wrapped_private_key=material.wrapped_private_key,
    )
    certify_account(settings, account)
    return account


def _metadata() -> ReportMetadata:
    return ReportMetadata(
        received_on=dt.date(2026, 11, 25),
        language="de",
        source="online",
        consent_statistics=True,
        reporter_codes={"grounds": ["religion", "language"], "areas": ["housing"]},
    )


@pytest.fixture
async def session(initialised_settings: Settings) -> AsyncIterator[AsyncSession]:
    async with session_scope(initialised_settings) as db_session:
        yield db_session


async def test_every_field_round_trips_for_a_coordinator(session: AsyncSession, initialised_settings: Settings) -> None:
    coordinator = _staff(initialised_settings, "coordinator", "coordinator password")
    await add_to_central_office(session, coordinator)
    secrets = load_instance_secrets(initialised_settings)
    content = ReportContent(narrative="Die Vermieterin sagte …", contact="Signal +49 151 000", answers={"place": "x"})
    upload = FileUpload(filename="brief.pdf", media_type="application/pdf", content=b"%PDF-1.7 test")
    report, code = await create_report(
        session,
        settings=initialised_settings,
        secrets=secrets,
        content=content,
        metadata=_metadata(),
        attachments=[upload],
    )
    assert code is not None
    private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, "coordinator password")
    case_key = await data_key_for_staff(
        session,
        PeriodKeys.of(initialised_settings),
        report.id,
        CASE_KEY,
        staff_id=coordinator.id,
        private_key=private_key,
    )
    await add_note(session, report, case_key=case_key, staff_id=coordinator.id, body="interne Notiz")
    mailbox_key = await data_key_for_staff(
        session,
        PeriodKeys.of(initialised_settings),
        report.id,
        MAILBOX_KEY,
        staff_id=coordinator.id,
        private_key=private_key,
    )
    await add_message(
        session, report, mailbox_key=mailbox_key, author="staff", body="Wir melden uns.", staff_id=coordinator.id
    )

    opened = await open_case(
        session, PeriodKeys.of(initialised_settings), report, staff_id=coordinator.id, private_key=private_key
    )
    assert opened.content == content
    assert [note.body for note in opened.notes] == ["interne Notiz"]
    assert [message.body for message in opened.messages] == ["Wir melden uns."]
    meta, file_content = await open_attachment(
        session,
        PeriodKeys.of(initialised_settings),
        report.id,
        opened.attachments[0].id,
        staff_id=coordinator.id,
        private_key=private_key,
    )
    assert (meta.filename, meta.media_type, file_content) == ("brief.pdf", "application/pdf", b"%PDF-1.7 test")
    assert meta.size == len(b"%PDF-1.7 test")


async def test_reporter_reads_staff_reply_with_receipt_and_answers(
    session: AsyncSession, initialised_settings: Settings
) -> None:
    coordinator = _staff(initialised_settings, "coordinator", "coordinator password")
    await add_to_central_office(session, coordinator)
    secrets = load_instance_secrets(initialised_settings)
    report, code = await create_report(
        session, settings=initialised_settings, secrets=secrets, content=ReportContent("x"), metadata=_metadata()
    )
    assert code is not None
    private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, "coordinator password")
    staff_mailbox_key = await data_key_for_staff(
        session,
        PeriodKeys.of(initialised_settings),
        report.id,
        MAILBOX_KEY,
        staff_id=coordinator.id,
        private_key=private_key,
    )
    await add_message(
        session, report, mailbox_key=staff_mailbox_key, author="staff", body="Antwort", staff_id=coordinator.id
    )

    found = await find_report_by_receipt(session, secrets, code.replace(" ", "-"))
    assert found is not None
    found_report, receipt = found
    assert found_report.id == report.id
    reporter_key = await mailbox_key_for_reporter(session, PeriodKeys.of(initialised_settings), found_report, receipt)
    await add_message(session, found_report, mailbox_key=reporter_key, author="reporter", body="Danke")
    assert [(m.author, m.body) for m in await open_messages(session, report.id, reporter_key)] == [
        ("staff", "Antwort"),
        ("reporter", "Danke"),
    ]
    # The reporter's key opens the mailbox only: the case key is not wrapped for the receipt.
    assert await session.get(WrappedKey, (report.id, CASE_KEY, "reporter")) is None
    assert await find_report_by_receipt(session, secrets, "1234 5678 9012 3456 7890") is None
    assert await find_report_by_receipt(session, secrets, "not a code") is None


async def test_grant_rewraps_and_ungranted_staff_cannot_open(
    session: AsyncSession, initialised_settings: Settings
) -> None:
    coordinator, adviser = (
        _staff(initialised_settings, "coordinator", "coordinator password"),
        _staff(initialised_settings, "adviser", "adviser password 1"),
    )
    await add_to_central_office(session, coordinator, adviser)
    secrets = load_instance_secrets(initialised_settings)
    report, _ = await create_report(
        session,
        settings=initialised_settings,
        secrets=secrets,
        content=ReportContent("vertraulich"),
        metadata=_metadata(),
    )
    adviser_key = passwords.unwrap_private_key(adviser.wrapped_private_key, "adviser password 1")
    with pytest.raises(AccessDeniedError):
        await open_case(
            session, PeriodKeys.of(initialised_settings), report, staff_id=adviser.id, private_key=adviser_key
        )
    sealed_before = report.sealed_narrative
    coordinator_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, "coordinator password")
    assert await grant_access(
        session,
        report.id,
        settings=initialised_settings,
        granter_id=coordinator.id,
        granter_private_key=coordinator_key,
        grantee=adviser,
    )
    opened = await open_case(
        session, PeriodKeys.of(initialised_settings), report, staff_id=adviser.id, private_key=adviser_key
    )
    assert opened.content.narrative == "vertraulich"
    assert report.sealed_narrative == sealed_before  # nothing was re-encrypted
    # A key wrapped for the adviser does not open with another staff member's private key.
    with pytest.raises(CryptoError):
        await open_case(
            session, PeriodKeys.of(initialised_settings), report, staff_id=adviser.id, private_key=coordinator_key
        )


async def test_password_change_rewraps_only_the_private_key(
    session: AsyncSession, initialised_settings: Settings
) -> None:
    coordinator = _staff(initialised_settings, "coordinator", "old password 123")
    await add_to_central_office(session, coordinator)
    secrets = load_instance_secrets(initialised_settings)
    report, _ = await create_report(
        session, settings=initialised_settings, secrets=secrets, content=ReportContent("Text"), metadata=_metadata()
    )
    wrapped_rows_before = {row.wrapped_data_key for row in (await session.execute(select(WrappedKey))).scalars()}
    coordinator.wrapped_private_key = passwords.change_password(
        coordinator.wrapped_private_key, "old password 123", "new password 456", params=CHEAP
    )
    with pytest.raises(CryptoError):
        passwords.unwrap_private_key(coordinator.wrapped_private_key, "old password 123")
    private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, "new password 456")
    assert (
        await open_case(
            session, PeriodKeys.of(initialised_settings), report, staff_id=coordinator.id, private_key=private_key
        )
    ).content.narrative == "Text"
    assert {
        row.wrapped_data_key for row in (await session.execute(select(WrappedKey))).scalars()
    } == wrapped_rows_before


async def test_shredding_makes_content_unrecoverable(session: AsyncSession, initialised_settings: Settings) -> None:
    coordinator = _staff(initialised_settings, "coordinator", "coordinator password")
    await add_to_central_office(session, coordinator)
    secrets = load_instance_secrets(initialised_settings)
    report, code = await create_report(
        session,
        settings=initialised_settings,
        secrets=secrets,
        content=ReportContent("weg damit"),
        metadata=_metadata(),
    )
    await shred_report(session, report)
    private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, "coordinator password")
    with pytest.raises(AccessDeniedError):
        await open_case(
            session, PeriodKeys.of(initialised_settings), report, staff_id=coordinator.id, private_key=private_key
        )
    assert (await session.execute(select(WrappedKey).where(WrappedKey.report_id == report.id))).first() is None
    assert code is not None
    assert await find_report_by_receipt(session, secrets, code) is None
    assert report.received_on == dt.date(2026, 11, 25)  # de-identified metadata stays for statistics


async def test_reports_are_refused_without_a_recovery_public_key(
    session: AsyncSession, initialised_settings: Settings
) -> None:
    (initialised_settings.keys_dir / recovery.RECOVERY_PUBLIC_KEY_FILENAME).unlink()
    with pytest.raises(NoRecoveryKeyError, match="no recovery public key"):
        await create_report(
            session,
            settings=initialised_settings,
            secrets=load_instance_secrets(initialised_settings),
            content=ReportContent("x"),
            metadata=_metadata(),
        )


def _cli_env(settings: Settings) -> dict[str, str]:
    return {
        "REPORTING_DATA_DIR": str(settings.data_dir),
        "REPORTING_KEYS_DIR": str(settings.keys_dir),
        "REPORTING_DATABASE_URL": settings.database_url,
    }


async def _seed_report_for_lost_password(settings: Settings) -> tuple[str, str]:
    async with session_scope(settings) as session:
        coordinator = _staff(settings, "coordinator", "forgotten password")
        await add_to_central_office(session, coordinator)
        await create_report(
            session,
            settings=settings,
            secrets=load_instance_secrets(settings),
            content=ReportContent("nach Passwortverlust lesbar"),
            metadata=_metadata(),
        )
        return coordinator.email, str(coordinator.id)


async def _open_all_as(settings: Settings, email: str, password: str) -> list[str]:
    async with session_scope(settings) as session:
        staff = (await session.execute(select(StaffAccount).where(StaffAccount.email == email))).scalar_one()
        private_key = passwords.unwrap_private_key(staff.wrapped_private_key, password)
        reports = (await session.execute(select(Report))).scalars().all()
        return [
            (
                await open_case(session, PeriodKeys.of(settings), report, staff_id=staff.id, private_key=private_key)
            ).content.narrative
            for report in reports
        ]


@pytest.mark.parametrize("use_shares", [False, True], ids=["private-key", "shares"])
def test_recovery_restores_a_staff_member_who_lost_their_password(
    settings: Settings, tmp_path: Path, use_shares: bool
) -> None:
    runner = CliRunner()
    env = _cli_env(settings)
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    if use_shares:
        # A fresh key ceremony with 3-of-5 shares replaces the key init created.
        (settings.keys_dir / recovery.RECOVERY_PUBLIC_KEY_FILENAME).unlink()
        shares_file = tmp_path / "shares.txt"
        result = runner.invoke(
            cli, ["keys", "init-recovery", "--shares", "5", "--threshold", "3", "--out", str(shares_file)], env=env
        )
        assert result.exit_code == 0, result.output
        share_lines = [line for line in shares_file.read_text().splitlines() if line.startswith("share")]
        assert len(share_lines) == 5
        recovery_text = "\n".join([share_lines[4], share_lines[0], share_lines[2]])
        too_few_text = "\n".join(share_lines[:2])
    else:
        recovery_text = settings.recovery_private_key_file.read_text()
        too_few_text = (
            "-----BEGIN REPORTING RECOVERY PRIVATE KEY-----\nAAAA\n-----END REPORTING RECOVERY PRIVATE KEY-----\n"
        )
    email, _ = asyncio.run(_seed_report_for_lost_password(settings))
    recovery_file = tmp_path / "recovery.txt"
    recovery_file.write_text(recovery_text)
    bad_file = tmp_path / "bad.txt"
    bad_file.write_text(too_few_text)

    refused = runner.invoke(
        cli,
        ["keys", "recover", "--email", email, "--recovery-file", str(bad_file), "--password-file", "-"],
        env=env,
        input="brand new password\n",
    )
    assert refused.exit_code != 0
    result = runner.invoke(
        cli,
        ["keys", "recover", "--email", email, "--recovery-file", str(recovery_file), "--password-file", "-"],
        env=env,
        input="brand new password\n",
    )
    assert result.exit_code == 0, result.output
    assert "2 report keys re-wrapped" in result.output
    assert asyncio.run(_open_all_as(settings, email, "brand new password")) == ["nach Passwortverlust lesbar"]


def test_keys_directory_never_holds_a_private_key(initialised_settings: Settings) -> None:
    repository_keys = Path(__file__).resolve().parents[1] / "keys"
    for directory in (initialised_settings.keys_dir, repository_keys):
        for path in directory.rglob("*"):
            if path.is_file():
                assert not recovery.contains_private_key(path.read_bytes()), f"private key material in {path}"
    assert recovery.load_recovery_public_key(initialised_settings.keys_dir) is not None
    assert initialised_settings.recovery_private_key_file.stat().st_mode & 0o077 == 0


async def _seed_for_seizure(settings: Settings, texts: list[str]) -> list[str]:
    codes = []
    async with session_scope(settings) as session:
        coordinator = _staff(settings, "coordinator", "coordinator password")
        await add_to_central_office(session, coordinator)
        secrets = load_instance_secrets(settings)
        for text in texts:
            report, code = await create_report(
                session,
                settings=settings,
                secrets=secrets,
                content=ReportContent(
                    narrative=f"narrative {text}", contact=f"contact {text}", answers={"a": f"answer {text}"}
                ),
                metadata=_metadata(),
                attachments=[
                    FileUpload(
                        filename=f"file-{text}.pdf", media_type="application/pdf", content=f"%PDF {text}".encode()
                    )
                ],
            )
            private_key = passwords.unwrap_private_key(coordinator.wrapped_private_key, "coordinator password")
            case_key = await data_key_for_staff(
                session,
                PeriodKeys.of(settings),
                report.id,
                CASE_KEY,
                staff_id=coordinator.id,
                private_key=private_key,
            )
            mailbox_key = await data_key_for_staff(
                session,
                PeriodKeys.of(settings),
                report.id,
                MAILBOX_KEY,
                staff_id=coordinator.id,
                private_key=private_key,
            )
            await add_note(session, report, case_key=case_key, staff_id=coordinator.id, body=f"note {text}")
            await add_message(
                session,
                report,
                mailbox_key=mailbox_key,
                author="staff",
                body=f"message {text}",
                staff_id=coordinator.id,
            )
            assert code is not None
            codes.append(code)
    return codes


def test_seized_disk_reveals_no_report_content(initialised_settings: Settings, tmp_path: Path) -> None:
    settings = initialised_settings
    # The operator moved the private recovery key offline, as init told them to.
    settings.recovery_private_key_file.unlink()
    canaries = [f"seizure-canary-{uuid.uuid4().hex}" for _ in range(3)]
    codes = asyncio.run(_seed_for_seizure(settings, canaries))

    seized: list[tuple[str, bytes]] = [
        (str(path), path.read_bytes())
        for directory in (settings.data_dir, settings.keys_dir)
        for path in directory.rglob("*")
        if path.is_file()
    ]
    if not settings.is_sqlite:
        database = settings.database_url.rsplit("/", 1)[1]
        dump = subprocess.run(
            ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", database], capture_output=True, check=True, timeout=120
        ).stdout
        seized.append(("pg_dump", dump))
    assert any(name.endswith("reporting.db") for name, _ in seized) or not settings.is_sqlite
    for name, content in seized:
        for canary in canaries:
            assert canary.encode() not in content, f"plaintext found in {name}"
        for code in codes:
            assert code.encode() not in content, f"receipt in {name}"
            assert code.replace(" ", "").encode() not in content, f"receipt in {name}"


async def test_recovery_restores_exactly_the_cases_the_member_held(initialised_settings: Settings) -> None:
    """Finding 7: an adviser granted one of two cases gets that one back, not every case."""
    async with session_scope(initialised_settings) as session:
        coordinator = _staff(initialised_settings, "coordinator", "coordinator password")
        adviser = _staff(initialised_settings, "adviser", "adviser password 1")
        await add_to_central_office(session, coordinator, adviser)
        secrets = load_instance_secrets(initialised_settings)
        granted, _ = await create_report(
            session, settings=initialised_settings, secrets=secrets, content=ReportContent("one"), metadata=_metadata()
        )
        await create_report(
            session, settings=initialised_settings, secrets=secrets, content=ReportContent("two"), metadata=_metadata()
        )
        await grant_access(
            session,
            granted.id,
            settings=initialised_settings,
            granter_id=coordinator.id,
            granter_private_key=passwords.unwrap_private_key(coordinator.wrapped_private_key, "coordinator password"),
            grantee=adviser,
        )
        email, granted_id = adviser.email, granted.id
    recovery_secret = read_recovery_secret(initialised_settings.recovery_private_key_file.read_text())
    restored = await restore_staff_access(
        initialised_settings, email=email, recovery_secret=recovery_secret, new_password="a brand new password"
    )
    assert restored == 2
    async with session_scope(initialised_settings) as session:
        account = (await session.execute(select(StaffAccount).where(StaffAccount.email == email))).scalar_one()
        held = (await session.execute(select(WrappedKey.report_id).where(WrappedKey.staff_id == account.id))).all()
    assert {report_id for (report_id,) in held} == {granted_id}
