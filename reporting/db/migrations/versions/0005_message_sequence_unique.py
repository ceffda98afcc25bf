"""message sequence unique per report

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _renumber_duplicate_sequences()
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_message_report_id_sequence'), ['report_id', 'sequence'])


def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_message_report_id_sequence'), type_='unique')


def _renumber_duplicate_sequences() -> None:
    """Concurrent replies could share a number before this constraint: number each case 1..n again.

    Keeps the order (by number, then id) and touches only cases that have a duplicate.
    """
    connection = op.get_bind()
    message = sa.table('message', sa.column('id', sa.Uuid()), sa.column('report_id', sa.Uuid()),
                       sa.column('sequence', sa.Integer()))
    duplicated = connection.execute(
        sa.select(message.c.report_id).group_by(message.c.report_id, message.c.sequence)
        .having(sa.func.count() > 1).distinct()
    ).scalars().all()
    for report_id in duplicated:
        rows = connection.execute(
            sa.select(message.c.id).where(message.c.report_id == report_id)
            .order_by(message.c.sequence, message.c.id)
        ).scalars().all()
        for number, message_id in enumerate(rows, start=1):
            connection.execute(sa.update(message).where(message.c.id == message_id).values(sequence=number))
