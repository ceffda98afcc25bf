"""Per-report data keys: wrapping for recipients, granting, and bound fields."""

import uuid
from collections.abc import Callable

import pytest

from reporting.crypto import envelope, report_keys
from reporting.crypto.errors import CryptoError

ALL_FIELD_PURPOSES = sorted(report_keys.FIELD_PURPOSES)


@pytest.mark.parametrize("purpose", ALL_FIELD_PURPOSES)
@pytest.mark.parametrize("item_id", [None, uuid.UUID(int=7)], ids=["no-item", "item"])
def test_field_roundtrip_for_every_purpose(report_id: uuid.UUID, purpose: str, item_id: uuid.UUID | None) -> None:
    data_key = envelope.new_data_key()
    ciphertext = report_keys.seal_field(data_key, report_id, purpose, b"content", item_id)
    assert report_keys.open_field(data_key, report_id, purpose, ciphertext, item_id) == b"content"


def test_field_moved_to_another_report_fails(report_id: uuid.UUID) -> None:
    data_key = envelope.new_data_key()
    ciphertext = report_keys.seal_field(data_key, report_id, report_keys.NARRATIVE, b"content")
    with pytest.raises(CryptoError):
        report_keys.open_field(data_key, uuid.uuid4(), report_keys.NARRATIVE, ciphertext)


@pytest.mark.parametrize("other_purpose", sorted(report_keys.FIELD_PURPOSES - {report_keys.CONTACT}))
def test_field_moved_to_another_purpose_fails(report_id: uuid.UUID, other_purpose: str) -> None:
    data_key = envelope.new_data_key()
    ciphertext = report_keys.seal_field(data_key, report_id, report_keys.CONTACT, b"phone")
    with pytest.raises(CryptoError):
        report_keys.open_field(data_key, report_id, other_purpose, ciphertext)


def test_items_cannot_be_swapped(report_id: uuid.UUID) -> None:
    data_key = envelope.new_data_key()
    note_id = uuid.uuid4()
    ciphertext = report_keys.seal_field(data_key, report_id, report_keys.NOTE, b"note", note_id)
    for wrong_item in (uuid.uuid4(), None):
        with pytest.raises(CryptoError):
            report_keys.open_field(data_key, report_id, report_keys.NOTE, ciphertext, wrong_item)
    unbound = report_keys.seal_field(data_key, report_id, report_keys.NOTE, b"note")
    with pytest.raises(CryptoError):
        report_keys.open_field(data_key, report_id, report_keys.NOTE, unbound, note_id)


def test_field_under_another_reports_key_fails(report_id: uuid.UUID) -> None:
    ciphertext = report_keys.seal_field(envelope.new_data_key(), report_id, report_keys.NARRATIVE, b"content")
    with pytest.raises(CryptoError):
        report_keys.open_field(envelope.new_data_key(), report_id, report_keys.NARRATIVE, ciphertext)


def test_unknown_purposes_are_programming_errors(report_id: uuid.UUID, staff_keypair: envelope.KeyPair) -> None:
    with pytest.raises(ValueError, match="unknown field purpose"):
        report_keys.seal_field(envelope.new_data_key(), report_id, "narative", b"typo")
    with pytest.raises(ValueError, match="unknown key purpose"):
        report_keys.wrap_data_key(envelope.new_data_key(), staff_keypair.public_key, report_id, "cases")


@pytest.mark.parametrize("key_purpose", [report_keys.CASE_KEY, report_keys.MAILBOX_KEY])
def test_wrap_unwrap_roundtrip(report_id: uuid.UUID, staff_keypair: envelope.KeyPair, key_purpose: str) -> None:
    data_key = envelope.new_data_key()
    wrapped = report_keys.wrap_data_key(data_key, staff_keypair.public_key, report_id, key_purpose)
    assert report_keys.unwrap_data_key(wrapped, staff_keypair.private_key, report_id, key_purpose) == data_key


def test_wrapped_key_bound_to_report_purpose_and_recipient(
    report_id: uuid.UUID, staff_keypair: envelope.KeyPair, other_keypair: envelope.KeyPair
) -> None:
    wrapped = report_keys.wrap_data_key(
        envelope.new_data_key(), staff_keypair.public_key, report_id, report_keys.MAILBOX_KEY
    )
    with pytest.raises(CryptoError):
        report_keys.unwrap_data_key(wrapped, staff_keypair.private_key, uuid.uuid4(), report_keys.MAILBOX_KEY)
    with pytest.raises(CryptoError):
        report_keys.unwrap_data_key(wrapped, staff_keypair.private_key, report_id, report_keys.CASE_KEY)
    with pytest.raises(CryptoError):
        report_keys.unwrap_data_key(wrapped, other_keypair.private_key, report_id, report_keys.MAILBOX_KEY)


def test_every_single_byte_change_of_wrapped_key_fails(
    report_id: uuid.UUID,
    staff_keypair: envelope.KeyPair,
    single_byte_flips: Callable[[bytes], list[bytes]],
    truncations: Callable[[bytes], list[bytes]],
) -> None:
    wrapped = report_keys.wrap_data_key(
        envelope.new_data_key(), staff_keypair.public_key, report_id, report_keys.CASE_KEY
    )
    for variant in single_byte_flips(wrapped) + truncations(wrapped):
        with pytest.raises(CryptoError):
            report_keys.unwrap_data_key(variant, staff_keypair.private_key, report_id, report_keys.CASE_KEY)


def test_wrapped_value_that_is_not_a_data_key_fails(report_id: uuid.UUID, staff_keypair: envelope.KeyPair) -> None:
    context = envelope.encode_parts(b"reporting/v1 wrapped data key", report_id.bytes, b"case")
    not_a_key = envelope.seal(staff_keypair.public_key, b"short", context)
    with pytest.raises(CryptoError):
        report_keys.unwrap_data_key(not_a_key, staff_keypair.private_key, report_id, report_keys.CASE_KEY)


def test_grant_rewraps_without_reencrypting(
    report_id: uuid.UUID, staff_keypair: envelope.KeyPair, other_keypair: envelope.KeyPair
) -> None:
    data_key = envelope.new_data_key()
    narrative = report_keys.seal_field(data_key, report_id, report_keys.NARRATIVE, b"what happened")
    wrapped_for_staff = report_keys.wrap_data_key(data_key, staff_keypair.public_key, report_id, report_keys.CASE_KEY)

    wrapped_for_colleague = report_keys.rewrap_data_key(
        wrapped_for_staff, staff_keypair.private_key, other_keypair.public_key, report_id, report_keys.CASE_KEY
    )

    colleague_key = report_keys.unwrap_data_key(
        wrapped_for_colleague, other_keypair.private_key, report_id, report_keys.CASE_KEY
    )
    assert report_keys.open_field(colleague_key, report_id, report_keys.NARRATIVE, narrative) == b"what happened"


def test_only_a_key_holder_can_grant(
    report_id: uuid.UUID, staff_keypair: envelope.KeyPair, other_keypair: envelope.KeyPair
) -> None:
    wrapped = report_keys.wrap_data_key(
        envelope.new_data_key(), staff_keypair.public_key, report_id, report_keys.CASE_KEY
    )
    with pytest.raises(CryptoError):
        report_keys.rewrap_data_key(
            wrapped, other_keypair.private_key, other_keypair.public_key, report_id, report_keys.CASE_KEY
        )


def test_reporter_reads_mailbox_but_not_case(report_id: uuid.UUID, staff_keypair: envelope.KeyPair) -> None:
    reporter = envelope.generate_keypair()
    recovery = envelope.generate_keypair()
    case_key, mailbox_key = envelope.new_data_key(), envelope.new_data_key()
    wrapped_case = {
        name: report_keys.wrap_data_key(case_key, keypair.public_key, report_id, report_keys.CASE_KEY)
        for name, keypair in {"staff": staff_keypair, "recovery": recovery}.items()
    }
    wrapped_mailbox = {
        name: report_keys.wrap_data_key(mailbox_key, keypair.public_key, report_id, report_keys.MAILBOX_KEY)
        for name, keypair in {"staff": staff_keypair, "recovery": recovery, "reporter": reporter}.items()
    }
    reply = report_keys.seal_field(mailbox_key, report_id, report_keys.MESSAGE, b"reply", uuid.UUID(int=1))
    note = report_keys.seal_field(case_key, report_id, report_keys.NOTE, b"internal", uuid.UUID(int=2))

    reporter_mailbox_key = report_keys.unwrap_data_key(
        wrapped_mailbox["reporter"], reporter.private_key, report_id, report_keys.MAILBOX_KEY
    )
    opened = report_keys.open_field(reporter_mailbox_key, report_id, report_keys.MESSAGE, reply, uuid.UUID(int=1))
    assert opened == b"reply"
    with pytest.raises(CryptoError):
        report_keys.open_field(reporter_mailbox_key, report_id, report_keys.NOTE, note, uuid.UUID(int=2))
    for wrapped in wrapped_case.values():
        with pytest.raises(CryptoError):
            report_keys.unwrap_data_key(wrapped, reporter.private_key, report_id, report_keys.CASE_KEY)
    recovered_case_key = report_keys.unwrap_data_key(
        wrapped_case["recovery"], recovery.private_key, report_id, report_keys.CASE_KEY
    )
    assert report_keys.open_field(recovered_case_key, report_id, report_keys.NOTE, note, uuid.UUID(int=2)) == (
        b"internal"
    )


def test_texts_within_a_size_class_have_equal_ciphertext_lengths(report_id: uuid.UUID) -> None:
    """Finding 14: a ciphertext's length tells only the size class of what it hides."""
    data_key = envelope.new_data_key()
    short = report_keys.seal_field(data_key, report_id, report_keys.NARRATIVE, b"x" * 40)
    longer = report_keys.seal_field(data_key, report_id, report_keys.NARRATIVE, b"x" * 200)
    assert len(short) == len(longer)
    assert report_keys.open_field(data_key, report_id, report_keys.NARRATIVE, longer) == b"x" * 200
    sizes = {
        len(report_keys.seal_field(data_key, report_id, report_keys.NARRATIVE, b"y" * n)) for n in range(600, 1020)
    }
    assert len(sizes) == 1
    assert all(
        report_keys.padded_length(n) <= n * 1.12 for n in range(report_keys.POWER_OF_TWO_UP_TO + 1, 2_000_000, 997)
    )


def test_fields_sealed_before_padding_still_open(report_id: uuid.UUID) -> None:
    data_key = envelope.new_data_key()
    associated_data = envelope.field_context(report_id, report_keys.NARRATIVE) + envelope.encode_parts(b"")
    old_format = envelope.encrypt_field(data_key, b"sealed in format 1", associated_data)
    assert report_keys.open_field(data_key, report_id, report_keys.NARRATIVE, old_format) == b"sealed in format 1"


def test_bound_metadata_cannot_change(report_id: uuid.UUID) -> None:
    data_key = envelope.new_data_key()
    message_id = uuid.uuid4()
    sealed = report_keys.seal_field(
        data_key, report_id, report_keys.MESSAGE, b"words", message_id, bound=(b"reporter", b"1")
    )
    assert (
        report_keys.open_field(data_key, report_id, report_keys.MESSAGE, sealed, message_id, bound=(b"reporter", b"1"))
        == b"words"
    )
    for other in [(b"staff", b"1"), (b"reporter", b"2"), ()]:
        with pytest.raises(CryptoError):
            report_keys.open_field(data_key, report_id, report_keys.MESSAGE, sealed, message_id, bound=other)
