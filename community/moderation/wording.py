"""The staff log in plain words: one sentence per recorded action, for moderators and admins.

Every action code that ``audit.record`` writes has its wording here, and only here; the
moderation and admin staff logs both use it. A test greps the code base for codes and
fails when one has no wording, so a new staff action can't reach the log as a raw code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from community.db import db
from community.models.audit import AuditEvent
from community.models.forum import Category, Post, Topic
from community.models.moderation import WordAction

# What a queue item's resolution did, as the end of "Resolved queue item 12: …".
RESOLVED = {
    "approve": "published the post", "dismiss": "nothing needed doing", "hide": "hid the post",
    "delete": "deleted the post", "edit": "edited the post", "lock": "locked the topic",
    "warn": "warned the member", "silence": "silenced the member", "suspend": "suspended the member",
    "escalate": "passed it to an admin",
}
TOPIC_STATE_WORDS = {"pin": "Pinned the topic {}", "unpin": "Unpinned the topic {}",
                     "lock": "Locked the topic {}", "unlock": "Unlocked the topic {}",
                     "hide": "Hid the topic {}", "unhide": "Showed the topic {} again"}
# The moderation decision a member appealed against, as in "appealed against a silence".
APPEALED = {"warn": "warning", "silence": "silence", "suspend": "suspension", "hide_post": "hidden post",
            "delete_post": "deleted post", "edit_post": "moderator's edit of a post"}
BULLET_REVIEW_WORDS = {"confirm": "Confirmed", "discard": "Discarded", "reread": "Asked for a fresh reading of",
                       "corrected": "Corrected"}


@dataclass
class _Names:
    """Titles and names the sentences mention, loaded for a whole page of events at once."""
    topics: dict[int, str] = field(default_factory=dict)
    post_topics: dict[int, str] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)


@dataclass
class Entry:
    """One event seen through the questions a sentence asks of it."""
    event: AuditEvent
    names: _Names

    def value(self, key: str, default: Any = "") -> Any:
        """A value from after the action, else from before it."""
        for side in (self.event.after, self.event.before):
            if isinstance(side, dict) and side.get(key) is not None:
                return side[key]
        return default

    def old(self, key: str, default: Any = "") -> Any:
        before = self.event.before if isinstance(self.event.before, dict) else {}
        return before.get(key, default) if before.get(key) is not None else default

    @property
    def member(self) -> str:
        return self.event.target_name or "a former member"

    @property
    def members(self) -> str:
        """The member's name as an owner: "Alex's", "a former member's"."""
        return f"{self.member}'s"

    def topic(self, side: str = "after") -> str:
        """The topic's title (as it is now) from the before or after side, else its number."""
        source = self.event.before if side == "before" else self.event.after
        topic_id = source.get("topic_id") if isinstance(source, dict) else None
        title = self.names.topics.get(topic_id)
        return f"“{title}”" if title else (f"topic {topic_id}" if topic_id else "a topic")

    def post_place(self) -> str:
        title = self.names.post_topics.get(self.value("post_id", None))
        return f" in “{title}”" if title else ""

    def category(self, side: str) -> str:
        source = self.event.before if side == "before" else self.event.after
        category_id = source.get("category_id") if isinstance(source, dict) else None
        return self.names.categories.get(category_id) or "a removed category"

    def days(self) -> str:
        days = self.value("days", None)
        return f" for {days} day{'' if days == 1 else 's'}" if days else ""


# (sentence, what the event's reason field holds: "reason", another label, or None when the
# sentence already says it or it only repeats the sentence)
Wording = tuple[Callable[[Entry], str], str | None]


def _topic_state(words: str) -> Wording:
    # The title as it was at the time is recorded; older rows fall back to the topic's title now.
    return (lambda e: words.format(f"“{e.value('title')}”" if e.value("title") else e.topic()), "reason")


def _bullet(verb: str) -> Wording:
    return (lambda e: f"{verb} eligibility line {e.value('bullet', '?')} of trial {e.event.reason}", None)


def _word_action(e: Entry) -> str:
    action = e.value("action")
    return WordAction(action).label.lower() if action in {a.value for a in WordAction} else action


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def _appealed(kind: str) -> str:
    return APPEALED.get(kind, "decision")


WORDING: dict[str, Wording] = {
    # accounts and roles (admins)
    "user.set_role": (lambda e: f"Made {e.member} {_a(e.value('role'))} (was {_a(e.old('role', 'unknown'))})",
                      "reason"),
    "user.suspend": (lambda e: f"Suspended {e.member}{e.days()}", "reason"),
    "user.unsuspend": (lambda e: f"Lifted {e.members} suspension", "reason"),
    "user.create_admin": (lambda e: f"Created the admin account {e.member} from the command line", None),
    # posts
    "post.auto_hide": (lambda e: f"Hid {e.members} post{e.post_place()} automatically", "why"),
    "post.approve": (lambda e: f"Approved {e.members} post{e.post_place()}", "reason"),
    "post.hide": (lambda e: f"Hid {e.members} post{e.post_place()}", "reason"),
    "post.unhide": (lambda e: f"Showed {e.members} post{e.post_place()} again", "reason"),
    "post.delete": (lambda e: f"Deleted {e.members} post{e.post_place()}", "reason"),
    "post.edit": (lambda e: f"Edited {e.members} post{e.post_place()} (the earlier text is kept)", "reason"),
    # the review queue
    "queue.claim": (lambda e: f"Took queue item {e.value('item_id', '?')} about {e.member}", None),
    "queue.escalate": (lambda e: f"Passed queue item {e.value('item_id', '?')} about {e.member} to an admin",
                       "reason"),
    "queue.resolve": (lambda e: f"Resolved queue item {e.value('item_id', '?')} about {e.member}: "
                                f"{RESOLVED.get(e.value('action'), e.value('action') or 'done')}", "reason"),
    # topics
    **{f"topic.{action}": _topic_state(words) for action, words in TOPIC_STATE_WORDS.items()},
    "topic.move": (lambda e: f"Moved the topic {e.topic()} from {e.category('before')} to {e.category('after')}",
                   "reason"),
    "topic.merge": (lambda e: f"Merged the topic “{e.old('title')}” ({e.old('posts', '?')} posts) "
                              f"into “{e.value('title')}”", "reason"),
    "topic.split": (lambda e: f"Moved {e.value('posts', '?')} replies from {e.topic('before')} "
                              f"into a new topic “{e.value('title')}”", "reason"),
    # members
    "member.warn": (lambda e: f"Warned {e.member}", "reason"),
    "member.silence": (lambda e: f"Silenced {e.member}{e.days()}", "reason"),
    "member.unsilence": (lambda e: f"Ended {e.members} silence early", "reason"),
    "appeal.open": (lambda e: f"{e.member} appealed against a {_appealed(e.value('kind'))}", "their message"),
    "appeal.upheld": (lambda e: f"Kept the {_appealed(e.old('action'))} that {e.member} appealed against", "reason"),
    "appeal.overturned": (lambda e: f"Overturned the {_appealed(e.old('action'))} that {e.member} appealed against, "
                                    "undoing it", "reason"),
    # watched words and helplines
    "watched_word.add": (lambda e: f"Added the watched word “{e.value('phrase')}” ({_word_action(e)})", None),
    "watched_word.remove": (lambda e: f"Removed the watched word “{e.value('phrase') or e.event.reason}”", None),
    "crisis_resource.add": (lambda e: f"Added the helpline {e.value('name')} for {e.value('country')}", None),
    "crisis_resource.remove": (lambda e: f"Removed the helpline {e.value('name')} for {e.value('country')}", None),
    # research news
    "article.publish": (lambda e: f"Published the article “{e.event.reason}”", None),
    "article.unpublish": (lambda e: f"Took the article “{e.event.reason}” off the site", None),
    "news.allow_writer": (lambda e: f"Let {e.member} write research news", None),
    "news.revoke_writer": (lambda e: f"Stopped {e.member} writing research news", None),
    # trial suggestions: consent (the member's own choice) and the catalogue's curation
    # Admins only (the Guardian hides trials.* and privacy.* from moderators); never the content.
    "privacy.consent_record_shown": (lambda e: f"Opened {e.members} trial-consent record, at their request", "reason"),
    "trials.criterion_added": (lambda e: f"Added a “{e.value('kind')}” criterion to trial {e.event.reason}", None),
    "trials.criterion_changed": (lambda e: f"Changed a “{e.value('kind')}” criterion of trial {e.event.reason}",
                                 None),
    "trials.criterion_removed": (lambda e: f"Removed a “{e.value('kind')}” criterion from trial {e.event.reason}",
                                 None),
    "trials.text_reread": (lambda e: f"Re-read the eligibility text of trial {e.event.reason}", None),
    **{f"trials.bullet_{action}": _bullet(verb) for action, verb in BULLET_REVIEW_WORDS.items()},
}


def _fallback(e: Entry) -> str:
    # A code without wording still reads as words ("test.action" -> "Test action"), never as JSON.
    words = e.event.action.replace(".", " ").replace("_", " ").strip().capitalize() or "Something happened"
    return f"{words} ({e.member})" if e.event.target_name else words


def sentence(entry: Entry) -> str:
    """The whole plain-language line for one event, with its reason (or message) at the end."""
    say, reason_label = WORDING.get(entry.event.action, (_fallback, "reason"))
    text = say(entry)
    reason = (entry.event.reason or "").strip()
    if reason and reason_label:
        text += f" — {reason_label}: {reason}"
    return text


def action_name(code: str) -> str:
    """A short name for an action code in the log's filter ("member.silence" -> "Member: silence")."""
    area, _dot, what = code.partition(".")
    return f"{area.replace('_', ' ').capitalize()}: {what.replace('_', ' ')}" if what else code


def describe(events: Iterable[AuditEvent]) -> dict[int, str]:
    """A sentence for each event, keyed by id; titles and names come in at most three queries."""
    events = list(events)
    topic_ids, post_ids, category_ids = set(), set(), set()
    for event in events:
        for side in (event.before, event.after):
            if isinstance(side, dict):
                topic_ids.update(v for k, v in side.items() if k == "topic_id" and isinstance(v, int))
                post_ids.update(v for k, v in side.items() if k == "post_id" and isinstance(v, int))
                category_ids.update(v for k, v in side.items() if k == "category_id" and isinstance(v, int))
    names = _Names()
    if topic_ids:
        names.topics = dict(db.session.execute(select(Topic.id, Topic.title).where(Topic.id.in_(topic_ids))).all())
    if post_ids:
        names.post_topics = dict(db.session.execute(
            select(Post.id, Topic.title).join(Topic, Post.topic_id == Topic.id).where(Post.id.in_(post_ids))).all())
    if category_ids:
        names.categories = dict(db.session.execute(
            select(Category.id, Category.name).where(Category.id.in_(category_ids))).all())
    return {event.id: sentence(Entry(event, names)) for event in events}
