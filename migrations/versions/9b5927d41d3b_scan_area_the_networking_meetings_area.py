"""scan area: scans at the networking meetings area

A nullable column: NULL for every scan at the entrance, a session or a visit (all rows
written before this revision), "meetings" for a scan at the networking meetings area, which
analytics read to count a booked meeting held when both people were scanned there in its
slot. Reviewed: no index (every index is a page written by each door scan; the analytics
query reaches scans through the registration_id index), no data to move.

Revision ID: 9b5927d41d3b
Revises: cdb9bd590193
Create Date: 2026-12-05 06:08:27.130823

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b5927d41d3b'
down_revision = 'cdb9bd590193'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.drop_column('area')
