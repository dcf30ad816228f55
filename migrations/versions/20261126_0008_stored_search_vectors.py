"""search: stored tsvector columns on PostgreSQL, so ranking reads words instead of re-parsing text

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:00:00.000000

Ranking with ts_rank over ``to_tsvector(body_text)`` parsed every matching post again on
each search (seconds for a common word on a large forum). A generated, stored column
is parsed once on write. Adding it rewrites the table: on a big live forum, run this
migration in a quiet hour. SQLite keeps its FTS5 table and needs nothing here.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, source text column); the columns end in "_fts" so autogenerate leaves them alone.
VECTORS = [("forum_posts", "body_fts", "body_text"), ("forum_topics", "title_fts", "title")]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, source in VECTORS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} tsvector "
                   f"GENERATED ALWAYS AS (to_tsvector('english', {source})) STORED")
        op.execute(f"CREATE INDEX ix_{table}_{column} ON {table} USING gin ({column})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, source in VECTORS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        op.execute(f"CREATE INDEX ix_{table}_{column} ON {table} USING gin (to_tsvector('english', {source}))")
