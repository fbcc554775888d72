"""user accounts: password_reset_sent_at

When the last password-reset link was e-mailed, so that a request repeated within
PASSWORD_RESET_RESEND_AFTER (a double submit, five at once) sends nothing new: the link
already sent still works (issue 16). Reviewed: one nullable column, no data touched;
existing accounts count as never sent one. Batch mode adds it with ALTER TABLE on SQLite.

Revision ID: cdb9bd590193
Revises: 638fe5cc90b3
Create Date: 2026-12-05 06:04:07.432826

"""
from alembic import op
import sqlalchemy as sa

import confapp.db


# revision identifiers, used by Alembic.
revision = 'cdb9bd590193'
down_revision = '638fe5cc90b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_reset_sent_at', confapp.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('password_reset_sent_at')
