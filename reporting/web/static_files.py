"""The router for ``/static``, which answers 404 to paths no file system could hold.

Litestar hands the path to ``os.stat`` as it came: a NUL byte raises ``ValueError`` and a name longer
than the file system allows raises ``OSError``, both 500s without this check.
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any

from litestar import Request, Router
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.static_files import create_static_files_router

from reporting.web.templating import STATIC_DIR

MAX_NAME_BYTES = 255


def _refuse_impossible_paths(request: Request[Any, Any, State]) -> None:
    path = str(request.path_params.get("file_path", ""))
    if "\x00" in path or any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in PurePath(path).parts):
        raise NotFoundException()


def static_files_router(opt: dict[str, Any]) -> Router:
    """The static files (CSS, scripts, fonts) under ``/static``, with the route rule ``opt``."""
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
        opt=opt,
        before_request=_refuse_impossible_paths,
    )
