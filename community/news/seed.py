"""The research news we ship: a plain-language article on CAR-T for refractory lupus."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from community.db import db
from community.models.news import Article, ArticleStatus, ArticleTag, ArticleTrial
from community.news.services import reading_minutes, trials_by_nct_id
from community.rendering import render

CONTENT = Path(__file__).parent / "content"

SEED_ARTICLES = [
    {
        "slug": "car-t-cell-therapy-for-refractory-lupus",
        "file": "car-t-refractory-lupus.md",
        "title": "CAR-T cell therapy for hard-to-treat lupus: what the research says so far",
        "summary": "A new kind of cell therapy is being tested for lupus that hasn't responded to "
                   "standard treatments. Here is what it is, what the first report found, and what "
                   "trials are testing now.",
        "published": "2026-11-25T09:00:00+00:00",
        "tags": [("car-t", "CAR-T"), ("refractory-lupus", "Refractory lupus"),
                 ("lupus-nephritis", "Lupus nephritis"), ("b-cells", "B cells")],
        # CAR-T trials in the shipped catalogue: recruiting or about to, and three whose status the registry
        # copies don't confirm (KYSA-3, NCT05765006, Descartes-08) — their pages say so and offer recruiting ones.
        "trials": ["NCT06342960", "NCT05869955", "NCT06581198", "NCT06333483", "NCT07053800",
                   "NCT06308978", "NCT06947460", "NCT05765006", "NCT06038474"],
        "hero_image": "car-t-cells.svg",
        "hero_alt": "Illustration: a T cell with new receptors reaching towards B cells.",
    },
]


def load_articles() -> int:
    """Add the shipped articles that are missing (edits made on the site are kept)."""
    from datetime import datetime

    existing = set(db.session.scalars(select(Article.slug)))
    added = 0
    for spec in SEED_ARTICLES:
        if spec["slug"] in existing:
            continue
        body = (CONTENT / spec["file"]).read_text(encoding="utf-8").strip()
        rendered = render(body, heading_offset=1)
        published = datetime.fromisoformat(spec["published"])
        known = trials_by_nct_id(spec["trials"])
        article = Article(
            slug=spec["slug"], title=spec["title"], summary=spec["summary"], body_raw=body,
            body_html=rendered.html, body_text=rendered.text, reading_minutes=reading_minutes(rendered.text),
            hero_image=spec["hero_image"], hero_alt=spec["hero_alt"], status=ArticleStatus.PUBLISHED.value,
            published_at=published, created_at=published, updated_at=published,
            tags=[ArticleTag(slug=s, label=label) for s, label in spec["tags"]],
            trial_links=[ArticleTrial(nct_id=n, position=i)
                         for i, n in enumerate(n for n in spec["trials"] if n in known)],
        )
        db.session.add(article)
        added += 1
    db.session.commit()
    return added
