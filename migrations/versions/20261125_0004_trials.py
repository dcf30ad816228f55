"""trials: catalogue, criteria, consent, matches, interest, notifications

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 16:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    op.create_table('trials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nct_id', sa.String(length=11), nullable=False),
    sa.Column('brief_title', sa.Text(), nullable=False),
    sa.Column('official_title', sa.Text(), nullable=False),
    sa.Column('acronym', sa.String(length=120), nullable=False),
    sa.Column('overall_status', sa.String(length=40), nullable=False),
    sa.Column('phases', sa.JSON(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('interventions', sa.JSON(), nullable=False),
    sa.Column('lead_sponsor', sa.String(length=300), nullable=False),
    sa.Column('collaborators', sa.JSON(), nullable=False),
    sa.Column('brief_summary', sa.Text(), nullable=False),
    sa.Column('minimum_age', sa.String(length=30), nullable=False),
    sa.Column('maximum_age', sa.String(length=30), nullable=False),
    sa.Column('minimum_age_years', sa.Float(), nullable=True),
    sa.Column('maximum_age_years', sa.Float(), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('healthy_volunteers', sa.Boolean(), nullable=True),
    sa.Column('eligibility_text', sa.Text(), nullable=False),
    sa.Column('eligibility_is_summary', sa.Boolean(), nullable=False),
    sa.Column('locations', sa.JSON(), nullable=False),
    sa.Column('central_contacts', sa.JSON(), nullable=False),
    sa.Column('last_update_date', sa.String(length=10), nullable=False),
    sa.Column('source_urls', sa.JSON(), nullable=False),
    sa.Column('checked_on', sa.String(length=10), nullable=False),
    sa.Column('left_out', sa.JSON(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trials')),
    sa.UniqueConstraint('nct_id', name=op.f('uq_trials_nct_id'))
    )
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trials_overall_status'), ['overall_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_updated_at'), ['updated_at'], unique=False)

    op.create_table('trial_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('email_updates', sa.Boolean(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('given', 'withdrawn')", name=op.f('ck_trial_consents_action_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trial_consents_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_consents'))
    )
    with op.batch_alter_table('trial_consents', schema=None) as batch_op:
        batch_op.create_index('ix_trial_consents_user_created', ['user_id', 'id'], unique=False)

    op.create_table('trial_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('registry', 'curated')", name=op.f('ck_trial_criteria_source_known')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_criteria_trial_id_trials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_criteria'))
    )
    with op.batch_alter_table('trial_criteria', schema=None) as batch_op:
        batch_op.create_index('ix_trial_criteria_trial_position', ['trial_id', 'position'], unique=False)

    op.create_table('trial_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_interests_trial_id_trials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trial_interests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_interests')),
    sa.UniqueConstraint('user_id', 'trial_id', name=op.f('uq_trial_interests_user_id'))
    )
    with op.batch_alter_table('trial_interests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_interests_trial_id'), ['trial_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trial_interests_user_id'), ['user_id'], unique=False)

    op.create_table('trial_match_states',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('facts_digest', sa.String(length=64), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trial_match_states_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_trial_match_states'))
    )

    op.create_table('trial_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('grouping', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('proximity', sa.String(length=200), nullable=False),
    sa.Column('computed_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("grouping IN ('may_fit', 'worth_asking', 'probably_not')", name=op.f('ck_trial_matches_grouping_known')),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_matches_trial_id_trials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trial_matches_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_matches')),
    sa.UniqueConstraint('user_id', 'trial_id', name=op.f('uq_trial_matches_user_id'))
    )
    with op.batch_alter_table('trial_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_matches_trial_id'), ['trial_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trial_matches_user_id'), ['user_id'], unique=False)

    op.create_table('trial_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', community.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_notifications_trial_id_trials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_trial_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_notifications'))
    )
    with op.batch_alter_table('trial_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_notifications_trial_id'), ['trial_id'], unique=False)
        batch_op.create_index('ix_trial_notifications_user_read', ['user_id', 'read_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('trial_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_trial_notifications_user_read')
        batch_op.drop_index(batch_op.f('ix_trial_notifications_trial_id'))
    op.drop_table('trial_notifications')

    with op.batch_alter_table('trial_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_matches_user_id'))
        batch_op.drop_index(batch_op.f('ix_trial_matches_trial_id'))
    op.drop_table('trial_matches')

    op.drop_table('trial_match_states')

    with op.batch_alter_table('trial_interests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_interests_user_id'))
        batch_op.drop_index(batch_op.f('ix_trial_interests_trial_id'))
    op.drop_table('trial_interests')

    with op.batch_alter_table('trial_criteria', schema=None) as batch_op:
        batch_op.drop_index('ix_trial_criteria_trial_position')
    op.drop_table('trial_criteria')

    with op.batch_alter_table('trial_consents', schema=None) as batch_op:
        batch_op.drop_index('ix_trial_consents_user_created')
    op.drop_table('trial_consents')

    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trials_updated_at'))
        batch_op.drop_index(batch_op.f('ix_trials_overall_status'))
    op.drop_table('trials')
