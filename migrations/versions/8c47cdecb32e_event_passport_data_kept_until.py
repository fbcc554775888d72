"""event: passport_data_kept_until

The day after which a periodic job erases the passport data of the event's visa requests.
Reviewed: one nullable column, no data touched; existing events keep their passport data
until an organiser purges it (as before). Batch mode adds it with ALTER TABLE on SQLite.

Revision ID: 8c47cdecb32e
Revises: a544b4f4761c
Create Date: 2026-12-04 16:08:38.825735

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c47cdecb32e'
down_revision = 'a544b4f4761c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passport_data_kept_until', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('passport_data_kept_until')
