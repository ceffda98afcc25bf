"""Settings, read once from ``REPORTING_*`` environment variables.

Every value is checked at start-up: a bad value stops the service with one line naming the
variable, because a half-configured anonymity service is worse than one that does not start.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ENV_PREFIX = "REPORTING_"
SUPPORTED_DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
# Where ``init`` leaves the private recovery key until ``reporting keys export-recovery`` takes it away.
RECOVERY_PRIVATE_KEY_FILENAME = "recovery-private-key.txt"


class SettingsError(ValueError):
    """A setting has a value the service cannot run with; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """The service configuration; build it with :meth:`from_env` so every value is validated."""

    data_dir: Path
    database_url: str
    keys_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = True
    trusted_proxies: tuple[str, ...] = ()
    onion_location: str | None = None
    log_level: str = "INFO"
    staff_idle_minutes: int = 30
    retention_years: int = 3
    stats_min_count: int = 5
    answer_due_months: int = 3
    """Months after receipt within which the reporter gets a substantive answer (EU directive: three)."""
    stats_publisher: str = ""
    stats_contact: str = ""
    index_landing_page: bool = True
    offices_file: Path | None = None
    """The offices file (TOML) that ``init``, ``db upgrade`` and ``reporting offices load`` read."""
    operator_name: str = ""
    operator_address: str = ""
    operator_contact: str = ""
    operator_representative: str = ""
    public_url: str = "http://127.0.0.1:8000"
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secrets_file(self) -> Path:
        return self.data_dir / "instance-secrets.json"

    @property
    def period_keys_dir(self) -> Path:
        """Retention-period keys: outside the database, so destroying one shreds what PostgreSQL keeps."""
        return self.data_dir / "period-keys"

    @property
    def recovery_private_key_file(self) -> Path:
        return self.data_dir / RECOVERY_PRIVATE_KEY_FILENAME

    @property
    def is_trial(self) -> bool:
        """Whether this is still a test instance: the private recovery key has not left the server, so
        whoever takes the server reads every report (every page says so)."""
        return self.recovery_private_key_file.exists()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every ``REPORTING_*`` variable; raise :class:`SettingsError` on the first bad one."""
        env = dict(os.environ if environ is None else environ)
        known = {
            "DATA_DIR",
            "DATABASE_URL",
            "KEYS_DIR",
            "HOST",
            "PORT",
            "SECURE_COOKIES",
            "TRUSTED_PROXIES",
            "ONION_LOCATION",
            "LOG_LEVEL",
            "STAFF_IDLE_MINUTES",
            "RETENTION_YEARS",
            "STATS_MIN_COUNT",
            "ANSWER_DUE_MONTHS",
            "STATS_PUBLISHER",
            "STATS_CONTACT",
            "INDEX_LANDING_PAGE",
            "OFFICES_FILE",
            *TEXT_SETTINGS,
            "PUBLIC_URL",
            "ALLOWED_HOSTS",
        }
        retired = sorted(name for name in env if name.removeprefix(ENV_PREFIX) in RETIRED_SETTINGS)
        if retired:
            raise SettingsError(
                f"{retired[0]} was retired: where to get help in person now comes from the offices "
                f"({ENV_PREFIX}OFFICES_FILE, see README)"
            )
        unknown = sorted(
            name
            for name in env
            if name.startswith(ENV_PREFIX)
            and name.removeprefix(ENV_PREFIX) not in known
            and not name.startswith(f"{ENV_PREFIX}TEST_")
        )
        if unknown:
            raise SettingsError(f"{unknown[0]} is not a known setting (typo?)")

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return None if value is None or value.strip() == "" else value.strip()

        data_dir = _path("DATA_DIR", get("DATA_DIR") or "./var")
        keys_dir = _path("KEYS_DIR", get("KEYS_DIR") or "./keys")
        database_url = _database_url(get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'reporting.db'}")
        host = _host(get("HOST") or "127.0.0.1")
        port = _integer("PORT", get("PORT"), default=8000, minimum=1, maximum=65535)
        onion_location = _onion(get("ONION_LOCATION"))
        public_url = _public_url(get("PUBLIC_URL") or f"http://127.0.0.1:{port}")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            keys_dir=keys_dir,
            host=host,
            port=port,
            secure_cookies=_boolean("SECURE_COOKIES", get("SECURE_COOKIES"), default=True),
            trusted_proxies=_proxies(get("TRUSTED_PROXIES")),
            onion_location=onion_location,
            log_level=_log_level(get("LOG_LEVEL")),
            staff_idle_minutes=_integer(
                "STAFF_IDLE_MINUTES", get("STAFF_IDLE_MINUTES"), default=30, minimum=1, maximum=24 * 60
            ),
            retention_years=_integer("RETENTION_YEARS", get("RETENTION_YEARS"), default=3, minimum=1, maximum=30),
            stats_min_count=_integer("STATS_MIN_COUNT", get("STATS_MIN_COUNT"), default=5, minimum=3, maximum=100),
            answer_due_months=_integer("ANSWER_DUE_MONTHS", get("ANSWER_DUE_MONTHS"), default=3, minimum=1, maximum=12),
            stats_publisher=_text("STATS_PUBLISHER", get("STATS_PUBLISHER"), max_length=200),
            stats_contact=_text("STATS_CONTACT", get("STATS_CONTACT"), max_length=200),
            index_landing_page=_boolean("INDEX_LANDING_PAGE", get("INDEX_LANDING_PAGE"), default=True),
            offices_file=_file("OFFICES_FILE", get("OFFICES_FILE")),
            **{name.lower(): _text(name, get(name)) for name in TEXT_SETTINGS},
            public_url=public_url,
            allowed_hosts=_allowed_hosts(get("ALLOWED_HOSTS"), public_url, onion_location),
        )


RETIRED_SETTINGS = ("HELP_OFFICE_NAME", "HELP_OFFICE_ADDRESS", "HELP_OFFICE_PHONE", "HELP_OFFICE_HOURS")
"""Settings of earlier versions that now live elsewhere: named in the error instead of "unknown"."""

TEXT_SETTINGS = (
    "OPERATOR_NAME",
    "OPERATOR_ADDRESS",
    "OPERATOR_CONTACT",
    "OPERATOR_REPRESENTATIVE",
)
"""Shown on the legal notice (``/impressum``). Where to get help in person comes from the offices."""


def _text(name: str, raw: str | None, *, max_length: int = 300) -> str:
    """One printable line (shown on public pages or printed on the statistics report), or empty."""
    value = raw or ""
    if len(value) > max_length or not value.isprintable():
        raise SettingsError(f"{ENV_PREFIX}{name} must be one printable line of at most {max_length} characters")
    return value


def _path(name: str, raw: str) -> Path:
    if "\x00" in raw:
        raise SettingsError(f"{ENV_PREFIX}{name} must be a directory path, got a value with a NUL byte")
    path = Path(raw).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{ENV_PREFIX}{name} must be a directory, but {path} is a file")
    return path


def _file(name: str, raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser().resolve()
    if "\x00" in raw or not path.is_file():
        raise SettingsError(f"{ENV_PREFIX}{name} must name an existing file, got {raw!r}")
    return path


def _database_url(raw: str) -> str:
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme in ("postgresql", "postgres"):
        raw = "postgresql+asyncpg://" + raw.split("://", 1)[1]
        scheme = "postgresql+asyncpg"
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise SettingsError(
            f"{ENV_PREFIX}DATABASE_URL must start with sqlite+aiosqlite:/// or postgresql+asyncpg://, "
            f"got scheme {scheme or '(none)'!r}"
        )
    if scheme == "sqlite+aiosqlite" and raw.rstrip("/") == "sqlite+aiosqlite:":
        raise SettingsError(f"{ENV_PREFIX}DATABASE_URL names no SQLite file")
    return raw


def _integer(name: str, raw: str | None, *, default: int, minimum: int, maximum: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            f"{ENV_PREFIX}{name} must be a whole number between {minimum} and {maximum}, got {raw!r}"
        ) from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{ENV_PREFIX}{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _boolean(name: str, raw: str | None, *, default: bool) -> bool:
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{ENV_PREFIX}{name} must be true or false, got {raw!r}")


def _host(raw: str) -> str:
    if any(char.isspace() for char in raw) or "/" in raw:
        raise SettingsError(f"{ENV_PREFIX}HOST must be a host name or IP address, got {raw!r}")
    return raw


def _proxies(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    proxies = []
    for item in (part.strip() for part in raw.split(",")):
        try:
            proxies.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(
                f"{ENV_PREFIX}TRUSTED_PROXIES must be a comma-separated list of IP addresses or networks, got {item!r}"
            ) from None
    return tuple(proxies)


def _onion(raw: str | None) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not (parts.hostname or "").endswith(".onion"):
        raise SettingsError(f"{ENV_PREFIX}ONION_LOCATION must be an http(s) URL of a .onion host, got {raw!r}")
    return raw.rstrip("/")


def _public_url(raw: str) -> str:
    """The address the public reaches the service at; links the service hands out are built from it."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise SettingsError(f"{ENV_PREFIX}PUBLIC_URL must be an http(s) URL of the service without a path, got {raw!r}")
    return raw.rstrip("/")


def _allowed_hosts(raw: str | None, public_url: str, onion_location: str | None) -> tuple[str, ...]:
    """The host names requests may name: the public URL's and the onion address's, and any listed.
    Without a list and with a loopback public URL, the loopback names (a trial on one machine)."""
    public_host = str(urlsplit(public_url).hostname)
    hosts = [public_host]
    if onion_location:
        hosts.append(str(urlsplit(onion_location).hostname))
    if raw is not None:
        for item in (part.strip().lower().strip("[]") for part in raw.split(",")):
            if not (HOST_NAME.fullmatch(item) or _is_ip_address(item)):
                raise SettingsError(f"{ENV_PREFIX}ALLOWED_HOSTS must list host names (no ports), got {raw!r}")
            hosts.append(item)
    elif public_host in LOOPBACK_HOSTS:
        hosts.extend(LOOPBACK_HOSTS)
    return tuple(dict.fromkeys(hosts))


def _is_ip_address(raw: str) -> bool:
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        return False
    return True


def _log_level(raw: str | None) -> str:
    level = (raw or "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"{ENV_PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level
