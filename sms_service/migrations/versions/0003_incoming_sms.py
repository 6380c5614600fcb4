"""incoming sms: refusals, reminder confirmations, tasks from messages; delivery reports kept once

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 18:30:35.374042
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
   
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sms_service.db.UTCDateTime(), nullable=True))

    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inbound_message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_follow_up_tasks_inbound_message_id_inbound_messages'), 'inbound_messages', ['inbound_message_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refused', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_inbound_messages_waiting', ['id'], unique=False,
                              postgresql_where=sa.text('handled_at IS NULL'), sqlite_where=sa.text('handled_at IS NULL'))



    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=200), nullable=True))
    op.execute("UPDATE delivery_reports SET fingerprint = provider_message_id || '|' || provider_status || '|' "
               "|| COALESCE(failure_reason, '') || '|' || CAST(id AS VARCHAR(20))")  # old rows stay distinct
    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.alter_column('fingerprint', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_delivery_reports_fingerprint'), ['fingerprint'])
        batch_op.create_index('ix_delivery_reports_waiting', ['id'], unique=False,
                              postgresql_where=sa.text('applied_at IS NULL'), sqlite_where=sa.text('applied_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_reports_waiting')
        batch_op.drop_constraint(batch_op.f('uq_delivery_reports_fingerprint'), type_='unique')
        batch_op.drop_column('fingerprint')

   
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_messages_waiting')
        batch_op.drop_column('refused')

    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_follow_up_tasks_inbound_message_id_inbound_messages'), type_='foreignkey')
        batch_op.drop_column('inbound_message_id')

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')

