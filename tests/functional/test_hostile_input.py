"""Hostile input never makes a 500: every route in the url_map, for every role, is sent
out-of-range ids, absurd page numbers, oversized and malformed bodies, JSON nested 10,000 deep,
CR/LF in next= and 400-digit numbers in every form field we have; each answers 4xx or its page."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy import select

from community.db import db
from community.models import QueueItem, TrialBullet, TrialCriterion
from community.moderation import reports as moderation
from community.reference import load_all
from tests.support.factories import PASSWORD, make_user
from tests.support.forum import first_post, make_category, make_topic
from tests.support.tracking import checkin, flare, lab, treatment

HUGE = str(2**63)
NINES = "9" * 400
ROLES = ["anonymous", "member", "moderator", "admin"]
# Every numeric-looking field name our forms use, and the usual text ones: 400 nines each.
FIELDS = ["position", "topic_id", "user_id", "category_id", "living_with_lupus_since", "birth_year",
          "days", "value", "dose", "severity", "wellbeing", "year", "hours", "minutes", "page",
          "quote", "moderator", "target_topic", "post_ids", "number", "threshold", "age_min", "age_max",
          "reference_low", "reference_high", "diagnosed_year", "sleep_hours", "pain", "fatigue",
          "category", "target", "posts", "title", "body", "name", "reason", "notes", "email", "password", "display_name", "q",
          "start_date", "end_date", "day", "taken_on", "started_on", "kind", "role", "params"]
CRLF_NEXT = "/forum/\r\nSet-Cookie: owned=1"


def deep_json(depth: int = 10_000) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def scene(app, request):
    """A site with something behind most ids, and a viewer of the role under test who owns records."""
    role = request.param if hasattr(request, "param") else "member"
    with app.app_context():
        load_all()
        viewer = None if role == "anonymous" else make_user(role=role, display_name=f"Viewer {role}",
                                                            living_with_lupus_since=2010)
        other = make_user(display_name="Other member")
        owner = viewer or other
        day = date(2026, 3, 3)
        check = checkin(owner, day=day, today=day, notes="note")
        episode = flare(owner, date(2026, 2, 1), date(2026, 2, 10), today=day)
        medicine = treatment(owner, today=day)
        result = lab(owner, today=day)
        category = make_category(members_only_default=False)
        topic = make_topic(other, category, title="A topic", replies=1, reply_author=other)
        if viewer:
            moderation.report_post(owner, first_post(topic).id, "spam", "fuzz")
        ids = {
            "user_id": other.id, "topic_id": topic.id, "post_id": first_post(topic).id,
            "checkin_id": check.id, "flare_id": episode.id, "treatment_id": medicine.id, "lab_id": result.id,
            "item_id": db.session.scalar(select(QueueItem.id).limit(1)) or 1,
            "criterion_id": db.session.scalar(select(TrialCriterion.id).limit(1)) or 1,
            "bullet_id": db.session.scalar(select(TrialBullet.id).limit(1)) or 1,
        }
        strings = {"slug": category.slug, "nct_id": "NCT05869955", "kind": "checkins", "token": "x" * 40,
                   "filename": "css/site.css"}
        return role, (viewer.email if viewer else None), ids, strings


def client_as(app, email):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is answered (and listed), as in production
    client = app.test_client()
    if email:
        assert client.submit("/auth/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def urls(app, ids, strings, id_value=None):
    """(method, url) for every rule and method, with real ids or ``id_value`` in each int slot."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {}
        for name, converter in rule._converters.items():
            if type(converter).__name__ == "RowIdConverter":
                values[name] = id_value or ids.get(name, 1)
            else:
                values[name] = strings.get(name, "x")
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<[^>]*:?{name}>", str(value), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def token_for(client) -> str:
    from tests.conftest import CSRF_INPUT

    match = CSRF_INPUT.search(client.get("/").get_data(as_text=True)) \
        or CSRF_INPUT.search(client.get("/auth/login").get_data(as_text=True))
    return (match.group(1) or match.group(2)) if match else ""


def hostile_requests(client, method, url, csrf):
    """What an attacker sends to one route; yields (what, response)."""
    if method == "GET":
        yield "huge page", client.get(url, query_string={"page": "9223372036854775807", "next": CRLF_NEXT,
                                                        "q": "x" * 5000, "year": NINES, "day": "2026-13-45"})
        return
    form = {name: NINES for name in FIELDS} | {"csrf_token": csrf, "next": CRLF_NEXT}
    yield "400 nines in every field", client.post(url, data=form)
    yield "oversized body", client.post(url, data={"csrf_token": csrf, "body": "x" * (1024 * 1024 + 10)})
    yield "malformed JSON", client.post(url, data='{"title": ', content_type="application/json",
                                        headers={"X-CSRFToken": csrf})
    yield "JSON 10,000 deep", client.post(url, data=deep_json(), content_type="application/json",
                                          headers={"X-CSRFToken": csrf})
    yield "form JSON field 10,000 deep", client.post(url, data={"csrf_token": csrf, "params": deep_json(),
                                                               "draft": deep_json()})


@pytest.mark.parametrize("scene", ROLES, indirect=True)
def test_no_route_answers_hostile_input_with_a_server_error(app, scene):
    role, email, ids, strings = scene
    client = client_as(app, email)
    csrf = token_for(client)
    failures = []
    for method, url in urls(app, ids, strings):
        for what, response in hostile_requests(client, method, url, csrf):
            if response.status_code >= 500:
                failures.append(f"{role}: {method} {url} with {what} -> {response.status_code}")
            if what == "400 nines in every field" and response.status_code in (301, 302, 303):
                assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
        if client.get("/account/").status_code != 200 and email:  # a route signed us out: sign in again
            client = client_as(app, email)
            csrf = token_for(client)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("scene", ["admin"], indirect=True)
@pytest.mark.parametrize("id_value", [2**31, 2**63, 10**400])
def test_out_of_range_ids_in_any_address_are_a_plain_not_found(app, scene, id_value):
    _role, email, ids, strings = scene
    client = client_as(app, email)
    wrong = []
    for method, url in urls(app, ids, strings, id_value=id_value):
        if str(id_value) not in url or method != "GET":
            continue
        response = client.get(url)
        if response.status_code != 404:
            wrong.append(f"{url} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)


# -- each finding of the attack, one by one ---------------------------------------------------

def signed_in(app, role="member", **fields):
    with app.app_context():
        user = make_user(role=role, **fields)
        user_id, email = user.id, user.email
    return user_id, client_as(app, email)


def test_huge_ids_and_pages_in_addresses(app):
    _id, client = signed_in(app, "admin")
    for url in ["/members/9223372036854775808", "/tracking/treatments/9223372036854775808",
                "/moderation/members/9223372036854775808", "/admin/members/9223372036854775808",
                "/members/0", "/forum/t/-1"]:
        assert client.get(url).status_code == 404, url
    assert client.get("/news/?page=9223372036854775807").status_code == 200
    assert client.get("/forum/latest?page=-5").status_code == 200


def test_oversized_and_malformed_bodies_to_tracking_are_4xx(app):
    _id, client = signed_in(app)
    csrf = token_for(client)
    too_big = client.post("/tracking/check-in", data={"csrf_token": csrf, "notes": "x" * (1024 * 1024 + 1)})
    assert too_big.status_code == 413 and "That was too large" in too_big.get_data(as_text=True)
    broken = client.post("/tracking/check-in", data="{", content_type="application/json",
                         headers={"X-CSRFToken": csrf})
    assert broken.status_code == 400


def test_json_nested_10000_deep_to_drafts_is_a_bad_request(app):
    _id, client = signed_in(app)
    response = client.post("/forum/drafts", data=deep_json(), content_type="application/json",
                           headers={"X-CSRFToken": token_for(client)})
    assert response.status_code == 400


def test_trials_import_reports_a_deeply_nested_file_as_skipped(app, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text(deep_json())
    result = app.test_cli_runner().invoke(args=["trials", "import", str(deep)])
    assert result.exit_code == 1
    assert "skipped" in result.output and "deep.json: not readable JSON" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cr_lf_in_next_after_sign_in_is_dropped_and_the_sign_in_kept(app):
    with app.app_context():
        email = make_user().email
    client = app.test_client()
    response = client.submit(f"/auth/login?next={quote(CRLF_NEXT)}", {"email": email, "password": PASSWORD},
                             page="/auth/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/").status_code == 200


def test_cr_lf_in_next_after_consent_keeps_the_consent(app):
    with app.app_context():
        load_all()
    _id, client = signed_in(app)
    response = client.submit("/trials/consent?next=/trials/%0d%0aSet-Cookie:x=1",
                             {"categories": ["profile"], "understood": "y"}, page="/trials/consent")
    assert response.status_code == 302 and "\n" not in response.headers["Location"]
    assert "turned on" in client.get("/trials/consent").get_data(as_text=True)


def test_400_nines_in_a_year_is_refused_beside_the_field(app):
    user_id, client = signed_in(app)
    response = client.submit("/account/profile", {"display_name": "Still Me", "living_with_lupus_since": NINES,
                                                  "time_zone": "UTC"}, page="/account/profile")
    assert response.status_code in (200, 400)
    assert "far too large" in response.get_data(as_text=True)


def test_huge_numbers_in_admin_forms_are_refused_with_a_message(app):
    _id, client = signed_in(app, "admin")
    url = "/forum/categories/new"
    response = client.submit(url, {"position": NINES, "name": "A category", "description": "d"}, page=url)
    assert response.status_code in (200, 400)
    assert "far too large" in response.get_data(as_text=True)
    tampered = client.submit("/news/writers", {"user_id": NINES, "allow": "1"}, page="/news/writers")
    assert tampered.status_code == 400 and "didn&#39;t go through" in tampered.get_data(as_text=True)
