"""ussd sessions; follow-up tasks made once by key

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 19:06:45.382049
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ussd_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('service_code', sa.String(length=32), nullable=True),
    sa.Column('network_code', sa.String(length=8), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('hops', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('received_at', sms_service.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ussd_sessions')),
    sa.UniqueConstraint('session_id', name=op.f('uq_ussd_sessions_session_id'))
    )
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_follow_up_tasks_dedupe_key'), ['dedupe_key'])


def downgrade() -> None:
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_follow_up_tasks_dedupe_key'), type_='unique')
        batch_op.drop_column('dedupe_key')
    op.drop_table('ussd_sessions')
