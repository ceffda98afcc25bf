"""The one place where the Litestar application is assembled."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.static_files import create_static_files_router

from reporting.access.rules import PUBLIC
from reporting.audit.routes import AUDIT_ROUTE_HANDLERS
from reporting.auth.guards import LoginRequiredError, access_guard, current_staff, login_required_handler
from reporting.auth.routes import STAFF_ROUTE_HANDLERS
from reporting.casework.controllers import CASE_ROUTE_HANDLERS
from reporting.config.files import owner_only_directory, restrict_new_files
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.engine import create_engine
from reporting.intake.routes import INTAKE_ROUTE_HANDLERS
from reporting.stats.controllers import StatsController
from reporting.web.address_keys import adopt_handed_on_seed
from reporting.web.allowed_hosts import allowed_hosts_middleware
from reporting.web.app_state import app_state
from reporting.web.errors import http_exception_handler, unhandled_exception_handler
from reporting.web.health import healthz
from reporting.web.language import language_middleware
from reporting.web.request_limits import request_head_limit_middleware
from reporting.web.security_headers import security_headers_hook
from reporting.web.templating import STATIC_DIR, template_config

MAX_REQUEST_BODY_BYTES = 30 * 1024 * 1024


def create_app(settings: Settings) -> Litestar:
    """Build the application for ``settings``; the database must already be migrated (``reporting init``)."""
    secrets = load_instance_secrets(settings)
    owner_only_directory(settings.data_dir)
    database = SQLAlchemyAsyncConfig(
        engine_instance=create_engine(settings),
        before_send_handler="autocommit_include_redirects",
        create_all=False,
    )
    app = Litestar(
        route_handlers=[
            # ``web`` sits below ``access``, so its routes get their rule here.
            Router(path="/", route_handlers=[healthz], opt=PUBLIC),
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False, opt=PUBLIC),
            *STAFF_ROUTE_HANDLERS,
            *AUDIT_ROUTE_HANDLERS,
            *CASE_ROUTE_HANDLERS,
            *INTAKE_ROUTE_HANDLERS,
            StatsController,
        ],
        # Every route states who may call it in its ``opt``; a route without a rule is denied to everyone.
        guards=[access_guard],
        dependencies={
            "staff": Provide(current_staff, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "secrets": Provide(lambda: secrets, sync_to_thread=False),
        },
        plugins=[SQLAlchemyPlugin(config=database)],
        template_config=template_config(),
        csrf_config=CSRFConfig(
            secret=secrets.csrf_secret,
            cookie_name="csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="strict",
            exclude=["/healthz", "/static"],
        ),
        middleware=[
            allowed_hosts_middleware(settings.allowed_hosts),
            language_middleware,
            request_head_limit_middleware,
        ],
        before_send=[security_headers_hook(settings.onion_location, strict_transport=settings.secure_cookies)],
        exception_handlers={
            LoginRequiredError: login_required_handler,
            HTTPException: http_exception_handler,
            Exception: unhandled_exception_handler,
        },
        openapi_config=None,
        request_max_body_size=MAX_REQUEST_BODY_BYTES,
        logging_config=None,
        debug=False,
        state=app_state(settings, secrets),
    )
    return app


def create_app_from_env() -> Litestar:
    """Factory for the ASGI server's worker processes, which get their settings from the environment."""
    adopt_handed_on_seed()
    restrict_new_files()
    return create_app(Settings.from_env())
