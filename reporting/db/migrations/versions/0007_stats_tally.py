"""statistics tally: running counts per year, kept up to date at categorisation

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stats_tally',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'key', name=op.f('pk_stats_tally'))
    )
    # With nothing categorised yet the empty tally is complete: mark it built. Otherwise the first report
    # builds it from the codes (reporting.stats.aggregate.rebuild_tally).
    op.execute(
        "INSERT INTO stats_tally (year, key, count) SELECT 0, 'built', 1 "
        "WHERE NOT EXISTS (SELECT 1 FROM categorisation)"
    )


def downgrade() -> None:
    op.drop_table('stats_tally')
