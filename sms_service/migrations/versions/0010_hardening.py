"""hardening: tokens of accounts and expiring, server-side logins, a broadcast's author as a
person and its wrong codes, an incoming SMS's own time

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import sms_service.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sms_service.db.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sms_service.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sms_service.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
    # tokens made before this expire a year after they were made (API_TOKEN_DAYS' default)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE api_tokens SET expires_at = created_at + interval '365 days'")
    else:
        op.execute("UPDATE api_tokens SET expires_at = datetime(created_at, '+365 days')")

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_person', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('wrong_codes', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', sms_service.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('sent_at')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('wrong_codes')
        batch_op.drop_column('created_by_person')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
        batch_op.drop_column('expires_at')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
