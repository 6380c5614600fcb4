"""delivery reports and send attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:16:44.402446
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_message_id', sa.String(length=64), nullable=False),
    sa.Column('provider_status', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('failure_reason', sa.String(length=48), nullable=True),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('received_at', sms_service.db.UTCDateTime(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', sms_service.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbound_messages.id'], name=op.f('fk_delivery_reports_message_id_outbound_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_reports')),
    )
    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_reports_provider_message_id', ['provider_message_id'], unique=False)

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_attempt_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('resend_count', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('resend_count')
        batch_op.drop_column('first_attempt_at')

    with op.batch_alter_table('delivery_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_reports_provider_message_id')

    op.drop_table('delivery_reports')
