"""life events, and the state they leave on a client, an infant, a visit and a message

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 08:00:00
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('life_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('infant_id', sa.Integer(), nullable=True),
    sa.Column('new_phone', sa.String(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sms_service.db.UTCDateTime(), nullable=False),
    sa.Column('retracted_at', sms_service.db.UTCDateTime(), nullable=True),
    sa.Column('retracted_by', sa.String(length=64), nullable=True),
    sa.Column('effects', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_life_events_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['infant_id'], ['infants.id'], name=op.f('fk_life_events_infant_id_infants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_events'))
    )
    with op.batch_alter_table('life_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_life_events_client_id'), ['client_id'], unique=False)
        batch_op.create_index('uq_life_events_live', ['client_id', 'identity'], unique=True,
                              postgresql_where=sa.text('retracted_at IS NULL'), sqlite_where=sa.text('retracted_at IS NULL'))

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inactive_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('pregnancy_lost_on', sa.Date(), nullable=True))

    with op.batch_alter_table('infants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('died_on', sa.Date(), nullable=True))

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason', sa.String(length=32), nullable=True))

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbound_messages_appointment_id_appointments'), 'appointments',
                                    ['appointment_id'], ['id'], ondelete='SET NULL')

    # the visits that waiting reminders and missed-visit messages are about (their subject names it)
    op.execute("UPDATE outbound_messages SET appointment_id = CAST(substr(subject, 13) AS INTEGER) "
               "WHERE purpose IN ('reminder', 'missed_visit') AND subject LIKE 'appointment:%' "
               "AND status IN ('scheduled', 'queued')")


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbound_messages_appointment_id_appointments'), type_='foreignkey')
        batch_op.drop_column('appointment_id')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
    with op.batch_alter_table('infants', schema=None) as batch_op:
        batch_op.drop_column('died_on')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('pregnancy_lost_on')
        batch_op.drop_column('inactive_reason')
    with op.batch_alter_table('life_events', schema=None) as batch_op:
        batch_op.drop_index('uq_life_events_live', postgresql_where=sa.text('retracted_at IS NULL'),
                            sqlite_where=sa.text('retracted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_life_events_client_id'))
    op.drop_table('life_events')
