"""Property tests: every parser given random or mutated input raises only CryptoError.

Mutations of a valid blob must either fail with CryptoError or (when the
mutation happened to change nothing) give back exactly the original plaintext:
never garbage, never another exception type.
"""

import uuid
from collections.abc import Callable

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shamir_mnemonic.wordlist import WORDLIST

from reporting.crypto import envelope, passwords, receipt, recovery, report_keys
from reporting.crypto.errors import CryptoError

FAST = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
ARGON2_BOUND = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

CHEAP_ARGON2 = passwords.Argon2Params(time_cost=1, memory_kib=passwords.MIN_MEMORY_KIB, parallelism=1)
KEYPAIR = envelope.generate_keypair()
REPORT_ID = uuid.UUID(int=42)
CONTEXT = b"fuzz context"
PLAINTEXT = b"plaintext under test"
DATA_KEY = envelope.new_data_key()
SECRET = bytes(range(32))

SEALED = envelope.seal(KEYPAIR.public_key, PLAINTEXT, CONTEXT)
FIELD = envelope.encrypt_field(DATA_KEY, PLAINTEXT, CONTEXT)
WRAPPED = report_keys.wrap_data_key(DATA_KEY, KEYPAIR.public_key, REPORT_ID, report_keys.CASE_KEY)
PASSWORD_BLOB = passwords.wrap_private_key(KEYPAIR.private_key, "pw", params=CHEAP_ARGON2)
SESSION_BLOB, COOKIE_KEY = passwords.session_seal(KEYPAIR.private_key)
PUBLIC_ARMOR = recovery.armor_public_key(KEYPAIR.public_key)
PRIVATE_ARMOR = recovery.armor_private_key(SECRET)
SHARES = recovery.split_recovery_secret(SECRET, 2, 3)
# A bit flip in the Argon2 memory field can legally ask for up to 4 GiB; those
# bytes are covered by the deterministic single-byte test instead.
PASSWORD_MEMORY_FIELD = range(envelope.HEADER_LENGTH + 4, envelope.HEADER_LENGTH + 8)


@st.composite
def mutations(draw: st.DrawFn, valid: bytes, protected: range = range(0)) -> bytes:
    """A valid blob with one random edit: flip, overwrite, insert, delete, truncate or extend."""
    kind = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "truncate", "extend"]))
    positions = [index for index in range(len(valid)) if index not in protected]
    index = draw(st.sampled_from(positions))
    if kind == "flip":
        bit = draw(st.integers(0, 7))
        return valid[:index] + bytes([valid[index] ^ (1 << bit)]) + valid[index + 1 :]
    if kind == "overwrite":
        chunk = draw(st.binary(min_size=1, max_size=8))
        return valid[:index] + chunk + valid[index + len(chunk) :]
    if kind == "insert":
        return valid[:index] + draw(st.binary(min_size=1, max_size=8)) + valid[index:]
    if kind == "delete":
        return valid[:index] + valid[index + draw(st.integers(1, 8)) :]
    if kind == "truncate":
        return valid[:index]
    return valid + draw(st.binary(min_size=1, max_size=8))


def assert_only_crypto_error(
    open_blob: Callable[[bytes], bytes], blob: bytes, original: bytes, expected: bytes
) -> None:
    try:
        result = open_blob(blob)
    except CryptoError:
        return
    assert blob == original
    assert result == expected


def random_with_header(kind: envelope.Kind) -> st.SearchStrategy[bytes]:
    """Random bytes, half of them behind a valid header so parsing goes deeper."""
    return st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(envelope.make_header(kind).__add__))


def _unseal(blob: bytes) -> bytes:
    return envelope.unseal(KEYPAIR.private_key, blob, CONTEXT)


def _decrypt_field(blob: bytes) -> bytes:
    return envelope.decrypt_field(DATA_KEY, blob, CONTEXT)


def _unwrap_data_key(blob: bytes) -> bytes:
    return report_keys.unwrap_data_key(blob, KEYPAIR.private_key, REPORT_ID, report_keys.CASE_KEY)


def _unwrap_private_key(blob: bytes) -> bytes:
    return passwords.unwrap_private_key(blob, "pw")


def _session_unseal(blob: bytes) -> bytes:
    return passwords.session_unseal(blob, COOKIE_KEY)


@FAST
@given(random_with_header(envelope.Kind.HPKE_SEALED))
def test_unseal_random(blob: bytes) -> None:
    assert_only_crypto_error(_unseal, blob, SEALED, PLAINTEXT)


@FAST
@given(mutations(SEALED))
def test_unseal_mutated(blob: bytes) -> None:
    assert_only_crypto_error(_unseal, blob, SEALED, PLAINTEXT)


@FAST
@given(random_with_header(envelope.Kind.AEAD_FIELD))
def test_decrypt_field_random(blob: bytes) -> None:
    assert_only_crypto_error(_decrypt_field, blob, FIELD, PLAINTEXT)


@FAST
@given(mutations(FIELD))
def test_decrypt_field_mutated(blob: bytes) -> None:
    assert_only_crypto_error(_decrypt_field, blob, FIELD, PLAINTEXT)


@FAST
@given(st.binary(max_size=64), st.binary(max_size=64))
def test_decrypt_field_with_random_key_and_context(key: bytes, context: bytes) -> None:
    assume(key != DATA_KEY or context != CONTEXT)
    try:
        envelope.decrypt_field(key, FIELD, context)
    except CryptoError:
        return
    raise AssertionError("opened with the wrong key or context")


@FAST
@given(random_with_header(envelope.Kind.HPKE_SEALED))
def test_unwrap_data_key_random(blob: bytes) -> None:
    assert_only_crypto_error(_unwrap_data_key, blob, WRAPPED, DATA_KEY)


@FAST
@given(mutations(WRAPPED))
def test_unwrap_data_key_mutated(blob: bytes) -> None:
    assert_only_crypto_error(_unwrap_data_key, blob, WRAPPED, DATA_KEY)


@FAST
@given(st.binary(max_size=200))
def test_unseal_with_random_private_key(private_key: bytes) -> None:
    try:
        envelope.unseal(private_key, SEALED, CONTEXT)
    except CryptoError:
        return
    raise AssertionError("opened with a random private key")


@ARGON2_BOUND
@given(random_with_header(envelope.Kind.PASSWORD_WRAPPED_KEY))
def test_unwrap_private_key_random(blob: bytes) -> None:
    assert_only_crypto_error(_unwrap_private_key, blob, PASSWORD_BLOB, KEYPAIR.private_key)


@ARGON2_BOUND
@given(mutations(PASSWORD_BLOB, PASSWORD_MEMORY_FIELD))
def test_unwrap_private_key_mutated(blob: bytes) -> None:
    assert_only_crypto_error(_unwrap_private_key, blob, PASSWORD_BLOB, KEYPAIR.private_key)


@FAST
@given(random_with_header(envelope.Kind.SESSION_SEALED_KEY))
def test_session_unseal_random(blob: bytes) -> None:
    assert_only_crypto_error(_session_unseal, blob, SESSION_BLOB, KEYPAIR.private_key)


@FAST
@given(mutations(SESSION_BLOB))
def test_session_unseal_mutated(blob: bytes) -> None:
    assert_only_crypto_error(_session_unseal, blob, SESSION_BLOB, KEYPAIR.private_key)


def _text_mutations(valid: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=3000),
        mutations(valid.encode("ascii")).map(lambda blob: blob.decode("latin-1")),
    )


@FAST
@given(_text_mutations(PUBLIC_ARMOR))
def test_parse_public_key_random_and_mutated(text: str) -> None:
    try:
        public_key = recovery.parse_public_key(text)
    except CryptoError:
        return
    assert public_key == KEYPAIR.public_key


@FAST
@given(_text_mutations(PRIVATE_ARMOR))
def test_parse_private_key_random_and_mutated(text: str) -> None:
    try:
        secret = recovery.parse_private_key(text)
    except CryptoError:
        return
    # Some edits (line breaks) decode to the same bytes; never to other bytes.
    assert secret == SECRET


@FAST
@given(st.lists(st.text(max_size=300), max_size=5))
def test_combine_random_text(mnemonics: list[str]) -> None:
    try:
        recovery.combine_recovery_shares(mnemonics)
    except CryptoError:
        return
    raise AssertionError("combined random text into a secret")


@FAST
@given(st.lists(st.lists(st.sampled_from(WORDLIST), min_size=18, max_size=36).map(" ".join), min_size=1, max_size=4))
def test_combine_random_words(mnemonics: list[str]) -> None:
    try:
        recovery.combine_recovery_shares(mnemonics)
    except CryptoError:
        return
    raise AssertionError("combined random words into a secret")


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_combine_mutated_shares(data: st.DataObject) -> None:
    shares = list(data.draw(st.permutations(SHARES))[:2])
    words = shares[0].split()
    index = data.draw(st.integers(0, len(words) - 1))
    action = data.draw(st.sampled_from(["replace", "delete", "insert", "swap"]))
    if action == "replace":
        words[index] = data.draw(st.sampled_from(WORDLIST))
    elif action == "delete":
        del words[index]
    elif action == "insert":
        words.insert(index, data.draw(st.sampled_from(WORDLIST)))
    else:
        other = data.draw(st.integers(0, len(words) - 1))
        words[index], words[other] = words[other], words[index]
    shares[0] = " ".join(words)
    try:
        secret = recovery.combine_recovery_shares(shares)
    except CryptoError:
        return
    assert secret == SECRET


@FAST
@given(st.text(max_size=300))
def test_normalize_receipt_code_never_raises(text: str) -> None:
    digits = receipt.normalize_receipt_code(text)
    assert digits is None or (len(digits) == 20 and digits.isascii() and digits.isdigit())


@FAST
@given(st.text(max_size=300))
def test_derive_receipt_keys_rejects_malformed_codes_before_argon2(text: str) -> None:
    assume(receipt.normalize_receipt_code(text) is None)
    try:
        receipt.derive_receipt_keys(text, b"s" * 16, params=CHEAP_ARGON2)
    except CryptoError:
        return
    raise AssertionError("derived keys from a malformed code")
