"""broadcasts scoped, approved, fanned out

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:24:15.358923
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facility_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('code_expires_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('sms_parts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('approved_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('fanned_out_to', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_broadcasts_status_send_at', ['status', 'send_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_broadcasts_facility_id_facilities'), 'facilities', ['facility_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_broadcasts_facility_id_facilities'), type_='foreignkey')
        batch_op.drop_index('ix_broadcasts_status_send_at')
        batch_op.drop_column('fanned_out_to')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by')
        batch_op.drop_column('sms_parts')
        batch_op.drop_column('code_expires_at')
        batch_op.drop_column('facility_id')

