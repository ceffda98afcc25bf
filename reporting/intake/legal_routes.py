"""The legal notice (Impressum) with the operator's details from configuration."""

from __future__ import annotations

from litestar import MediaType, get
from litestar.response import Template

from reporting.access.rules import PUBLIC

IMPRESSUM_PATH = "/impressum"


@get(IMPRESSUM_PATH, opt=PUBLIC, include_in_schema=False)
async def legal_notice() -> Template:
    return Template(
        template_name="intake/impressum.html",
        context={"language_path": IMPRESSUM_PATH},
        media_type=MediaType.HTML,
    )
