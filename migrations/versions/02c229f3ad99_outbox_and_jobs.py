"""outbox_message and job: the transactional mail outbox and tracked background jobs

outbox_message holds every outgoing message (rendered MIME, status, attempts, next
attempt, last error, the event and registration it concerns); job holds the runs of
jobs organisers start and watch (badge PDFs, imports, "Schedule all"). Reviewed: two new
tables, no existing data touched. Messages sent before this revision were never stored,
so the delivery log starts empty.

Revision ID: 02c229f3ad99
Revises: 42bd369ac0e9
Create Date: 2026-12-04 16:32:27.424258

"""
from alembic import op
import sqlalchemy as sa

import confapp.db


# revision identifiers, used by Alembic.
revision = '02c229f3ad99'
down_revision = '42bd369ac0e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('result_file', sa.String(length=200), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('result_mime', sa.String(length=100), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_job_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_job_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_event_id_created_at', ['event_id', 'created_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('mime', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', name='mailstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retry_until', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_message_attempts_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_outbox_message_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_outbox_message_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_claim'), ['claim'], unique=False)
        batch_op.create_index('ix_outbox_message_event_id_status', ['event_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_outbox_message_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_message_registration_id'))
        batch_op.drop_index('ix_outbox_message_event_id_status')
        batch_op.drop_index(batch_op.f('ix_outbox_message_claim'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_event_id_created_at')

    op.drop_table('job')
