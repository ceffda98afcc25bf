"""The one place where the Litestar application is assembled."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.access.rules import PUBLIC
from reporting.audit.routes import AUDIT_ROUTE_HANDLERS
from reporting.auth.guards import LoginRequiredError, access_guard, current_staff, login_required_handler
from reporting.auth.routes import STAFF_ROUTE_HANDLERS
from reporting.auth.sessions import purge_expired_sessions
from reporting.casework.controllers import CASE_ROUTE_HANDLERS
from reporting.casework.navigation import add_attention_counts, staff_page_middleware
from reporting.casework.pages import tampered_case_page
from reporting.config.files import owner_only_directory, restrict_new_files
from reporting.config.secrets import load_instance_secrets
from reporting.config.settings import Settings
from reporting.db.engine import create_engine
from reporting.intake.routes import INTAKE_ROUTE_HANDLERS
from reporting.offices.routes import OFFICE_ROUTE_HANDLERS
from reporting.stats.controllers import StatsController
from reporting.vault.opening import ReceiptWorkBusyError
from reporting.vault.period_keys import PeriodKeys
from reporting.vault.values import TamperedContentError
from reporting.web.address_keys import adopt_handed_on_seed
from reporting.web.allowed_hosts import allowed_hosts_middleware
from reporting.web.app_state import app_state
from reporting.web.commits import NotStoredError, commit_before_send_middleware, not_stored_page
from reporting.web.errors import http_exception_handler, service_busy_handler, unhandled_exception_handler
from reporting.web.form_body import CSRF_COOKIE, form_body_middleware
from reporting.web.head import answer_head_like_get
from reporting.web.health import healthz
from reporting.web.housekeeping import HousekeepingJob, housekeeping_lifespan
from reporting.web.language import language_middleware
from reporting.web.office_directory import directory_refresh_hook
from reporting.web.request_limits import request_body_middleware, request_head_limit_middleware
from reporting.web.security_headers import indexable_paths, security_headers_hook
from reporting.web.static_files import static_files_router
from reporting.web.templating import template_config
from reporting.web.throttle import purge_expired

MAX_REQUEST_BODY_BYTES = 30 * 1024 * 1024


def create_app(settings: Settings) -> Litestar:
    """Build the application for ``settings``; the database must already be migrated (``reporting init``)."""
    secrets = load_instance_secrets(settings)
    owner_only_directory(settings.data_dir)
    engine = create_engine(settings)
    database = SQLAlchemyAsyncConfig(
        # No autocommit: it ran after the page was rendered and swallowed a failed commit. Handlers commit
        # before they announce a write; the middleware below commits what a success left open, loudly.
        engine_instance=engine,
        # A page rendered after its commit still reads what it stored (no lazy reload in a template).
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
    )
    app = Litestar(
        route_handlers=[
            # ``web`` sits below ``access``, so its routes get their rule here.
            Router(path="/", route_handlers=[healthz], opt=PUBLIC),
            static_files_router(opt=PUBLIC),
            *STAFF_ROUTE_HANDLERS,
            *AUDIT_ROUTE_HANDLERS,
            *CASE_ROUTE_HANDLERS,
            *INTAKE_ROUTE_HANDLERS,
            StatsController,
            *OFFICE_ROUTE_HANDLERS,
        ],
        # Every route states who may call it in its ``opt``; a route without a rule is denied to everyone.
        guards=[access_guard],
        dependencies={
            "staff": Provide(current_staff, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "secrets": Provide(lambda: secrets, sync_to_thread=False),
            "period_keys": Provide(lambda: PeriodKeys.of(settings), sync_to_thread=False),
        },
        plugins=[SQLAlchemyPlugin(config=database)],
        template_config=template_config(),
        csrf_config=CSRFConfig(
            secret=secrets.csrf_secret,
            cookie_name=CSRF_COOKIE,
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="strict",
            exclude=["/healthz", "/static"],
        ),
        middleware=[
            allowed_hosts_middleware(settings.allowed_hosts),
            language_middleware,
            request_head_limit_middleware,
            # Read the whole body under time limits first, then parse forms defensively from memory.
            request_body_middleware(MAX_REQUEST_BODY_BYTES),
            form_body_middleware,
            commit_before_send_middleware(database),
            staff_page_middleware,
        ],
        # Every staff page's navigation counts what needs attention, computed here once for all of them.
        after_request=add_attention_counts,
        before_request=directory_refresh_hook(engine),
        before_send=[
            security_headers_hook(
                settings.onion_location, indexable_paths(settings), strict_transport=settings.secure_cookies
            )
        ],
        exception_handlers={
            LoginRequiredError: login_required_handler,
            ReceiptWorkBusyError: service_busy_handler,
            HTTPException: http_exception_handler,
            NotStoredError: not_stored_page,
            TamperedContentError: tampered_case_page,
            Exception: unhandled_exception_handler,
        },
        openapi_config=None,
        request_max_body_size=MAX_REQUEST_BODY_BYTES,
        logging_config=None,
        debug=False,
        state=app_state(settings, secrets),
        lifespan=[housekeeping_lifespan(housekeeping_jobs(engine, settings))],
    )
    app.asgi_handler = answer_head_like_get(app.asgi_handler)
    return app


def housekeeping_jobs(engine: AsyncEngine, settings: Settings) -> list[HousekeepingJob]:
    """What each worker deletes from time to time: expired counters, spent tokens and sessions."""

    async def expired_counters_and_tokens() -> None:
        await purge_expired(engine)

    async def expired_sessions() -> None:
        await purge_expired_sessions(engine, settings)

    return [expired_counters_and_tokens, expired_sessions]


def create_app_from_env() -> Litestar:
    """Factory for the ASGI server's worker processes, which get their settings from the environment."""
    adopt_handed_on_seed()
    restrict_new_files()
    return create_app(Settings.from_env())
