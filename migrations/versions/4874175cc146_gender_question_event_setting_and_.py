"""gender question: event setting and registration answer

The optional gender question of the registration form (analytics issue): the event's
setting (hidden / shown / required; existing events: hidden, so nothing changes for them)
and the delegate's answer (nullable: not asked or not answered). Reviewed: two added
columns with their CHECK constraints, no data touched.

Revision ID: 4874175cc146
Revises: 02c229f3ad99
Create Date: 2026-12-04 18:53:17.191076

"""
from alembic import op
import sqlalchemy as sa

import confapp.db


# revision identifiers, used by Alembic.
revision = '4874175cc146'
down_revision = '02c229f3ad99'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender_field', sa.Enum('hidden', 'shown', 'required', name='fieldmode', native_enum=False, create_constraint=True, length=16), server_default='hidden', nullable=False))

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender', sa.Enum('woman', 'man', 'another_term', 'prefer_not_to_say', name='gender', native_enum=False, create_constraint=True, length=24), nullable=True))



def downgrade():
    # The CHECK constraints go first: SQLite's batch copy would keep them, naming a column
    # the new table no longer has.
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registration_gender'), type_='check')
        batch_op.drop_column('gender')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_fieldmode'), type_='check')
        batch_op.drop_column('gender_field')

