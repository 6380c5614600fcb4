"""every text in its reader's language: a task's note kept with its values, a clinic's hours and
landmark in Kiswahili

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note_args', sa.JSON(), nullable=True))
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('landmark_sw', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('hours_sw', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_column('hours_sw')
        batch_op.drop_column('landmark_sw')
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_column('note_args')
