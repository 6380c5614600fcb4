"""the inbox: who closed a task, quick replies, a client's messages by client

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 17:00:00
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_by', sa.String(length=64), nullable=True))
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_messages_client_id', ['client_id', 'id'], unique=False)
    op.create_table(
        'quick_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text_en', sa.Text(), nullable=False),
        sa.Column('text_sw', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', sms_service.db.UTCDateTime(), nullable=False),
        sa.Column('removed_at', sms_service.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_replies')),
    )


def downgrade() -> None:
    op.drop_table('quick_replies')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_messages_client_id')
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_column('closed_by')
