"""Receipt codes: generation, normalisation of what people type, key derivation."""

import hmac
import re

import pytest

from reporting.crypto import envelope, receipt
from reporting.crypto.errors import CryptoError
from reporting.crypto.passwords import Argon2Params

SALT = b"installation-salt-0123456789"
CODE = "4821 0937 5520 1846 3379"
DIGITS = "48210937552018463379"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_new_receipt_code_format_and_randomness() -> None:
    codes = {receipt.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"\d{4}( \d{4}){4}", code)
        assert receipt.normalize_receipt_code(code) == code.replace(" ", "")


def test_receipt_code_strength() -> None:
    assert 10**receipt.RECEIPT_CODE_DIGITS >= 2**64


def test_format_receipt_code() -> None:
    assert receipt.format_receipt_code(DIGITS) == CODE


@pytest.mark.parametrize("bad", ["", DIGITS[:-1], DIGITS + "0", DIGITS.translate(ARABIC_INDIC), CODE])
def test_format_receipt_code_refuses_non_canonical(bad: str) -> None:
    with pytest.raises(ValueError, match="20 ASCII digits"):
        receipt.format_receipt_code(bad)


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        DIGITS,
        "4821-0937-5520-1846-3379",
        "4821–0937—5520−1846 3379",  # en dash, em dash, minus sign
        "  4821\u00a00937\u202f5520\t1846\n3379  ",  # no-break and narrow spaces
        CODE.translate(ARABIC_INDIC),
        CODE.translate(PERSIAN),
        "\u200f" + CODE.translate(ARABIC_INDIC) + "\u200e",  # RTL/LTR marks from copy-paste
        "４８２１ ０９３７ ５５２０ １８４６ ３３７９",  # fullwidth digits
        "4821 ٠٩٣٧ 5520 ۱۸۴۶ 3379",
    ],
)
def test_normalize_accepts_what_people_type(typed: str) -> None:
    assert receipt.normalize_receipt_code(typed) == DIGITS


@pytest.mark.parametrize(
    "typed",
    ["", "    ", DIGITS[:-1], DIGITS + "1", "4821 0937 5520 1846 337O", "²" + DIGITS[1:], DIGITS + "x", "1" * 500],
    ids=["empty", "blank", "19-digits", "21-digits", "letter-O", "superscript", "trailing-letter", "huge"],
)
def test_normalize_rejects_malformed(typed: str) -> None:
    assert receipt.normalize_receipt_code(typed) is None


def test_receipt_default_argon2_params_are_strong() -> None:
    assert receipt.RECEIPT_ARGON2.memory_kib >= 64 * 1024
    assert receipt.RECEIPT_ARGON2.time_cost >= 3


def test_derive_with_default_params() -> None:
    keys = receipt.derive_receipt_keys(CODE, SALT)
    assert len(keys.lookup_id) == receipt.LOOKUP_ID_LENGTH
    assert envelope.public_key_of(keys.keypair.private_key) == keys.keypair.public_key


def test_same_code_gives_same_keys_however_typed(cheap_argon2: Argon2Params) -> None:
    first = receipt.derive_receipt_keys(CODE, SALT, params=cheap_argon2)
    again = receipt.derive_receipt_keys("4821-0937-5520-1846-3379".translate(ARABIC_INDIC), SALT, params=cheap_argon2)
    assert hmac.compare_digest(first.lookup_id, again.lookup_id)
    assert hmac.compare_digest(first.keypair.private_key, again.keypair.private_key)
    assert first.keypair.public_key == again.keypair.public_key


def test_different_code_or_salt_gives_different_keys(cheap_argon2: Argon2Params) -> None:
    base = receipt.derive_receipt_keys(CODE, SALT, params=cheap_argon2)
    other_code = receipt.derive_receipt_keys(CODE[:-1] + "8", SALT, params=cheap_argon2)
    other_salt = receipt.derive_receipt_keys(CODE, SALT + b"!", params=cheap_argon2)
    for other in (other_code, other_salt):
        assert not hmac.compare_digest(base.lookup_id, other.lookup_id)
        assert base.keypair.public_key != other.keypair.public_key


def test_lookup_id_is_independent_of_key_material(cheap_argon2: Argon2Params) -> None:
    keys = receipt.derive_receipt_keys(CODE, SALT, params=cheap_argon2)
    assert keys.lookup_id not in keys.keypair.private_key
    assert keys.lookup_id not in keys.keypair.public_key


def test_reporter_keypair_opens_what_was_sealed_for_it(cheap_argon2: Argon2Params) -> None:
    at_submission = receipt.derive_receipt_keys(CODE, SALT, params=cheap_argon2)
    sealed = envelope.seal(at_submission.keypair.public_key, b"mailbox key", b"ctx")
    at_login = receipt.derive_receipt_keys(CODE, SALT, params=cheap_argon2)
    assert envelope.unseal(at_login.keypair.private_key, sealed, b"ctx") == b"mailbox key"


def test_derive_refuses_malformed_code_and_short_salt(cheap_argon2: Argon2Params) -> None:
    with pytest.raises(CryptoError, match="invalid receipt code"):
        receipt.derive_receipt_keys("1234", SALT, params=cheap_argon2)
    with pytest.raises(ValueError, match="salt"):
        receipt.derive_receipt_keys(CODE, b"short", params=cheap_argon2)


def test_receipt_keys_repr_hides_secrets(cheap_argon2: Argon2Params) -> None:
    keys = receipt.derive_receipt_keys(CODE, SALT, params=cheap_argon2)
    for text in (repr(keys), str(keys)):
        for secret in (keys.lookup_id, keys.keypair.private_key):
            assert secret.hex() not in text
            assert repr(secret) not in text
            assert secret[:8].hex() not in text
        assert DIGITS not in text
