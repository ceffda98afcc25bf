"""Reading posted HTML forms and answering them with post-redirect-get."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Request
from litestar.datastructures import FormMultiDict, State
from litestar.response import Redirect
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

MAX_FIELD_LENGTH = 2000
FileT = TypeVar("FileT")


class PostedForm:
    """A posted form. Text reads skip uploaded files, so a file sent under a text field's name reads as
    nothing, and a field that was not sent reads as ''."""

    def __init__(self, fields: FormMultiDict, max_length: int | None) -> None:
        self._fields = fields
        self._max_length = max_length

    def texts(self, name: str) -> list[str]:
        """Every text value of the field, in the order sent (checkbox groups send several)."""
        return [value[: self._max_length] for value in self._fields.getall(name, []) if isinstance(value, str)]

    def text(self, name: str) -> str:
        """The field's first text value, as sent ('' when missing)."""
        return next(iter(self.texts(name)), "")

    def files(self, name: str, kind: type[FileT]) -> list[FileT]:
        """The field's uploaded files of ``kind`` (what the route's body parser made of them)."""
        return [value for value in self._fields.getall(name, []) if isinstance(value, kind)]

    def all_texts(self) -> dict[str, list[str]]:
        """Every field's text values, for parsers that take ``name -> values``."""
        return {name: self.texts(name) for name in self._fields}


async def read_form(request: Request[Any, Any, State], *, max_length: int | None = MAX_FIELD_LENGTH) -> PostedForm:
    """The posted form; with ``max_length`` every text is cut there, so an over-long value is never echoed.

    Forms that check lengths themselves (and say by how much a text is too long) pass ``max_length=None``.
    """
    return PostedForm(await request.form(), max_length)


def parsed_form(request: Request[Any, Any, State], *, max_length: int | None = MAX_FIELD_LENGTH) -> PostedForm:
    """The form as a middleware parsed it before refusing the request (the CSRF check, an upload parser).

    For exception handlers, which cannot wait for the body: a body nobody parsed reads as an empty form.
    """
    parsed = ScopeState.from_scope(request.scope).form
    return PostedForm(FormMultiDict() if parsed is Empty else FormMultiDict.from_form_data(parsed), max_length)


def see_other(path: str) -> Redirect:
    """Post-redirect-get (303), so a reload never re-submits a form."""
    return Redirect(path, status_code=303)
