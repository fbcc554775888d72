"""outbox: message bytes in a table of their own

Delivery changes an outbox row three times (claimed, sent, settled); on SQLite each change
that alters the record's length writes the whole record again, the message's kilobytes
included. The bytes move to outbox_content, written once.

Reviewed for SQLite's batch mode, which rebuilds a table (copy, drop, rename): the FK from
outbox_content to outbox_message is added only after outbox_message has been rebuilt
without its column, because dropping the old outbox_message with the FK in place would
cascade and empty outbox_content. Existing messages keep their bytes (copied first), on
SQLite and PostgreSQL, and the downgrade copies them back.

Revision ID: 2b6da80334f5
Revises: 790cc0d0c473
Create Date: 2026-12-05 08:36:42.225811

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b6da80334f5'
down_revision = '790cc0d0c473'
branch_labels = None
depends_on = None

FK = 'fk_outbox_content_outbox_message_id_outbox_message'


def upgrade():
    op.create_table(
        'outbox_content',
        sa.Column('outbox_message_id', sa.Integer(), nullable=False),
        sa.Column('mime', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('outbox_message_id', name=op.f('pk_outbox_content')),
    )
    op.execute(
        'INSERT INTO outbox_content (outbox_message_id, mime) SELECT id, mime FROM outbox_message'
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('mime')
    with op.batch_alter_table('outbox_content', schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f(FK), 'outbox_message', ['outbox_message_id'], ['id'], ondelete='CASCADE'
        )


def downgrade():
    with op.batch_alter_table('outbox_content', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(FK), type_='foreignkey')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mime', sa.LargeBinary(), nullable=True))
    op.execute(
        'UPDATE outbox_message SET mime = (SELECT mime FROM outbox_content '
        'WHERE outbox_content.outbox_message_id = outbox_message.id)'
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('mime', existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table('outbox_content')
