"""tracking: check-ins, symptoms, flares, treatments, labs, health profile, reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:55:09.850055
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tracking_lab_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('explanation', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('is_titre', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_lab_tests')),
    sa.UniqueConstraint('slug', name=op.f('uq_tracking_lab_tests_slug'))
    )
    op.create_table('tracking_medications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('explanation', sa.String(length=200), nullable=False),
    sa.Column('default_unit', sa.String(length=20), nullable=False),
    sa.Column('default_frequency', sa.String(length=30), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_medications')),
    sa.UniqueConstraint('slug', name=op.f('uq_tracking_medications_slug'))
    )
    op.create_table('tracking_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('wellbeing', sa.Integer(), nullable=True),
    sa.Column('sleep_hours', sa.Float(), nullable=True),
    sa.Column('triggers', sa.JSON(), nullable=False),
    sa.Column('custom_trigger', sa.String(length=80), nullable=False),
    sa.Column('medications_taken', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('sleep_hours IS NULL OR (sleep_hours >= 0 AND sleep_hours <= 24)', name=op.f('ck_tracking_checkins_sleep_hours_possible')),
    sa.CheckConstraint('wellbeing IS NULL OR (wellbeing >= 1 AND wellbeing <= 5)', name=op.f('ck_tracking_checkins_wellbeing_scale')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_checkins_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_checkins')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_tracking_checkins_user_id'))
    )
    op.create_table('tracking_flares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('organs', sa.JSON(), nullable=False),
    sa.Column('triggers', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("severity IN ('mild', 'moderate', 'severe')", name=op.f('ck_tracking_flares_severity_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_tracking_flares_end_after_start')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_flares_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_flares'))
    )
    with op.batch_alter_table('tracking_flares', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_flares_user_start', ['user_id', 'start_date'], unique=False)
    op.create_table('tracking_health_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('diagnoses', sa.JSON(), nullable=False),
    sa.Column('nephritis_class', sa.String(length=10), nullable=False),
    sa.Column('other_diagnosis', sa.String(length=120), nullable=False),
    sa.Column('diagnosed_year', sa.Integer(), nullable=True),
    sa.Column('diagnosed_month', sa.Integer(), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('sex', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=60), nullable=False),
    sa.Column('region', sa.String(length=60), nullable=False),
    sa.Column('postal_code', sa.String(length=20), nullable=False),
    sa.Column('organs', sa.JSON(), nullable=False),
    sa.Column('pregnancy', sa.String(length=20), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_health_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_health_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_tracking_health_profiles_user_id'))
    )
    op.create_table('tracking_lab_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lab_test_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('value_text', sa.String(length=30), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('ref_low', sa.Float(), nullable=True),
    sa.Column('ref_high', sa.Float(), nullable=True),
    sa.Column('notes', sa.String(length=300), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ref_low IS NULL OR ref_high IS NULL OR ref_low <= ref_high', name=op.f('ck_tracking_lab_results_range_ordered')),
    sa.ForeignKeyConstraint(['lab_test_id'], ['tracking_lab_tests.id'], name=op.f('fk_tracking_lab_results_lab_test_id_tracking_lab_tests')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_lab_results_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_lab_results'))
    )
    with op.batch_alter_table('tracking_lab_results', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_lab_results_user_taken', ['user_id', 'taken_on'], unique=False)
    op.create_table('tracking_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminder_enabled', sa.Boolean(), nullable=False),
    sa.Column('reminder_time', sa.Time(), nullable=True),
    sa.Column('reminder_last_sent_on', sa.Date(), nullable=True),
    sa.Column('doctor_questions', sa.Text(), nullable=False),
    sa.Column('updated_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_settings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_settings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_tracking_settings_user_id'))
    )
    op.create_table('tracking_symptoms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('explanation', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_tracking_symptoms_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_symptoms')),
    sa.UniqueConstraint('slug', name=op.f('uq_tracking_symptoms_slug'))
    )
    with op.batch_alter_table('tracking_symptoms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_symptoms_owner_id'), ['owner_id'], unique=False)
    op.create_table('tracking_treatments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('medication_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('dose', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('frequency', sa.String(length=30), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('stop_date', sa.Date(), nullable=True),
    sa.Column('stop_reason', sa.String(length=20), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('dose > 0', name=op.f('ck_tracking_treatments_dose_positive')),
    sa.CheckConstraint('stop_date IS NULL OR stop_date >= start_date', name=op.f('ck_tracking_treatments_stop_after_start')),
    sa.ForeignKeyConstraint(['medication_id'], ['tracking_medications.id'], name=op.f('fk_tracking_treatments_medication_id_tracking_medications')),
    sa.ForeignKeyConstraint(['previous_id'], ['tracking_treatments.id'], name=op.f('fk_tracking_treatments_previous_id_tracking_treatments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_treatments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_treatments'))
    )
    with op.batch_alter_table('tracking_treatments', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_treatments_user_start', ['user_id', 'start_date'], unique=False)
    op.create_table('tracking_side_effects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('treatment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=True),
    sa.Column('created_at', community.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('severity IS NULL OR (severity >= 0 AND severity <= 4)', name=op.f('ck_tracking_side_effects_severity_scale')),
    sa.ForeignKeyConstraint(['treatment_id'], ['tracking_treatments.id'], name=op.f('fk_tracking_side_effects_treatment_id_tracking_treatments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_side_effects_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_side_effects'))
    )
    with op.batch_alter_table('tracking_side_effects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_side_effects_treatment_id'), ['treatment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracking_side_effects_user_id'), ['user_id'], unique=False)
    op.create_table('tracking_symptom_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('symptom_id', sa.Integer(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.CheckConstraint('severity >= 0 AND severity <= 4', name=op.f('ck_tracking_symptom_ratings_severity_scale')),
    sa.ForeignKeyConstraint(['checkin_id'], ['tracking_checkins.id'], name=op.f('fk_tracking_symptom_ratings_checkin_id_tracking_checkins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['symptom_id'], ['tracking_symptoms.id'], name=op.f('fk_tracking_symptom_ratings_symptom_id_tracking_symptoms')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tracking_symptom_ratings_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_symptom_ratings')),
    sa.UniqueConstraint('checkin_id', 'symptom_id', name=op.f('uq_tracking_symptom_ratings_checkin_id'))
    )
    with op.batch_alter_table('tracking_symptom_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_symptom_ratings_user_symptom', ['user_id', 'symptom_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tracking_symptom_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_symptom_ratings_user_symptom')
    op.drop_table('tracking_symptom_ratings')
    with op.batch_alter_table('tracking_side_effects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_side_effects_user_id'))
        batch_op.drop_index(batch_op.f('ix_tracking_side_effects_treatment_id'))
    op.drop_table('tracking_side_effects')
    with op.batch_alter_table('tracking_treatments', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_treatments_user_start')
    op.drop_table('tracking_treatments')
    with op.batch_alter_table('tracking_symptoms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_symptoms_owner_id'))
    op.drop_table('tracking_symptoms')
    op.drop_table('tracking_settings')
    with op.batch_alter_table('tracking_lab_results', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_lab_results_user_taken')
    op.drop_table('tracking_lab_results')
    op.drop_table('tracking_health_profiles')
    with op.batch_alter_table('tracking_flares', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_flares_user_start')
    op.drop_table('tracking_flares')
    op.drop_table('tracking_checkins')
    op.drop_table('tracking_medications')
    op.drop_table('tracking_lab_tests')
