"""documents: event letterhead and images, registration name in Latin letters

Event: the organiser's name, postal address and contact line for visa letters, and the
file names of an uploaded logo and signature (the files live in the uploads folder, not
in the database). Registration: an optional name in Latin letters, printed under a name
in another script and shown to staff. Reviewed: nullable file names; the text columns are
NOT NULL with an empty default so existing rows need no data step (ALTER TABLE ADD
COLUMN on SQLite, no table copy).

Revision ID: 9d2209564bbc
Revises: 7f40f5da182d
Create Date: 2026-12-04 16:07:42.377451

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2209564bbc'
down_revision = '7f40f5da182d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('organiser_address', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('letter_contact', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('logo_file', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('signature_file', sa.String(length=100), nullable=True))

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_latin', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('name_latin')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('signature_file')
        batch_op.drop_column('logo_file')
        batch_op.drop_column('letter_contact')
        batch_op.drop_column('organiser_address')
        batch_op.drop_column('organiser_name')
