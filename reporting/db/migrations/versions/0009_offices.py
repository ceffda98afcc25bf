"""offices: local counselling offices, their regions, staff memberships and each case's owning office

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00.000000

An existing instance gets one central office (named for the operator to rename, no contact details):
every existing account becomes its member and every existing case belongs to it, so nobody loses or
gains access by the upgrade.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CENTRAL_SLUG = 'zentrale'
CENTRAL_NAME = 'Diözesane Zentralstelle'


def upgrade() -> None:
    office = op.create_table(
        'office',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('is_central', sa.Boolean(), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=False),
        sa.Column('phone', sa.String(length=60), nullable=False),
        sa.Column('opening_hours', sa.String(length=300), nullable=False),
        sa.Column('languages', sa.String(length=300), nullable=False),
        sa.Column('step_free', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_office')),
        sa.UniqueConstraint('slug', name=op.f('uq_office_slug')),
    )
    op.create_table(
        'office_region',
        sa.Column('region', sa.String(length=40), nullable=False),
        sa.Column('office_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ['office_id'], ['office.id'], name=op.f('fk_office_region_office_id_office'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('region', name=op.f('pk_office_region')),
    )
    op.create_index(op.f('ix_office_region_office_id'), 'office_region', ['office_id'], unique=False)
    staff_office = op.create_table(
        'staff_office',
        sa.Column('staff_id', sa.Uuid(), nullable=False),
        sa.Column('office_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ['office_id'], ['office.id'], name=op.f('fk_staff_office_office_id_office'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['staff_id'], ['staff_account.id'], name=op.f('fk_staff_office_staff_id_staff_account'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('staff_id', 'office_id', name=op.f('pk_staff_office')),
    )
    op.create_index(op.f('ix_staff_office_office_id'), 'staff_office', ['office_id'], unique=False)
    with op.batch_alter_table('staff_invitation') as batch:
        batch.add_column(sa.Column('office_ids', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('staff_invitation') as batch:
        batch.alter_column('office_ids', server_default=None)
    with op.batch_alter_table('report') as batch:
        batch.add_column(sa.Column('office_id', sa.Uuid(), nullable=True))
        batch.create_index(batch.f('ix_report_office_id'), ['office_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_report_office_id_office'), 'office', ['office_id'], ['id'])

    central_id = uuid.uuid4()
    op.bulk_insert(
        office,
        [
            {
                'id': central_id,
                'slug': CENTRAL_SLUG,
                'name': CENTRAL_NAME,
                'is_central': True,
                'address': '',
                'phone': '',
                'opening_hours': '',
                'languages': '',
                'step_free': False,
            }
        ],
    )
    bind = op.get_bind()
    staff_table = sa.table('staff_account', sa.column('id', sa.Uuid()))
    ids = [row[0] for row in bind.execute(sa.select(staff_table.c.id))]
    if ids:
        op.bulk_insert(staff_office, [{'staff_id': staff_id, 'office_id': central_id} for staff_id in ids])
    report = sa.table('report', sa.column('office_id', sa.Uuid()))
    bind.execute(sa.update(report).values(office_id=central_id))


def downgrade() -> None:
    with op.batch_alter_table('report') as batch:
        batch.drop_constraint(batch.f('fk_report_office_id_office'), type_='foreignkey')
        batch.drop_index(batch.f('ix_report_office_id'))
        batch.drop_column('office_id')
    with op.batch_alter_table('staff_invitation') as batch:
        batch.drop_column('office_ids')
    op.drop_index(op.f('ix_staff_office_office_id'), table_name='staff_office')
    op.drop_table('staff_office')
    op.drop_index(op.f('ix_office_region_office_id'), table_name='office_region')
    op.drop_table('office_region')
    op.drop_table('office')
