"""The offices file (``REPORTING_OFFICES_FILE``, TOML): an initial set of offices loaded by ``init``,
``db upgrade`` and ``reporting offices load``.

Each ``[[office]]`` has a ``slug`` (its stable key), a ``name``, the ``regions`` it serves
(``taxonomy.REGIONS`` codes), public contact details (``address``, ``phone``, ``hours``, ``languages``,
``step_free``) and, for exactly one office, ``central = true``: the diocesan central office that takes
every report no other office serves.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reporting.taxonomy import REGIONS

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
UNROUTED_REGIONS = frozenset({"outside_diocese", "not_stated"})
"""Region answers that name no place an office could serve: they go to the central office."""
SERVABLE_REGIONS: tuple[str, ...] = tuple(code for code in REGIONS.codes() if code not in UNROUTED_REGIONS)
TEXT_LIMITS = {"name": 200, "address": 300, "phone": 60, "hours": 300, "languages": 300}


class OfficesFileError(ValueError):
    """The offices file cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class OfficeSpec:
    """One office as written in the file or in the administrator's form."""

    slug: str
    name: str
    central: bool = False
    regions: tuple[str, ...] = ()
    address: str = ""
    phone: str = ""
    hours: str = ""
    languages: str = ""
    step_free: bool = False


def _text(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry.get(name, "")
    if not isinstance(value, str):
        raise OfficesFileError(f"{where}: {name} must be text")
    value = value.strip()
    if len(value) > TEXT_LIMITS[name] or not value.isprintable():
        raise OfficesFileError(f"{where}: {name} must be one line of at most {TEXT_LIMITS[name]} characters")
    return value


def office_spec(entry: Mapping[str, Any], where: str) -> OfficeSpec:
    """One checked entry; :class:`OfficesFileError` names what is wrong."""
    unknown = set(entry) - {"slug", "central", "regions", "step_free", *TEXT_LIMITS}
    if unknown:
        raise OfficesFileError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    slug = entry.get("slug")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise OfficesFileError(f"{where}: slug must be lower-case letters, digits and hyphens")
    name = _text(entry, "name", where)
    if not name:
        raise OfficesFileError(f"{where}: name is missing")
    regions = entry.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(region, str) for region in regions):
        raise OfficesFileError(f"{where}: regions must be a list of region codes")
    for region in regions:
        if region not in SERVABLE_REGIONS:
            raise OfficesFileError(
                f"{where}: {region!r} is not a region an office can serve ({', '.join(SERVABLE_REGIONS)})"
            )
    flags = {name: entry.get(name, False) for name in ("central", "step_free")}
    for flag, value in flags.items():
        if not isinstance(value, bool):
            raise OfficesFileError(f"{where}: {flag} must be true or false")
    return OfficeSpec(
        slug=slug,
        name=name,
        central=flags["central"],
        regions=tuple(dict.fromkeys(regions)),
        address=_text(entry, "address", where),
        phone=_text(entry, "phone", where),
        hours=_text(entry, "hours", where),
        languages=_text(entry, "languages", where),
        step_free=flags["step_free"],
    )


def check_offices(specs: Sequence[OfficeSpec]) -> None:
    """Slugs unique, exactly one central office, every region served by at most one office."""
    slugs = [spec.slug for spec in specs]
    if len(set(slugs)) != len(slugs):
        raise OfficesFileError("two offices have the same slug")
    if sum(spec.central for spec in specs) != 1:
        raise OfficesFileError("exactly one office must be the central office (central = true)")
    served: dict[str, str] = {}
    for spec in specs:
        for region in spec.regions:
            if region in served:
                raise OfficesFileError(f"region {region!r} is served by both {served[region]!r} and {spec.slug!r}")
            served[region] = spec.slug


def read_offices_file(path: Path) -> list[OfficeSpec]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise OfficesFileError(f"cannot read the offices file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise OfficesFileError(f"the offices file {path} is not valid TOML: {error}") from None
    entries = data.get("office")
    if set(data) - {"office"} or not isinstance(entries, list) or not entries:
        raise OfficesFileError(f"the offices file {path} must consist of [[office]] entries")
    specs = [office_spec(entry, f"{path.name}, office {number}") for number, entry in enumerate(entries, 1)]
    check_offices(specs)
    return specs
