"""messages: private conversations, participants, messages, blocks, message settings;
queue items can point at a reported message; forum: bookmarks and ignored members

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'message_conversations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=150), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_message_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_message_id', sa.Integer(), nullable=False),
        sa.Column('message_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_message_conversations_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_conversations')),
    )
    op.create_index(op.f('ix_message_conversations_created_by_id'), 'message_conversations',
                    ['created_by_id'], unique=False)
    op.create_table(
        'message_participants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_read_message_id', sa.Integer(), nullable=False),
        sa.Column('left_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['message_conversations.id'],
                                name=op.f('fk_message_participants_conversation_id_message_conversations')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_message_participants_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_participants')),
        sa.UniqueConstraint('conversation_id', 'user_id', name='uq_message_participants_conversation_user'),
    )
    op.create_index(op.f('ix_message_participants_conversation_id'), 'message_participants',
                    ['conversation_id'], unique=False)
    op.create_index('ix_message_participants_user_left', 'message_participants', ['user_id', 'left_at'],
                    unique=False)
    op.create_table(
        'message_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.Integer(), nullable=True),
        sa.Column('body_raw', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('links_as_text', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('erased', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['message_conversations.id'],
                                name=op.f('fk_message_messages_conversation_id_message_conversations')),
        sa.ForeignKeyConstraint(['sender_id'], ['users.id'],
                                name=op.f('fk_message_messages_sender_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_messages')),
    )
    op.create_index('ix_message_messages_conversation_id', 'message_messages', ['conversation_id', 'id'],
                    unique=False)
    op.create_index(op.f('ix_message_messages_sender_id'), 'message_messages', ['sender_id'], unique=False)
    op.create_table(
        'message_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('blocker_id', sa.Integer(), nullable=False),
        sa.Column('blocked_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('blocker_id <> blocked_id', name=op.f('ck_message_blocks_not_self')),
        sa.ForeignKeyConstraint(['blocked_id'], ['users.id'],
                                name=op.f('fk_message_blocks_blocked_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['blocker_id'], ['users.id'],
                                name=op.f('fk_message_blocks_blocker_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_blocks')),
        sa.UniqueConstraint('blocker_id', 'blocked_id', name='uq_message_blocks_blocker_blocked'),
    )
    op.create_index(op.f('ix_message_blocks_blocked_id'), 'message_blocks', ['blocked_id'], unique=False)
    op.create_table(
        'message_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email_new_messages', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_message_preferences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_message_preferences')),
    )
    op.create_table(
        'forum_bookmarks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('remind_on', sa.Date(), nullable=True),
        sa.Column('reminded_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_forum_bookmarks_post_id_forum_posts')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_forum_bookmarks_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_bookmarks')),
        sa.UniqueConstraint('user_id', 'post_id', name='uq_forum_bookmarks_user_post'),
    )
    op.create_index(op.f('ix_forum_bookmarks_post_id'), 'forum_bookmarks', ['post_id'], unique=False)
    op.create_index('ix_forum_bookmarks_remind_on', 'forum_bookmarks', ['remind_on', 'reminded_at'], unique=False)
    op.create_table(
        'forum_ignores',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('ignored_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('user_id <> ignored_id', name=op.f('ck_forum_ignores_not_self')),
        sa.ForeignKeyConstraint(['ignored_id'], ['users.id'], name=op.f('fk_forum_ignores_ignored_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_forum_ignores_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_ignores')),
        sa.UniqueConstraint('user_id', 'ignored_id', name='uq_forum_ignores_user_ignored'),
    )
    op.create_index(op.f('ix_forum_ignores_ignored_id'), 'forum_ignores', ['ignored_id'], unique=False)
    with op.batch_alter_table('moderation_queue_items') as batch:
        batch.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_moderation_queue_items_message_id'), ['message_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_moderation_queue_items_message_id_message_messages'),
                                 'message_messages', ['message_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('moderation_queue_items') as batch:
        batch.drop_constraint(batch.f('fk_moderation_queue_items_message_id_message_messages'),
                              type_='foreignkey')
        batch.drop_index(batch.f('ix_moderation_queue_items_message_id'))
        batch.drop_column('message_id')
    op.drop_index(op.f('ix_forum_ignores_ignored_id'), table_name='forum_ignores')
    op.drop_table('forum_ignores')
    op.drop_index('ix_forum_bookmarks_remind_on', table_name='forum_bookmarks')
    op.drop_index(op.f('ix_forum_bookmarks_post_id'), table_name='forum_bookmarks')
    op.drop_table('forum_bookmarks')
    op.drop_table('message_preferences')
    op.drop_index(op.f('ix_message_blocks_blocked_id'), table_name='message_blocks')
    op.drop_table('message_blocks')
    op.drop_index(op.f('ix_message_messages_sender_id'), table_name='message_messages')
    op.drop_index('ix_message_messages_conversation_id', table_name='message_messages')
    op.drop_table('message_messages')
    op.drop_index('ix_message_participants_user_left', table_name='message_participants')
    op.drop_index(op.f('ix_message_participants_conversation_id'), table_name='message_participants')
    op.drop_table('message_participants')
    op.drop_index(op.f('ix_message_conversations_created_by_id'), table_name='message_conversations')
    op.drop_table('message_conversations')
