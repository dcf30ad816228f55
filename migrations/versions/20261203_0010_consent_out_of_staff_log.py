"""privacy: trial-consent decisions leave the staff log (the trial_consents rows are the record)

Earlier versions copied every consent decision into audit_events, where moderators could read
who seeks trials and which records they shared. The member's own record stays in
trial_consents; the copies go. Nothing to restore on downgrade: the copies were redundant.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM audit_events WHERE action IN ('trials.consent_given', 'trials.consent_withdrawn')")


def downgrade() -> None:
    pass
