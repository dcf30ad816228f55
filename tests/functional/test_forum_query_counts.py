"""Topic, category, latest and search pages load in a bounded number of SQL statements.

Each page is measured with a little content and with a lot; the statement
count must not grow with the amount of content (no N+1 queries).
"""

from datetime import timedelta

import pytest

from community.db import db
from tests.support.factories import make_user
from tests.support.forum import make_category, make_old_member, make_topic
from tests.support.observe import counting_statements


def build(app, n: int) -> dict:
    """n topics in one category (each by a different member, with replies by others)."""
    with app.app_context():
        category = make_category()
        replier = make_old_member()
        topics = [make_topic(make_old_member(), category, title=f"Fatigue story {i}", body="fatigue " * 5,
                             replies=n, reply_author=replier, reply_body="fatigue reply {n}",
                             age=timedelta(hours=i + 1), members_only=bool(i % 2))
                  for i in range(n)]
        return {"cat": category.slug, "topic": topics[0].id}


PAGES = ["/forum/t/{topic}", "/forum/c/{cat}", "/forum/latest", "/forum/search?q=fatigue",
         "/forum/notifications", "/forum/"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_forum_pages_use_a_bounded_number_of_queries(app, client, auth, signed_in, without_page_cache):
    small = build(app, 2)
    large = build(app, 25)
    if signed_in:
        auth.sign_in_as("member")
    for path in PAGES:
        if path == "/forum/notifications" and not signed_in:
            continue
        counts = []
        for ids in (small, large):
            url = path.format(**ids)
            client.get(url)  # warm-up: read markers are created on the first visit
            with counting_statements(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts.append(len(statements))
        assert counts[0] == counts[1], f"{path}: {counts[0]} statements with little content, {counts[1]} with more"
        # A member's topic page also asks which posts they bookmarked and whose posts fold for them
        # (ignored or blocked); the header's counts are one statement (community/header.py).
        assert counts[1] <= 17, f"{path}: {counts[1]} statements"


def test_the_counter_would_notice_an_n_plus_one(app):
    # Proves the measuring tool can fail: a loop that queries per row is counted per row.
    with app.app_context():
        users = [make_user() for _ in range(5)]
        ids = [u.id for u in users]
    from community.models import User

    with counting_statements(app) as statements, app.app_context():
        for user_id in ids:
            db.session.get(User, user_id)
    assert len(statements) >= 5
