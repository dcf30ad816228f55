"""A small demo community so a newcomer sees a living site (`make demo`)."""

from __future__ import annotations

from sqlalchemy import select

from community.db import db, utcnow
from community.models import Role, User
from community.passwords import hash_password

DEMO_PASSWORD = "butterfly-garden-demo"  # noqa: S105 - printed for demo sign-in on purpose
DEMO_MEMBERS = [
    ("maya@demo.example.org", "Maya", Role.MEMBER, "Diagnosed in 2016. Gardener, tea drinker.", 2016),
    ("sam@demo.example.org", "Sam", Role.MEMBER, "Lupus nephritis class IV, in remission.", 2011),
    ("ines@demo.example.org", "Ines", Role.MEMBER, "Mum of two, newly diagnosed.", 2025),
    ("rowan@demo.example.org", "Rowan (moderator)", Role.MODERATOR, "Volunteer moderator.", None),
    ("admin@demo.example.org", "Admin", Role.ADMIN, "", None),
]


def load_demo() -> list[str]:
    """Create the demo members if missing; return lines describing how to sign in."""
    existing = set(db.session.scalars(select(User.email).where(
        User.email.in_([m[0] for m in DEMO_MEMBERS]))))
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, role, bio, since in DEMO_MEMBERS:
        if email not in existing:
            db.session.add(User(email=email, display_name=name, role=role.value, bio=bio,
                                living_with_lupus_since=since, password_hash=password_hash,
                                email_verified_at=utcnow(), time_zone="Europe/London"))
    db.session.commit()
    load_demo_forum()
    from community.moderation.demo import load_demo_moderation

    load_demo_moderation()
    from community.tracking.demo import load_demo_tracking

    tracking_lines = load_demo_tracking()
    from community.insights.demo import load_demo_contributors

    insights = load_demo_contributors()
    lines = ["Demo sign-ins (password for all: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role.value:<9} {email}" for email, _n, role, _b, _s in DEMO_MEMBERS]
    lines += tracking_lines
    return lines + [f"Community insights: {insights.contributors} contributing members, "
                    f"{insights.pages} published pages (/insights/)."]


# (category slug, title, members only, author, opening post, [(author, reply)]); "{quote}" in a
# reply is replaced by a quote of the opening post.
DEMO_TOPICS = [
    ("treatments-and-side-effects", "Anyone else lose hair on mycophenolate?", True, "Ines",
     "I started mycophenolate six weeks ago and my hair is coming out in the shower. "
     "Is this common? Did it grow back for anyone?",
     [("Maya", "{quote}Yes, it happened to me in the first three months. It slowed down after that "
               "and mostly grew back. A wide-tooth comb and a silk pillowcase helped. "
               "Do mention it to your rheumatologist, @Ines: they may check your iron and thyroid too."),
      ("Sam", "Same here. I kept a note of it and showed my nurse at the next blood test. Hugs, it is "
              "upsetting even when you know it's *probably* temporary.")]),
    ("daily-life-and-work", "Pacing tips for work days", False, "Maya",
     "What helps you get through a full work day without a crash the next day? Mine:\n\n"
     "- a ten-minute rest after lunch, lying down if I can\n- batch the hard tasks in the morning\n"
     "- say no to after-work plans on Mondays",
     [("Sam", "Sitting down for anything I can do sitting down. And a timer to remind me to drink water.")]),
    ("introductions", "Hello from a newly diagnosed mum", False, "Ines",
     "Hi all, I was diagnosed in March after months of joint pain and tiredness. Two small kids, "
     "full-time job. Glad to have found this place.",
     [("Rowan (moderator)", "Welcome, Ines! The **Newly diagnosed** category is a good place to start, "
                            "and nobody minds questions.")]),
    ("lupus-nephritis", "What to expect from a kidney biopsy", True, "Sam",
     "Mine was years ago now, so happy to answer questions. It was quicker than I feared: "
     "a local anaesthetic, lying still for a few hours afterwards, and home the next day.", []),
]


def load_demo_forum() -> None:
    """A few realistic conversations between the demo members (skipped if already there)."""
    from flask import current_app

    from community.forum import posting
    from community.forum.seed import load_categories
    from community.models.forum import Post, Topic

    load_categories()
    members = {u.display_name: u for u in db.session.scalars(select(User).where(
        User.email.in_([m[0] for m in DEMO_MEMBERS])))}
    titles = set(db.session.scalars(select(Topic.title)))
    saved = current_app.config["FORUM_POST_COOLDOWN_SECONDS"]
    current_app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0  # demo posts come in one burst
    saved_hold = current_app.config["MODERATION_HOLD_FIRST_POSTS"]
    current_app.config["MODERATION_HOLD_FIRST_POSTS"] = 0  # demo members are established
    try:
        for slug, title, members_only, author, body, replies in DEMO_TOPICS:
            if title in titles or author not in members:
                continue
            topic = posting.start_topic(members[author], slug, title=title, body=body,
                                        members_only=members_only).topic
            first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
            for reply_author, reply_body in replies:
                quote = posting.quote_markdown(members[reply_author], first.id, topic.id)
                posting.reply(members[reply_author], topic.id,
                               body=reply_body.replace("{quote}", quote))
    finally:
        current_app.config["FORUM_POST_COOLDOWN_SECONDS"] = saved
        current_app.config["MODERATION_HOLD_FIRST_POSTS"] = saved_hold
