"""Staff private keys under passwords, and the session-store / cookie split."""

import hmac
import struct
import time
import unicodedata
from collections.abc import Callable

import pytest

from reporting.crypto import envelope, passwords
from reporting.crypto.errors import CryptoError
from reporting.crypto.passwords import Argon2Params

PASSWORD = "correct horse battery staple"
_MEMORY_OFFSET = envelope.HEADER_LENGTH + 4


def test_default_argon2_params_are_strong() -> None:
    assert passwords.DEFAULT_ARGON2.memory_kib >= 64 * 1024
    assert passwords.DEFAULT_ARGON2.time_cost >= 3
    assert passwords.DEFAULT_ARGON2.parallelism >= 1


def test_wrap_unwrap_with_default_params(staff_keypair: envelope.KeyPair) -> None:
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD)
    assert struct.unpack_from(">III", blob, envelope.HEADER_LENGTH) == (3, 64 * 1024, 1)
    assert hmac.compare_digest(passwords.unwrap_private_key(blob, PASSWORD), staff_keypair.private_key)


def test_wrap_unwrap_roundtrip(staff_keypair: envelope.KeyPair, cheap_argon2: Argon2Params) -> None:
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    assert blob.startswith(envelope.make_header(envelope.Kind.PASSWORD_WRAPPED_KEY))
    assert staff_keypair.private_key not in blob
    assert hmac.compare_digest(passwords.unwrap_private_key(blob, PASSWORD), staff_keypair.private_key)


def test_same_key_and_password_give_different_blobs(
    staff_keypair: envelope.KeyPair, cheap_argon2: Argon2Params
) -> None:
    first = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    second = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    assert first != second


@pytest.mark.parametrize("wrong_password", ["", "correct horse battery stapl", PASSWORD.upper(), PASSWORD + " "])
def test_wrong_password_fails(staff_keypair: envelope.KeyPair, cheap_argon2: Argon2Params, wrong_password: str) -> None:
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    with pytest.raises(CryptoError) as raised:
        passwords.unwrap_private_key(blob, wrong_password)
    assert PASSWORD not in str(raised.value)


def test_password_is_unicode_normalised(staff_keypair: envelope.KeyPair, cheap_argon2: Argon2Params) -> None:
    composed = "Grüße-ﻣﺮﺣﺒﺎ-é"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    blob = passwords.wrap_private_key(staff_keypair.private_key, composed, params=cheap_argon2)
    assert hmac.compare_digest(passwords.unwrap_private_key(blob, decomposed), staff_keypair.private_key)


def test_unencodable_password_does_not_leak_into_errors(
    staff_keypair: envelope.KeyPair, cheap_argon2: Argon2Params
) -> None:
    with pytest.raises(ValueError, match="not valid Unicode") as raised:
        passwords.wrap_private_key(staff_keypair.private_key, "secret\ud800", params=cheap_argon2)
    assert "secret" not in str(raised.value)
    assert "ud800" not in str(raised.value)
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    with pytest.raises(CryptoError):
        passwords.unwrap_private_key(blob, "secret\ud800")


def test_wrap_refuses_bad_input(cheap_argon2: Argon2Params) -> None:
    with pytest.raises(ValueError, match="96 bytes"):
        passwords.wrap_private_key(b"\x00" * 32, PASSWORD, params=cheap_argon2)
    with pytest.raises(ValueError, match="empty"):
        passwords.wrap_private_key(b"\x00" * 96, "", params=cheap_argon2)


def test_change_password(staff_keypair: envelope.KeyPair, cheap_argon2: Argon2Params) -> None:
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    changed = passwords.change_password(blob, PASSWORD, "new password", params=cheap_argon2)
    assert hmac.compare_digest(passwords.unwrap_private_key(changed, "new password"), staff_keypair.private_key)
    with pytest.raises(CryptoError):
        passwords.unwrap_private_key(changed, PASSWORD)
    with pytest.raises(CryptoError):
        passwords.change_password(blob, "wrong", "new password", params=cheap_argon2)


def test_every_single_byte_change_of_password_blob_fails(
    staff_keypair: envelope.KeyPair,
    cheap_argon2: Argon2Params,
    single_byte_flips: Callable[[bytes], list[bytes]],
    truncations: Callable[[bytes], list[bytes]],
) -> None:
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    for variant in single_byte_flips(blob) + truncations(blob) + [blob + b"\x00"]:
        with pytest.raises(CryptoError):
            passwords.unwrap_private_key(variant, PASSWORD)


@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "parallelism"),
    [
        (1, 5 * 1024 * 1024, 1),  # 5 GiB: refused before allocating anything
        (1, 0xFFFFFFFF, 1),
        (1, 4 * 1024, 1),  # below 8 MiB
        (0, 8 * 1024, 1),
        (1000, 8 * 1024, 1),
        (1, 8 * 1024, 0),
        (1, 8 * 1024, 255),
    ],
)
def test_absurd_params_in_blob_are_refused_quickly(
    staff_keypair: envelope.KeyPair,
    cheap_argon2: Argon2Params,
    time_cost: int,
    memory_kib: int,
    parallelism: int,
) -> None:
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=cheap_argon2)
    params = struct.pack(">III", time_cost, memory_kib, parallelism)
    tampered = blob[: envelope.HEADER_LENGTH] + params + blob[envelope.HEADER_LENGTH + len(params) :]
    started = time.perf_counter()
    with pytest.raises(CryptoError):
        passwords.unwrap_private_key(tampered, PASSWORD)
    assert time.perf_counter() - started < 1


def test_raised_params_in_blob_are_honoured(staff_keypair: envelope.KeyPair) -> None:
    stronger = Argon2Params(time_cost=2, memory_kib=16 * 1024, parallelism=2)
    blob = passwords.wrap_private_key(staff_keypair.private_key, PASSWORD, params=stronger)
    assert struct.unpack_from(">I", blob, _MEMORY_OFFSET) == (16 * 1024,)
    assert hmac.compare_digest(passwords.unwrap_private_key(blob, PASSWORD), staff_keypair.private_key)


@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "parallelism"),
    [(0, 65536, 1), (3, 8191, 1), (3, 4 * 1024 * 1024 + 1, 1), (3, 65536, 0), (17, 65536, 1)],
)
def test_argon2_params_bounds(time_cost: int, memory_kib: int, parallelism: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        Argon2Params(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)


def test_session_seal_roundtrip(staff_keypair: envelope.KeyPair) -> None:
    sealed, cookie_key = passwords.session_seal(staff_keypair.private_key)
    assert len(cookie_key) == 32
    assert staff_keypair.private_key not in sealed
    assert sealed.startswith(envelope.make_header(envelope.Kind.SESSION_SEALED_KEY))
    assert hmac.compare_digest(passwords.session_unseal(sealed, cookie_key), staff_keypair.private_key)


def test_each_session_gets_its_own_cookie_key(staff_keypair: envelope.KeyPair) -> None:
    first_blob, first_cookie = passwords.session_seal(staff_keypair.private_key)
    second_blob, second_cookie = passwords.session_seal(staff_keypair.private_key)
    assert first_cookie != second_cookie
    with pytest.raises(CryptoError):
        passwords.session_unseal(first_blob, second_cookie)
    with pytest.raises(CryptoError):
        passwords.session_unseal(second_blob, first_cookie[:16])


def test_every_single_byte_change_of_session_blob_fails(
    staff_keypair: envelope.KeyPair,
    single_byte_flips: Callable[[bytes], list[bytes]],
    truncations: Callable[[bytes], list[bytes]],
) -> None:
    sealed, cookie_key = passwords.session_seal(staff_keypair.private_key)
    for variant in single_byte_flips(sealed) + truncations(sealed):
        with pytest.raises(CryptoError):
            passwords.session_unseal(variant, cookie_key)


def test_session_blob_is_not_a_password_blob(staff_keypair: envelope.KeyPair) -> None:
    sealed, cookie_key = passwords.session_seal(staff_keypair.private_key)
    with pytest.raises(CryptoError):
        envelope.decrypt_field(cookie_key, sealed, b"")
    with pytest.raises(CryptoError):
        passwords.unwrap_private_key(sealed, PASSWORD)
