"""Migrations: an empty database upgraded to head has exactly the models' schema, and downgrade
and upgrade round-trip, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from reporting.config.settings import Settings
from reporting.db.base import Base
from reporting.db.engine import create_engine
from reporting.db.migrate import downgrade, head_revision, upgrade


def _inspect_database(settings: Settings) -> tuple[list[Any], set[str]]:
    def compare(connection: Connection) -> tuple[list[Any], set[str]]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata), set(inspect(connection).get_table_names())

    async def run() -> tuple[list[Any], set[str]]:
        engine = create_engine(settings)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_yields_exactly_the_models_schema(settings: Settings) -> None:
    upgrade(settings)
    differences, tables = _inspect_database(settings)
    assert differences == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_downgrade_and_upgrade_round_trip(settings: Settings) -> None:
    upgrade(settings)
    downgrade(settings, "base")
    _, tables = _inspect_database(settings)
    assert tables == {"alembic_version"}
    upgrade(settings)
    differences, tables = _inspect_database(settings)
    assert differences == []
    assert "report" in tables
    assert head_revision(settings) is not None
