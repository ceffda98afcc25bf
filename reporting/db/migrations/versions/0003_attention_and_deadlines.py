"""attention and deadlines: unread markers per staff member, acknowledgement and incident dates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_unread',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_case_unread_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_case_unread_staff_id_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'staff_id', name=op.f('pk_case_unread'))
    )
    with op.batch_alter_table('case_unread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_unread_staff_id'), ['staff_id'], unique=False)
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('incident_on', sa.Date(), nullable=True))
    # Cases that already have a staff message were acknowledged on the day of the first one.
    op.execute(
        "UPDATE report SET acknowledged_on = (SELECT MIN(message.sent_on) FROM message "
        "WHERE message.report_id = report.id AND message.author = 'staff')"
    )


def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('incident_on')
        batch_op.drop_column('acknowledged_on')
    with op.batch_alter_table('case_unread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_unread_staff_id'))
    op.drop_table('case_unread')
