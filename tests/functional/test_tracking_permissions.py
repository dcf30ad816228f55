"""Health records are owner-only: every tracking route × every kind of visitor.

Anyone signed out is sent to sign in; other members, moderators and admins get
404 for any record by id (its existence is not confirmed) and never see the
owner's records on their own pages. The matrix fails when a new tracking route
is added without being listed here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.db import db
from community.models import CheckIn, Flare, LabResult, Treatment, TreatmentSideEffect
from community.tracking import (
    checkin_log,
    common,
    flare_log,
    health_profile,
    lab_log,
    preferences,
    treatment_log,
)
from tests.support.factories import make_user
from tests.support.tracking import seed_catalogues, symptom_id

SECRET = "owner-secret-7c1d"

# (methods, url pattern with {ids}) for routes that address one record.
RECORD_ROUTES = [
    ("GET", "/tracking/check-ins/{checkin}"),
    ("POST", "/tracking/check-ins/{checkin}/delete"),
    ("GET", "/tracking/flares/{flare}/edit"),
    ("POST", "/tracking/flares/{flare}/edit"),
    ("POST", "/tracking/flares/{flare}/end"),
    ("POST", "/tracking/flares/{flare}/delete"),
    ("GET", "/tracking/treatments/{treatment}"),
    ("POST", "/tracking/treatments/{treatment}/side-effects"),
    ("POST", "/tracking/side-effects/{effect}/delete"),
    ("GET", "/tracking/treatments/{treatment}/edit"),
    ("POST", "/tracking/treatments/{treatment}/edit"),
    ("GET", "/tracking/treatments/{treatment}/stop"),
    ("POST", "/tracking/treatments/{treatment}/stop"),
    ("GET", "/tracking/treatments/{treatment}/change-dose"),
    ("POST", "/tracking/treatments/{treatment}/change-dose"),
    ("POST", "/tracking/treatments/{treatment}/delete"),
    ("GET", "/tracking/labs/{lab}/edit"),
    ("POST", "/tracking/labs/{lab}/edit"),
    ("POST", "/tracking/labs/{lab}/delete"),
]

# Routes that show or change the visitor's own records (no id in the address).
OWN_ROUTES = [
    ("GET", "/tracking/"),
    ("GET", "/tracking/check-in"),
    ("POST", "/tracking/check-in"),
    ("GET", "/tracking/calendar"),
    ("GET", "/tracking/charts?range=365"),
    ("POST", "/tracking/charts"),
    ("GET", "/tracking/flares"),
    ("GET", "/tracking/flares/new"),
    ("POST", "/tracking/flares/new"),
    ("GET", "/tracking/treatments"),
    ("GET", "/tracking/treatments/new"),
    ("POST", "/tracking/treatments/new"),
    ("GET", "/tracking/labs"),
    ("GET", "/tracking/labs/new"),
    ("POST", "/tracking/labs/new"),
    ("GET", "/tracking/profile"),
    ("POST", "/tracking/profile"),
    ("GET", "/tracking/reminders"),
    ("POST", "/tracking/reminders"),
    ("GET", "/tracking/summary"),
    ("POST", "/tracking/summary/questions"),
    ("GET", "/tracking/export"),
    ("GET", "/tracking/export/check-ins.csv"),
    ("GET", "/tracking/export/flares.csv"),
    ("GET", "/tracking/export/treatments.csv"),
    ("GET", "/tracking/export/labs.csv"),
]

VISITORS = ["anonymous", "owner", "other member", "moderator", "admin"]


@pytest.fixture
def records(app):
    """An owner with one of every record, each carrying a secret only the owner may see."""
    with app.app_context():
        seed_catalogues()
        owner = make_user(email="owner@example.org")
        today = common.local_today(owner)
        treatment = treatment_log.save_treatment(owner, treatment_log.TreatmentData(
            medication_id=None, name=f"Med {SECRET}", dose=5, unit="mg", frequency="once_daily",
            start_date=today - timedelta(days=20), notes=SECRET))
        effect = treatment_log.add_side_effect(owner, treatment, noted_on=today - timedelta(days=2),
                                          description=f"Effect {SECRET}", severity=1)
        checkin = checkin_log.save_checkin(owner, checkin_log.CheckInData(
            day=today - timedelta(days=1), ratings={symptom_id("fatigue"): 3}, notes=SECRET,
            custom_symptom=f"Sym {SECRET}", custom_severity=2, medications_taken=[treatment.id]))
        flare = flare_log.save_flare(owner, flare_log.FlareData(start_date=today - timedelta(days=3),
                                                              severity="mild", notes=SECRET))
        lab = lab_log.save_lab(owner, lab_log.LabData(lab_test_id=None, name=f"Lab {SECRET}", value="3",
                                                        unit="", taken_on=today - timedelta(days=1)))
        health_profile.save_profile(owner, other_diagnosis=SECRET)
        preferences.save_questions(owner, SECRET)
        return {"checkin": checkin.id, "flare": flare.id, "treatment": treatment.id, "effect": effect.id,
                "lab": lab.id}


def visit_as(visitor, auth):
    if visitor == "owner":
        auth.login("owner@example.org")
    elif visitor != "anonymous":
        auth.sign_in_as({"other member": "member", "moderator": "moderator", "admin": "admin"}[visitor])


def send(client, visitor, method, url):
    if method == "GET":
        return client.get(url)
    return client.submit(url, {}, page="/auth/login" if visitor == "anonymous" else "/tracking/")


def record_counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (CheckIn, Flare, Treatment, TreatmentSideEffect, LabResult))


def test_every_tracking_route_is_in_the_matrix(app):
    listed = {(m, u.split("?")[0]) for m, u in RECORD_ROUTES + OWN_ROUTES}
    patterns = {(m, u.replace("{checkin}", "<int:checkin_id>").replace("{flare}", "<int:flare_id>")
                 .replace("{treatment}", "<int:treatment_id>").replace("{effect}", "<int:effect_id>")
                 .replace("{lab}", "<int:lab_id>"))
                for m, u in listed}
    patterns = {(m, u.replace("/export/check-ins.csv", "/export/<kind>.csv")
                 .replace("/export/flares.csv", "/export/<kind>.csv")
                 .replace("/export/treatments.csv", "/export/<kind>.csv")
                 .replace("/export/labs.csv", "/export/<kind>.csv")) for m, u in patterns}
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("tracking.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == patterns


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("method, pattern", RECORD_ROUTES)
def test_records_by_id_are_owner_only(app, client, auth, records, visitor, method, pattern):
    url = pattern.format(**records)
    visit_as(visitor, auth)
    before = record_counts(app)
    response = send(client, visitor, method, url)
    if visitor == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    elif visitor == "owner":
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 404
        assert SECRET not in response.get_data(as_text=True)
        assert record_counts(app) == before  # nothing deleted, ended or added


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("method, url", OWN_ROUTES)
def test_own_pages_never_show_someone_elses_records(app, client, auth, records, visitor, method, url):
    visit_as(visitor, auth)
    response = send(client, visitor, method, url)
    if visitor == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
        return
    assert response.status_code in (200, 302, 400), response.status_code
    body = response.get_data(as_text=True)
    if visitor == "owner":
        return
    assert SECRET not in body


@pytest.mark.parametrize("url, marker", [
    ("/tracking/", "Med owner-secret"), ("/tracking/flares", "ongoing"), ("/tracking/labs", "Lab owner-secret"),
    ("/tracking/export/check-ins.csv", SECRET), ("/tracking/summary", SECRET), ("/tracking/profile", SECRET),
])
def test_the_owner_does_see_their_records(client, auth, records, url, marker):
    auth.login("owner@example.org")
    assert marker in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("visitor", ["owner", "other member", "moderator", "admin"])
def test_tracking_pages_are_never_cached(client, auth, records, visitor):
    visit_as(visitor, auth)
    assert client.get("/tracking/").headers["Cache-Control"] == "no-store"


JUNK = [
    {"day": "x", "sleep_hours": "1e999", "wellbeing": "0", "sym_1": "-1", "dose": "nan", "unit": "parsecs",
     "frequency": "?", "start_date": "2026-99-99", "end_date": "0000-00-00", "severity": "<script>",
     "value": "∞", "ref_low": "abc", "ref_high": "-1", "taken_on": "", "lab_test_id": "99999",
     "medication_id": "abc", "reminder_time": "99:99", "reminder_enabled": "maybe", "questions": "x" * 5000,
     "stop_date": "tomorrow", "reason": "x", "on": "x", "noted_on": "x", "description": "",
     "diagnosed_year": "-5", "diagnosed_month": "13", "birth_date": "x", "birth_year": "1e4", "triggers": "zzz",
     "organs": "zzz", "actions": "zzz", "symptoms": "zzz", "medications_taken": "abc", "checkin_id": "-1",
     "range": "x", "custom_severity": "9", "nephritis_class": "VII", "sex": "?", "pregnancy": "?"},
    {"day": "1900-01-01", "sleep_hours": "inf", "dose": "1e308", "start_date": "0001-01-01",
     "end_date": "9999-12-31", "severity": "mild", "value": "1:99999999", "taken_on": "9999-12-31",
     "ref_low": "5", "ref_high": "1", "stop_date": "0001-01-01", "reason": "cost", "on": "0001-01-01",
     "noted_on": "9999-12-31", "description": "a" * 400, "diagnosed_year": "2016", "diagnosed_month": "12",
     "birth_date": "9999-01-01", "custom_symptom": "b" * 100, "custom_severity": "2", "medications_taken": "-3",
     "lab_test_id": "", "name": "", "medication_id": "", "unit": "mg", "frequency": "once_daily"},
]


@pytest.mark.parametrize("junk", JUNK, ids=["garbage", "edge-values"])
@pytest.mark.parametrize("method, pattern", [r for r in RECORD_ROUTES + OWN_ROUTES if r[0] == "POST"])
def test_nothing_typed_into_a_tracking_form_breaks_the_page(app, client, auth, records, method, pattern, junk):
    auth.login("owner@example.org")
    before = record_counts(app)
    response = client.submit(pattern.format(**records), junk, page="/tracking/")
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if response.status_code == 400:
        assert record_counts(app) == before  # refused input stores nothing
