"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 12:00:33.059340
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('occurred_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('event_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    sa.UniqueConstraint('event_hash', name=op.f('uq_audit_event_event_hash'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_report_id'), ['report_id'], unique=False)

    op.create_table('staff_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('wrapped_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_totp_secret', sa.LargeBinary(), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('password_changed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_account_email'))
    )
    op.create_table('throttle_counter',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'client_key', 'window_start', name=op.f('pk_throttle_counter'))
    )
    with op.batch_alter_table('throttle_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_counter_expires_at'), ['expires_at'], unique=False)

    op.create_table('used_token',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'token_hash', name=op.f('pk_used_token'))
    )
    with op.batch_alter_table('used_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_token_expires_at'), ['expires_at'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('close_reason', sa.String(length=30), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('last_activity_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('consent_statistics', sa.Boolean(), nullable=False),
    sa.Column('wants_counselling', sa.Boolean(), nullable=False),
    sa.Column('receipt_lookup', sa.LargeBinary(), nullable=True),
    sa.Column('receipt_public_key', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_narrative', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_contact', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_answers', sa.LargeBinary(), nullable=True),
    sa.Column('shredded_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_account.id'], name=op.f('fk_report_assignee_id_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('receipt_lookup', name=op.f('uq_report_receipt_lookup'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_received_on'), ['received_on'], unique=False)
        batch_op.create_index('ix_report_status_received_on', ['status', 'received_on'], unique=False)

    op.create_table('staff_invitation',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('invited_by', sa.Uuid(), nullable=False),
    sa.Column('expires_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('used_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by'], ['staff_account.id'], name=op.f('fk_staff_invitation_invited_by_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_invitation'))
    )
    op.create_table('staff_session',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('sealed_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_pending_totp', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('last_seen_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_staff_session_staff_id_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_staff_session'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_staff_id'), ['staff_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('added_by', sa.String(length=10), nullable=False),
    sa.Column('key_purpose', sa.String(length=10), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('sealed_meta', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_attachment_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_report_id'), ['report_id'], unique=False)

    op.create_table('case_code',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_case_code_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'origin', 'dimension', 'code', name=op.f('pk_case_code'))
    )
    with op.batch_alter_table('case_code', schema=None) as batch_op:
        batch_op.create_index('ix_case_code_lookup', ['origin', 'dimension', 'code', 'report_id'], unique=False)

    op.create_table('categorisation',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('intersectional', sa.Boolean(), nullable=False),
    sa.Column('categorised_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_categorisation_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_categorisation'))
    )
    op.create_table('message',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sealed_body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_message_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_message_staff_id_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_report_id'), ['report_id'], unique=False)

    op.create_table('note',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('sealed_body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_note_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_note_staff_id_staff_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note'))
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_report_id'), ['report_id'], unique=False)

    op.create_table('wrapped_key',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('key_purpose', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=60), nullable=False),
    sa.Column('staff_id', sa.Uuid(), nullable=True),
    sa.Column('wrapped_data_key', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_wrapped_key_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_account.id'], name=op.f('fk_wrapped_key_staff_id_staff_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'key_purpose', 'recipient', name=op.f('pk_wrapped_key'))
    )
    with op.batch_alter_table('wrapped_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wrapped_key_staff_id'), ['staff_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wrapped_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wrapped_key_staff_id'))

    op.drop_table('wrapped_key')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_report_id'))

    op.drop_table('note')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_report_id'))

    op.drop_table('message')
    op.drop_table('categorisation')
    with op.batch_alter_table('case_code', schema=None) as batch_op:
        batch_op.drop_index('ix_case_code_lookup')

    op.drop_table('case_code')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_report_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_staff_id'))

    op.drop_table('staff_session')
    op.drop_table('staff_invitation')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_status_received_on')
        batch_op.drop_index(batch_op.f('ix_report_received_on'))
        batch_op.drop_index(batch_op.f('ix_report_assignee_id'))

    op.drop_table('report')
    with op.batch_alter_table('used_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_token_expires_at'))

    op.drop_table('used_token')
    with op.batch_alter_table('throttle_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_counter_expires_at'))

    op.drop_table('throttle_counter')
    op.drop_table('staff_account')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_report_id'))

    op.drop_table('audit_event')
