"""statistics publication register

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 01:00:00.000000
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stats_publication',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('published_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('years', sa.String(length=100), nullable=False),
    sa.Column('method', sa.String(length=60), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('printed', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_publication'))
    )
    with op.batch_alter_table('stats_publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_publication_year'), ['year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stats_publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_publication_year'))

    op.drop_table('stats_publication')
