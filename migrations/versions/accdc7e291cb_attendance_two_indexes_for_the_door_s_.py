"""attendance: two indexes for the door's writes

Every check-in writes an attendance row, and each index is another page written. The
single-column indexes on event_id, session_id and visit_id go; one (event_id, checkpoint)
index serves every report (they filter by event, then checkpoint). Together with the
unique (registration_id, checkpoint) that is two indexes instead of four. Reviewed: index
changes only, no data touched; batch mode runs them directly on SQLite (no table copy).

Revision ID: accdc7e291cb
Revises: 03738e7587db
Create Date: 2026-11-23 17:30:18.697212

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'accdc7e291cb'
down_revision = '03738e7587db'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_event_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_visit_id'))
        batch_op.create_index('ix_attendance_event_id_checkpoint', ['event_id', 'checkpoint'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_event_id_checkpoint')
        batch_op.create_index(batch_op.f('ix_attendance_visit_id'), ['visit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_event_id'), ['event_id'], unique=False)
