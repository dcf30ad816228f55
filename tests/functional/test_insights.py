"""Community insights: consent, the refresh, disclosure control on every page and filter, members like me."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from community import userdata
from community.db import db
from community.insights import services
from community.insights.refresh import refresh
from community.models import InsightsConsent, User
from tests.support.insights import TODAY, member, on, rated
from tests.support.tracking import seed_catalogues

HCQ = "/insights/treatments/hydroxychloroquine"


@pytest.fixture
def catalogues(app):
    with app.app_context():
        seed_catalogues()


def contributors(app, n: int, **kwargs) -> list[int]:
    with app.app_context():
        ids = []
        for _ in range(n):
            user = member(**kwargs)
            on(user)
            ids.append(user.id)
        return ids


def refreshed(app) -> None:
    with app.app_context():
        refresh(today=TODAY)


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# -- consent -----------------------------------------------------------------------------------
def test_consent_needs_the_box_ticked_and_says_so(app, client, auth, catalogues):
    auth.sign_in_as()
    response = client.submit("/insights/contribute", {})
    assert response.status_code == 400
    assert "Please tick the box to confirm." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(InsightsConsent.id)) is None


def test_a_member_opts_in_and_withdraws_in_one_click_leaving_a_dated_record(app, client, auth, catalogues):
    user_id = auth.sign_in_as()
    assert "You do not contribute now." in text(client, "/insights/contribute")
    response = client.submit("/insights/contribute", {"understood": "y"}, follow_redirects=True)
    assert "Your records will be counted from the next refresh" in response.get_data(as_text=True)
    response = client.submit("/insights/contribute/withdraw", page="/insights/contribute", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "You do not contribute now." in body and "said yes" in body and "stopped" in body
    with app.app_context():
        actions = list(db.session.scalars(select(InsightsConsent.action).where(InsightsConsent.user_id == user_id)
                                          .order_by(InsightsConsent.id)))
    assert actions == ["given", "withdrawn"]


def test_nothing_is_counted_without_consent(app, client, auth, catalogues):
    contributors(app, 15, consent=False)
    refreshed(app)
    auth.sign_in_as()
    assert "Fewer than 11 contributing members report Hydroxychloroquine" in text(client, HCQ)


def test_export_and_deletion_cover_the_consent(app, catalogues):
    with app.app_context():
        user = member()
        assert [row["action"] for row in userdata.export_member(user)["insights_consent"]] == ["given"]
        userdata.erase_member(user)
        db.session.commit()
        assert db.session.scalar(select(InsightsConsent.id)) is None


# -- the threshold, on every page --------------------------------------------------------------
def test_ten_members_are_fewer_than_eleven_and_eleven_are_shown_rounded(app, client, auth, catalogues):
    contributors(app, 10)
    refreshed(app)
    auth.sign_in_as()
    assert "Fewer than 11 contributing members report Hydroxychloroquine" in text(client, HCQ)
    assert "Hydroxychloroquine" not in text(client, "/insights/").split("<h2>Treatments members report")[1]
    contributors(app, 2)
    refreshed(app)
    body = text(client, HCQ)
    assert "about 10</span>" not in body and "about 10 report taking" in body  # 12, rounded to the nearest 5
    assert "about 12" not in body and ">12<" not in body


@pytest.mark.parametrize("url", ["/insights/", HCQ, "/insights/symptoms", "/insights/conditions/sle",
                                 "/insights/?group=sle", f"{HCQ}?group=sle", f"{HCQ}?group=sle:40-59"])
def test_no_page_or_filter_shows_a_cell_of_fewer_than_eleven(app, client, auth, catalogues, url):
    """Ten members share everything: every page and filter must refuse or say "fewer than 11"."""
    with app.app_context():
        for _ in range(10):
            user = member(birth_year=1980)
            on(user, side_effect="Nausea", severity=2, rating="a_lot")
            rated(user, [TODAY - timedelta(days=3)])
    refreshed(app)
    auth.sign_in_as()
    body = text(client, url)
    assert "about 10" not in body and "about 5" not in body
    assert "Nausea" not in body


def test_a_side_effect_needs_eleven_members_in_the_same_words(app, client, auth, catalogues):
    with app.app_context():
        for n in range(12):
            on(member(), side_effect="Nausea." if n < 11 else "Blurred vision", severity=3)
    refreshed(app)
    auth.sign_in_as()
    body = text(client, HCQ)
    assert "Nausea" in body and "3.0" in body
    assert "Blurred vision" not in body


# -- differencing ------------------------------------------------------------------------------
def test_subtracting_a_diagnosis_page_from_the_whole_cannot_reveal_two_members(app, client, auth, catalogues):
    """14 take it: 12 with SLE, 2 with cutaneous lupus only. Without complementary suppression,
    "all" minus "SLE" would say exactly 2 members with cutaneous lupus take it."""
    contributors(app, 12, diagnoses=("sle",))
    contributors(app, 2, diagnoses=("cutaneous",))
    with app.app_context():  # enough cutaneous members overall that their cohort itself is describable
        for _ in range(11):
            member(diagnoses=("cutaneous",))
    refreshed(app)
    auth.sign_in_as()
    everyone = text(client, HCQ)
    assert "about 15 report taking" in everyone  # 14, rounded
    sle = text(client, f"{HCQ}?group=sle")
    assert "report taking" not in sle and "Too few" in sle
    cutaneous = text(client, f"{HCQ}?group=cutaneous")
    assert "report taking" not in cutaneous and "Too few" in cutaneous


def test_age_bands_cannot_be_subtracted_from_their_diagnosis(app, client, auth, catalogues):
    """SLE: 12 under 40, 12 aged 40–59 and 3 who gave no age. The two bands shown beside the
    SLE total would reveal the 3: every band of the split is hidden instead."""
    contributors(app, 12, birth_year=1995)
    contributors(app, 12, birth_year=1975)
    contributors(app, 3, birth_year=None)
    refreshed(app)
    auth.sign_in_as()
    assert "report taking" in text(client, f"{HCQ}?group=sle")
    for band in ("under-40", "40-59"):
        body = text(client, f"{HCQ}?group=sle:{band}")
        assert "report taking" not in body and "Too few" in body


# -- refresh and withdrawal --------------------------------------------------------------------
def test_a_withdrawn_member_stops_counting_after_the_next_refresh(app, client, auth, catalogues):
    ids = contributors(app, 11)
    refreshed(app)
    auth.sign_in_as()
    assert "about 10 report taking" in text(client, HCQ)
    with app.app_context():
        services.withdraw_consent(db.session.get(User, ids[0]))
    assert "about 10 report taking" in text(client, HCQ)  # published numbers change only at a refresh
    refreshed(app)
    assert "Fewer than 11 contributing members report" in text(client, HCQ)


def test_the_refresh_command_reports_what_it_published(app, runner, catalogues):
    contributors(app, 11)
    result = runner.invoke(args=["insights", "refresh"])
    assert result.exit_code == 0, result.output
    assert "from 11 contributing members" in result.output


# -- what the treatment page says ----------------------------------------------------------------
def test_treatment_page_shows_stop_reasons_ratings_doses_and_symptoms_before_and_after(app, client, auth,
                                                                                        catalogues):
    start = date(2026, 3, 2)
    before = [start - timedelta(days=d) for d in (7, 14, 21)]
    after = [start + timedelta(days=d) for d in (60, 70, 80)]
    with app.app_context():
        for n in range(11):
            user = member()
            on(user, start=start, stop=date(2026, 9, 1), reason="side_effects", dose=200 + 100 * (n % 2),
               rating="a_little")
            rated(user, before, severity=3)
            rated(user, after, severity=1)
    refreshed(app)
    auth.sign_in_as()
    body = text(client, HCQ)
    assert "report taking Hydroxychloroquine (Plaquenil) at some time, <span" in body  # none take it now: fewer than 11
    for shown in ("Side effects</th><td>about 10", "A little</th><td>about 10", "3 to 12 months</th><td>about 10",
                  "Fatigue</th><td>about 10</td><td>3.0</td><td>1.0</td>", "not an effect of the medicine"):
        assert shown in body, shown
    assert "200 to 300" in body
    chart = body.split('<figure class="chart insight-chart">')[1].split("</figure>")[0]
    assert 'role="img"' in chart and chart.count('class="week-bar before"') == 3  # weeks -3, -2, -1
    assert chart.count('class="week-bar after"') == 3 and "fewer than 11 members" in chart  # the other weeks


def test_a_bad_cohort_in_the_address_falls_back_to_everyone(app, client, auth, catalogues):
    contributors(app, 11)
    refreshed(app)
    auth.sign_in_as()
    assert "about 10 report taking" in text(client, f"{HCQ}?group=%27%3B--")
    assert client.get("/insights/treatments/no-such-medicine").status_code == 404
    assert client.get("/insights/conditions/flu").status_code == 404


# -- members like me -----------------------------------------------------------------------------
def test_the_dashboard_offers_members_like_me_by_diagnosis_and_age_band(app, client, auth, catalogues):
    with app.app_context():
        user = member(diagnoses=("nephritis",), birth_year=1990, email="like-me@example.org")
        on(user)
    auth.login("like-me@example.org")
    body = text(client, "/tracking/")
    assert "Members like me" in body
    assert "/insights/?group=nephritis" in body and "/insights/?group=nephritis:under-40" in body


# -- the treatment's own rating ------------------------------------------------------------------
def test_a_member_rates_how_well_a_treatment_works_and_sees_it(app, client, auth, catalogues):
    from tests.support.tracking import medication_id

    auth.sign_in_as()
    with app.app_context():
        med = medication_id("hydroxychloroquine")
    form = {"medication_id": str(med), "dose": "200", "unit": "mg", "frequency": "once_daily",
            "start_date": "2026-01-05", "rating": "moderately"}
    response = client.submit("/tracking/treatments/new", form, follow_redirects=True)
    assert response.status_code == 200
    bad = client.submit("/tracking/treatments/new", {**form, "rating": "miracle"})
    assert bad.status_code == 400 and "200" in bad.get_data(as_text=True)  # what was typed stays
    with app.app_context():
        from community.models import Treatment

        treatment = db.session.scalar(select(Treatment))
        assert treatment.rating == "moderately"
    assert "How well it works for you</dt><dd>Moderately" in text(client, f"/tracking/treatments/{treatment.id}")


# -- a page is a bounded read, whatever the community's size -------------------------------------
def _statements(app, client, urls) -> dict[str, int]:
    from tests.support.observe import counting_statements

    counts = {}
    for url in urls:
        client.get(url)  # warm-up: the session and caches
        with counting_statements(app) as statements:
            assert client.get(url).status_code == 200
        counts[url] = len(statements)
    return counts


def test_pages_cost_the_same_few_statements_for_eleven_or_forty_contributors(app, client, auth, catalogues):
    urls = ["/insights/", HCQ, f"{HCQ}?group=sle", "/insights/symptoms", "/insights/conditions/sle"]
    with app.app_context():
        for _ in range(11):
            user = member()
            on(user, side_effect="Nausea", severity=1)
            rated(user, [TODAY])
    refreshed(app)
    auth.sign_in_as()
    small = _statements(app, client, urls)
    with app.app_context():
        for _ in range(29):
            user = member()
            on(user, side_effect="Nausea", severity=1)
            rated(user, [TODAY, TODAY - timedelta(days=1)])
    refreshed(app)
    large = _statements(app, client, urls)
    assert small == large
    assert max(large.values()) <= 8, large


def test_a_members_own_treatment_links_to_what_members_report_about_it(app, client, auth, catalogues):
    contributors(app, 11)
    refreshed(app)
    with app.app_context():
        on(member(email="mine@example.org"))
    auth.login("mine@example.org")
    body = text(client, "/tracking/treatments")
    link = body.split('href="/insights/medications/')[1].split('"')[0]
    assert "What members report about Hydroxychloroquine" in body
    response = client.get(f"/insights/medications/{link}")
    assert response.status_code == 302 and response.headers["Location"].endswith(HCQ)
    assert client.get("/insights/medications/99999").status_code == 404


def test_a_forum_topic_naming_a_medicine_links_members_to_its_page(app, client, auth, catalogues):
    from tests.support.forum import make_category, make_topic

    with app.app_context():
        author, category = member(consent=False), make_category(members_only_default=False)
        topic = make_topic(author, category, title="Anyone else lose hair on CellCept?", body="Six weeks in.")
        quiet = make_topic(author, category, title="Pacing tips for work days", body="A rest after lunch.")
        topic_id, quiet_id = topic.id, quiet.id
    visitor = text(client, f"/forum/t/{topic_id}")
    assert "/insights/treatments/" not in visitor  # visitors' page stays the cached public one
    auth.sign_in_as()
    body = text(client, f"/forum/t/{topic_id}")
    assert 'href="/insights/treatments/mycophenolate"' in body
    assert "/insights/treatments/" not in text(client, f"/forum/t/{quiet_id}")


def test_before_anyone_contributes_the_pages_say_so_instead_of_failing(app, client, auth, catalogues):
    auth.sign_in_as()
    assert "Fewer than 11 members contribute so far" in text(client, "/insights/")
    assert "Fewer than 11 members contribute so far" in text(client, "/insights/symptoms")
    assert "Too few members with Systemic lupus (SLE) contribute" in text(client, "/insights/conditions/sle")
    assert "Fewer than 11 contributing members report Belimumab" in text(client, "/insights/treatments/belimumab")


def test_a_member_who_consents_while_the_refresh_runs_is_counted_from_the_next_one(app, catalogues, monkeypatch):
    from community.insights import refresh as refresh_module

    contributors(app, 11)
    original = refresh_module._member_cohorts

    def consent_arrives_meanwhile(ids, today):
        cohorts = original(ids, today)
        on(member())  # committed between the snapshot of contributors and the reads of records
        return cohorts

    monkeypatch.setattr(refresh_module, "_member_cohorts", consent_arrives_meanwhile)
    with app.app_context():
        report = refresh(today=TODAY)
    assert report.contributors == 11


def test_the_account_page_links_to_the_members_insights_choice(app, client, auth, catalogues):
    auth.sign_in_as()
    assert 'href="/insights/contribute#consent-record"' in text(client, "/account/")


def test_a_withheld_now_count_is_explained_not_left_bare(app, client, auth, catalogues):
    """20 ever, 15 now: publishing both would reveal the 5 who stopped, so "now" is withheld in words."""
    with app.app_context():
        for n in range(20):
            on(member(), stop=TODAY - timedelta(days=30) if n < 5 else None, reason="cost" if n < 5 else "")
    refreshed(app)
    auth.sign_in_as()
    body = " ".join(text(client, HCQ).split())
    assert "about 20 report taking Hydroxychloroquine" in body
    assert "most of them still take it. How many exactly is not shown" in body
    assert "about 15 now" not in body
