"""tracking: titres kept without a unit

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:00:00.000000

A titre ("1:320") is a dilution, not an amount. Titres used to be saved with the test's usual
unit (anti-dsDNA "1:320 IU/mL"), which read as 320 IU/mL wherever the unit was trusted.
Data only: no column changes. Downgrade leaves the units empty (the old ones were wrong).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE tracking_lab_results SET unit = '' WHERE value_text LIKE '1:%' AND unit <> ''")


def downgrade() -> None:
    pass
