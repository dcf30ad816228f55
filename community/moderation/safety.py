"""Watched words and crisis helplines (admins), and the helplines shown to members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from community import audit
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.moderation import (
    CrisisResource,
    WatchedWord,
    WordAction,
)
from community.moderation import screening
from community.permissions import Guardian


def list_words(viewer: Any) -> list[WatchedWord]:
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.action, WatchedWord.phrase)))


def add_word(actor: User, phrase: str, action: str, message: str = "", replacement: str = "") -> WatchedWord:
    """Watch for a word or phrase in new posts and decide what happens when it appears."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    phrase = " ".join((phrase or "").split()).lower()
    if len(phrase) < 2:
        raise ValidationFailed("Please enter a word or phrase of at least 2 characters.", field="phrase")
    if action not in {a.value for a in WordAction}:
        raise ValidationFailed("Please choose what happens.", field="action")
    if action == WordAction.REPLACE and not (replacement or "").strip():
        raise ValidationFailed("Please say what to replace it with.", field="replacement")
    if db.session.scalar(select(WatchedWord.id).where(WatchedWord.phrase == phrase)) is not None:
        raise ValidationFailed("That word is already watched.", field="phrase")
    word = WatchedWord(phrase=phrase, action=action, message=(message or "").strip(),
                       replacement=(replacement or "").strip(), created_at=utcnow())
    db.session.add(word)
    audit.record(actor, "watched_word.add", reason=f"{phrase} → {action}",
                 after={"phrase": phrase, "action": action, "replacement": word.replacement})
    db.session.commit()
    return word


def remove_word(actor: User, word_id: int) -> None:
    """Stop watching a word."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise NotFound()
    audit.record(actor, "watched_word.remove", reason=word.phrase,
                 before={"phrase": word.phrase, "action": word.action})
    db.session.delete(word)
    db.session.commit()


# Used until admins add their own for a country; "*" applies everywhere.
DEFAULT_RESOURCES: dict[str, list[tuple[str, str, str]]] = {
    "*": [("Your local emergency number", "If you might act on these thoughts now, call it", ""),
          ("Find A Helpline", "Free, confidential helplines in your country",
           "https://findahelpline.com")],
    "GB": [("Samaritans", "Call 116 123, free, day or night", "https://www.samaritans.org"),
           ("Shout", "Text SHOUT to 85258", "https://giveusashout.org"),
           ("NHS 111", "Call 111 and choose the mental health option", "https://111.nhs.uk")],
    "IE": [("Samaritans Ireland", "Call 116 123, free, day or night", "https://www.samaritans.org/ireland"),
           ("Pieta", "Call 1800 247 247 or text HELP to 51444", "https://www.pieta.ie")],
    "US": [("988 Suicide & Crisis Lifeline", "Call or text 988", "https://988lifeline.org"),
           ("Crisis Text Line", "Text HOME to 741741", "https://www.crisistextline.org")],
    "CA": [("9-8-8 Suicide Crisis Helpline", "Call or text 988", "https://988.ca")],
    "AU": [("Lifeline", "Call 13 11 14 or text 0477 13 11 14", "https://www.lifeline.org.au")],
    "NZ": [("Need to talk?", "Call or text 1737", "https://1737.org.nz")],
}


# A phone number inside a helpline's contact words: "116 123", "1800 247 247", "+44 800 123".
_PHONE = re.compile(r"\+?\d[\d -]*\d")


@dataclass(frozen=True)
class Helpline:
    name: str
    contact: str
    url: str

    def contact_parts(self) -> list[tuple[str, str | None]]:
        """The contact words split into (text, link) pieces, so that a tap on a number calls or texts it.

        A number after "text" without "call" ("Text SHOUT to 85258") gets an sms: link; any other
        number a tel: link. The visible text stays exactly as written.
        """
        parts: list[tuple[str, str | None]] = []
        start = 0
        for match in _PHONE.finditer(self.contact):
            before = self.contact[start:match.start()]
            words = before.lower()
            scheme = "sms" if "text" in words and "call" not in words else "tel"
            if before:
                parts.append((before, None))
            number = match.group()
            parts.append((number, f"{scheme}:{re.sub(r'[ -]', '', number)}"))
            start = match.end()
        if start < len(self.contact):
            parts.append((self.contact[start:], None))
        return parts


def crisis_resources(country: str | None) -> tuple[str, list[Helpline]]:
    """Helplines for a country (admins' list, else the built-in one) followed by the worldwide ones."""
    country = (country or current_app.config["MODERATION_DEFAULT_COUNTRY"]).upper()[:2]
    stored = db.session.scalars(select(CrisisResource).where(CrisisResource.country.in_([country, "*"]))
                                .order_by(CrisisResource.position, CrisisResource.id)).all()
    local = [Helpline(r.name, r.contact, r.url) for r in stored if r.country == country]
    everywhere = [Helpline(r.name, r.contact, r.url) for r in stored if r.country == "*"]
    if not local:
        local = [Helpline(*r) for r in DEFAULT_RESOURCES.get(country, [])]
    if not everywhere:
        everywhere = [Helpline(*r) for r in DEFAULT_RESOURCES["*"]]
    return country, local + everywhere


def support_country(user: Any) -> str:
    """The member's country as far as their time zone tells, else the site's default."""
    zone = getattr(user, "time_zone", None) if Guardian(user).is_member else None
    return screening.country_for_time_zone(zone) or current_app.config["MODERATION_DEFAULT_COUNTRY"]


def list_resources(viewer: Any) -> list[CrisisResource]:
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_manage_crisis_helplines(), hide=True)
    return list(db.session.scalars(select(CrisisResource).order_by(
        CrisisResource.country, CrisisResource.position, CrisisResource.id)))


def add_resource(actor: User, country: str, name: str, contact: str, url: str, position: int = 0
                 ) -> CrisisResource:
    """Add a helpline for a country ("*" for everywhere)."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_crisis_helplines(), hide=True)
    country = (country or "").strip().upper()
    if not (country == "*" or (len(country) == 2 and country.isalpha())):
        raise ValidationFailed("Use a two-letter country code such as GB, or * for everywhere.",
                               field="country")
    url = (url or "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValidationFailed("Links must start with https://", field="url")
    resource = CrisisResource(country=country, name=name.strip(), contact=(contact or "").strip(),
                              url=url, position=position or 0)
    db.session.add(resource)
    audit.record(actor, "crisis_resource.add", reason=f"{country}: {resource.name}",
                 after={"country": country, "name": resource.name, "contact": resource.contact})
    db.session.commit()
    return resource


def remove_resource(actor: User, resource_id: int) -> None:
    """Remove a helpline."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_crisis_helplines(), hide=True)
    resource = db.session.get(CrisisResource, resource_id)
    if resource is None:
        raise NotFound()
    audit.record(actor, "crisis_resource.remove", reason=f"{resource.country}: {resource.name}",
                 before={"country": resource.country, "name": resource.name})
    db.session.delete(resource)
    db.session.commit()
