"""Headers, key pairs, HPKE sealing and AES-GCM fields."""

import hmac
import uuid
from collections.abc import Callable

import pytest

from reporting.crypto import envelope
from reporting.crypto.errors import GENERIC_MESSAGE, CryptoError

CONTEXT = b"test context"


def test_header_layout() -> None:
    assert envelope.make_header(envelope.Kind.HPKE_SEALED) == b"RPv\x01\x01\x01"
    assert envelope.make_header(envelope.Kind.AEAD_FIELD) == b"RPv\x01\x02\x01"
    assert envelope.make_header(envelope.Kind.PASSWORD_WRAPPED_KEY) == b"RPv\x01\x03\x01"
    assert len(envelope.make_header(envelope.Kind.SESSION_SEALED_KEY)) == envelope.HEADER_LENGTH


def test_generated_keypair_encoding(staff_keypair: envelope.KeyPair) -> None:
    assert len(staff_keypair.private_key) == envelope.PRIVATE_KEY_LENGTH == 96
    assert len(staff_keypair.public_key) == envelope.PUBLIC_KEY_LENGTH == 1216
    assert envelope.public_key_of(staff_keypair.private_key) == staff_keypair.public_key


def test_generated_keypairs_differ(staff_keypair: envelope.KeyPair, other_keypair: envelope.KeyPair) -> None:
    assert not hmac.compare_digest(staff_keypair.private_key, other_keypair.private_key)
    assert staff_keypair.public_key != other_keypair.public_key


def test_keypair_from_seed_is_deterministic() -> None:
    first = envelope.keypair_from_seed(b"\x01" * 64)
    again = envelope.keypair_from_seed(b"\x01" * 64)
    other = envelope.keypair_from_seed(b"\x02" * 64)
    assert hmac.compare_digest(first.private_key, again.private_key)
    assert first.public_key == again.public_key
    assert first.public_key != other.public_key
    assert envelope.public_key_of(first.private_key) == first.public_key


def test_keypair_from_seed_needs_64_bytes() -> None:
    with pytest.raises(ValueError, match="at least 64"):
        envelope.keypair_from_seed(b"\x01" * 63)


def test_keypair_repr_hides_private_key(staff_keypair: envelope.KeyPair) -> None:
    private = staff_keypair.private_key
    for text in (repr(staff_keypair), str(staff_keypair), f"{staff_keypair!r}"):
        assert private.hex() not in text
        assert repr(private) not in text
        assert private[:8].hex() not in text
        assert "redacted" in text


@pytest.mark.parametrize("plaintext", [b"", b"x", bytes(range(256)) * 8])
def test_seal_roundtrip(staff_keypair: envelope.KeyPair, plaintext: bytes) -> None:
    sealed = envelope.seal(staff_keypair.public_key, plaintext, CONTEXT)
    assert sealed.startswith(envelope.make_header(envelope.Kind.HPKE_SEALED))
    assert envelope.unseal(staff_keypair.private_key, sealed, CONTEXT) == plaintext


def test_seal_is_randomised(staff_keypair: envelope.KeyPair) -> None:
    assert envelope.seal(staff_keypair.public_key, b"x", CONTEXT) != envelope.seal(
        staff_keypair.public_key, b"x", CONTEXT
    )


def test_unseal_with_wrong_private_key_fails(staff_keypair: envelope.KeyPair, other_keypair: envelope.KeyPair) -> None:
    sealed = envelope.seal(staff_keypair.public_key, b"secret", CONTEXT)
    with pytest.raises(CryptoError) as raised:
        envelope.unseal(other_keypair.private_key, sealed, CONTEXT)
    assert str(raised.value) == GENERIC_MESSAGE


def test_unseal_with_wrong_context_fails(staff_keypair: envelope.KeyPair) -> None:
    sealed = envelope.seal(staff_keypair.public_key, b"secret", CONTEXT)
    with pytest.raises(CryptoError):
        envelope.unseal(staff_keypair.private_key, sealed, CONTEXT + b"x")


def test_every_single_byte_change_of_sealed_blob_fails(
    staff_keypair: envelope.KeyPair,
    single_byte_flips: Callable[[bytes], list[bytes]],
    truncations: Callable[[bytes], list[bytes]],
) -> None:
    sealed = envelope.seal(staff_keypair.public_key, b"secret", CONTEXT)
    for variant in single_byte_flips(sealed) + truncations(sealed) + [sealed + b"\x00"]:
        with pytest.raises(CryptoError):
            envelope.unseal(staff_keypair.private_key, variant, CONTEXT)


@pytest.mark.parametrize("bad_private_key_length", [0, 32, 95, 97])
def test_malformed_private_key_fails(staff_keypair: envelope.KeyPair, bad_private_key_length: int) -> None:
    sealed = envelope.seal(staff_keypair.public_key, b"secret", CONTEXT)
    bad_key = staff_keypair.private_key.ljust(97, b"\x00")[:bad_private_key_length]
    with pytest.raises(CryptoError):
        envelope.unseal(bad_key, sealed, CONTEXT)
    with pytest.raises(CryptoError):
        envelope.public_key_of(bad_key)


@pytest.mark.parametrize(
    "bad_public_key",
    [
        b"",
        b"\x00" * 1215,
        b"\x00" * 1217,
        b"\xff" * 1216,
        envelope.keypair_from_seed(b"\x00" * 64).public_key[:1184] + b"\x00" * 32,
    ],
    ids=["empty", "short", "long", "invalid-mlkem", "low-order-x25519"],
)
def test_seal_to_malformed_public_key_fails(bad_public_key: bytes) -> None:
    with pytest.raises(CryptoError):
        envelope.seal(bad_public_key, b"secret", CONTEXT)
    with pytest.raises(CryptoError):
        envelope.validate_public_key(bad_public_key)


@pytest.mark.parametrize("plaintext", [b"", b"field value", "Ümlaut ٤ 漢字".encode()])
def test_field_roundtrip(plaintext: bytes) -> None:
    key = envelope.new_data_key()
    ciphertext = envelope.encrypt_field(key, plaintext, b"ad")
    assert ciphertext.startswith(envelope.make_header(envelope.Kind.AEAD_FIELD))
    assert envelope.decrypt_field(key, ciphertext, b"ad") == plaintext


def test_every_single_byte_change_of_field_fails(
    single_byte_flips: Callable[[bytes], list[bytes]],
    truncations: Callable[[bytes], list[bytes]],
) -> None:
    key = envelope.new_data_key()
    ciphertext = envelope.encrypt_field(key, b"field value", b"ad")
    for variant in single_byte_flips(ciphertext) + truncations(ciphertext) + [ciphertext + b"\x00"]:
        with pytest.raises(CryptoError):
            envelope.decrypt_field(key, variant, b"ad")


def test_field_with_wrong_key_or_associated_data_fails() -> None:
    key = envelope.new_data_key()
    ciphertext = envelope.encrypt_field(key, b"field value", b"ad")
    with pytest.raises(CryptoError):
        envelope.decrypt_field(envelope.new_data_key(), ciphertext, b"ad")
    with pytest.raises(CryptoError):
        envelope.decrypt_field(key, ciphertext, b"other")
    with pytest.raises(CryptoError):
        envelope.decrypt_field(key[:16], ciphertext, b"ad")


def test_encrypt_field_refuses_short_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        envelope.encrypt_field(b"\x00" * 16, b"x", b"ad")


def test_kinds_cannot_be_confused(staff_keypair: envelope.KeyPair) -> None:
    key = envelope.new_data_key()
    field_ciphertext = envelope.encrypt_field(key, b"x", CONTEXT)
    sealed = envelope.seal(staff_keypair.public_key, b"x", CONTEXT)
    with pytest.raises(CryptoError):
        envelope.unseal(staff_keypair.private_key, field_ciphertext, CONTEXT)
    with pytest.raises(CryptoError):
        envelope.decrypt_field(key, sealed, CONTEXT)


def test_new_data_keys_are_random_32_bytes() -> None:
    keys = {envelope.new_data_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) == 32 for key in keys)


def test_field_context_binds_report_and_purpose() -> None:
    report_id, other_report_id = uuid.uuid4(), uuid.uuid4()
    contexts = {
        envelope.field_context(report_id, "narrative"),
        envelope.field_context(report_id, "contact"),
        envelope.field_context(other_report_id, "narrative"),
    }
    assert len(contexts) == 3
    assert envelope.field_context(report_id, "narrative") == envelope.field_context(report_id, "narrative")


def test_encode_parts_is_unambiguous() -> None:
    assert envelope.encode_parts(b"a", b"bc") != envelope.encode_parts(b"ab", b"c")
    assert envelope.encode_parts(b"", b"a") != envelope.encode_parts(b"a", b"")
    assert envelope.encode_parts(b"a") != envelope.encode_parts(b"a", b"")
