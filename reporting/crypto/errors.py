"""The single error type for anything that fails to parse, open or unwrap.

One error with a generic message means callers cannot accidentally build an
oracle (wrong key vs. tampered bytes vs. bad header look the same) and no
secret ever ends up in an exception message or a log line.
"""

GENERIC_MESSAGE = "could not open sealed data"


class CryptoError(Exception):
    """Sealed data could not be opened: tampered, truncated, wrong key or context."""

    def __init__(self, message: str = GENERIC_MESSAGE) -> None:
        super().__init__(message)
