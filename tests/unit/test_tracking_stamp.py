"""Tracking's change stamp: every write to a member's health records raises their records_version,
and nothing else does (trial matching trusts it to skip re-reading their records)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from community.db import Base, db
from community.models import CheckIn, Flare, Treatment, TreatmentSideEffect, User
from community.tracking import checkin_log, stamp, treatment_log
from tests.support.factories import make_user
from tests.support.trials import seed_tracking_catalogues

NOT_HEALTH_RECORDS = {"tracking_settings"}  # reminder times: matching never reads them


def version(user_id: int) -> int:
    return db.session.scalar(select(User.records_version).where(User.id == user_id))


def test_every_kind_of_health_record_is_stamped():
    owned = {mapper.class_ for mapper in Base.registry.mappers
             if mapper.local_table.name.startswith("tracking_") and "user_id" in mapper.local_table.c
             and mapper.local_table.name not in NOT_HEALTH_RECORDS}
    assert owned == set(stamp.RECORDS)


def test_adding_changing_and_deleting_records_raise_the_owners_stamp_only(app):
    with app.app_context():
        seed_tracking_catalogues()
        member, other = make_user(), make_user()
        seen = [version(member.id)]

        def changed():
            now = version(member.id)
            assert now > seen[-1]
            seen.append(now)

        flare = Flare(user_id=member.id, start_date=date(2026, 11, 1), severity="mild")
        db.session.add(flare)
        db.session.commit()
        changed()
        flare.severity = "severe"
        db.session.commit()
        changed()
        db.session.commit()  # a flush with nothing modified is no change
        assert version(member.id) == seen[-1]
        db.session.delete(flare)
        db.session.commit()
        changed()
        checkin = CheckIn(user_id=member.id, day=date(2026, 11, 2))
        treatment = Treatment(user_id=member.id, name="Belimumab", dose=10, unit="mg/kg", frequency="monthly",
                              start_date=date(2026, 1, 1))
        db.session.add_all([checkin, treatment])
        db.session.commit()
        changed()
        effect = TreatmentSideEffect(treatment_id=treatment.id, user_id=member.id, noted_on=date(2026, 2, 1),
                                     description="Tired")
        db.session.add(effect)
        db.session.commit()
        changed()
        # The bulk deletes stamp themselves.
        treatment_log.delete_side_effect(member, effect)
        changed()
        treatment_log.delete_treatment(member, treatment)
        changed()
        checkin_log.delete_checkin(member, checkin)
        changed()
        assert version(other.id) == 0
