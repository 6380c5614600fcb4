"""transfers followed through; API tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:30:34.978220
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('mentor_mother_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sms_service.db.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', sms_service.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', sms_service.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_api_tokens_facility_id_facilities')),
    sa.ForeignKeyConstraint(['mentor_mother_id'], ['mentor_mothers.id'], name=op.f('fk_api_tokens_mentor_mother_id_mentor_mothers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('transfer_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('cause', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.Column('at', sms_service.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_transfer_events_transfer_id_transfers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_events'))
    )
    with op.batch_alter_table('transfer_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_events_transfer_id'), ['transfer_id'], unique=False)

    op.create_index('ix_outbound_messages_subject', 'outbound_messages', ['subject'])
    op.create_index('ix_follow_up_tasks_subject_status', 'follow_up_tasks', ['subject', 'status'])
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('notice_message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notified_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('arrived_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ladder_step', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_step_on', sa.Date(), nullable=True))
        batch_op.create_index('ix_transfers_from_facility_id', ['from_facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_notice_message_id'), ['notice_message_id'], unique=False)
        batch_op.create_index('ix_transfers_next_step_on', ['next_step_on'], unique=False, postgresql_where=sa.text('next_step_on IS NOT NULL'), sqlite_where=sa.text('next_step_on IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_transfers_notice_message_id_outbound_messages'), 'outbound_messages', ['notice_message_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transfers_notice_message_id_outbound_messages'), type_='foreignkey')
        batch_op.drop_index('ix_transfers_next_step_on', postgresql_where=sa.text('next_step_on IS NOT NULL'), sqlite_where=sa.text('next_step_on IS NOT NULL'))
        batch_op.drop_index('ix_transfers_from_facility_id')
        batch_op.drop_index(batch_op.f('ix_transfers_notice_message_id'))
        batch_op.drop_column('next_step_on')
        batch_op.drop_column('ladder_step')
        batch_op.drop_column('arrived_at')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('notified_at')
        batch_op.drop_column('notice_message_id')
        batch_op.drop_column('source')

    with op.batch_alter_table('transfer_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_events_transfer_id'))

    op.drop_table('transfer_events')
    op.drop_index('ix_follow_up_tasks_subject_status', 'follow_up_tasks')
    op.drop_index('ix_outbound_messages_subject', 'outbound_messages')
    op.drop_table('api_tokens')
