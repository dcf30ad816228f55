"""moderation: reports, review queue, member actions, appeals, watched words, crisis helplines

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 16:05:18.803977
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = '0006'
down_revision: str | None = '0005'  # after research news, which joined the branches
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns other parts own, added here for moderation. Plain ALTER TABLE (no batch
# table copy): SQLite >= 3.35 drops columns natively, and copying forum_posts
# would lose the forums' full-text triggers.
COLUMNS = [
    ("forum_posts", "held_at"),
    ("forum_topics", "held_at"),
    ("users", "silenced_until"),
]


def upgrade() -> None:
    op.create_table('moderation_crisis_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_crisis_resources'))
    )

    with op.batch_alter_table('moderation_crisis_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_crisis_resources_country'), ['country'], unique=False)

    op.create_table('moderation_watched_words',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phrase', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('replacement', sa.String(length=100), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('block', 'hold', 'flag', 'replace', 'crisis')", name=op.f('ck_moderation_watched_words_action_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_watched_words')),
    sa.UniqueConstraint('phrase', name=op.f('uq_moderation_watched_words_phrase'))
    )

    op.create_table('moderation_queue_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.Column('resolution_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('report', 'held', 'flag', 'crisis')", name=op.f('ck_moderation_queue_items_kind_known')),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_moderation_queue_items_claimed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_moderation_queue_items_post_id_forum_posts')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_moderation_queue_items_resolved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_moderation_queue_items_subject_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_queue_items'))
    )

    with op.batch_alter_table('moderation_queue_items', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_queue_items_open_order', ['resolved_at', 'urgent', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_queue_items_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_queue_items_subject_id'), ['subject_id'], unique=False)

    op.create_table('moderation_member_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('ends_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('undone_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('warn', 'silence', 'suspend', 'hide_post', 'delete_post', 'edit_post')", name=op.f('ck_moderation_member_actions_kind_known')),
    sa.ForeignKeyConstraint(['item_id'], ['moderation_queue_items.id'], name=op.f('fk_moderation_member_actions_item_id_moderation_queue_items')),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_member_actions_moderator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_moderation_member_actions_post_id_forum_posts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_moderation_member_actions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_member_actions'))
    )

    with op.batch_alter_table('moderation_member_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_member_actions_user_id'), ['user_id'], unique=False)

    op.create_table('moderation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason IN ('member_at_risk', 'misinformation', 'harassment', 'spam', 'off_topic', 'other')", name=op.f('ck_moderation_reports_reason_known')),
    sa.ForeignKeyConstraint(['item_id'], ['moderation_queue_items.id'], name=op.f('fk_moderation_reports_item_id_moderation_queue_items')),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_moderation_reports_post_id_forum_posts')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_moderation_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_moderation_reports_subject_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_reports'))
    )

    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_reports_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_reports_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_reports_reporter_id'), ['reporter_id'], unique=False)

    op.create_table('moderation_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'upheld', 'overturned')", name=op.f('ck_moderation_appeals_status_known')),
    sa.ForeignKeyConstraint(['action_id'], ['moderation_member_actions.id'], name=op.f('fk_moderation_appeals_action_id_moderation_member_actions')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_moderation_appeals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_moderation_appeals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_appeals')),
    sa.UniqueConstraint('action_id', name=op.f('uq_moderation_appeals_action_id'))
    )

    with op.batch_alter_table('moderation_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_appeals_user_id'), ['user_id'], unique=False)

    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, community.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column)
    with op.batch_alter_table('moderation_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_appeals_user_id'))

    op.drop_table('moderation_appeals')

    with op.batch_alter_table('moderation_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_reports_post_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_reports_item_id'))

    op.drop_table('moderation_reports')

    with op.batch_alter_table('moderation_member_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_member_actions_user_id'))

    op.drop_table('moderation_member_actions')

    with op.batch_alter_table('moderation_queue_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_queue_items_subject_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_queue_items_post_id'))
        batch_op.drop_index('ix_moderation_queue_items_open_order')

    op.drop_table('moderation_queue_items')

    op.drop_table('moderation_watched_words')

    with op.batch_alter_table('moderation_crisis_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_crisis_resources_country'))

    op.drop_table('moderation_crisis_resources')
