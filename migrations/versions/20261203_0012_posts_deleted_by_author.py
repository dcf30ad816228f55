"""forum: remember when a post was deleted by its author rather than by a moderator

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:00:00.000000

Readers see "deleted by its author" for a post its author removed (one by one, or with
their account); earlier deletions keep the plain "This post was deleted."
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: rebuilding forum_posts on SQLite would drop the
# triggers that keep the full-text index (forum_fts) in step.
def upgrade() -> None:
    op.add_column('forum_posts', sa.Column('deleted_by_author', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))


def downgrade() -> None:
    op.drop_column('forum_posts', 'deleted_by_author')
