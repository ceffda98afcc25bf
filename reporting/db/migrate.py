"""Alembic, driven from code so ``reporting init`` and ``reporting db upgrade`` need no alembic.ini."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

from reporting.config.settings import Settings

MIGRATIONS_DIR = str(files("reporting.db") / "migrations")


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (synchronous: call it outside the event loop or in a thread)."""
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def head_revision(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
