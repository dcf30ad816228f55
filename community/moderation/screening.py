"""Screening a post before it is stored: watched words, crisis phrases, new-member approval.

``screen_text`` is pure (text and rules in, a verdict out) so the rules are easy
to test. ``screen_post`` and ``screen_edit`` are the forum's hooks: they load the
rules, apply the verdict to the post and put what needs a look in the review
queue, all inside the forum's transaction, and return a ``Screening``. They never
commit or roll back: the forum owns the transaction and, for a blocked post, rolls
it back itself. The dependency runs one way, forum -> moderation.

Crisis phrases never block a post: the author is offered support and an urgent
"member at risk" item goes to the queue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from community.db import db, utcnow
from community.models.forum import Post, Topic
from community.models.moderation import ItemKind, QueueItem, WatchedWord, WordAction
from community.permissions import Guardian

# Built-in crisis phrases (admins add more as "crisis" watched words). Matched as
# whole words, case-insensitively, with any spacing; a false alarm costs a
# moderator a look, a miss could cost far more.
DEFAULT_CRISIS_PHRASES = (
    "suicide", "suicidal", "kill myself", "killing myself", "end my life", "ending my life",
    "take my own life", "want to die", "wish i was dead", "wish i were dead", "better off dead",
    "no reason to live", "self harm", "self-harm", "self harming", "hurt myself", "cut myself",
    "overdose on purpose",
)


@dataclass(frozen=True)
class Rule:
    phrase: str
    action: str
    message: str = ""
    replacement: str = ""


@dataclass
class Verdict:
    text: str
    blocked: str | None = None  # the message to show, when a "block" word matched
    held: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    crisis: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Screening:
    """What screening decided about a new post or an edit, returned to the forum that acts on it."""

    text: str  # the body as it may be stored ("replace" words already replaced)
    blocked: str | None = None  # a message for the author: nothing of the post may be stored
    blocked_field: str = "body"  # "title" when it was the new topic's title that matched
    held: bool = False  # waiting for a moderator's approval: only its author and staff see it
    crisis: tuple[str, ...] = ()  # crisis words written: the author is offered support first


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern for a phrase; any run of spaces or dashes matches."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", phrase.strip()) if p]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def screen_text(text: str, rules: Iterable[Rule]) -> Verdict:
    """Apply watched-word rules and crisis phrases to a text; replacements are made in the result."""
    verdict = Verdict(text=text)
    for rule in rules:
        pattern = phrase_pattern(rule.phrase)
        if not pattern.search(verdict.text):
            continue
        if rule.action == WordAction.BLOCK and verdict.blocked is None:
            verdict.blocked = rule.message or (
                f"Posts here can't include “{rule.phrase}”. Please change it; what you wrote is still here.")
        elif rule.action == WordAction.HOLD:
            verdict.held.append(rule.phrase)
        elif rule.action == WordAction.FLAG:
            verdict.flagged.append(rule.phrase)
        elif rule.action == WordAction.REPLACE:
            verdict.text = pattern.sub(rule.replacement, verdict.text)
            verdict.replaced.append(rule.phrase)
        elif rule.action == WordAction.CRISIS:
            verdict.crisis.append(rule.phrase)
    for phrase in DEFAULT_CRISIS_PHRASES:
        if phrase not in verdict.crisis and phrase_pattern(phrase).search(verdict.text):
            verdict.crisis.append(phrase)
    return verdict


def load_rules() -> list[Rule]:
    """The admins' watched words, blocks first so a blocked post stops before anything else."""
    order = {WordAction.BLOCK: 0, WordAction.REPLACE: 1}
    rows = db.session.scalars(select(WatchedWord).order_by(WatchedWord.id)).all()
    rules = [Rule(w.phrase, w.action, w.message, w.replacement) for w in rows]
    return sorted(rules, key=lambda r: order.get(r.action, 2))


def _needs_approval(author: Any, post: Post) -> bool:
    """A member's first N posts wait for approval (staff never do)."""
    limit = current_app.config["MODERATION_HOLD_FIRST_POSTS"]
    if not limit or Guardian(author).is_staff:
        return False
    approved = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == author.id, Post.held_at.is_(None), Post.id != post.id)) or 0
    return approved < limit


def snapshot(post: Post, topic: Any) -> str:
    """The words a queue item keeps of a post; an opening post's include its topic's title.

    One shape for every item, so comparing with the post as it is now shows only real changes.
    """
    return f"{topic.title}\n\n{post.body_raw}" if post.number == 1 else post.body_raw


def _queue(post: Post, topic: Any, author: Any, verdict: Verdict, held_new_member: bool) -> QueueItem | None:
    reasons = []
    if verdict.crisis:
        reasons.append("Crisis words: " + ", ".join(verdict.crisis))
    if held_new_member:
        reasons.append("One of a new member's first posts")
    if verdict.held:
        reasons.append("Held for the watched words: " + ", ".join(verdict.held))
    if verdict.flagged:
        reasons.append("Watched words: " + ", ".join(verdict.flagged))
    if not reasons:
        return None
    kind = (ItemKind.CRISIS if verdict.crisis else
            ItemKind.HELD if (held_new_member or verdict.held) else ItemKind.FLAG)
    item = db.session.scalar(select(QueueItem).where(QueueItem.post_id == post.id,
                                                     QueueItem.resolved_at.is_(None)))
    if item is None:
        item = QueueItem(kind=kind.value, urgent=bool(verdict.crisis), post_id=post.id,
                         subject_id=author.id, summary="; ".join(reasons), snapshot=snapshot(post, topic),
                         created_at=utcnow())
        db.session.add(item)
    else:
        item.urgent = item.urgent or bool(verdict.crisis)
        item.summary = "; ".join(filter(None, [item.summary, *reasons]))
        if verdict.crisis:
            item.kind = ItemKind.CRISIS.value
    return item


def screen_post(author: Any, post: Post, topic: Any, render: Callable[[str], Any]) -> Screening:
    """The forum's hook for a new post (already flushed): block, replace, hold, flag, offer support.

    A blocked post is left untouched and nothing is queued; the forum rolls it back.
    """
    rules = load_rules()
    verdict = screen_text(post.body_raw, rules)
    title_verdict = screen_text(topic.title, rules) if post.number == 1 else Verdict(text="")
    if verdict.blocked or title_verdict.blocked:
        return Screening(text=post.body_raw, blocked=verdict.blocked or title_verdict.blocked,
                         blocked_field="body" if verdict.blocked else "title")
    if verdict.replaced:
        rendered = render(verdict.text)
        post.body_raw, post.body_html, post.body_text = verdict.text, rendered.html, rendered.text
    if post.number == 1 and title_verdict.replaced:
        topic.title = title_verdict.text
    for name in ("held", "flagged", "crisis"):
        getattr(verdict, name).extend(p for p in getattr(title_verdict, name)
                                      if p not in getattr(verdict, name))
    held_new_member = _needs_approval(author, post)
    held = held_new_member or bool(verdict.held)
    if held:
        now = utcnow()
        post.held_at = post.hidden_at = now
        if post.number == 1:
            topic.held_at = topic.hidden_at = now
    _queue(post, topic, author, verdict, held_new_member)
    return Screening(text=verdict.text, held=held, crisis=tuple(verdict.crisis))


def screen_edit(editor: Any, post: Post, body: str) -> Screening:
    """The forum's hook for an edit: block and replace apply; flags and crisis words reach the queue."""
    verdict = screen_text(body, load_rules())
    if verdict.blocked:
        return Screening(text=body, blocked=verdict.blocked)
    # Holding an already public post would only confuse: hold words don't apply to edits.
    topic = db.session.get(Topic, post.topic_id)  # already loaded by the forum: no query
    _queue(post, topic, editor, Verdict(text=verdict.text, flagged=verdict.flagged, crisis=verdict.crisis), False)
    return Screening(text=verdict.text, crisis=tuple(verdict.crisis))


def verdict_of(obj: Any) -> Verdict | None:
    """What screening decided about a private message just sent in this request (messages set
    ``_screening``; forum posts no longer do: posting returns its Screening instead)."""
    return getattr(obj, "_screening", None)


# -- crisis helplines by country ---------------------------------------------------------

_zone_countries: dict[str, str] | None = None


def country_for_time_zone(zone: str | None) -> str | None:
    """The ISO country of an IANA time zone (from tzdata's zone.tab), or None."""
    global _zone_countries
    if _zone_countries is None:
        _zone_countries = {}
        try:
            from importlib.resources import files

            table = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
        except (ModuleNotFoundError, FileNotFoundError, OSError):
            try:
                with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as handle:
                    table = handle.read()
            except OSError:
                table = ""
        for line in table.splitlines():
            if line and not line.startswith("#"):
                parts = line.split("\t")
                if len(parts) >= 3:
                    _zone_countries[parts[2]] = parts[0]
    return _zone_countries.get(zone or "")
