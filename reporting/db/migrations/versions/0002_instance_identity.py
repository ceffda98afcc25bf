"""instance identity

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('instance_identity',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_instance_identity_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_identity'))
    )


def downgrade() -> None:
    op.drop_table('instance_identity')
