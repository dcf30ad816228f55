"""Studies nobody curated, explained from the registry's own words, through the test client with CSRF on.

The studies are real registry records from ``tests/data/ctgov-lupus-eligibility.json``,
imported as a nightly fetch would bring them; the member's records contradict some of their
exclusions. Admin review of the readings survives re-imports of unchanged text.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from community.db import db
from community.models import (
    HealthProfile,
    Medication,
    Treatment,
    Trial,
    TrialBullet,
    TrialCriterion,
    TrialMatch,
)
from community.trials.importer import import_records, records_in
from tests.support.trials import add_lab, seed_tracking_catalogues, study

CORPUS = {r["nctId"]: r for r in json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "ctgov-lupus-eligibility.json").read_text(encoding="utf-8"))}
ALL = ["profile", "history", "treatments", "flares", "symptoms", "labs"]
BELIMUMAB_LN = "NCT01639339"  # excludes "any B cell targeted therapy (for example, rituximab) … within the past year"
TACROLIMUS_LN = "NCT01316133"  # excludes "S-Cr ≥ 200 µ㏖/L or ≥ 2.3 mg/dL"


def import_real(*nct_ids: str, status: str = "RECRUITING") -> None:
    records = [study(n, title=f"Real registry study {n}", status=status, min_age=None, locations=[
        {"facility": "Charité", "city": "Berlin", "country": "Germany"}],
        eligibility=CORPUS[n]["eligibilityCriteria"]) for n in nct_ids]
    report = import_records(records_in(records))
    assert report.problems == []


def member(app, auth, *, rituximab_days_ago: int | None = 120, creatinine: float | None = 2.8) -> int:
    """A member with a full profile and history, rituximab some months ago and a creatinine in mg/dL."""
    with app.app_context():
        seed_tracking_catalogues()
        import_real(BELIMUMAB_LN, TACROLIMUS_LN)
    user_id = auth.sign_in_as("member")
    today = date.today()
    with app.app_context():
        db.session.add(HealthProfile(
            user_id=user_id, diagnoses=["sle", "nephritis"], nephritis_class="IV", birth_year=today.year - 35,
            sex="female", country="Germany", pregnancy="no", diagnosed_year=today.year - 6,
            medical_history={"hiv": {"answer": "no"}, "hepatitis_b": {"answer": "no"},
                             "hepatitis_c": {"answer": "no"}, "cancer": {"answer": "no"}}))
        if rituximab_days_ago is not None:
            med = db.session.scalar(select(Medication).where(Medication.slug == "rituximab"))
            db.session.add(Treatment(user_id=user_id, medication_id=med.id, name=med.name, dose=1000, unit="mg",
                                     frequency="every_6_months", start_date=today - timedelta(days=400),
                                     stop_date=today - timedelta(days=rituximab_days_ago), stop_reason="other"))
        db.session.commit()
        if creatinine is not None:
            add_lab(user_id, "creatinine", creatinine, "mg/dL", today - timedelta(days=10))
    return user_id


def opt_in(client):
    response = client.submit("/trials/consent", {"categories": ALL, "understood": "y"})
    assert response.status_code == 302


def test_imported_studies_keep_every_bullet_in_order_with_its_side(app):
    with app.app_context():
        import_real(BELIMUMAB_LN)
        trial = db.session.scalar(select(Trial).where(Trial.nct_id == BELIMUMAB_LN))
        bullets = db.session.scalars(select(TrialBullet).where(TrialBullet.trial_id == trial.id)
                                     .order_by(TrialBullet.position)).all()
        texts = [(b.side, b.text) for b in bullets if not b.note]
        assert texts[0] == ("inclusion", "Clinical diagnosis of SLE by American College of Rheumatology (ACR) "
                                         "criteria.")
        assert ("exclusion", "Pregnant or nursing.") in texts
        assert texts[-1][1].startswith("History of severe allergic reaction to contrast agents")
        assert sum(side == "exclusion" for side, _ in texts) == 10
        read = db.session.scalar(select(func.count()).select_from(TrialCriterion).where(
            TrialCriterion.trial_id == trial.id, TrialCriterion.source == "text"))
        assert read >= 10


def test_a_member_whose_records_contradict_exclusions_sees_probably_not_with_the_reason(app, client, auth):
    member(app, auth)
    opt_in(client)
    page = client.get("/trials/").get_data(as_text=True)
    probably_not = page.split('id="probably-not-heading"')[1]
    assert f"Real registry study {BELIMUMAB_LN}" in probably_not
    assert f"Real registry study {TACROLIMUS_LN}" in probably_not
    assert "Rituximab" in probably_not and "B-cell–targeted therapy" in probably_not
    assert "2.8 mg/dL" in probably_not and "µmol/L" in probably_not
    with app.app_context():
        groupings = dict(db.session.execute(select(Trial.nct_id, TrialMatch.grouping)
                                            .join(TrialMatch, TrialMatch.trial_id == Trial.id)).all())
    assert groupings == {BELIMUMAB_LN: "probably_not", TACROLIMUS_LN: "probably_not"}


def test_the_study_page_shows_each_bullet_with_its_outcome_and_what_would_answer_it(app, client, auth):
    member(app, auth, creatinine=None)
    opt_in(client)
    page = client.get(f"/trials/studies/{TACROLIMUS_LN}").get_data(as_text=True)
    assert "met</strong>, <strong>" in page and "to ask about" in page and "the study team checks" in page
    # Every bullet, verbatim, under its side.
    for fragment in ("Patients who received tacrolimus in the past (excluding drugs for external use)",
                     "Proteinuria ≥ 0.5 g/day", "Patients who are allergic or resistant to macrolide antibiotics"):
        assert fragment in page
    # Unknown lab → the form to log it; the clinician-only classification → the doctor.
    creatinine = page.split("S-Cr ≥ 200")[1].split('<li class="bullet')[0]
    assert "Ask about" in page.split("S-Cr ≥ 200")[0].rsplit('<li class="bullet', 1)[1]
    assert "/tracking/labs/new" in creatinine
    assert "A question for your doctor or the study team." in page
    # A history answer meets its exclusion.
    assert "You said you haven&#39;t had cancer." in page


def test_the_page_never_says_eligible(app, client, auth):
    member(app, auth, rituximab_days_ago=None, creatinine=1.0)
    opt_in(client)
    for nct_id in (BELIMUMAB_LN, TACROLIMUS_LN):
        page = client.get(f"/trials/studies/{nct_id}").get_data(as_text=True).lower()
        assert "eligible" not in page.replace("eligibility", "")
        assert "only the study team decides who can take part" in page


def test_without_history_consent_history_bullets_ask_to_share_not_to_see_a_doctor(app, client, auth):
    member(app, auth)
    client.submit("/trials/consent", {"categories": ["profile", "treatments", "labs"], "understood": "y"})
    page = client.get(f"/trials/studies/{BELIMUMAB_LN}").get_data(as_text=True)
    hiv = page.split("human immunodeficiency virus (HIV)")[1].split('<li class="bullet')[0]
    assert "You chose not to use your medical history for matching." in hiv
    assert "/trials/consent" in hiv


def admin_trial(app, nct_id: str) -> tuple[int, list[TrialBullet]]:
    with app.app_context():
        trial = db.session.scalar(select(Trial).where(Trial.nct_id == nct_id))
        bullets = db.session.scalars(select(TrialBullet).where(TrialBullet.trial_id == trial.id)
                                     .order_by(TrialBullet.position)).all()
        db.session.expunge_all()
        return trial.id, bullets


def test_an_admin_corrects_a_reading_and_it_survives_reimport_until_the_words_change(app, client, auth):
    with app.app_context():
        seed_tracking_catalogues()
        import_real(BELIMUMAB_LN)
    auth.sign_in_as("admin")
    page = client.get(f"/trials/admin/{BELIMUMAB_LN}").get_data(as_text=True)
    assert "The eligibility text, bullet by bullet" in page and "Pregnant or nursing." in page
    _, bullets = admin_trial(app, BELIMUMAB_LN)
    dialysis = next(b for b in bullets if b.text.startswith("On dialysis"))
    response = client.submit(f"/trials/admin/bullets/{dialysis.id}/correct",
                             {"kind": "clinician", "text": "No dialysis in the past year (the team checks)"})
    assert response.status_code == 302
    with app.app_context():
        import_records(records_in(study(BELIMUMAB_LN, title="Renamed", min_age=None,
                                        eligibility=CORPUS[BELIMUMAB_LN]["eligibilityCriteria"])))
        kept = db.session.scalars(select(TrialCriterion).where(TrialCriterion.bullet_id == dialysis.id)).all()
        assert [(c.source, c.kind) for c in kept] == [("curated", "clinician")]
        changed = CORPUS[BELIMUMAB_LN]["eligibilityCriteria"].replace("On dialysis within the past year",
                                                                      "On dialysis within the past 2 years")
        import_records(records_in(study(BELIMUMAB_LN, title="Renamed", min_age=None, eligibility=changed)))
        trial = db.session.scalar(select(Trial).where(Trial.nct_id == BELIMUMAB_LN))
        assert trial.needs_review
        row = db.session.get(TrialBullet, dialysis.id)
        assert row.needs_review and row.review == "corrected" and "2 years" in row.text
    page = client.get(f"/trials/admin/{BELIMUMAB_LN}").get_data(as_text=True)
    assert "needs review" in page
    client.submit(f"/trials/admin/bullets/{dialysis.id}/review", {"action": "confirm"},
                  page=f"/trials/admin/{BELIMUMAB_LN}")
    with app.app_context():
        assert not db.session.scalar(select(Trial.needs_review).where(Trial.nct_id == BELIMUMAB_LN))


def test_an_admin_discards_a_reading_and_rereads_the_study(app, client, auth):
    with app.app_context():
        seed_tracking_catalogues()
        import_real(BELIMUMAB_LN)
    auth.sign_in_as("admin")
    _, bullets = admin_trial(app, BELIMUMAB_LN)
    pregnant = next(b for b in bullets if b.text == "Pregnant or nursing.")
    client.submit(f"/trials/admin/bullets/{pregnant.id}/review", {"action": "discard"},
                  page=f"/trials/admin/{BELIMUMAB_LN}")
    client.submit(f"/trials/admin/{BELIMUMAB_LN}/reread", {}, page=f"/trials/admin/{BELIMUMAB_LN}")
    with app.app_context():
        row = db.session.get(TrialBullet, pregnant.id)
        assert row is not None and row.review == "discarded"
        assert db.session.scalar(select(func.count()).select_from(TrialCriterion)
                                 .where(TrialCriterion.bullet_id == pregnant.id)) == 0
    client.submit(f"/trials/admin/bullets/{pregnant.id}/review", {"action": "reread"},
                  page=f"/trials/admin/{BELIMUMAB_LN}")
    with app.app_context():
        kinds = db.session.scalars(select(TrialCriterion.kind).where(TrialCriterion.bullet_id == pregnant.id)).all()
        assert kinds == ["pregnancy"]


def test_a_bad_review_action_is_refused_without_changing_anything(app, client, auth):
    with app.app_context():
        seed_tracking_catalogues()
        import_real(BELIMUMAB_LN)
    auth.sign_in_as("admin")
    _, bullets = admin_trial(app, BELIMUMAB_LN)
    response = client.submit(f"/trials/admin/bullets/{bullets[1].id}/review", {"action": "delete-everything"},
                             page=f"/trials/admin/{BELIMUMAB_LN}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TrialBullet, bullets[1].id).review == "auto"


BAD_TEXTS = {
    "empty": "",
    "enormous": "Inclusion Criteria:\n* " + "SLE and more words. " * 4000,
    "binary": bytes(range(256)).decode("latin-1") * 40,
    "markup": "<div><p>Inclusion</p><script>alert(1)</script><ul><li>SLE</li></ul></div>" * 5,
}


@pytest.mark.parametrize("name", list(BAD_TEXTS))
def test_hostile_or_broken_text_imports_shown_safely_with_no_criteria_read(app, client, name):
    with app.app_context():
        report = import_records(records_in(study("NCT09000009", eligibility=BAD_TEXTS[name])))
        assert (report.added, report.problems) == (1, [])
        trial = db.session.scalar(select(Trial).where(Trial.nct_id == "NCT09000009"))
        assert db.session.scalar(select(func.count()).select_from(TrialCriterion).where(
            TrialCriterion.trial_id == trial.id, TrialCriterion.source == "text")) == 0
        assert trial.reading_skipped == ("empty" if name == "empty" else
                                         "too long" if name == "enormous" else name)
    response = client.get("/trials/studies/NCT09000009")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    if name == "markup":
        assert "&lt;script&gt;" in body
