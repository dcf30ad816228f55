"""Trial pages through the test client, CSRF on: consent, suggestions, interest, withdrawal, curation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from community.db import db
from community.models import AuditEvent, Trial, TrialConsent, TrialCriterion, TrialMatch, User
from community.trials.importer import import_records, records_in
from tests.support.observe import counting_statements
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues, study

ALL = ["profile", "treatments", "flares", "symptoms", "labs"]


def member_with_history(app, auth, **history) -> int:
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
    user_id = auth.sign_in_as("member")
    with app.app_context():
        give_history(user_id, birth_date=date(date.today().year - 34, 1, 2), **history)
    return user_id


def opt_in(client, categories=ALL, **extra):
    return client.submit("/trials/consent", {"categories": categories, "understood": "y", **extra})


def test_suggestions_are_off_until_the_member_opts_in(app, client, auth):
    member_with_history(app, auth)
    page = client.get("/trials/").get_data(as_text=True)
    assert "Suggestions are off" in page and "May fit" not in page
    response = client.submit("/trials/consent", {"categories": ALL})  # the confirmation box is required
    assert response.status_code == 200 and "Please tick the box to confirm." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrialConsent)) == 0
        assert db.session.scalar(select(func.count()).select_from(TrialMatch)) == 0


def test_member_opts_in_and_sees_explained_suggestions(app, client, auth):
    member_with_history(app, auth)
    response = opt_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/trials/"
    response = client.get("/trials/")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "May fit" in page or "Worth asking about" in page
    assert "Only the study team decides who can take part" in page
    assert "because they were not effective" in page
    assert "Unknown" in page and "to ask about" in page


def test_choosing_no_category_is_shown_beside_the_field(app, client, auth):
    member_with_history(app, auth)
    response = client.submit("/trials/consent", {"understood": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="categories-error"' in page and "at least one kind of data" in page


def test_trial_page_shows_the_record_date_registry_link_and_summary_notice(app, client, auth):
    member_with_history(app, auth)
    opt_in(client)
    page = client.get("/trials/studies/NCT05869955").get_data(as_text=True)
    assert "https://clinicaltrials.gov/study/NCT05869955" in page
    assert "checked against public copies of the registry record on 25 Nov 2026" in page
    assert "a summary — read the registry record" in page
    assert "I&#39;m interested" in page or "I'm interested" in page
    with app.app_context():
        import_records(records_in(study("NCT09300001")))
    page = client.get("/trials/studies/NCT09300001").get_data(as_text=True)
    assert "Registry record last updated 1 Oct 2026" in page
    assert client.get("/trials/studies/NCT00000000").status_code == 404
    assert client.get("/trials/studies/not-an-id%3Cscript%3E").status_code == 404


def test_interest_gives_a_printable_and_downloadable_summary_and_sends_nothing(app, client, auth):
    from community.models import OutboxMessage

    member_with_history(app, auth)
    opt_in(client)
    response = client.submit("/trials/studies/NCT05869955/interest", page="/trials/studies/NCT05869955")
    assert response.status_code == 302 and "/trials/interests/" in response.headers["Location"]
    summary = client.get(response.headers["Location"])
    page = summary.get_data(as_text=True)
    assert "Pre-screening summary" in page and "Questions for your doctor" in page
    assert "Questions for the study team" in page and "https://clinicaltrials.gov/study/NCT05869955" in page
    download = client.get(response.headers["Location"] + "/download")
    assert download.mimetype == "text/plain" and "attachment" in download.headers["Content-Disposition"]
    assert "only the study team decides" in download.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_interest_without_consent_points_to_the_consent_page(app, client, auth):
    member_with_history(app, auth)
    response = client.submit("/trials/studies/NCT05869955/interest", page="/trials/studies/NCT05869955")
    assert response.status_code == 302 and response.headers["Location"] == "/trials/consent"


def test_one_click_withdrawal_turns_matching_off_and_deletes_matches(app, client, auth):
    user_id = member_with_history(app, auth)
    opt_in(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrialMatch).where(TrialMatch.user_id == user_id))
    response = client.submit("/trials/consent/withdraw", page="/trials/consent")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrialMatch)) == 0
    assert "Suggestions are off" in client.get("/trials/").get_data(as_text=True)
    assert "turned off" in client.get("/trials/consent").get_data(as_text=True)


def test_a_post_without_csrf_token_changes_nothing(app, client, auth):
    member_with_history(app, auth)
    response = client.post("/trials/consent", data={"categories": ALL, "understood": "y"})
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrialConsent)) == 0




def test_suggestions_page_needs_the_same_few_queries_for_5_or_60_trials(app, client, auth):
    member_with_history(app, auth)
    opt_in(client)
    counts = []
    for total in (5, 60):
        with app.app_context():
            import_records(records_in([study(f"NCT094{n:05d}") for n in range(total)]))
        client.get("/trials/")  # recompute after the import
        with counting_statements(app) as statements:
            assert client.get("/trials/").status_code == 200
        counts.append(len(statements))
        with counting_statements(app) as statements:
            assert client.get("/trials/studies/NCT09400001").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    # The suggestions page reads the sign-in, the latest consent, the stamps, the catalogue's key, the
    # matches with their studies, their results' words, the new notes with their studies and the header's
    # counts: no statement per study.
    assert counts[0] <= 9 and counts[1] <= 12, counts


def test_admin_adds_edits_and_removes_a_criterion_with_audit_rows(app, client, auth):
    with app.app_context():
        load_shipped()
    auth.sign_in_as("admin")
    bad = client.submit("/trials/admin/NCT05869955", {"kind": "flares", "min_count": "0", "months": "12"})
    assert bad.status_code == 200 and "between 1 and 50" in bad.get_data(as_text=True)
    bad = client.submit("/trials/admin/NCT05869955", {"kind": "lab", "test": "egfr", "op": ">=", "value": "-1"})
    assert "threshold between 0 and 100000" in bad.get_data(as_text=True)
    good = client.submit("/trials/admin/NCT05869955",
                         {"kind": "lab", "test": "egfr", "op": ">=", "value": "30", "unit": "mL/min/1.73m²"})
    assert good.status_code == 302
    with app.app_context():
        criterion = db.session.scalar(select(TrialCriterion).where(TrialCriterion.kind == "lab")
                                      .join(Trial).where(Trial.nct_id == "NCT05869955"))
        criterion_id = criterion.id
    edit = client.submit(f"/trials/admin/criteria/{criterion_id}", {"test": "egfr", "op": ">=", "value": "45",
                                                                   "unit": "mL/min/1.73m²"})
    assert edit.status_code == 302
    client.submit(f"/trials/admin/criteria/{criterion_id}/delete", page="/trials/admin/NCT05869955")
    with app.app_context():
        assert db.session.get(TrialCriterion, criterion_id) is None
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("trials.criterion%"))
                                  .order_by(AuditEvent.id)).all()
        assert [r.action for r in rows] == ["trials.criterion_added", "trials.criterion_changed",
                                            "trials.criterion_removed"]
        assert rows[1].before["params"]["value"] == 30 and rows[1].after["params"]["value"] == 45
        assert all(r.reason == "NCT05869955" for r in rows)
    registry = client.get("/trials/admin/criteria/999999")
    assert registry.status_code == 404


def test_typed_garbage_never_answers_500(app, client, auth):
    member_with_history(app, auth)
    assert client.submit("/trials/consent", {"categories": ["<b>x</b>"], "understood": "y",
                                              "email_updates": "maybe"}).status_code == 200
    for url in ["/trials/interests/0", "/trials/interests/99999999999999999999", "/trials/studies/%00",
                "/trials/admin/criteria/abc"]:
        assert client.get(url).status_code == 404, url
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == "member"))
        assert user is not None


def test_new_may_fit_trials_show_as_a_count_in_the_nav_until_seen(app, client, auth):
    member_with_history(app, auth)
    opt_in(client)
    assert "nav-count" not in client.get("/trials/studies").get_data(as_text=True).split("Trials</a>")[0][-300:]
    with app.app_context():
        from community.trials import matching_runs

        import_records(records_in(study("NCT09500001", min_age="18 Years", max_age="90 Years")))
        matching_runs.recompute_for_consenting_members()
    page = client.get("/trials/studies").get_data(as_text=True)
    assert '1<span class="visually-hidden"> new</span>' in page
    assert "New since you last looked" in client.get("/trials/").get_data(as_text=True)
    client.submit("/trials/notifications/seen", page="/trials/")
    page = client.get("/trials/studies").get_data(as_text=True)
    assert '<span class="visually-hidden"> new</span>' not in page
