"""Coming for one study (from an article): its comparison whatever its status, its caveat, and studies like it."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from community.db import db
from community.models import Trial, TrialMatch
from community.trials.importer import import_records, records_in
from tests.support.observe import counting_statements
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues, study

ALL = ["profile", "history", "treatments", "flares", "symptoms", "labs"]
KYSA_3 = "NCT06342960"  # status not confirmed in the shipped record
BLISS_LN = "NCT01639339"  # completed
UNCONFIRMED = "The registry does not confirm this study is recruiting — check with the study team before you act."


def consenting_member(app, auth, client, **history) -> int:
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
    user_id = auth.sign_in_as("member")
    with app.app_context():
        give_history(user_id, birth_date=date(date.today().year - 34, 1, 2), **history)
    assert client.submit("/trials/consent", {"categories": ALL, "understood": "y"}).status_code == 302
    return user_id


def study_page(client, nct_id: str) -> str:
    response = client.get(f"/trials/studies/{nct_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def linked_studies(page: str, heading: str) -> list[str]:
    section = page.split(heading, 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/trials/studies/(NCT\d{8})"', section)


def test_a_member_who_came_for_kysa3_sees_it_compared_criterion_by_criterion_with_the_status_caveat(app, client,
                                                                                                   auth):
    consenting_member(app, auth, client)
    page = study_page(client, KYSA_3)
    assert "How your records compare" in page
    assert UNCONFIRMED in page
    assert "isn't compared with your records" not in page
    # The registry's own criteria beside this member's records: her SLE, her age, and what only a doctor can say.
    assert "Diagnosis: lupus nephritis" in page and "You said you have systemic lupus (SLE)" in page
    assert "Only your doctor or the study team can check this." in page
    assert "eligible" not in page.lower().replace("eligibility", "")
    assert "I'm interested</button>" in page  # the study may still be worth asking about
    with app.app_context():  # worked out for the page, never stored as a suggestion
        kysa = db.session.scalar(select(Trial.id).where(Trial.nct_id == KYSA_3))
        assert db.session.scalar(select(func.count()).select_from(TrialMatch).where(TrialMatch.trial_id == kysa)) == 0


def test_recruiting_studies_like_it_are_offered_in_the_order_of_the_members_suggestions(app, client, auth):
    user_id = consenting_member(app, auth, client)
    page = study_page(client, KYSA_3)
    assert "Recruiting studies like this one" in page
    shown = linked_studies(page, "Recruiting studies like this one")
    with app.app_context():
        recruiting_car_t = ["NCT05869955", "NCT06581198", "NCT06333483", "NCT06308978", "NCT06947460"]
        ranked = list(db.session.scalars(select(Trial.nct_id).join(TrialMatch, TrialMatch.trial_id == Trial.id)
                                         .where(TrialMatch.user_id == user_id,
                                                Trial.nct_id.in_(recruiting_car_t)).order_by(TrialMatch.rank)))
    assert shown == ranked[:3]
    # Not the anifrolumab study (another kind of treatment), not one that isn't recruiting yet.
    assert "NCT05138133" not in shown and "NCT07053800" not in shown


def test_a_recruiting_study_offers_no_caveat_and_no_list_of_others(app, client, auth):
    consenting_member(app, auth, client)
    page = study_page(client, "NCT05869955")
    assert "status-caveat" not in page and "Recruiting studies like this one" not in page


def test_a_completed_study_says_it_has_finished_and_offers_no_interest_mark(app, client, auth):
    consenting_member(app, auth, client)
    page = study_page(client, BLISS_LN)
    assert "The registry says this study has finished: it will not take anyone new." in page
    assert "How your records compare</h2>" in page  # no "may fit" for a study that takes no one
    assert "I'm interested</button>" not in page
    assert "there is no pre-screening summary to prepare for it" in page
    shown = linked_studies(page, "Recruiting studies like this one")
    assert shown and "NCT05869955" not in shown  # belimumab's alike are B-cell or biologic studies, not CAR-T


def test_a_withdrawn_study_says_no_one_took_part(app, client, auth):
    consenting_member(app, auth, client)
    with app.app_context():
        import_records(records_in(study("NCT09400001", status="WITHDRAWN")))
    page = study_page(client, "NCT09400001")
    assert "withdrawn before anyone took part: it will not take anyone." in page
    assert "How your records compare" in page


def test_visitors_and_members_without_consent_see_the_caveat_but_no_comparison(app, client, auth):
    with app.app_context():
        load_shipped()
    page = study_page(client, KYSA_3)
    assert UNCONFIRMED in page and "How your records compare" not in page
    auth.sign_in_as("member")
    page = study_page(client, KYSA_3)
    assert UNCONFIRMED in page and "How your records compare" not in page
    # Turning suggestions on from here comes back to this study.
    assert f'href="/trials/consent?trial={KYSA_3}&amp;next=/trials/studies/{KYSA_3}">Turn on trial suggestions' in page


def test_the_pre_screening_summary_of_an_unconfirmed_study_compares_and_carries_the_caveat(app, client, auth):
    consenting_member(app, auth, client)
    response = client.submit(f"/trials/studies/{KYSA_3}/interest", page=f"/trials/studies/{KYSA_3}")
    assert response.status_code == 302
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert UNCONFIRMED in summary and "Diagnosis: lupus nephritis" in summary
    text = client.get(response.headers["Location"] + "/download").get_data(as_text=True)
    assert UNCONFIRMED in text and "- Diagnosis: lupus nephritis: " in text


def test_the_consent_box_names_the_study_with_its_acronym_once(app, client, auth):
    with app.app_context():
        load_shipped()
    auth.sign_in_as("member")
    page = client.get(f"/trials/consent?trial={KYSA_3}&next=/news/check/{KYSA_3}").get_data(as_text=True)
    assert "KYSA-3: A Study of Anti-CD19" in page and "KYSA-3: KYSA-3" not in page
    with app.app_context():
        import_records(records_in(study("NCT09400002", title="A Study of Dapirolizumab", ident={"acronym": "PHX"})))
    page = client.get("/trials/consent?trial=NCT09400002").get_data(as_text=True)
    assert "PHX: A Study of Dapirolizumab" in page


def test_the_sign_up_page_says_which_study_the_newcomer_came_for(app, client):
    with app.app_context():
        load_shipped()
    address = f"/auth/register?trial={KYSA_3}&next=/news/check/{KYSA_3}"
    page = client.get(address).get_data(as_text=True)
    assert "You're signing up to check whether <strong>KYSA-3: A Study of Anti-CD19" in page
    assert f"({KYSA_3}) might fit your records" in page
    # A mistake on the form keeps the line (and what was typed).
    response = client.submit(address, {"email": "not an address", "display_name": "Rosa", "password": "x",
                                       "time_zone": "UTC"})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and "might fit your records" in page and 'value="Rosa"' in page


def test_the_sign_up_page_ignores_a_study_it_does_not_know(app, client):
    for value in ("NCT99999999", "<script>alert(1)</script>", "x" * 5000, ""):
        response = client.get("/auth/register", query_string={"trial": value})
        assert response.status_code == 200
        assert "might fit your records" not in response.get_data(as_text=True)


def test_the_page_of_a_study_not_recruiting_needs_the_same_few_queries_for_5_or_60_studies_like_it(app, client,
                                                                                                  auth):
    consenting_member(app, auth, client)
    counts = []
    for total in (5, 60):
        with app.app_context():
            import_records(records_in([study(f"NCT095{n:05d}", title="CD19 CAR-T cells in lupus") for n in range(total)]))
        study_page(client, KYSA_3)  # recompute after the import
        with counting_statements(app) as statements:
            page = study_page(client, KYSA_3)
        shown = linked_studies(page, "Recruiting studies like this one")
        assert len(shown) == 3 and any(n.startswith("NCT095") for n in shown)  # the new ones are alike
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 25, counts


def test_the_articles_card_says_when_a_studys_status_is_not_confirmed(app, client):
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    page = client.get("/news/car-t-cell-therapy-for-refractory-lupus").get_data(as_text=True)
    card = page.split(f'<p class="muted">{KYSA_3}', 1)[1].split("</p>", 1)[0]
    assert "Status not confirmed by the registry" in card
    assert "NCT05869955 · Recruiting" in page
