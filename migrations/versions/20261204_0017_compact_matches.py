"""trials: each member's distinct criterion results stored once, and the facts their matches came from

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:40:00.000000

``trial_matches.results`` held every criterion's words in every match: thousands of copies of a few
hundred distinct results per member. ``trial_match_results`` now holds each distinct result once, by a
digest of its content, and ``trial_matches.result_keys`` names them beside their bullets.
``trial_match_states.facts`` holds the member's matching facts (trials.evidence.snapshot), so a re-match
of the studies an import changed does not read their records again.

Matches are derived data: the old rows and states are deleted rather than converted, and every
consenting member is matched in full again at their next visit or the next recompute run (with no
"new study" notes, as for a first match).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _forget_matches() -> None:
    op.execute("DELETE FROM trial_matches")
    op.execute("DELETE FROM trial_match_states")


def upgrade() -> None:
    _forget_matches()
    op.create_table(
        "trial_match_results",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("key", sa.String(16), primary_key=True),
        sa.Column("result", sa.JSON(), nullable=False),
    )
    with op.batch_alter_table("trial_matches") as batch:
        batch.drop_column("results")
        batch.add_column(sa.Column("result_keys", sa.JSON(), nullable=False))
    with op.batch_alter_table("trial_match_states") as batch:
        batch.add_column(sa.Column("facts", sa.Text(), nullable=True))


def downgrade() -> None:
    _forget_matches()
    with op.batch_alter_table("trial_match_states") as batch:
        batch.drop_column("facts")
    with op.batch_alter_table("trial_matches") as batch:
        batch.drop_column("result_keys")
        batch.add_column(sa.Column("results", sa.JSON(), nullable=False))
    op.drop_table("trial_match_results")
