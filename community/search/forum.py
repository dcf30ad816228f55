"""Full-text search over topic titles and post bodies: one service, two engines.

SQLite uses the FTS5 table ``forum_fts`` and PostgreSQL GIN indexes over
``to_tsvector('english', ...)``; both are created by the forums migration.
Whatever a member types becomes a plain list of words (no operators, no
syntax), so quotes, dashes, ``AND``, brackets or emoji never make a search
fail. What the searcher may not see (deleted, hidden, members-only posts) is
filtered inside the query, before ranking and paging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from community.db import db
from community.models import Post, Topic
from community.permissions import Guardian

MAX_WORDS = 12
MAX_WORD_CHARS = 60
PER_PAGE = 20
MAX_PAGE = 25
START, STOP = "\x02", "\x03"  # control characters never stored in posts (rendering strips them)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchResult:
    post_id: int
    number: int
    created_at: datetime
    topic_id: int
    topic_title: str
    author_name: str | None
    snippet: Markup


def words(query: str) -> list[str]:
    """The searchable words of whatever was typed: letters and digits only, at most 12."""
    found = []
    for word in _WORD.findall((query or "")[:500]):
        word = word.strip("_")[:MAX_WORD_CHARS]
        if word and word.lower() not in {w.lower() for w in found}:
            found.append(word)
    return found[:MAX_WORDS]


def fts5_query(query_words: list[str]) -> str:
    """An FTS5 MATCH string: every word quoted as a literal, all required."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in query_words)


def highlight(snippet: str) -> Markup:
    """Escape a snippet and turn the engine's markers into <mark> (the only markup added)."""
    escaped = str(escape(snippet or ""))
    # Safe: every character was escaped above; only our own markers become <mark>.
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


# Ranking looks at the newest CANDIDATES matches the searcher may see, not at every
# match: a common word matches a large share of a big forum, and ranking them all
# would make search slower as the forum grows. Recent posts are what members look for.
CANDIDATES = 1000
# Even finding the newest matches means reading every match, unless the search starts
# with the newest posts: first the newest RECENT_POSTS, then ten times as many, and so
# on until CANDIDATES matches are found or the whole forum was searched. The result is
# the same as searching everything at once; a common word just stops early.
RECENT_POSTS = 50_000
WIDER = 10

_SQLITE = """
WITH candidates AS (
    SELECT forum_fts.rowid AS id, bm25(forum_fts, 4.0, 1.0) AS rank
      FROM forum_fts
      JOIN forum_posts p ON p.id = forum_fts.rowid
      JOIN forum_topics t ON t.id = p.topic_id
     WHERE forum_fts MATCH :match
       AND forum_fts.rowid > :floor
       AND {visible}
     ORDER BY forum_fts.rowid DESC
     LIMIT :candidates
),
ranked AS (SELECT id, rank FROM candidates ORDER BY rank, id DESC LIMIT :limit OFFSET :offset)
SELECT p.id, p.number, p.created_at, t.id, t.title, u.display_name,
       snippet(forum_fts, 1, char(2), char(3), '…', 24),
       (SELECT count(*) FROM candidates) AS candidate_count
  FROM forum_fts
  JOIN ranked r ON r.id = forum_fts.rowid
  JOIN forum_posts p ON p.id = forum_fts.rowid
  JOIN forum_topics t ON t.id = p.topic_id
  LEFT JOIN users u ON u.id = p.author_id
 WHERE forum_fts MATCH :match
 ORDER BY r.rank, p.id DESC
"""

# body_fts and title_fts are stored tsvector columns (migration 0008) with GIN indexes.
# The visible matches are found with the post rows the index scan already reads (no second
# look-up per match), and only the newest CANDIDATES are read again for ranking.
_POSTGRES = """
WITH q AS (SELECT plainto_tsquery('english', :terms) AS query),
visible AS (
    SELECT p.id FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id, q
     WHERE p.body_fts @@ q.query
       AND p.id > :floor
       AND {visible}
    UNION
    SELECT p.id FROM forum_topics t JOIN forum_posts p ON p.topic_id = t.id AND p.number = 1, q
     WHERE t.title_fts @@ q.query
       AND p.id > :floor
       AND {visible}
),
candidates AS (SELECT id FROM visible ORDER BY id DESC LIMIT :candidates),
ranked AS (
    SELECT p.id, p.number, p.created_at, p.body_text, p.author_id, t.id AS topic_id, t.title,
           ts_rank(p.body_fts, q.query)
           + CASE WHEN p.number = 1 THEN 4 * ts_rank(t.title_fts, q.query) ELSE 0 END AS rank
      FROM candidates c
      JOIN forum_posts p ON p.id = c.id
      JOIN forum_topics t ON t.id = p.topic_id, q
     ORDER BY rank DESC, p.id DESC
     LIMIT :limit OFFSET :offset
)
SELECT r.id, r.number, r.created_at, r.topic_id, r.title, u.display_name,
       ts_headline('english', r.body_text, q.query, :options),
       (SELECT count(*) FROM candidates) AS candidate_count
  FROM ranked r
  LEFT JOIN users u ON u.id = r.author_id, q
 ORDER BY r.rank DESC, r.id DESC
"""

HEADLINE_OPTIONS = (f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, "
                    "MaxFragments=2, FragmentDelimiter=\" … \"")


_P, _T = aliased(Post, name="p"), aliased(Topic, name="t")


def _findable(guardian: Guardian, dialect: Any) -> str:
    """The Guardian's rule for posts a viewer may find, over the queries' ``p`` and ``t``, as SQL.

    Written once in community/permissions.py (findable_posts_sql); only the viewer's id and
    booleans are inlined, so nothing anyone types reaches this text.
    """
    clause = guardian.findable_posts_sql(_P, _T)
    return str(clause.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def search(viewer: Any, query: str, page: int = 1) -> tuple[list[SearchResult], bool]:
    """Posts matching every word of the query that the viewer may see, best first."""
    query_words = words(query)
    page = min(max(page, 1), MAX_PAGE)
    if not query_words:
        return [], False
    params = {"candidates": CANDIDATES, "limit": PER_PAGE + 1, "offset": (page - 1) * PER_PAGE}
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        sql = _POSTGRES
        params.update(terms=" ".join(query_words), options=HEADLINE_OPTIONS)
    else:
        sql, params["match"] = _SQLITE, fts5_query(query_words)
    statement = text(sql.replace("{visible}", _findable(Guardian(viewer), dialect)))
    newest = db.session.scalar(select(func.max(Post.id))) or 0
    window = RECENT_POSTS
    while True:
        floor = max(newest - window, 0)
        rows = db.session.execute(statement, {**params, "floor": floor}).all()
        found = rows[0].candidate_count if rows else 0  # an empty page: fewer candidates than its offset
        if found >= CANDIDATES or floor == 0:
            break
        window *= WIDER
    results = [SearchResult(row[0], row[1], _as_datetime(row[2]), row[3], row[4], row[5],
                            highlight(row[6])) for row in rows]
    return results[:PER_PAGE], len(results) > PER_PAGE


def _as_datetime(value: Any) -> datetime:
    """Raw SQL skips the UTCDateTime type: read SQLite's text timestamps back as aware UTC."""
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
