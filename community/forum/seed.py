"""The forum's reference data: the categories a lupus community starts with."""

from __future__ import annotations

from sqlalchemy import select

from community.db import db
from community.models.forum import Category

# (slug, name, description, members-only by default)
CATEGORIES = [
    ("newly-diagnosed", "Newly diagnosed",
     "Just found out, or still waiting for answers? Ask anything; no question is too small.", True),
    ("symptoms-and-flares", "Symptoms & flares",
     "Joint pain, fatigue, rashes, brain fog: what you're noticing and what helps.", True),
    ("treatments-and-side-effects", "Treatments & side effects",
     "Hydroxychloroquine, steroids, mycophenolate, biologics: experiences and side effects.", True),
    ("lupus-nephritis", "Lupus nephritis",
     "When lupus affects the kidneys: tests, biopsies, treatment and living with it.", True),
    ("clinical-trials-and-research", "Clinical trials & research",
     "New research in plain words, and experiences of taking part in trials.", True),
    ("daily-life-and-work", "Daily life & work",
     "Pacing, sun protection, work, study, travel and everyday practicalities.", False),
    ("mental-health-and-support", "Mental health & support",
     "Worry, low mood, grief and getting through hard days together.", True),
    ("family-and-caregivers", "Family & caregivers",
     "For partners, parents, children and friends of people with lupus.", True),
    ("introductions", "Introductions", "Say hello and tell us a little about yourself.", False),
    ("off-topic", "Off-topic", "Gardens, books, pets and anything else that brightens the day.", False),
]


def load_categories() -> int:
    """Add any missing starting category; admins' later edits are left alone."""
    existing = set(db.session.scalars(select(Category.slug)))
    added = 0
    for position, (slug, name, description, members_only) in enumerate(CATEGORIES, start=1):
        if slug in existing:
            continue
        db.session.add(Category(slug=slug, name=name, description=description, position=position * 10,
                                members_only_default=members_only, topic_count=0, post_count=0))
        added += 1
    db.session.commit()
    return added
