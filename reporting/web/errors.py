"""HTML error pages that reveal nothing internal: no traceback, no exception text, no paths."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from reporting.i18n import N_
from reporting.web.language import use_request_language

logger = logging.getLogger("reporting.errors")
BUSY_RETRY_AFTER_SECONDS = 10

TITLES = {
    400: N_("The request could not be understood"),
    403: N_("Access denied"),
    404: N_("Page not found"),
    405: N_("This action is not possible here"),
    413: N_("The upload is too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Temporarily unavailable"),
}


def _error_page(request: Request[Any, Any, State], status_code: int) -> Response[str] | Template:
    use_request_language(request)
    title = TITLES.get(status_code, TITLES[500] if status_code >= 500 else TITLES[400])
    return Template(
        template_name="errors/error.html",
        context={"status_code": status_code, "title": title},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def http_exception_handler(request: Request[Any, Any, State], exc: HTTPException) -> Response[str] | Template:
    return _error_page(request, exc.status_code)


def service_busy_handler(request: Request[Any, Any, State], _exc: Exception) -> Response[str] | Template:
    """A bounded resource is exhausted for the moment: 503 in the visitor's language, with a retry hint."""
    page = _error_page(request, HTTP_503_SERVICE_UNAVAILABLE)
    page.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return page


def unhandled_exception_handler(request: Request[Any, Any, State], exc: Exception) -> Response[str] | Template:
    handler = request.scope.get("route_handler")
    handler_name = getattr(handler, "handler_name", "unknown")
    logger.error("unhandled error in %s", handler_name, exc_info=exc)
    return _error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)
