"""trials: the registry's eligibility text as bullets, criteria read from them; medical history

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00.000000

Every imported study keeps its eligibility text split into bullets (side, verbatim words,
an admin's review); criteria read from a bullet point at it. The health profile gains the
medical history that studies ask about (HIV, hepatitis, cancer…), optional and owner-only.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'trial_bullets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trial_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('note', sa.Boolean(), nullable=False),
        sa.Column('group_name', sa.String(length=200), nullable=False),
        sa.Column('review', sa.String(length=10), nullable=False),
        sa.Column('reviewed_at', community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('needs_review', sa.Boolean(), nullable=False),
        sa.CheckConstraint("review IN ('auto', 'confirmed', 'corrected', 'discarded')",
                           name=op.f('ck_trial_bullets_review_known')),
        sa.CheckConstraint("side IN ('inclusion', 'exclusion', 'unstated')", name=op.f('ck_trial_bullets_side_known')),
        sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_bullets_trial_id_trials'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_bullets')),
    )
    with op.batch_alter_table('trial_bullets', schema=None) as batch_op:
        batch_op.create_index('ix_trial_bullets_trial_position', ['trial_id', 'position'], unique=False)

    with op.batch_alter_table('trial_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bullet_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_trial_criteria_bullet_id'), ['bullet_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_trial_criteria_bullet_id_trial_bullets'), 'trial_bullets',
                                    ['bullet_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_trial_criteria_source_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_trial_criteria_source_known'),
                                         "source IN ('registry', 'curated', 'text')")

    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reader_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reading_skipped', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('tracking_health_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('medical_history', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('tracking_health_profiles', schema=None) as batch_op:
        batch_op.drop_column('medical_history')
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_column('needs_review')
        batch_op.drop_column('reading_skipped')
        batch_op.drop_column('reader_version')
    op.execute("DELETE FROM trial_criteria WHERE source = 'text'")
    with op.batch_alter_table('trial_criteria', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_trial_criteria_source_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_trial_criteria_source_known'),
                                         "source IN ('registry', 'curated')")
        batch_op.drop_constraint(batch_op.f('fk_trial_criteria_bullet_id_trial_bullets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_trial_criteria_bullet_id'))
        batch_op.drop_column('bullet_id')
    with op.batch_alter_table('trial_bullets', schema=None) as batch_op:
        batch_op.drop_index('ix_trial_bullets_trial_position')
    op.drop_table('trial_bullets')
