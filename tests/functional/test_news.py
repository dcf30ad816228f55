"""Research news: reading, writing, publishing, permissions, the feed, and safety."""

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from community.db import db
from community.models import Article, ArticleRevision, AuditEvent, NewsWriter, User
from community.models.trials import Trial
from community.news import services
from tests.support.factories import PASSWORD, make_user

ARTICLE = {"title": "Anifrolumab: what the IRIS study is testing", "summary": "A plain-language look.",
           "body": "# Breaking down the science\n\nType I interferon is *busy* in lupus.",
           "tags": "Anifrolumab, Lupus nephritis", "trials": "NCT05138133", "hero_image": "", "hero_alt": ""}


def add_trial(nct_id="NCT05138133", title="Phase 3 Study of Anifrolumab in Lupus Nephritis", acronym="IRIS"):
    trial = Trial(nct_id=nct_id, brief_title=title, acronym=acronym, overall_status="RECRUITING")
    db.session.add(trial)
    db.session.commit()
    return trial


def write_article(app, client, data=None, publish=True):
    with app.app_context():
        if db.session.scalar(select(Trial).where(Trial.nct_id == "NCT05138133")) is None:
            add_trial()
    response = client.submit("/news/write/new", {**ARTICLE, **(data or {})})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    article_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    if publish:
        client.submit(f"/news/write/{article_id}/publish", page=f"/news/write/{article_id}")
    return article_id


def slug_of(app, article_id):
    with app.app_context():
        return db.session.get(Article, article_id).slug


def test_admin_writes_and_publishes_an_article_everyone_can_read(app, client, auth):
    auth.sign_in_as("admin")
    article_id = write_article(app, client)
    slug = slug_of(app, article_id)
    assert slug == "anifrolumab-what-the-iris-study-is-testing"
    page = app.test_client().get(f"/news/{slug}").get_data(as_text=True)
    assert "Anifrolumab: what the IRIS study is testing" in page
    assert "<h2>Breaking down the science</h2>" in page  # "#" is a section heading under the title
    assert "1 min read" in page
    assert "Check your eligibility" in page and "/news/check/NCT05138133" in page
    assert "IRIS: Phase 3 Study of Anifrolumab" in page
    listing = app.test_client().get("/news/").get_data(as_text=True)
    assert slug in listing
    assert slug in app.test_client().get("/news/tags/anifrolumab").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["article.publish"]


def test_drafts_are_hidden_from_everyone_but_writers(app, client, auth):
    auth.sign_in_as("admin")
    article_id = write_article(app, client, publish=False)
    slug = slug_of(app, article_id)
    assert client.get(f"/news/{slug}").status_code == 200
    assert app.test_client().get(f"/news/{slug}").status_code == 404
    assert slug not in app.test_client().get("/news/").get_data(as_text=True)
    assert slug not in app.test_client().get("/news/feed.atom").get_data(as_text=True)


def test_the_feed_is_valid_atom_listing_published_articles(app, client, auth):
    auth.sign_in_as("admin")
    slug = slug_of(app, write_article(app, client))
    response = app.test_client().get("/news/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())  # noqa: S314 - our own feed, in a test
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 1
    assert entries[0].find("a:link", ns).get("href").endswith(f"/news/{slug}")
    assert {c.get("term") for c in entries[0].findall("a:category", ns)} == {"anifrolumab", "lupus-nephritis"}


def test_bad_article_input_is_explained_beside_the_field_and_kept(app, client, auth):
    auth.sign_in_as("admin")
    with app.app_context():
        add_trial()
    cases = [
        ({"title": ""}, "Please give the article a title."),
        ({"trials": "NCT123, banana"}, "These are not NCT numbers"),
        ({"trials": "NCT09999999"}, "not in our catalogue yet: NCT09999999"),
        ({"hero_image": "car-t-cells.svg", "hero_alt": ""}, "Describe the image"),
        ({"hero_image": "../../etc/passwd"}, "Not a valid choice"),
        ({"summary": "x" * 401}, "under 400 characters"),
    ]
    for change, message in cases:
        page = client.submit("/news/write/new", {**ARTICLE, **change}).get_data(as_text=True)
        assert message in page, message
        assert "Type I interferon is *busy* in lupus." in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0


def test_editing_keeps_the_previous_text_in_the_history(app, client, auth):
    auth.sign_in_as("admin")
    article_id = write_article(app, client)
    slug = slug_of(app, article_id)
    client.submit(f"/news/write/{article_id}", {**ARTICLE, "body": "A clearer second version."})
    with app.app_context():
        revisions = db.session.scalars(select(ArticleRevision)).all()
        assert [r.body_raw for r in revisions] == [ARTICLE["body"]]
        assert db.session.get(Article, article_id).slug == slug  # published addresses don't move
    history = client.get(f"/news/write/{article_id}/history").get_data(as_text=True)
    assert "Type I interferon" in history


def test_unpublishing_takes_an_article_off_the_site(app, client, auth):
    auth.sign_in_as("admin")
    article_id = write_article(app, client)
    slug = slug_of(app, article_id)
    client.submit(f"/news/write/{article_id}/unpublish", page=f"/news/write/{article_id}")
    assert app.test_client().get(f"/news/{slug}").status_code == 404


def test_article_markdown_is_sanitised(app, client, auth):
    auth.sign_in_as("admin")
    body = ('<script>window.__xss=1</script>\n\n[click](javascript:alert(1)) '
            '<img src=x onerror=alert(1)>\n\n[ok](https://example.org)')
    slug = slug_of(app, write_article(app, client, {"body": body}))
    page = app.test_client().get(f"/news/{slug}").get_data(as_text=True)
    body_html = page.split('class="prose article-body">')[1].split("</div>")[0]
    assert "<script" not in body_html and "<img" not in body_html
    assert not re.search(r"<[^>]*\bonerror", body_html)
    assert "javascript:" not in re.sub(r"\[click\]\(javascript:alert\(1\)\)", "", body_html)
    assert 'href="https://example.org"' in page


@pytest.mark.parametrize("role,granted,expected", [
    ("member", False, 404), ("moderator", False, 404), ("moderator", True, 200), ("admin", False, 200)])
def test_who_may_write(app, client, auth, role, granted, expected):
    user_id = auth.sign_in_as(role)
    if granted:
        with app.app_context():
            db.session.add(NewsWriter(user_id=user_id))
            db.session.commit()
    assert client.get("/news/write/").status_code == expected
    assert client.get("/news/write/new").status_code == expected


def test_admin_allows_and_stops_a_moderator_writing_with_an_audit_trail(app, client, auth):
    auth.sign_in_as("admin")
    with app.app_context():
        moderator_id = make_user(role="moderator", display_name="Rowan").id
    client.submit("/news/writers", {"user_id": moderator_id, "allow": "1"})
    with app.app_context():
        assert db.session.get(NewsWriter, moderator_id) is not None
    client.submit("/news/writers", {"user_id": moderator_id, "allow": "0"})
    with app.app_context():
        assert db.session.get(NewsWriter, moderator_id) is None
        assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
            "news.allow_writer", "news.revoke_writer"]


def test_an_article_can_open_a_public_discussion_topic(app, client, auth):
    auth.sign_in_as("admin")
    app.test_cli_runner().invoke(args=["seed"])
    article_id = write_article(app, client)
    client.submit(f"/news/write/{article_id}/discussion", page=f"/news/write/{article_id}")
    with app.app_context():
        topic_id = db.session.get(Article, article_id).discussion_topic_id
    assert topic_id is not None
    page = app.test_client().get(f"/news/{slug_of(app, article_id)}").get_data(as_text=True)
    assert "Join the discussion" in page
    assert app.test_client().get(f"/forum/t/{topic_id}").status_code == 200  # public: visitors can read it


def test_search_finds_published_articles_by_every_word(app, client, auth):
    auth.sign_in_as("admin")
    write_article(app, client)
    write_article(app, client, {"title": "Draft about interferon"}, publish=False)
    with app.app_context():
        assert [a.title for a in services.search("interferon BUSY")] == [ARTICLE["title"]]
        assert services.search('"unbalanced (brackets AND % _') == []
        assert services.search("   ") == []


def test_deleting_an_authors_account_keeps_their_articles_anonymously(app, client, auth):
    auth.sign_in_as("admin")
    article_id = write_article(app, client)
    client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    with app.app_context():
        article = db.session.get(Article, article_id)
        assert article.author_id is None
        assert db.session.scalar(select(func.count(User.id))) == 0
    assert "The Lupus Commons team" in app.test_client().get(f"/news/{article.slug}").get_data(as_text=True)


def test_reading_time_and_slugs():
    assert services.reading_minutes("word " * 199) == 1
    assert services.reading_minutes("word " * 401) == 3
    assert services.slugify("CAR-T & lupus: Érlangen’s report!") == "car-t-lupus-erlangens-report"
    assert services.parse_tags("CAR-T, car t , , Belimumab") == [("belimumab", "Belimumab"), ("car-t", "CAR-T")]
    assert services.parse_nct_ids("nct06342960\nNCT06342960, NCT05869955") == ["NCT06342960", "NCT05869955"]


def test_check_your_eligibility_leads_visitors_to_join_and_members_to_consent_then_the_result(app, client, auth):
    with app.app_context():
        add_trial()
    here = "/news/check/NCT05138133"
    response = client.get(here)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/register?trial=NCT05138133&next=/news/check/NCT05138133"
    auth.sign_in_as()
    response = client.get(here)
    assert response.headers["Location"] == "/trials/consent?trial=NCT05138133&next=/news/check/NCT05138133"
    consent_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You came here about" in consent_page and "IRIS: Phase 3 Study of Anifrolumab" in consent_page
    response = client.submit(response.headers["Location"], {
        "categories": ["profile", "treatments", "flares", "symptoms", "labs"], "understood": "y"})
    assert response.headers["Location"] == here
    response = client.get(here)
    assert response.headers["Location"] == "/trials/studies/NCT05138133#you-heading"
    assert client.get(response.headers["Location"]).status_code == 200


def test_checking_an_unknown_trial_is_a_404(client):
    assert client.get("/news/check/NCT99999999").status_code == 404
    assert client.get("/news/check/not-an-id").status_code == 404


def test_nothing_is_computed_for_a_member_who_has_not_consented(app, client, auth):
    from community.models.trials import TrialMatch
    with app.app_context():
        add_trial()
    auth.sign_in_as()
    client.get("/news/check/NCT05138133")
    with app.app_context():
        assert db.session.scalar(select(func.count(TrialMatch.id))) == 0


def test_forum_search_also_finds_research_news(app, client, auth):
    auth.sign_in_as("admin")
    slug = slug_of(app, write_article(app, client))
    page = app.test_client().get("/forum/search?q=interferon").get_data(as_text=True)
    assert "In research news" in page and f"/news/{slug}" in page
    page = app.test_client().get("/forum/search?q=interferon&page=2").get_data(as_text=True)
    assert "In research news" not in page
    page = app.test_client().get('/forum/search?q=%22unbalanced+(+AND+%F0%9F%A6%8B').get_data(as_text=True)
    assert "In research news" not in page
