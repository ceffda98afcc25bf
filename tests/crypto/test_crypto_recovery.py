"""Recovery key: armour, SLIP-39 shares, and the deployed public key file."""

import hmac
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from reporting.crypto import envelope, recovery
from reporting.crypto.errors import CryptoError

REPO_KEYS_DIR = Path(__file__).resolve().parents[2] / "keys"


@pytest.fixture(scope="module")
def secret() -> bytes:
    return recovery.new_recovery_secret()


@pytest.fixture(scope="module")
def recovery_keypair(secret: bytes) -> envelope.KeyPair:
    return recovery.recovery_keypair_from_secret(secret)


@pytest.fixture(scope="module")
def three_of_five(secret: bytes) -> list[str]:
    return recovery.split_recovery_secret(secret, threshold=3, shares=5)


def test_recovery_keypair_is_determined_by_secret(secret: bytes, recovery_keypair: envelope.KeyPair) -> None:
    again = recovery.recovery_keypair_from_secret(secret)
    assert hmac.compare_digest(again.private_key, recovery_keypair.private_key)
    assert again.public_key == recovery_keypair.public_key
    other = recovery.recovery_keypair_from_secret(recovery.new_recovery_secret())
    assert other.public_key != recovery_keypair.public_key


def test_recovery_secret_length_is_checked() -> None:
    for bad in (b"", b"\x00" * 31, b"\x00" * 33):
        with pytest.raises(ValueError, match="32 bytes"):
            recovery.recovery_keypair_from_secret(bad)
        with pytest.raises(ValueError, match="32 bytes"):
            recovery.armor_private_key(bad)
        with pytest.raises(ValueError, match="32 bytes"):
            recovery.split_recovery_secret(bad, 2, 3)


def test_public_key_armor_roundtrip(recovery_keypair: envelope.KeyPair) -> None:
    text = recovery.armor_public_key(recovery_keypair.public_key)
    assert text.startswith("-----BEGIN REPORTING RECOVERY PUBLIC KEY-----\n")
    assert text.endswith("-----END REPORTING RECOVERY PUBLIC KEY-----\n")
    assert all(len(line) <= 64 for line in text.splitlines())
    assert recovery.parse_public_key(text) == recovery_keypair.public_key
    assert recovery.parse_public_key(text.replace("\n", "\r\n")) == recovery_keypair.public_key


def test_private_key_armor_roundtrip(secret: bytes) -> None:
    text = recovery.armor_private_key(secret)
    assert text.startswith("-----BEGIN REPORTING RECOVERY PRIVATE KEY-----\n")
    assert hmac.compare_digest(recovery.parse_private_key("\n  " + text + "\n\n"), secret)


def test_armors_cannot_be_confused(secret: bytes, recovery_keypair: envelope.KeyPair) -> None:
    public_text = recovery.armor_public_key(recovery_keypair.public_key)
    private_text = recovery.armor_private_key(secret)
    with pytest.raises(CryptoError):
        recovery.parse_private_key(public_text)
    with pytest.raises(CryptoError):
        recovery.parse_public_key(private_text)
    relabelled = private_text.replace("PRIVATE", "PUBLIC")
    with pytest.raises(CryptoError):
        recovery.parse_public_key(relabelled)


def _typo_in_first_line(text: str) -> str:
    lines = text.splitlines(keepends=True)
    first = lines[1]
    lines[1] = first[:20] + ("A" if first[20] != "A" else "B") + first[21:]
    return "".join(lines)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda text: text.replace("-----END", "-----FIN"),
        lambda text: text.split("\n", 1)[1],
        lambda text: "\n".join(text.splitlines()[:-2] + text.splitlines()[-1:]),
        lambda text: text.replace(text.splitlines()[1], text.splitlines()[1][:-4]),
        lambda text: text.replace(text.splitlines()[1], "!" + text.splitlines()[1][1:]),
        _typo_in_first_line,
        lambda text: text.replace(text.splitlines()[1], "UlB2AQYC" + text.splitlines()[1][8:]),
        lambda text: text * 100,
        lambda text: "",
    ],
    ids=[
        "bad-end",
        "no-begin",
        "truncated",
        "short-line",
        "bad-base64",
        "typo",
        "wrong-suite",
        "huge",
        "empty",
    ],
)
def test_malformed_armor_is_refused(
    secret: bytes, recovery_keypair: envelope.KeyPair, mangle: Callable[[str], str]
) -> None:
    with pytest.raises(CryptoError):
        recovery.parse_private_key(mangle(recovery.armor_private_key(secret)))
    with pytest.raises(CryptoError):
        recovery.parse_public_key(mangle(recovery.armor_public_key(recovery_keypair.public_key)))


def test_public_key_with_invalid_key_bytes_is_refused() -> None:
    armored = recovery.armor_public_key(b"\xff" * envelope.PUBLIC_KEY_LENGTH)
    with pytest.raises(CryptoError):
        recovery.parse_public_key(armored)


@pytest.mark.parametrize(("threshold", "shares"), [(1, 1), (2, 2), (2, 3), (3, 5)])
def test_any_threshold_subset_recovers_secret(secret: bytes, threshold: int, shares: int) -> None:
    mnemonics = recovery.split_recovery_secret(secret, threshold, shares)
    assert len(mnemonics) == shares
    for subset in itertools.combinations(mnemonics, threshold):
        assert hmac.compare_digest(recovery.combine_recovery_shares(list(subset)), secret)


def test_more_shares_than_needed_recover_secret(secret: bytes, three_of_five: list[str]) -> None:
    assert hmac.compare_digest(recovery.combine_recovery_shares(three_of_five), secret)
    assert hmac.compare_digest(recovery.combine_recovery_shares(three_of_five[:4]), secret)


def test_shares_tolerate_case_and_whitespace(secret: bytes, three_of_five: list[str]) -> None:
    typed = ["  " + three_of_five[0].upper(), three_of_five[1].replace(" ", "\n  "), three_of_five[2] + "\n", ""]
    assert hmac.compare_digest(recovery.combine_recovery_shares(typed), secret)


def test_shares_recover_the_recovery_keypair(three_of_five: list[str], recovery_keypair: envelope.KeyPair) -> None:
    recovered = recovery.recovery_keypair_from_secret(recovery.combine_recovery_shares(three_of_five[2:]))
    assert recovered.public_key == recovery_keypair.public_key


@pytest.mark.parametrize(
    "pick",
    [
        lambda shares: shares[:2],
        lambda shares: [shares[0], shares[0], shares[0]],
        lambda shares: [shares[0], shares[1], shares[1].upper()],
        lambda shares: [],
    ],
    ids=["two-of-three-needed", "same-share-thrice", "duplicate-share", "none"],
)
def test_too_few_shares_fail(three_of_five: list[str], pick: Callable[[list[str]], list[str]]) -> None:
    with pytest.raises(CryptoError, match="too few or invalid shares"):
        recovery.combine_recovery_shares(pick(three_of_five))


def test_shares_of_different_secrets_do_not_mix(three_of_five: list[str]) -> None:
    foreign = recovery.split_recovery_secret(recovery.new_recovery_secret(), 3, 5)
    with pytest.raises(CryptoError):
        recovery.combine_recovery_shares([*three_of_five[:2], foreign[2]])


def test_corrupted_share_word_fails(three_of_five: list[str]) -> None:
    words = three_of_five[0].split()
    words[10] = "academic" if words[10] != "academic" else "acid"
    with pytest.raises(CryptoError):
        recovery.combine_recovery_shares([" ".join(words), *three_of_five[1:3]])


@pytest.mark.parametrize(("threshold", "shares"), [(0, 1), (1, 2), (1, 5), (3, 2), (2, 17), (17, 17)])
def test_share_counts_are_validated(secret: bytes, threshold: int, shares: int) -> None:
    with pytest.raises(ValueError, match="threshold"):
        recovery.split_recovery_secret(secret, threshold, shares)


def test_contains_private_key_detects_private_material(
    secret: bytes, recovery_keypair: envelope.KeyPair, three_of_five: list[str]
) -> None:
    header = envelope.make_header(envelope.Kind.RECOVERY_SECRET)
    looks_private: list[str | bytes] = [
        recovery.armor_private_key(secret),
        recovery.armor_private_key(secret).encode(),
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEI...\n-----END PRIVATE KEY-----\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "-----BEGIN EC PRIVATE KEY-----\n",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n",
        "notes\n" + three_of_five[0] + "\n",
        "share 1: " + three_of_five[0].upper(),
        "\n".join(" ".join(three_of_five[1].split()[start : start + 8]) for start in range(0, 33, 8)),
        b"\x00binary" + header + secret,
    ]
    for content in looks_private:
        assert recovery.contains_private_key(content)


def test_contains_private_key_accepts_public_material(recovery_keypair: envelope.KeyPair) -> None:
    looks_public: list[str | bytes] = [
        recovery.armor_public_key(recovery_keypair.public_key),
        recovery.armor_public_key(recovery_keypair.public_key).encode(),
        "Never commit the private key here; only the public key belongs in keys/.\n",
        "-----BEGIN PUBLIC KEY-----\n",
        "The recovery key is split into shares; give each share to a different person and keep it offline. " * 3,
        b"",
    ]
    for content in looks_public:
        assert not recovery.contains_private_key(content)


def test_load_from_empty_dir_gives_none(tmp_path: Path) -> None:
    assert recovery.load_recovery_public_key(tmp_path) is None


def test_write_then_load_public_key(tmp_path: Path, recovery_keypair: envelope.KeyPair) -> None:
    keys_dir = tmp_path / "keys"
    recovery.write_recovery_public_key(keys_dir, recovery_keypair.public_key)
    path = keys_dir / recovery.RECOVERY_PUBLIC_KEY_FILENAME
    assert not recovery.contains_private_key(path.read_bytes())
    assert recovery.load_recovery_public_key(keys_dir) == recovery_keypair.public_key
    recovery.write_recovery_public_key(keys_dir, recovery_keypair.public_key)  # same key: no-op
    assert recovery.load_recovery_public_key(keys_dir) == recovery_keypair.public_key


def test_different_public_key_is_never_silently_replaced(tmp_path: Path, recovery_keypair: envelope.KeyPair) -> None:
    recovery.write_recovery_public_key(tmp_path, recovery_keypair.public_key)
    before = (tmp_path / recovery.RECOVERY_PUBLIC_KEY_FILENAME).read_bytes()
    with pytest.raises(FileExistsError):
        recovery.write_recovery_public_key(tmp_path, envelope.generate_keypair().public_key)
    assert (tmp_path / recovery.RECOVERY_PUBLIC_KEY_FILENAME).read_bytes() == before


@pytest.mark.parametrize("content", [b"garbage\n", b"\xff\xfe binary \x00", "-----BEGIN ü".encode()])
def test_malformed_existing_key_file(tmp_path: Path, recovery_keypair: envelope.KeyPair, content: bytes) -> None:
    (tmp_path / recovery.RECOVERY_PUBLIC_KEY_FILENAME).write_bytes(content)
    with pytest.raises(CryptoError):
        recovery.load_recovery_public_key(tmp_path)
    with pytest.raises(FileExistsError):
        recovery.write_recovery_public_key(tmp_path, recovery_keypair.public_key)


def test_repository_keys_dir_holds_no_private_key() -> None:
    if not REPO_KEYS_DIR.is_dir():
        pytest.skip("no keys/ directory in this checkout")
    for path in REPO_KEYS_DIR.rglob("*"):
        if path.is_file():
            assert not recovery.contains_private_key(path.read_bytes()), path.name
    public_key = recovery.load_recovery_public_key(REPO_KEYS_DIR)
    if public_key is not None:
        envelope.validate_public_key(public_key)
