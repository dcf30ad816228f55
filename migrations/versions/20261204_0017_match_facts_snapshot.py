"""trials: the facts a member's matches came from, kept beside them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:40:00.000000

``trial_match_states.facts`` holds the member's matching facts as JSON (trials.evidence.snapshot), so
re-matching the studies an import changed does not read their records again while their records stamp
is unchanged. Existing states have none: their next match reads the records, as before, and keeps them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trial_match_states") as batch:
        batch.add_column(sa.Column("facts", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trial_match_states") as batch:
        batch.drop_column("facts")
