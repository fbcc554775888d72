"""invitations, locked accounts, privacy notice

Issue 16 #4 and issue 19. `event_invitation`: a role offered to an e-mail address, granted
once the link sent there is opened (only the SHA-256 of the link's secret is stored);
expiring, revocable. `user_account.locked_until_verified`: an unconfirmed account that
organisers addressed a registration to stays closed until the address is confirmed
(existing accounts: false). `event.privacy_notice`: Markdown shown on the registration
form (existing events: empty, which shows the default text). Reviewed: one new table, two
NOT NULL columns added with server defaults so existing rows are valid; no data touched.

Revision ID: 42bd369ac0e9
Revises: 9d2209564bbc
Create Date: 2026-12-04 16:23:53.033822

"""
from alembic import op
import sqlalchemy as sa

import confapp.db


# revision identifiers, used by Alembic.
revision = '42bd369ac0e9'
down_revision = '9d2209564bbc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('organiser', 'staff', name='eventrolekind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', confapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', confapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], name=op.f('fk_event_invitation_accepted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_invitation_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_event_invitation_invited_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_event_invitation_token_hash'))
    )
    with op.batch_alter_table('event_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_invitation_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_invitation_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until_verified', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locked_until_verified')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice')

    with op.batch_alter_table('event_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_invitation_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_invitation_email'))

    op.drop_table('event_invitation')
