"""The instance's settings and secrets where Litestar's dependencies do not reach.

Handlers declare the dependencies ``settings`` and ``secrets`` (registered by ``create_app``); middleware,
guards, exception handlers and the helpers they call read the same values from the application state.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyInitPlugin
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.config.secrets import InstanceSecrets
from reporting.config.settings import Settings
from reporting.web.office_directory import OfficeDirectory


def app_state(settings: Settings, secrets: InstanceSecrets) -> State:
    """The application state ``create_app`` starts with."""
    return State({"settings": settings, "secrets": secrets, "office_directory": OfficeDirectory()})


def app_settings(connection: ASGIConnection[Any, Any, Any, Any]) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


def app_secrets(connection: ASGIConnection[Any, Any, Any, Any]) -> InstanceSecrets:
    secrets: InstanceSecrets = connection.app.state.secrets
    return secrets


def request_db_session(connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncSession:
    """The request's database session, the same one handlers get as ``db_session`` (one transaction)."""
    plugin = connection.app.plugins.get(SQLAlchemyInitPlugin)
    config = plugin.config[0]
    session = config.provide_session(connection.app.state, connection.scope)
    assert isinstance(session, AsyncSession)
    return session
