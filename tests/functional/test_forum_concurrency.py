"""Counters move in SQL: concurrent replies each get their own number and are all counted."""

import threading

from sqlalchemy import select

from community.db import db
from community.forum import posting
from community.models import User
from community.models.forum import Category, Post, Topic
from tests.support.forum import make_category, make_old_member, make_topic

WRITERS = 8


def test_concurrent_replies_get_distinct_numbers_and_every_one_is_counted(app):
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0
    with app.app_context():
        category = make_category()
        topic_id = make_topic(make_old_member(), category).id
        category_id = category.id
        writers = [make_old_member().id for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(user_id: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                db.session.commit()  # let go of the read transaction before racing
                start.wait()
                posting.reply(user, topic_id, body=f"Reply from {user_id}")
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(uid,)) for uid in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with app.app_context():
        numbers = sorted(db.session.scalars(select(Post.number).where(Post.topic_id == topic_id)))
        topic = db.session.get(Topic, topic_id)
        assert numbers == list(range(1, WRITERS + 2))
        assert (topic.reply_count, topic.last_number) == (WRITERS, WRITERS + 1)
        assert db.session.get(Category, category_id).post_count == WRITERS + 1
