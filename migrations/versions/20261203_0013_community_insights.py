"""insights: contribution consent, published aggregate pages, and a treatment's "how well is it working"

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00.000000

Members opt in to having their records counted; the refresh writes only numbers that
passed disclosure control into insights_pages. The rating column starts empty
("not answered") for every existing treatment.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('insights_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('given', 'withdrawn')", name=op.f('ck_insights_consents_action_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_insights_consents_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insights_consents'))
    )
    op.create_index('ix_insights_consents_user_latest', 'insights_consents', ['user_id', 'id'], unique=False)
    op.create_table('insights_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('cohort', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('refreshed_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insights_pages')),
    sa.UniqueConstraint('kind', 'slug', 'cohort', name=op.f('uq_insights_pages_kind'))
    )
    op.add_column('tracking_treatments', sa.Column('rating', sa.String(length=20), server_default='',
                                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tracking_treatments', schema=None) as batch_op:
        batch_op.drop_column('rating')
    op.drop_table('insights_pages')
    op.drop_index('ix_insights_consents_user_latest', table_name='insights_consents')
    op.drop_table('insights_consents')
