"""research news

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-25 15:59:27.829229
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db


revision: str = '0005'
down_revision: tuple[str, ...] = ("0003", "0004")  # joins the forum and trial branches
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('news_writers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_news_writers_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_news_writers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_news_writers'))
    )
    op.create_table('news_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('body_raw', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('reading_minutes', sa.Integer(), nullable=False),
    sa.Column('hero_image', sa.String(length=120), nullable=True),
    sa.Column('hero_alt', sa.String(length=250), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('published_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('discussion_topic_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_news_articles_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['discussion_topic_id'], ['forum_topics.id'], name=op.f('fk_news_articles_discussion_topic_id_forum_topics'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_news_articles_slug'))
    )
    with op.batch_alter_table('news_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_articles_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_news_articles_status_published', ['status', 'published_at'], unique=False)

    op.create_table('news_article_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('body_raw', sa.Text(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['news_articles.id'], name=op.f('fk_news_article_revisions_article_id_news_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_news_article_revisions_editor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_article_revisions'))
    )
    with op.batch_alter_table('news_article_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_article_revisions_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_article_revisions_editor_id'), ['editor_id'], unique=False)

    op.create_table('news_article_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['news_articles.id'], name=op.f('fk_news_article_tags_article_id_news_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_article_tags')),
    sa.UniqueConstraint('article_id', 'slug', name='uq_news_article_tags_article_slug')
    )
    with op.batch_alter_table('news_article_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_article_tags_slug'), ['slug'], unique=False)

    op.create_table('news_article_trials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('nct_id', sa.String(length=11), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['news_articles.id'], name=op.f('fk_news_article_trials_article_id_news_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_article_trials')),
    sa.UniqueConstraint('article_id', 'nct_id', name='uq_news_article_trials_article_nct')
    )
    with op.batch_alter_table('news_article_trials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_article_trials_nct_id'), ['nct_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('news_article_trials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_article_trials_nct_id'))

    op.drop_table('news_article_trials')
    with op.batch_alter_table('news_article_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_article_tags_slug'))

    op.drop_table('news_article_tags')
    with op.batch_alter_table('news_article_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_article_revisions_editor_id'))
        batch_op.drop_index(batch_op.f('ix_news_article_revisions_article_id'))

    op.drop_table('news_article_revisions')
    with op.batch_alter_table('news_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_news_articles_status_published')
        batch_op.drop_index(batch_op.f('ix_news_articles_author_id'))

    op.drop_table('news_articles')
    op.drop_table('news_writers')
