"""trials: incremental re-matching — a change stamp on members' records, a version per study, a catalogue counter

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:30:00.000000

``users.records_version`` is bumped by tracking on every write to a member's health records;
``trials.match_fingerprint`` / ``match_version`` say when a study's matching inputs last changed, by the
``trial_catalogue`` counter; ``trial_match_states`` remembers which of both a member's matches reflect.
``trial_matches.rank`` becomes an order-preserving 64-bit key instead of a position. Existing states get
``records_version = -1``, so every member is matched in full once, writing the new keys.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("records_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("trials") as batch:
        batch.add_column(sa.Column("match_fingerprint", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("match_version", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_trials_match_version", ["match_version"])
    with op.batch_alter_table("trial_match_states") as batch:
        batch.add_column(sa.Column("records_version", sa.Integer(), nullable=False, server_default="-1"))
        batch.add_column(sa.Column("matched_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("catalogue_version", sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name != "sqlite":  # SQLite's INTEGER already holds 64 bits
        op.alter_column("trial_matches", "rank", type_=sa.BigInteger(), existing_type=sa.Integer())
    catalogue = op.create_table(
        "trial_catalogue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.bulk_insert(catalogue, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("trial_catalogue")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("trial_matches", "rank", type_=sa.Integer(), existing_type=sa.BigInteger())
    with op.batch_alter_table("trial_match_states") as batch:
        batch.drop_column("catalogue_version")
        batch.drop_column("matched_on")
        batch.drop_column("records_version")
    with op.batch_alter_table("trials") as batch:
        batch.drop_index("ix_trials_match_version")
        batch.drop_column("match_version")
        batch.drop_column("match_fingerprint")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("records_version")
