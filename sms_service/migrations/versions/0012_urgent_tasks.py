"""urgent tasks: a danger sign in a client's SMS puts her first on every list

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.String(length=8), server_default='normal', nullable=False))
        batch_op.create_index('ix_follow_up_tasks_open_urgent', ['created_at'], unique=False,
                              postgresql_where=sa.text("status = 'open' AND priority = 'urgent'"),
                              sqlite_where=sa.text("status = 'open' AND priority = 'urgent'"))


def downgrade() -> None:
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_tasks_open_urgent')
        batch_op.drop_column('priority')
