"""Logging that cannot leak who reported.

No access log at all (the ASGI server's is switched off), and exceptions are logged by type and code
location only: exception messages can carry user input, so they never reach a log line.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any


def exception_summary(exc: BaseException) -> str:
    """An exception as its type and the last code locations where it was raised, never its message."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}" for frame in frames)
    return f"{type(exc).__name__} (message withheld) at {where or 'unknown location'}"


class RedactingFormatter(logging.Formatter):
    """Formats records normally but reduces any exception to its type and where it was raised."""

    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging API name)
        _exc_type, exc, _tb = ei
        return exception_summary(exc)


def logging_config(level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the service and its ASGI server."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "redacting": {
                "()": f"{__name__}.RedactingFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
            }
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "redacting", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            # The access log would record client addresses and paths: never enabled.
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "sqlalchemy.engine": {"level": "WARNING"},
            # Libraries that see user content log it at DEBUG: Pillow prints every EXIF tag of an uploaded
            # photo (GPS position, camera serial), aiosqlite every statement with its parameters.
            "PIL": {"level": "WARNING"},
            "aiosqlite": {"level": "WARNING"},
            "multipart": {"level": "WARNING"},
        },
    }


def configure_logging(level: str) -> None:
    import logging.config

    logging.config.dictConfig(logging_config(level))
