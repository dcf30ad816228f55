"""Forum categories: the admins' list, in their chosen order."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.db import db
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import (
    Category,
)
from community.permissions import Guardian


def list_categories() -> list[Category]:
    """Every category in the admins' chosen order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def get_category(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound()
    return category


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "category"


def save_category(actor: User, slug: str | None, *, name: str, description: str, position: int,
                  members_only_default: bool) -> Category:
    """Add a category (slug None) or change one; admins only."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_categories(), hide=True)
    name = name.strip()
    if not name:
        raise ValidationFailed("Please give the category a name.", field="name")
    clash = select(Category.id).where(func.lower(Category.name) == name.lower())
    if slug is None:
        new_slug = slugify(name)
        if db.session.scalar(clash) is not None or db.session.scalar(
                select(Category.id).where(Category.slug == new_slug)) is not None:
            raise ValidationFailed("A category with a name like that already exists.", field="name")
        category = Category(slug=new_slug, name=name, topic_count=0, post_count=0)
        db.session.add(category)
    else:
        category = get_category(slug)
        if db.session.scalar(clash.where(Category.id != category.id)) is not None:
            raise ValidationFailed("A category with that name already exists.", field="name")
    category.name = name
    category.description = (description or "").strip()
    category.position = position or 0
    category.members_only_default = bool(members_only_default)
    db.session.commit()
    return category
