"""meeting requests: reminded_at

When the invitee was reminded of a pending request (`confapp remind-meetings`), so each
request is named in one reminder at most. Reviewed: one nullable column, no data touched;
existing requests count as not yet reminded. Batch mode adds it with ALTER TABLE on SQLite
(no table copy).

Revision ID: d16258dba5b0
Revises: accdc7e291cb
Create Date: 2026-11-23 18:06:56.964314

"""
from alembic import op
import sqlalchemy as sa

import confapp.db


# revision identifiers, used by Alembic.
revision = 'd16258dba5b0'
down_revision = 'accdc7e291cb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', confapp.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting_request', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
