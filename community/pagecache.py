"""Whole-page cache for visitors who are not signed in (Discourse's "anonymous cache").

Most forum traffic is people and search engines reading public topics without an
account; those pages are the same for every visitor. A view marked
``@cached_for_visitors`` is stored after its first render and served from the
cache until public content changes.

Invalidation is by generation: every key carries the current generation number,
and a database commit that wrote to a table visitors can see (posts, topics,
reactions, public profile fields, news) increments it, after the commit, so no
reader can store old content under the new number. ``PAGE_CACHE_SECONDS`` bounds
how long anything the generation missed (raw SQL outside the ORM) can live.

The generation lives in the cache backend, so it must be shared by every process
that writes: ``redis://`` for gunicorn and many instances; ``memory://`` is for a
single process (``flask run``, tests). Empty turns the cache off.
"""

from __future__ import annotations

import logging
from functools import wraps

from cachelib import BaseCache, RedisCache, SimpleCache
from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# Tables whose rows appear on pages visitors can see.
PUBLIC_TABLES = frozenset({
    "forum_categories", "forum_topics", "forum_posts", "forum_reactions", "users",
    "news_articles", "news_article_tags", "news_article_trials", "trials",
})
# Columns of public tables that no visitor's page shows, and that change often (every sign-in).
PRIVATE_COLUMNS = frozenset({"last_login_at", "session_token", "password_hash", "email", "email_verified_at"})
GENERATION_KEY = "generation"


class PageCache:
    def __init__(self, backend: BaseCache, seconds: int):
        self.backend = backend
        self.seconds = seconds

    def generation(self) -> int:
        return int(self.backend.get(GENERATION_KEY) or 0)

    def bump(self) -> None:
        self.backend.inc(GENERATION_KEY)

    def get(self, key: str) -> dict | None:
        return self.backend.get(key)

    def set(self, key: str, value: dict) -> None:
        self.backend.set(key, value, timeout=self.seconds)

    def clear(self) -> None:
        self.backend.clear()


def _backend(url: str, prefix: str) -> BaseCache:
    if url == "memory://":
        return SimpleCache(threshold=2000, default_timeout=0)  # the generation never expires
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        return RedisCache(host=redis.Redis.from_url(url), key_prefix=f"{prefix}:page:", default_timeout=0)
    raise ValueError(f"PAGE_CACHE_URL must be empty, memory:// or redis://…, not {url!r}")


def init_app(app: Flask) -> None:
    url = app.config.get("PAGE_CACHE_URL", "")
    if not url:
        return
    cache = PageCache(_backend(url, app.config["RATELIMIT_KEY_PREFIX"]), app.config["PAGE_CACHE_SECONDS"])
    app.extensions["page_cache"] = cache
    sessions = app.extensions["db"]

    @event.listens_for(sessions, "after_flush")
    def _note_flushed_changes(db_session: Session, _context) -> None:
        if any(_shows_publicly(obj) for obj in (*db_session.new, *db_session.dirty, *db_session.deleted)):
            db_session.info["public_changed"] = True

    @event.listens_for(sessions, "do_orm_execute")
    def _note_bulk_changes(state) -> None:
        if (state.is_insert or state.is_update or state.is_delete) and \
                getattr(state.statement.table, "name", None) in PUBLIC_TABLES:
            state.session.info["public_changed"] = True

    @event.listens_for(sessions, "after_commit")
    def _invalidate(db_session: Session) -> None:
        if db_session.info.pop("public_changed", False):
            _safely(cache.bump)

    @event.listens_for(sessions, "after_rollback")
    def _forget(db_session: Session) -> None:
        db_session.info.pop("public_changed", None)


def _shows_publicly(obj) -> bool:
    if getattr(obj, "__tablename__", None) not in PUBLIC_TABLES:
        return False
    state = inspect(obj)
    if state.pending or state.deleted or state.was_deleted:
        return True
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in PRIVATE_COLUMNS)


def _safely(action, *args):
    """Run a cache operation; a cache outage must cost speed, never a page."""
    try:
        return action(*args)
    except Exception:  # redis errors, pickling problems: serve uncached instead
        log.warning("page cache unavailable", exc_info=True)
        return None


def _visitor_without_state() -> bool:
    # An empty session means no flash message, no CSRF token, nobody signed in
    # (a remember-me cookie would sign someone in when current_user is read).
    return request.method == "GET" and not session and not current_user.is_authenticated


def cached_for_visitors(view):
    """Serve this public view from the page cache to visitors who are not signed in."""

    @wraps(view)
    def serve(*args, **kwargs):
        cache: PageCache | None = current_app.extensions.get("page_cache")
        if cache is None or not _visitor_without_state():
            return view(*args, **kwargs)
        generation = _safely(cache.generation)
        if generation is None:
            return view(*args, **kwargs)
        key = f"{generation}:{request.full_path}"
        stored = _safely(cache.get, key)
        if stored is not None:
            return Response(stored["body"], status=200, headers=stored["headers"])
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and not session and "Set-Cookie" not in response.headers:
            headers = [(k, v) for k, v in response.headers.items() if k not in ("Content-Length", "Vary")]
            _safely(cache.set, key, {"body": response.get_data(), "headers": headers})
        return response

    return serve
