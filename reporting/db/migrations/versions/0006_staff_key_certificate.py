"""staff key certificate

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00.000000

Existing accounts stay uncertified (they receive no new data keys) until ``reporting keys certify-staff``
vouches for them: a migration cannot tell an approved row from a forged one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('staff_account') as batch:
        batch.add_column(sa.Column('key_certificate', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff_account') as batch:
        batch.drop_column('key_certificate')
