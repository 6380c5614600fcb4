"""closures at programme scale: a transfer that corrects another (chained closures), a choice of
clinic with its last day, the check-in two days after the effective date; a task's transfer as
a key (the board joins on it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offer', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('choose_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('check_in', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('check_in_by', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_transfers_replaces_id_transfers'), 'transfers', ['replaces_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_transfers_choose_by', ['choose_by'], unique=False,
                              postgresql_where=sa.text('choose_by IS NOT NULL'),
                              sqlite_where=sa.text('choose_by IS NOT NULL'))
        batch_op.create_index('ix_transfers_check_in_by', ['check_in_by'], unique=False,
                              postgresql_where=sa.text('check_in_by IS NOT NULL'),
                              sqlite_where=sa.text('check_in_by IS NOT NULL'))

    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_follow_up_tasks_transfer_id_transfers'), 'transfers',
                                    ['transfer_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_follow_up_tasks_open_transfer', ['transfer_id'], unique=False,
                              postgresql_where=sa.text("status = 'open' AND transfer_id IS NOT NULL"),
                              sqlite_where=sa.text("status = 'open' AND transfer_id IS NOT NULL"))
    op.execute(
        "UPDATE follow_up_tasks SET transfer_id = CAST(substr(subject, 10) AS INTEGER) "
        "WHERE subject LIKE 'transfer:%' AND EXISTS (SELECT 1 FROM transfers "
        "WHERE transfers.id = CAST(substr(follow_up_tasks.subject, 10) AS INTEGER))"
    )


def downgrade() -> None:
    with op.batch_alter_table('follow_up_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_tasks_open_transfer')
        batch_op.drop_constraint(batch_op.f('fk_follow_up_tasks_transfer_id_transfers'), type_='foreignkey')
        batch_op.drop_column('transfer_id')
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_transfers_check_in_by')
        batch_op.drop_index('ix_transfers_choose_by')
        batch_op.drop_constraint(batch_op.f('fk_transfers_replaces_id_transfers'), type_='foreignkey')
        batch_op.drop_column('check_in_by')
        batch_op.drop_column('check_in')
        batch_op.drop_column('choose_by')
        batch_op.drop_column('offer')
        batch_op.drop_column('replaces_id')
