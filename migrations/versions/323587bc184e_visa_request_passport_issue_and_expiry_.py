"""visa request: passport issue and expiry dates, place of issue

What embassies ask besides the passport number (issue 19). Reviewed: three nullable
columns, no data touched; requests made before them have none (the letter leaves those
rows out, and the delegate is asked for them on their next change). Purging passport
data sets them to NULL with the rest. Batch mode adds them with ALTER TABLE on SQLite.

Revision ID: 323587bc184e
Revises: b7e1c2d3a4f5
Create Date: 2026-12-05 05:08:46.961913

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '323587bc184e'
down_revision = 'b7e1c2d3a4f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visa_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passport_issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('passport_expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('passport_issue_place', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('visa_request', schema=None) as batch_op:
        batch_op.drop_column('passport_issue_place')
        batch_op.drop_column('passport_expires_on')
        batch_op.drop_column('passport_issued_on')
