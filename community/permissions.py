"""The Guardian: the one place that decides who may see and do what.

Rules are pure predicates over (user, object). Views call them for early 404s
(through the ``access`` decorator), services call ``ensure`` before changing
anything, and templates call them to show or hide controls.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import and_, false, or_, true

from community.errors import NotFound, PermissionDenied
from community.models.user import Role


class Guardian:
    """Answers every can_* question for one user (anonymous visitors included)."""

    def __init__(self, user: Any):
        self.user = user

    # -- who is asking -------------------------------------------------
    @property
    def is_member(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def is_staff(self) -> bool:
        return self.is_member and self.user.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.is_member and self.user.role == Role.ADMIN

    # -- accounts -------------------------------------------------------
    def can_view_admin(self) -> bool:
        """Only admins see the admin pages."""
        return self.is_admin

    def can_change_role(self, target: Any) -> bool:
        """Admins change other members' roles; never their own (no locking yourself out)."""
        return self.is_admin and target.id != self.user.id

    def can_suspend(self, target: Any) -> bool:
        """Admins suspend members and moderators, never another admin or themselves."""
        return self.is_admin and target.id != self.user.id and target.role != Role.ADMIN

    # -- health data ------------------------------------------------------
    def can_view_health_data(self, owner_id: int) -> bool:
        """Health data is owner-only: no staff exemption, ever."""
        return self.is_member and self.user.id == owner_id

    # -- tracking: check-ins, flares, treatments, labs (owner-only) --------
    def can_track(self) -> bool:
        """Any signed-in member keeps their own private health records."""
        return self.is_member

    def can_change_record(self, record: Any) -> bool:
        """Only the owner changes or deletes a health record; staff have no exemption."""
        return self.can_view_health_data(getattr(record, "user_id", None))

    def can_rate_symptom(self, symptom: Any) -> bool:
        """Catalogue symptoms are for everyone; a custom symptom only for the member who made it."""
        return self.is_member and symptom.owner_id in (None, self.user.id)

    # -- forums ---------------------------------------------------------------
    # Anything a member may not see answers 404 (ensure(..., hide=True)).
    # Who may see a topic or a post is written once: each predicate over loaded objects
    # has its SQL twin right below it, for the listings, search and notifications that
    # filter inside the query (as Discourse keeps can_see_topic? beside its SQL).
    # tests/unit/test_visibility_agreement.py checks every pair agrees on every state.
    # Held posts: the author sees their own (marked as waiting for review), staff see
    # all of them, nobody else does — in a topic, a listing and search alike.
    def can_view_topic(self, topic: Any) -> bool:
        """Members-only topics are for signed-in members; hidden topics for staff (and a held one for its author)."""
        if topic.members_only and not self.is_member:
            return False
        return topic.hidden_at is None or self.is_staff or self.can_see_held(topic)

    def visible_topics_sql(self, topic: Any = None) -> Any:
        """SQL twin of can_view_topic: a WHERE clause over ``topic`` (the Topic model or an alias)."""
        from community.models.forum import Topic

        topic = Topic if topic is None else topic
        conditions = []
        if not self.is_member:
            conditions.append(topic.members_only.is_(False))
        if not self.is_staff:
            conditions.append(or_(topic.hidden_at.is_(None), self._held_by_viewer_sql(topic)))
        return and_(true(), *conditions)

    def may_learn_topic_is_for_members(self, topic: Any) -> bool:
        """A signed-out visitor may be told a members-only topic exists (to sign in), never a hidden one."""
        return not self.is_member and topic.members_only and topic.hidden_at is None

    def can_view_post(self, post: Any, topic: Any) -> bool:
        """A post is seen where its topic is, unless hidden (staff still see it; its author a held one)."""
        return self.can_view_topic(topic) and (post.hidden_at is None or self.is_staff
                                               or self.can_see_held(post))

    def visible_posts_sql(self, post: Any = None, topic: Any = None) -> Any:
        """SQL twin of can_view_post, over ``post`` joined to its ``topic`` (models or aliases)."""
        from community.models.forum import Post

        post = Post if post is None else post
        conditions = [self.visible_topics_sql(topic)]
        if not self.is_staff:
            conditions.append(or_(post.hidden_at.is_(None), self._held_by_viewer_sql(post)))
        return and_(*conditions)

    def can_find_post(self, post: Any, topic: Any) -> bool:
        """Search results and notifications lead only to posts the viewer may see that are not deleted."""
        return post.deleted_at is None and self.can_view_post(post, topic)

    def findable_posts_sql(self, post: Any = None, topic: Any = None) -> Any:
        """SQL twin of can_find_post, over ``post`` joined to its ``topic`` (models or aliases)."""
        from community.models.forum import Post

        post = Post if post is None else post
        return and_(post.deleted_at.is_(None), self.visible_posts_sql(post, topic))

    def _held_by_viewer_sql(self, post_or_topic: Any) -> Any:
        """SQL twin of can_see_held for a viewer who is not staff: held, and written by them."""
        if not self.is_member:
            return false()
        return and_(post_or_topic.held_at.is_not(None), post_or_topic.author_id == self.user.id)

    def can_start_topic(self, category: Any) -> bool:
        """Any signed-in member may start a topic in any category, unless silenced."""
        return self.is_member and not self.is_silenced

    def can_reply(self, topic: Any) -> bool:
        """Members reply to topics they can see; a locked topic takes staff replies only."""
        return self.is_member and not self.is_silenced and self.can_view_topic(topic) and (
            topic.locked_at is None or self.is_staff)

    def can_edit_post(self, post: Any, topic: Any) -> bool:
        """Authors edit their own live posts while the topic is open."""
        return (self.is_member and not self.is_silenced and post.author_id == self.user.id
                and post.deleted_at is None and post.hidden_at is None and topic.locked_at is None
                and self.can_view_topic(topic))

    def can_delete_post(self, post: Any, topic: Any) -> bool:
        """Authors delete their own posts (softly: the place in the topic stays)."""
        return (self.is_member and post.author_id == self.user.id and post.deleted_at is None
                and self.can_view_topic(topic))

    def can_view_edit_history(self, post: Any, topic: Any) -> bool:
        """Moderators and admins see earlier versions of edited posts."""
        return self.is_staff and self.can_view_topic(topic)

    def can_react(self, post: Any, topic: Any) -> bool:
        """Members react to other members' live posts they can see."""
        return (self.is_member and post.author_id != self.user.id and post.deleted_at is None
                and self.can_view_post(post, topic))

    def can_watch_topic(self, topic: Any) -> bool:
        """Members follow topics they can see."""
        return self.is_member and self.can_view_topic(topic)

    def can_watch_category(self, category: Any) -> bool:
        """Members follow any category."""
        return self.is_member

    def can_manage_categories(self) -> bool:
        """Admins add and edit forum categories."""
        return self.is_admin

    def can_skip_posting_limits(self) -> bool:
        """Staff are not held by cooldowns and new-member limits."""
        return self.is_staff

    # -- private messages and blocks ----------------------------------------------
    # Conversations are the participants' alone: no staff exemption. Staff see a message
    # only as the snapshot a participant's report puts in the review queue.
    def can_read_conversation(self, participant: Any) -> bool:
        """Only a current participant (their row in the conversation, or None) reads it."""
        return (self.is_member and participant is not None and participant.user_id == self.user.id
                and participant.left_at is None)

    def can_start_conversations(self, established: bool) -> bool:
        """Members write privately once established (a first post approved, or a few days in); never while silenced."""
        return self.is_member and not self.is_silenced and (established or self.is_staff)

    def can_message(self, recipient: Any, blocked_by_recipient: bool) -> bool:
        """A member sends to another member who has not blocked them (and is not suspended)."""
        return (self.is_member and not self.is_silenced and recipient.id != self.user.id
                and not blocked_by_recipient and not recipient.is_suspended())

    def can_send_in(self, participant: Any, blocked_by_someone_there: bool) -> bool:
        """A participant writes in a conversation unless silenced or one of the others blocked them."""
        return self.can_read_conversation(participant) and not self.is_silenced and not blocked_by_someone_there

    def can_report_message(self, message: Any, participant: Any) -> bool:
        """A participant reports someone else's message in their conversation."""
        return (self.can_read_conversation(participant) and message.conversation_id == participant.conversation_id
                and message.sender_id is not None and message.sender_id != self.user.id)

    def can_block(self, target: Any) -> bool:
        """Members block other members; staff cannot be blocked (members must be able to hear from them)."""
        return self.is_member and target.id != self.user.id and target.role == Role.MEMBER

    # -- bookmarks and ignoring (the member's own, never seen by anyone else) ---------
    def can_bookmark(self, post: Any, topic: Any) -> bool:
        """Members bookmark live posts they can see."""
        return self.is_member and post.deleted_at is None and self.can_view_post(post, topic)

    def can_ignore(self, target: Any) -> bool:
        """Members ignore other members; not staff, whose notes and warnings must reach everyone."""
        return self.can_block(target)

    # -- research news ---------------------------------------------------------
    def can_write_articles(self, granted: bool) -> bool:
        """Admins write articles; moderators only once an admin has allowed them (``granted``)."""
        return self.is_admin or (self.is_staff and granted)

    def can_read_article(self, article: Any, is_writer: bool) -> bool:
        """Published articles are for everyone; drafts only for those who write."""
        return article.is_published or (is_writer and self.can_write_articles(True))

    def can_manage_writers(self) -> bool:
        """Only admins decide which moderators may write articles."""
        return self.is_admin

    # -- trial suggestions (consent, matches and interest are owner-only) -----
    def can_use_trial_suggestions(self) -> bool:
        """Any signed-in member may opt in to trial suggestions for themselves."""
        return self.is_member

    def can_view_trial_interest(self, interest: Any) -> bool:
        """A pre-screening summary is its owner's health data: no staff exemption."""
        return self.can_view_health_data(getattr(interest, "user_id", None))

    def can_curate_trials(self) -> bool:
        """Admins curate the trial catalogue's structured criteria."""
        return self.is_admin

    def can_disclose_consent_record(self) -> bool:
        """Only an admin, answering the member's own request, sees one member's consent record."""
        return self.is_admin

    def staff_log_hidden_prefixes(self) -> tuple[str, ...]:
        """Staff-log actions this viewer may not see. Trials curation and consent disclosures
        touch who seeks trials: moderators, who work the forums, have no need to know."""
        return () if self.is_admin else ("trials.", "privacy.")

    # -- community insights (aggregates only; consent is the member's own) ------
    def can_contribute_to_insights(self) -> bool:
        """Any signed-in member decides, for themselves only, whether their records are counted."""
        return self.is_member

    def can_view_insights(self) -> bool:
        """Signed-in members read the aggregates; staff see exactly what members see, nothing more."""
        return self.is_member

    # -- moderation -------------------------------------------------------------
    @property
    def is_silenced(self) -> bool:
        is_silenced = getattr(self.user, "is_silenced", None)
        return self.is_member and callable(is_silenced) and is_silenced()

    def can_see_held(self, post_or_topic: Any) -> bool:
        """A post (or topic) waiting for approval is seen by its author and staff."""
        return (getattr(post_or_topic, "held_at", None) is not None and self.is_member
                and (self.is_staff or post_or_topic.author_id == self.user.id))

    def can_report_post(self, post: Any, topic: Any) -> bool:
        """Members report live posts they can see, except their own."""
        return (self.is_member and post.author_id != self.user.id and post.deleted_at is None
                and self.can_view_post(post, topic))

    def can_report_member(self, target: Any) -> bool:
        """Members report other members."""
        return self.is_member and target.id != self.user.id

    def can_moderate(self) -> bool:
        """Moderators and admins work the review queue, topic tools, lookup and staff log."""
        return self.is_staff

    def can_handle_item(self, item: Any) -> bool:
        """Staff handle queue items; an escalated item is for admins."""
        return self.is_staff and (item.escalated_at is None or self.is_admin)

    def can_sanction(self, target: Any) -> bool:
        """Moderators warn, silence and suspend members; admins also moderators; nobody an admin or themselves."""
        if not self.is_staff or target.id == self.user.id or target.role == Role.ADMIN:
            return False
        return target.role == Role.MEMBER or self.is_admin

    def can_manage_watched_words(self) -> bool:
        """Only admins change watched words."""
        return self.is_admin

    def can_manage_crisis_helplines(self) -> bool:
        """Only admins change the crisis helplines shown to members."""
        return self.is_admin

    def can_view_own_action(self, action: Any) -> bool:
        """A moderation action on a member is seen (and may be appealed) by that member alone."""
        return self.is_member and action.user_id == self.user.id

    def can_appeal(self, action: Any, already_appealed: bool) -> bool:
        """A member appeals each action taken on them once."""
        return self.can_view_own_action(action) and not already_appealed

    def can_decide_appeals(self) -> bool:
        """Appeals go to admins."""
        return self.is_admin

    def is_writer(self, has_grant: Callable[[], bool]) -> bool:
        """Admins always write research news; moderators once an admin has allowed them.

        ``has_grant`` looks the allowance up, and is asked only for moderators.
        """
        return self.is_admin or (self.is_staff and has_grant())

    # -- enforcement --------------------------------------------------------
    def ensure(self, allowed: bool, *, hide: bool = False) -> None:
        """Raise unless allowed; ``hide`` answers 404 so the thing's existence is not confirmed."""
        if not allowed:
            raise NotFound() if hide else PermissionDenied()


def guardian() -> Guardian:
    """The Guardian for whoever is making the current request."""
    return Guardian(current_user)


# Every route declares who may reach it; tests walk app.url_map and fail on a
# view without one. Object-level rules (whose data, which topic) are checked
# by the services through the Guardian.
PUBLIC = "public"
ANONYMOUS_ONLY = "anonymous-only"
MEMBER = "member"
STAFF = "staff"
ADMIN = "admin"

_role_checks: dict[str, Callable[[Guardian], bool]] = {
    STAFF: lambda g: g.is_staff,
    ADMIN: lambda g: g.is_admin,
}


def access(rule: str):
    """Declare and enforce a route's access rule."""

    def decorate(view):
        if rule in (PUBLIC, ANONYMOUS_ONLY):
            wrapped = view
        elif rule == MEMBER:
            wrapped = login_required(view)
        elif rule in _role_checks:
            check = _role_checks[rule]

            @wraps(view)
            def role_guarded(*args, **kwargs):
                if not check(guardian()):
                    abort(404)  # staff pages don't admit they exist
                return view(*args, **kwargs)

            wrapped = login_required(role_guarded)
        else:
            raise ValueError(f"unknown access rule {rule!r}")
        wrapped.access_rule = rule
        return wrapped

    return decorate
