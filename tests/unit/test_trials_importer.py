"""The v2 importer: a single study, a list, an API page; malformed records reported by position and reason."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from community.db import db
from community.models import Trial, TrialBullet, TrialCriterion
from community.trials import importer, seed
from community.trials.importer import MalformedStudy, import_records, records_in
from tests.support.trials import study


def stored(app) -> dict[str, Trial]:
    with app.app_context():
        return {t.nct_id: t for t in db.session.scalars(select(Trial))}


def test_a_single_study_is_imported_with_its_registry_fields_and_derived_criteria(app):
    record = study("NCT09000001", title="CAR-T in lupus", min_age="18 Years", max_age="65 Years",
                   ident={"acronym": "CARL", "officialTitle": "An official title"})
    with app.app_context():
        report = import_records(records_in(record))
        assert (report.added, report.updated, report.problems) == (1, 0, [])
        trial = db.session.scalar(select(Trial).where(Trial.nct_id == "NCT09000001"))
        assert trial.acronym == "CARL" and trial.overall_status == "RECRUITING"
        assert (trial.minimum_age_years, trial.maximum_age_years) == (18.0, 65.0)
        assert trial.locations[0]["city"] == "Palo Alto"
        assert trial.last_update_date == "2026-10-01"
        kinds = db.session.scalars(select(TrialCriterion.kind).where(TrialCriterion.trial_id == trial.id,
                                                                     TrialCriterion.source == "registry")
                                   .order_by(TrialCriterion.position)).all()
        assert kinds == ["age", "condition"]


def test_a_list_and_an_api_page_are_read_and_upserted_by_nct_id(app):
    with app.app_context():
        import_records(records_in([study("NCT09000001"), study("NCT09000002")]))
        page = {"totalCount": 2, "studies": [study("NCT09000002", title="Renamed"), study("NCT09000003")],
                "nextPageToken": "abc"}
        report = import_records(records_in(page))
        assert (report.added, report.updated) == (1, 1)
    trials = stored(app)
    assert set(trials) == {"NCT09000001", "NCT09000002", "NCT09000003"}
    assert trials["NCT09000002"].brief_title == "Renamed"


def test_malformed_records_are_reported_by_position_and_reason_and_the_rest_imported(app):
    page = {"studies": [
        study("NCT09000001"),
        {"protocolSection": {"identificationModule": {"nctId": "NOT-AN-ID", "briefTitle": "x"}}},
        study("NCT09000002", min_age="eighteen"),
        "just text",
        study("NCT09000003", status="SOMETIMES"),
        study("NCT09000004", min_age="70 Years", max_age="20 Years"),
        study("NCT09000005"),
    ]}
    with app.app_context():
        report = import_records(records_in(page, "page.json"))
    assert report.added == 2
    problems = dict(report.problems)
    assert set(problems) == {"page.json: studies[1]", "page.json: studies[2]", "page.json: studies[3]",
                             "page.json: studies[4]", "page.json: studies[5]"}
    assert "not an NCT number" in problems["page.json: studies[1]"]
    assert "not an age" in problems["page.json: studies[2]"]
    assert "expected an object" in problems["page.json: studies[3]"]
    assert "unknown overallStatus" in problems["page.json: studies[4]"]
    assert "above maximumAge" in problems["page.json: studies[5]"]
    assert set(stored(app)) == {"NCT09000001", "NCT09000005"}


def test_a_record_the_database_refuses_is_rolled_back_alone(app, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    real = importer.upsert

    def flaky(values, existing):
        trial = real(values, existing)
        if values["nct_id"] == "NCT09000002":
            raise IntegrityError("insert", {}, Exception("refused"))
        return trial

    monkeypatch.setattr(importer, "upsert", flaky)
    with app.app_context():
        report = import_records(records_in([study("NCT09000001"), study("NCT09000002"), study("NCT09000003")]))
        assert report.problems == [("record 2", "could not be stored (the database refused it)")]
        assert db.session.scalar(select(func.count()).select_from(TrialCriterion)
                                 .where(TrialCriterion.source == "registry")) == 4
        assert db.session.scalar(select(func.count()).select_from(TrialBullet)) == 2  # one bullet each
    assert set(stored(app)) == {"NCT09000001", "NCT09000003"}


def test_reimport_keeps_curated_criteria_and_refreshes_registry_ones(app):
    with app.app_context():
        import_records(records_in(study("NCT09000001", max_age="65 Years")))
        trial = db.session.scalar(select(Trial))
        db.session.add(TrialCriterion(trial_id=trial.id, position=100, source="curated", kind="pregnancy", params={}))
        db.session.commit()
        import_records(records_in(study("NCT09000001", max_age="75 Years")))
        criteria = db.session.scalars(select(TrialCriterion).where(TrialCriterion.source != "text")
                                      .order_by(TrialCriterion.position)).all()
        assert [(c.source, c.kind) for c in criteria] == [("registry", "age"), ("registry", "condition"),
                                                          ("curated", "pregnancy")]
        assert criteria[0].params["max"] == 75


def test_hostile_text_is_stored_as_text(app, client):
    record = study("NCT09000001", title="<script>alert(1)</script> CAR-T",
                   eligibility="Inclusion Criteria:\n* <img src=x onerror=alert(1)>")
    with app.app_context():
        import_records(records_in(record))
    page = client.get("/trials/studies/NCT09000001").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_shipped_records_carry_only_verified_facts(app):
    document = json.loads((importer.SHIPPED_DIR / "lupus-trials.json").read_text())
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in document["studies"]]
    assert len(ids) == 23 and "NCT06691152" not in ids  # entries marked "ship": false stay out
    assert all(s["provenance"]["sourceUrls"] for s in document["studies"])
    kysa3 = next(s for s in document["studies"]
                 if s["protocolSection"]["identificationModule"]["nctId"] == "NCT06342960")
    assert "overallStatus" not in kysa3["protocolSection"]["statusModule"]  # undated status left out
    with app.app_context():
        seed.load_shipped_trials()
        again = seed.load_shipped_trials()
        assert again == 0  # idempotent
        trial = db.session.scalar(select(Trial).where(Trial.nct_id == "NCT05938725"))
        assert trial.eligibility_is_summary and trial.maximum_age == "" and "maximumAge" in trial.left_out
        assert db.session.scalar(select(func.count()).select_from(TrialCriterion)
                                 .where(TrialCriterion.source == "curated")) > 60


def test_flask_trials_import_shows_progress_and_reports_bad_records(app, tmp_path):
    good = tmp_path / "page.json"
    good.write_text(json.dumps({"studies": [study("NCT09000001"), {"hasResults": False}]}))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = app.test_cli_runner().invoke(args=["trials", "import", str(good), str(broken)])
    assert result.exit_code == 1
    assert "Importing studies" in result.output
    assert "1 added, 0 updated, 2 skipped" in result.output
    assert "skipped page.json: studies[1]: no protocolSection" in result.output
    assert "skipped" in result.output and "broken.json: not readable JSON" in result.output
    assert set(stored(app)) == {"NCT09000001"}


def test_records_in_refuses_something_that_is_not_studies():
    try:
        records_in(42)
    except MalformedStudy as problem:
        assert "not a study" in str(problem)
    else:
        raise AssertionError("42 is not a study")
