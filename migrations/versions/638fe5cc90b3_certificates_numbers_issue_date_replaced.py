"""certificate: the certificates of participation issued, with their public numbers

One row per issue: a random number (unique), the name and organisation printed, when and
by whom it was issued, and when it was replaced (organisers re-issue). Reviewed: the
partial unique index keeps one certificate in force per registration (SQLite and
PostgreSQL both support WHERE on an index); rows go with their event or registration.

Revision ID: 638fe5cc90b3
Revises: 323587bc184e
Create Date: 2026-12-05 05:11:20.247429

"""
from alembic import op
import sqlalchemy as sa

import confapp.db


# revision identifiers, used by Alembic.
revision = '638fe5cc90b3'
down_revision = '323587bc184e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('issued_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_certificate_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_certificate_issued_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_certificate_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('number', name=op.f('uq_certificate_number'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_certificate_current', ['registration_id'], unique=True, sqlite_where=sa.text('replaced_at IS NULL'), postgresql_where=sa.text('replaced_at IS NULL'))



def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_current', sqlite_where=sa.text('replaced_at IS NULL'), postgresql_where=sa.text('replaced_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_certificate_event_id'))

    op.drop_table('certificate')
