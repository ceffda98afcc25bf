"""Alembic environment: async engine from the service settings, batch mode for SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from reporting.config.settings import Settings
from reporting.db import models  # noqa: F401  (registers the tables on Base.metadata)
from reporting.db.base import Base
from reporting.db.engine import create_engine

target_metadata = Base.metadata


def _settings() -> Settings:
    settings = context.config.attributes.get("settings")
    return settings if isinstance(settings, Settings) else Settings.from_env()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_settings())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `reporting db upgrade`")
asyncio.run(_run_async())
