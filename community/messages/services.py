"""Private conversations: starting, replying, reading, leaving, reporting, blocking.

Every function loads what it needs, asks the Guardian and commits once. Reading a
conversation is for its current participants only (404 for anyone else, staff
included). A reported message reaches the review queue as a snapshot of it and up
to 10 messages before it; that snapshot is all staff ever see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, exists, func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from community import mail, rendering
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.forum.common import FORMER_MEMBER
from community.forum.posting import render_post
from community.models import User
from community.models.forum import Post
from community.models.messages import (
    Conversation,
    ConversationMember,
    MemberBlock,
    Message,
    MessagePreference,
)
from community.moderation import reports as moderation
from community.moderation import screening
from community.permissions import Guardian

SUBJECT_MAX = 150
MAX_RECIPIENTS = 10
REPORT_CONTEXT = 10  # messages before the reported one that staff see with it


def _config(name: str) -> Any:
    return current_app.config[name]


# -- who may write to whom ------------------------------------------------------------

def is_established(user: Any, now: datetime | None = None) -> bool:
    """A member past the new-member wait: a first post approved, or enough days since joining."""
    now = now or utcnow()
    if user.created_at <= now - timedelta(days=_config("MESSAGES_NEW_MEMBER_DAYS")):
        return True
    return db.session.scalar(select(exists().where(
        Post.author_id == user.id, Post.held_at.is_(None), Post.hidden_at.is_(None),
        Post.deleted_at.is_(None)))) or False


def _blocked_by(sender_id: int, user_ids: list[int]) -> set[int]:
    """Which of these members have blocked the sender (one query)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(select(MemberBlock.blocker_id).where(
        MemberBlock.blocked_id == sender_id, MemberBlock.blocker_id.in_(user_ids))))


def has_blocked(blocker: Any, target_id: int) -> bool:
    """Whether this member has blocked that one (for the profile's button)."""
    return bool(getattr(blocker, "is_authenticated", False)) and db.session.scalar(select(exists().where(
        MemberBlock.blocker_id == blocker.id, MemberBlock.blocked_id == target_id))) or False


def ensure_may_start(user: Any) -> None:
    """Say plainly why a member can't start a conversation yet, instead of a bare 404."""
    guardian = Guardian(user)
    if guardian.is_silenced:
        raise ValidationFailed("You can't send messages while your account is silenced. "
                               "Your moderation history says why and until when.")
    if not guardian.can_start_conversations(is_established(user)):
        days = _config("MESSAGES_NEW_MEMBER_DAYS")
        raise ValidationFailed(f"New members can send private messages once their first forum post is "
                               f"approved, or {days} days after joining. Until then you can talk in the forums.")


def _check_daily_limit(user: User, now: datetime) -> None:
    if Guardian(user).can_skip_posting_limits():
        return
    limit = _config("MESSAGES_NEW_CONVERSATIONS_PER_DAY")
    started = db.session.scalar(select(func.count(Conversation.id)).where(
        Conversation.created_by_id == user.id, Conversation.created_at > now - timedelta(days=1))) or 0
    if started >= limit:
        raise ValidationFailed(f"You can start {limit} new conversation{'s' if limit != 1 else ''} a day. "
                               "Please reply in one you "
                               "already have, or send this tomorrow; what you wrote is still here.",
                               field="to")


def _recipients(sender: User, names: str) -> list[User]:
    wanted = {n.strip().lower() for n in (names or "").split(",") if n.strip()}
    if not wanted:
        raise ValidationFailed("Please say who the message is for (their display name).", field="to")
    if len(wanted) > MAX_RECIPIENTS:
        raise ValidationFailed(f"A conversation can include up to {MAX_RECIPIENTS} other members.", field="to")
    found = list(db.session.scalars(select(User).where(func.lower(User.display_name).in_(sorted(wanted)))))
    unknown = wanted - {u.display_name.lower() for u in found}
    if unknown:
        raise ValidationFailed("There is no member called " + ", ".join(sorted(unknown))
                               + ". Please check the spelling of the display name.", field="to")
    found = [u for u in found if u.id != sender.id]
    if not found:
        raise ValidationFailed("Please add someone other than yourself.", field="to")
    guardian = Guardian(sender)
    blocked = _blocked_by(sender.id, [u.id for u in found])
    refused = [u.display_name for u in found if not guardian.can_message(u, u.id in blocked)]
    if refused:
        # The same words whether it is a block or a suspension: a block is never announced.
        raise ValidationFailed(", ".join(refused) + " can't receive your messages. Please remove "
                               + ("them" if len(refused) > 1 else "this name") + " to send.", field="to")
    return sorted(found, key=lambda u: u.id)


def _clean_body(body: str) -> str:
    return rendering.written_body(body, limit=_config("FORUM_MAX_POST_CHARS"), noun="a message",
                                  empty="Please write a message before sending.")


def _clean_subject(subject: str) -> str:
    subject = " ".join(rendering.clean_text(subject or "").split())
    if not subject:
        raise ValidationFailed("Please give the conversation a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationFailed(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    return subject


def _screen(body: str) -> tuple[str, screening.Verdict]:
    """Watched words: "block" refuses the message, "replace" changes the words.

    Hold and flag would put the message before staff, who may not read conversations;
    they stay unused here, and a participant's report is what brings staff in.
    """
    verdict = screening.screen_text(body, screening.load_rules())
    if verdict.blocked:
        raise ValidationFailed(verdict.blocked.replace("Posts here", "Messages"), field="body")
    return verdict.text, verdict


def _never_talked(sender_id: int, user_ids: list[int]) -> bool:
    """Whether any of these members has never shared a conversation with the sender."""
    mine = aliased(ConversationMember)
    theirs = aliased(ConversationMember)
    known = set(db.session.scalars(
        select(theirs.user_id).join(mine, and_(mine.conversation_id == theirs.conversation_id,
                                               mine.user_id == sender_id))
        .where(theirs.user_id.in_(user_ids))))
    return bool(set(user_ids) - known)


def _add_message(conversation: Conversation, sender: User, body: str, *, links_as_text: bool,
                 now: datetime) -> Message:
    body, verdict = _screen(body)
    rendered = render_post(body)
    html = rendering.links_as_text(rendered.html) if links_as_text and rendered.link_count else rendered.html
    message = Message(conversation_id=conversation.id, sender_id=sender.id, body_raw=body, body_html=html,
                      created_at=now, links_as_text=links_as_text and rendered.link_count > 0)
    db.session.add(message)
    db.session.flush()
    # Atomic SQL, not read-modify-write: concurrent replies each count, and the newest id wins.
    newer = Conversation.last_message_id < message.id
    db.session.execute(update(Conversation).where(Conversation.id == conversation.id).values(
        message_count=Conversation.message_count + 1,
        last_message_id=case((newer, message.id), else_=Conversation.last_message_id),
        last_message_at=case((newer, now), else_=Conversation.last_message_at))
        .execution_options(synchronize_session=False))
    message._screening = verdict  # the view offers support if crisis words were written
    return message


def _email_recipients(conversation: Conversation, sender: User, previous_last_id: int) -> None:
    """Email each participant who had read everything before this message and wants emails.

    One email per unread spell, not per message; it says only that there is a message.
    """
    rows = db.session.execute(
        select(User, MessagePreference.email_new_messages)
        .join(ConversationMember, ConversationMember.user_id == User.id)
        .outerjoin(MessagePreference, MessagePreference.user_id == User.id)
        .where(ConversationMember.conversation_id == conversation.id, ConversationMember.left_at.is_(None),
               ConversationMember.user_id != sender.id,
               ConversationMember.last_read_message_id >= previous_last_id)).all()
    link = mail.external_url("messages.conversation", conversation_id=conversation.id)
    for user, wants in rows:
        if wants is not False and user.is_verified and not user.is_suspended():
            mail.queue(user.email, "new_message", user=user, link=link,
                       settings_url=mail.external_url("messages.settings"))


# -- writing -----------------------------------------------------------------------------

def start_conversation(sender: User, *, to: str, subject: str, body: str) -> Message:
    """Open a conversation with one or more members and send its first message."""
    ensure_may_start(sender)
    recipients = _recipients(sender, to)
    subject = _clean_subject(subject)
    body = _clean_body(body)
    now = utcnow()
    _check_daily_limit(sender, now)
    stranger = _never_talked(sender.id, [u.id for u in recipients])
    conversation = Conversation(subject=subject, created_by_id=sender.id, created_at=now,
                                last_message_at=now, last_message_id=0, message_count=0)
    db.session.add(conversation)
    db.session.flush()
    db.session.add_all([ConversationMember(conversation_id=conversation.id, user_id=u.id, joined_at=now,
                                           last_read_message_id=0) for u in [sender, *recipients]])
    message = _add_message(conversation, sender, body, links_as_text=stranger, now=now)
    db.session.execute(update(ConversationMember).where(
        ConversationMember.conversation_id == conversation.id, ConversationMember.user_id == sender.id)
        .values(last_read_message_id=message.id))
    _email_recipients(conversation, sender, 0)
    db.session.commit()
    return message


def _participant(user_id: int, conversation_id: int) -> ConversationMember | None:
    return db.session.scalar(select(ConversationMember).where(
        ConversationMember.conversation_id == conversation_id, ConversationMember.user_id == user_id))


def _open(viewer: Any, conversation_id: int) -> tuple[Guardian, Conversation, ConversationMember]:
    guardian = Guardian(viewer)
    participant = _participant(viewer.id, conversation_id) if guardian.is_member else None
    guardian.ensure(guardian.can_read_conversation(participant), hide=True)
    conversation = db.session.get(Conversation, conversation_id)
    return guardian, conversation, participant


def _others(conversation_id: int, user_id: int) -> list[int]:
    return list(db.session.scalars(select(ConversationMember.user_id).where(
        ConversationMember.conversation_id == conversation_id, ConversationMember.user_id != user_id,
        ConversationMember.left_at.is_(None))))


def reply(sender: User, conversation_id: int, *, body: str) -> Message:
    """Add a message to a conversation the sender is in; the others are told by email."""
    guardian, conversation, participant = _open(sender, conversation_id)
    if guardian.is_silenced:
        raise ValidationFailed("You can't send messages while your account is silenced.", field="body")
    others = _others(conversation_id, sender.id)
    if not others:
        raise ValidationFailed("Everyone else has left this conversation, so nobody would read a reply.",
                               field="body")
    if not guardian.can_send_in(participant, bool(_blocked_by(sender.id, others))):
        raise ValidationFailed("You can't send messages in this conversation.", field="body")
    body = _clean_body(body)
    previous = conversation.last_message_id
    message = _add_message(conversation, sender, body, links_as_text=False, now=utcnow())
    participant.last_read_message_id = message.id
    _email_recipients(conversation, sender, previous)
    db.session.commit()
    return message


def leave(user: User, conversation_id: int) -> None:
    """Leave a conversation: it goes from the member's inbox and they stop hearing of it."""
    _guardian, _conversation, participant = _open(user, conversation_id)
    participant.left_at = utcnow()
    db.session.commit()


# -- reading -------------------------------------------------------------------------------

@dataclass
class MessageRow:
    message: Message
    sender_name: str | None

    @property
    def author_name(self) -> str:
        return self.sender_name or FORMER_MEMBER


@dataclass
class ParticipantRow:
    user_id: int
    display_name: str
    left_at: datetime | None


@dataclass
class ConversationPage:
    conversation: Conversation
    participants: list[ParticipantRow]
    messages: list[MessageRow]
    page: int
    pages: int
    may_send: bool


def _participant_rows(conversation_ids: list[int]) -> dict[int, list[ParticipantRow]]:
    by_conversation: dict[int, list[ParticipantRow]] = {i: [] for i in conversation_ids}
    if conversation_ids:
        for conversation_id, user_id, name, left_at in db.session.execute(
                select(ConversationMember.conversation_id, User.id, User.display_name, ConversationMember.left_at)
                .join(User, ConversationMember.user_id == User.id)
                .where(ConversationMember.conversation_id.in_(conversation_ids))
                .order_by(ConversationMember.id)):
            by_conversation[conversation_id].append(ParticipantRow(user_id, name, left_at))
    return by_conversation


def read_conversation(viewer: Any, conversation_id: int, page: int | None = None) -> ConversationPage:
    """One page of a conversation, oldest first (the last page by default), marked read.

    A bounded number of queries whatever its length: the participant row, the
    conversation, its participants, one page of messages with their senders' names.
    """
    guardian, conversation, participant = _open(viewer, conversation_id)
    per_page = _config("MESSAGES_PER_PAGE")
    pages = max(1, -(-conversation.message_count // per_page))
    page = pages if page is None else max(1, min(page, pages))
    sender = aliased(User)
    rows = [MessageRow(m, name) for m, name in db.session.execute(
        select(Message, sender.display_name).outerjoin(sender, Message.sender_id == sender.id)
        .where(Message.conversation_id == conversation.id).order_by(Message.id)
        .offset((page - 1) * per_page).limit(per_page))]
    participants = _participant_rows([conversation.id])[conversation.id]
    others = [p.user_id for p in participants if p.user_id != viewer.id and p.left_at is None]
    may_send = guardian.can_send_in(participant, bool(_blocked_by(viewer.id, others))) and bool(others)
    if participant.last_read_message_id < conversation.last_message_id:
        db.writing()
        # Forward only: a slower request that read less must not move the marker back.
        db.session.execute(update(ConversationMember).where(
            ConversationMember.id == participant.id,
            ConversationMember.last_read_message_id < conversation.last_message_id)
            .values(last_read_message_id=conversation.last_message_id)
            .execution_options(synchronize_session=False))
        db.session.commit()
    return ConversationPage(conversation, participants, rows, page, pages, may_send)


@dataclass
class InboxRow:
    conversation: Conversation
    unread: bool
    others: list[str]


def inbox(viewer: Any) -> list[InboxRow]:
    """The member's conversations, newest activity first: two queries however many there are."""
    guardian = Guardian(viewer)
    guardian.ensure(guardian.is_member, hide=True)
    rows = db.session.execute(
        select(Conversation, ConversationMember.last_read_message_id)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(ConversationMember.user_id == viewer.id, ConversationMember.left_at.is_(None))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(_config("MESSAGES_INBOX_SIZE"))).all()
    names = _participant_rows([c.id for c, _ in rows])
    return [InboxRow(c, read < c.last_message_id,
                     [p.display_name for p in names[c.id] if p.user_id != viewer.id and p.left_at is None])
            for c, read in rows]


def unread_query(viewer: Any) -> Select | None:
    """Conversations with a message the member hasn't seen: one plain count, for the header's
    one query (community/header.py)."""
    if not Guardian(viewer).is_member:
        return None
    return (select(func.count(ConversationMember.id))
            .join(Conversation, ConversationMember.conversation_id == Conversation.id)
            .where(ConversationMember.user_id == viewer.id, ConversationMember.left_at.is_(None),
                   Conversation.last_message_id > ConversationMember.last_read_message_id))


def composer_recipient(viewer: Any, user_id: int | None) -> str:
    """The display name to start the "To" field with (from a profile or a post), if any."""
    if user_id is None:
        return ""
    user = db.session.get(User, user_id)
    return user.display_name if user is not None and user.id != viewer.id else ""


# -- reporting -----------------------------------------------------------------------------

def report_target(viewer: Any, message_id: int) -> tuple[Message, Conversation, str]:
    """A message the viewer may report, its conversation and its sender's name (404 otherwise)."""
    guardian = Guardian(viewer)
    message = db.session.get(Message, message_id)
    if message is None:
        raise NotFound()
    participant = _participant(viewer.id, message.conversation_id) if guardian.is_member else None
    guardian.ensure(guardian.can_report_message(message, participant), hide=True)
    sender = db.session.get(User, message.sender_id)
    return message, db.session.get(Conversation, message.conversation_id), sender.display_name


def _snapshot(message: Message) -> str:
    """The reported message and up to REPORT_CONTEXT before it, as plain lines for staff."""
    sender = aliased(User)
    rows = db.session.execute(
        select(Message, sender.display_name).outerjoin(sender, Message.sender_id == sender.id)
        .where(Message.conversation_id == message.conversation_id, Message.id <= message.id)
        .order_by(Message.id.desc()).limit(REPORT_CONTEXT + 1)).all()
    parts = []
    for row, name in reversed(rows):
        marker = "  ← reported" if row.id == message.id else ""
        parts.append(f"{name or FORMER_MEMBER}, {row.created_at:%Y-%m-%d %H:%M} UTC{marker}\n{row.body_raw}")
    return "\n\n---\n\n".join(parts)


def report_message(reporter: User, message_id: int, reason: str, note: str = ""):
    """Report a message: it and up to 10 before it go to the review queue, and only they."""
    message, _conversation, _name = report_target(reporter, message_id)
    return moderation.report_message(reporter, message.id, message.sender_id, _snapshot(message),
                                     reason, note)


# -- blocks ----------------------------------------------------------------------------------

def block_target(viewer: Any, user_id: int) -> User:
    """A member the viewer may block (404 otherwise)."""
    guardian = Guardian(viewer)
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound()
    guardian.ensure(guardian.can_block(target), hide=True)
    return target


def set_block(user: User, user_id: int, blocked: bool) -> User:
    """Block (or unblock) a member; they are not told either way."""
    target = block_target(user, user_id)
    existing = db.session.scalar(select(MemberBlock).where(MemberBlock.blocker_id == user.id,
                                                           MemberBlock.blocked_id == target.id))
    if blocked and existing is None:
        db.session.add(MemberBlock(blocker_id=user.id, blocked_id=target.id, created_at=utcnow()))
    elif not blocked and existing is not None:
        db.session.delete(existing)
    db.session.commit()
    return target


def blocked_members(user: User) -> list[User]:
    """The members this member has blocked, by name."""
    return list(db.session.scalars(select(User).join(MemberBlock, MemberBlock.blocked_id == User.id)
                                   .where(MemberBlock.blocker_id == user.id).order_by(User.display_name)))


# -- settings -----------------------------------------------------------------------------------

def wants_email(user: User) -> bool:
    """Whether the member is emailed about new messages (yes until they say otherwise)."""
    preference = db.session.get(MessagePreference, user.id)
    return preference is None or preference.email_new_messages


def set_wants_email(user: User, wanted: bool) -> None:
    """Turn new-message emails on or off."""
    preference = db.session.get(MessagePreference, user.id)
    if preference is None:
        db.session.add(MessagePreference(user_id=user.id, email_new_messages=bool(wanted)))
    else:
        preference.email_new_messages = bool(wanted)
    db.session.commit()

