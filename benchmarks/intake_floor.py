"""The floor for ``intake_load.py``: bare Litestar doing only what a stored report needs.

Per submission: read the posted form, the same Argon2id receipt derivation, the same HPKE seal of the
narrative (one data key wrapped for the recovery key), one raw INSERT. Nothing else: no CSRF, no rate
limits, no replay guard, no template. ``GET /`` renders a small Jinja page with a cookie (the form's
floor). Served by the same uvicorn configuration and the same engine set-up as the real service.
Run by ``intake_load.py``: ``python benchmarks/intake_floor.py PORT`` with the ``REPORTING_*`` variables
(and this directory on ``PYTHONPATH``, where the worker processes import it from).
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jinja2 import Environment
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from sqlalchemy import text

from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.crypto import envelope, report_keys
from reporting.crypto.receipt import derive_receipt_keys, new_receipt_code
from reporting.crypto.recovery import load_recovery_public_key
from reporting.db.engine import create_engine
from reporting.web.server import ServerConfig, run_server

PAGE = """<!doctype html><html lang="de"><head><title>{{ title }}</title></head><body><form method="post"
action="/report" enctype="multipart/form-data"><input type="hidden" name="submission_id" value="{{ submission }}">
<textarea name="description"></textarea><button>Senden</button></form></body></html>"""
RECEIPT = '<p class="receipt-code">{groups}</p>'


def create_floor_app() -> Litestar:
    settings = Settings.from_env()
    floor_settings = dataclasses.replace(
        settings,
        database_url=(
            f"sqlite+aiosqlite:///{settings.data_dir / 'floor.db'}" if settings.is_sqlite else settings.database_url
        ),
    )
    engine = create_engine(floor_settings)
    salt = load_instance_secrets(settings).receipt_salt
    recovery_key = load_recovery_public_key(settings.keys_dir)
    assert recovery_key is not None

    @get("/")
    async def form_page() -> Template:
        return Template(
            template_str=PAGE,
            context={"title": "Meldung", "submission": secrets.token_urlsafe(18)},
            media_type=MediaType.HTML,
            cookies=[Cookie(key="csrftoken", value=secrets.token_hex(16), httponly=True, samesite="strict")],
        )

    @post("/report", status_code=200, media_type=MediaType.HTML)
    async def submit(request: Request[Any, Any, Any]) -> Response[str]:
        form = await request.form()
        code = new_receipt_code()
        receipt = await asyncio.to_thread(derive_receipt_keys, code, salt)
        report_id = uuid.uuid4()
        case_key = envelope.new_data_key()
        sealed = report_keys.seal_field(case_key, report_id, report_keys.NARRATIVE, str(form["description"]).encode())
        wrapped = report_keys.wrap_data_key(case_key, recovery_key, report_id, report_keys.CASE_KEY)
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO floor_report (id, lookup, sealed, wrapped) VALUES (:id, :lookup, :sealed, :wrapped)"),
                {"id": report_id.hex, "lookup": receipt.lookup_id, "sealed": sealed, "wrapped": wrapped},
            )
        groups = "".join(f"<span>{group}</span>" for group in code.split())
        return Response(RECEIPT.format(groups=groups), media_type=MediaType.HTML)

    async def create_table() -> None:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS floor_report "
                    "(id VARCHAR(32) PRIMARY KEY, lookup BYTEA, sealed BYTEA, wrapped BYTEA)"
                    if not settings.is_sqlite
                    else "CREATE TABLE IF NOT EXISTS floor_report (id TEXT PRIMARY KEY, lookup BLOB, sealed BLOB, "
                    "wrapped BLOB)"
                )
            )

    return Litestar(
        [form_page, submit],
        on_startup=[create_table],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(Environment(autoescape=True))),
        openapi_config=None,
        logging_config=None,
    )


if __name__ == "__main__":
    config = ServerConfig(
        "intake_floor:create_floor_app",
        factory=True,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        workers=2,
        http="h11",
        access_log=False,
        log_level="warning",
        timeout_worker_healthcheck=30,
    )
    run_server(config)
