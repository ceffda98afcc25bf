"""Shared fixtures for the crypto tests: real keys, cheap-but-valid Argon2 costs."""

import uuid
from collections.abc import Callable

import pytest

from reporting.crypto import envelope
from reporting.crypto.passwords import MIN_MEMORY_KIB, Argon2Params


@pytest.fixture(scope="session")
def cheap_argon2() -> Argon2Params:
    """The cheapest parameters a blob may carry, so most tests stay fast."""
    return Argon2Params(time_cost=1, memory_kib=MIN_MEMORY_KIB, parallelism=1)


@pytest.fixture(scope="session")
def staff_keypair() -> envelope.KeyPair:
    return envelope.generate_keypair()


@pytest.fixture(scope="session")
def other_keypair() -> envelope.KeyPair:
    return envelope.generate_keypair()


@pytest.fixture
def report_id() -> uuid.UUID:
    return uuid.uuid4()


def _single_byte_flips(blob: bytes) -> list[bytes]:
    return [blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1 :] for index in range(len(blob))]


def _truncations(blob: bytes) -> list[bytes]:
    return [blob[:length] for length in range(len(blob))]


@pytest.fixture(scope="session")
def single_byte_flips() -> Callable[[bytes], list[bytes]]:
    """Every variant of ``blob`` with exactly one byte changed."""
    return _single_byte_flips


@pytest.fixture(scope="session")
def truncations() -> Callable[[bytes], list[bytes]]:
    """Every proper prefix of ``blob`` (including the empty one)."""
    return _truncations
