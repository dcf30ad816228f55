"""search: a narrow index beside the posts, so finding the visible matches skips the post bodies

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:00:00.000000

On SQLite, search checks each of up to 1,000 full-text matches against its post (deleted?
hidden? which topic?). Those columns sit after the three body columns, so every check read
a whole post row. This index holds just the id and the columns the check needs: SQLite
answers the check from the index (a "covering index") and reads far fewer pages. The name
has "_fts" in it so autogenerate leaves it alone, like the other search artefacts.
PostgreSQL needs nothing here (its check reads the rows the GIN index scan already visits).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_forum_posts_fts_visibility"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON forum_posts (id, topic_id, deleted_at, hidden_at)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
