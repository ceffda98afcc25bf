"""Reading posted HTML forms and answering them with post-redirect-get."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.response import Redirect

MAX_FIELD_LENGTH = 2000


async def read_form(request: Request[Any, Any, State], *names: str) -> dict[str, str]:
    """The named text fields of a posted form ('' when missing); over-long values are cut, never echoed."""
    form = await request.form()
    values: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        values[name] = value[:MAX_FIELD_LENGTH] if isinstance(value, str) else ""
    return values


def see_other(path: str) -> Redirect:
    """Post-redirect-get (303), so a reload never re-submits a form."""
    return Redirect(path, status_code=303)
