"""appointment reminders planned per revision

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:56:04.997303
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('planned', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('status_changed_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_appointments_status_date', ['status', 'date'], unique=False)
        batch_op.create_index('ix_appointments_unplanned', ['id'], unique=False, postgresql_where=sa.text('NOT planned'), sqlite_where=sa.text('planned = 0'))

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_messages_status_expires', ['status', 'expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_messages_status_expires')

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_unplanned', postgresql_where=sa.text('NOT planned'), sqlite_where=sa.text('planned = 0'))
        batch_op.drop_index('ix_appointments_status_date')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('planned')
        batch_op.drop_column('revision')
        batch_op.drop_column('label')

