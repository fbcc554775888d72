"""scan: partial index of the visits to an area (the meetings area)

A second, separate revision because the column (9b5927d41d3b) was already on main when
bench/analytics.py showed the held-meetings lookup reading every scan of each person.
Reviewed: partial (WHERE area IS NOT NULL) on SQLite and PostgreSQL, so the door's scans
at the entrance, sessions and buses write nothing to it; (registration_id, scanned_at)
answers "was this person at the area during this slot?" in one seek.

Revision ID: 790cc0d0c473
Revises: 9b5927d41d3b
Create Date: 2026-12-05 06:42:02.743204

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '790cc0d0c473'
down_revision = '9b5927d41d3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.create_index(
            'ix_scan_area_visits',
            ['registration_id', 'scanned_at'],
            unique=False,
            sqlite_where=sa.text('area IS NOT NULL'),
            postgresql_where=sa.text('area IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('scan', schema=None) as batch_op:
        batch_op.drop_index('ix_scan_area_visits')
