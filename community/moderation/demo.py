"""Demo moderation: two reports waiting in the review queue (`make demo`)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from community.db import db
from community.forum import posting as forum
from community.models import User
from community.models.forum import Post, Topic
from community.moderation import reports

# (topic title, reply author, reply, reporter, reason, note)
DEMO_REPORTS = [
    ("Pacing tips for work days", "Sam",
     "Honestly, just stop the hydroxychloroquine. A friend cured her lupus with a gluten-free diet.",
     "Maya", "misinformation", "Stopping hydroxychloroquine without a doctor can trigger a flare."),
    ("Anyone else lose hair on mycophenolate?", "Ines",
     "Some nights I can't see the point of any of this any more.",
     "Maya", "member_at_risk", "I'm worried about Ines, this doesn't sound like her."),
]


def load_demo_moderation() -> None:
    """Add the demo replies and their reports once (skipped when the replies are already there)."""
    names = {u.display_name: u for u in db.session.scalars(select(User))}
    config = current_app.config
    saved = config["FORUM_POST_COOLDOWN_SECONDS"], config["MODERATION_HOLD_FIRST_POSTS"]
    config["FORUM_POST_COOLDOWN_SECONDS"], config["MODERATION_HOLD_FIRST_POSTS"] = 0, 0
    try:
        for title, author, body, reporter, reason, note in DEMO_REPORTS:
            topic_id = db.session.scalar(select(Topic.id).where(Topic.title == title))
            if topic_id is None or author not in names or reporter not in names:
                continue
            if db.session.scalar(select(Post.id).where(Post.body_raw == body)) is not None:
                continue
            post = forum.reply(names[author], topic_id, body=body).post
            reports.report_post(names[reporter], post.id, reason, note)
    finally:
        config["FORUM_POST_COOLDOWN_SECONDS"], config["MODERATION_HOLD_FIRST_POSTS"] = saved
