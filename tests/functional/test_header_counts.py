"""The header's counts (notifications, messages, new trials, review queue) cost one statement."""

from community.header import COUNTS, header_counts
from community.moderation import reports as moderation
from tests.support.factories import make_user
from tests.support.forum import first_post, make_category, make_topic
from tests.support.observe import counting_statements


def test_all_header_counts_are_one_statement_and_zero_where_they_do_not_apply(app):
    with app.app_context():
        member, moderator = make_user(), make_user(role="moderator")
        topic = make_topic(make_user(), make_category(members_only_default=False))
        moderation.report_post(member, first_post(topic).id, "spam", "")
        with counting_statements(app) as statements:
            counts = header_counts(member)
        assert [s for s in statements if s.startswith("SELECT")] == statements[-1:]  # (after BEGIN)
        assert counts == dict.fromkeys(COUNTS, 0)  # a member sees no review-queue count
        staff = header_counts(moderator)
        assert staff["review_queue"] == 1 and staff["notifications"] == 0


def test_anonymous_visitors_pay_nothing_for_the_header(app, client):
    with counting_statements(app) as statements:
        assert client.get("/terms").status_code == 200
    assert not [s for s in statements if "count(" in s]


def test_a_signed_in_page_asks_for_the_header_counts_once(app, auth):
    auth.sign_in_as("moderator")
    with counting_statements(app) as statements:
        assert auth.client.get("/account/").status_code == 200
    counting = [s for s in statements if s.count("count(") >= 3]
    assert len(counting) == 1, counting
