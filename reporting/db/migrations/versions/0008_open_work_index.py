"""indexes for the staff navigation counts and the inbox's attention order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:40:00.000000

Every staff page counts new, answered and overdue cases among those the member can open; these covering
indexes let the counts read the open cases' dates and the member's case keys from indexes alone instead
of the wide case and key rows; the attention order reads each status most recently active first.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_report_open_work',
        'report',
        ['status', 'shredded_on', 'received_on', 'acknowledged_on', 'incident_on', 'last_activity_on', 'id'],
    )
    op.create_index('ix_report_status_activity', 'report', ['status', 'last_activity_on', 'id'])
    op.create_index(
        'ix_wrapped_key_staff_cases', 'wrapped_key', ['staff_id', 'key_purpose', 'recipient', 'report_id']
    )


def downgrade() -> None:
    op.drop_index('ix_wrapped_key_staff_cases', table_name='wrapped_key')
    op.drop_index('ix_report_status_activity', table_name='report')
    op.drop_index('ix_report_open_work', table_name='report')
