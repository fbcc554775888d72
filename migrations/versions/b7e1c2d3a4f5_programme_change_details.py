"""programme_change.details: what a change says, as data, for every reader's language

The public changes page wrote each change's stored English sentence; with the parts kept
(titles, rooms, ISO times, changed fields) it writes the sentence in the reader's language.
Reviewed: one JSON column, NOT NULL with server default '{}'; existing rows get '{}' and
keep showing their stored summary.

Revision ID: b7e1c2d3a4f5
Revises: 54b78b8a215d
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1c2d3a4f5'
down_revision = '54b78b8a215d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('programme_change', schema=None) as batch_op:
        batch_op.drop_column('details')
