"""`flask demo generate`: a realistic community in bulk, searchable, with a report."""

from sqlalchemy import func, select

from community.db import db
from community.models import (
    CheckIn,
    Flare,
    LabResult,
    Post,
    QueueItem,
    Report,
    SymptomRating,
    Topic,
    Treatment,
    TrialConsent,
    User,
)
from community.search import forum as search


def test_generate_builds_members_history_and_forums_in_bulk(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    result = runner.invoke(args=["demo", "generate", "--members", "6", "--days", "60", "--topics", "4",
                                 "--replies", "3"])
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output and "symptom_ratings" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 6
        checkins = db.session.scalar(select(func.count(CheckIn.id)))
        assert 6 * 30 < checkins <= 6 * 60  # most days, not every day
        assert db.session.scalar(select(func.count(SymptomRating.id))) == checkins * 4
        assert db.session.scalar(select(func.count(Flare.id))) >= 6
        assert db.session.scalar(select(func.count(Topic.id))) == 4
        assert db.session.scalar(select(func.count(Post.id))) == 16
        assert 6 * 2 <= db.session.scalar(select(func.count(Treatment.id))) <= 6 * 4
        assert db.session.scalar(select(func.count(LabResult.id))) == 6 * 2 * 6  # a panel of 6, monthly
        assert db.session.scalar(select(func.count(TrialConsent.id))) <= 6
        # Every report sits in a review-queue item about the same post.
        assert db.session.scalar(select(func.count(Report.id)).join(QueueItem, QueueItem.id == Report.item_id)
                                 .where(QueueItem.post_id == Report.post_id)) == \
            db.session.scalar(select(func.count(QueueItem.id)))
        # Flare days are rated worse: the data has the shape the charts and matching expect.
        flares = db.session.execute(select(Flare.user_id, Flare.start_date, Flare.end_date)).all()
        in_flare, outside = [], []
        for user_id, day, severity in db.session.execute(
                select(CheckIn.user_id, CheckIn.day, SymptomRating.severity)
                .join(SymptomRating, SymptomRating.checkin_id == CheckIn.id)):
            flaring = any(u == user_id and start <= day <= end for u, start, end in flares)
            (in_flare if flaring else outside).append(severity)
        assert sum(in_flare) / len(in_flare) > sum(outside) / len(outside) + 1
        # The longest word of a post: never a stop word PostgreSQL would leave out of its index.
        word = max(db.session.scalar(select(Post.body_text).limit(1)).replace(".", " ").split(), key=len)
        staff = User(id=0, role="admin")  # staff may search members-only topics too
        results, _more = search.search(staff, word)
        assert results, "the search index was built as rows went in"


def test_generate_asks_for_reference_data_first(app, runner):
    result = runner.invoke(args=["demo", "generate", "--members", "1", "--days", "1", "--topics", "0"])
    assert result.exit_code != 0
    assert "flask seed" in str(result.exception) or "flask seed" in result.output
