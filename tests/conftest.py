"""Shared fixtures, flaskr style: ``app``, ``client``, ``runner``, ``auth``.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL
is set. Each pytest worker gets its own database (a temporary SQLite file, or
its own PostgreSQL schema created at start and dropped at the end), migrated
once with Alembic; every test starts from empty tables.

Reach the database in tests inside ``with app.app_context():`` blocks: the
block's end closes the session, so no transaction is left holding SQLite's
write lock while the app serves a request.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text

from community import create_app
from community.db import Base, build_engine
from config import TestConfig
from tests.support.factories import PASSWORD, make_user

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def pytest_report_header(config):
    return f"database: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}"


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def private_schema(prefix: str) -> str:
    """A schema name owned by this process (runs side by side never share one)."""
    return f"{prefix}_{os.getpid()}"


def drop_abandoned_schemas(conn) -> None:
    """Drop schemas left by test processes that no longer exist (a run killed half-way)."""
    names = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname ~ '^lc_[a-z]+_[0-9]+$'")).scalars()
    for name in names:
        pid = int(name.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        except PermissionError:
            pass  # alive, someone else's


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """One migrated database per worker for the whole run, removed at the end."""
    from alembic import command

    from community.schema import alembic_config

    if POSTGRES_URL:
        schema = private_schema("lc_test")
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            drop_abandoned_schemas(conn)
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(POSTGRES_URL, schema)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app({"_base": TestConfig, "DATABASE_URL": url})
    with app.app_context():
        command.upgrade(alembic_config(url), "heads")
    yield url
    if POSTGRES_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


_tables_to_empty: dict = {}


def empty_all_tables(engine) -> None:
    """Delete every row, children first. (DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of
    ~40 tables costs over half a second and takes locks that wait on any open connection.)"""
    tables = _tables_to_empty.get(engine.url)
    if tables is None:  # the schema is migrated once per run: look the tables up once
        existing = set(inspect(engine).get_table_names())
        tables = _tables_to_empty[engine.url] = [t.name for t in reversed(Base.metadata.sorted_tables)
                                                 if t.name in existing]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(scope="session")
def cleanup_engine(database_url):
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def make_app(database_url, cleanup_engine):
    """Build an app on the test database with setting overrides; tables are emptied afterwards."""
    apps = []

    def build(**overrides):
        app = create_app({"_base": TestConfig, "DATABASE_URL": database_url, **overrides})
        app.test_client_class = FormClient
        apps.append(app)
        return app

    yield build
    empty_all_tables(cleanup_engine)
    for app in apps:
        app.extensions["db"].kw["bind"].dispose()


@pytest.fixture(scope="session")
def shared_app(database_url):
    """One app per worker for tests that need no special settings: building an app
    compiles ~150 URL rules (about 0.3 s), which per test would dominate the suite."""
    app = create_app({"_base": TestConfig, "DATABASE_URL": database_url})
    app.test_client_class = FormClient
    yield app
    app.extensions["db"].kw["bind"].dispose()


@pytest.fixture
def app(shared_app, cleanup_engine):
    """The shared app, handed to each test as new: settings restored, counters and tables emptied."""
    saved_config = dict(shared_app.config)
    yield shared_app
    shared_app.config.clear()
    shared_app.config.update(saved_config)
    shared_app.extensions["throttling"].reset()
    empty_all_tables(cleanup_engine)
    shared_app.extensions["page_cache"].clear()  # its pages showed the rows just deleted


@pytest.fixture
def without_page_cache(app):
    """The app with the visitors' page cache off, for tests that count what rendering a page costs."""
    cache = app.extensions.pop("page_cache")
    yield app
    app.extensions["page_cache"] = cache


class FormClient(FlaskClient):
    """A test client that submits forms the way a browser does: with the page's CSRF token."""

    def csrf_token(self, page: str) -> str:
        response = self.get(page)
        match = CSRF_INPUT.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page} (status {response.status_code})"
        return match.group(1) or match.group(2)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        """POST ``data`` to ``url`` with the CSRF token from ``page`` (default: ``url``)."""
        form = dict(data or {})
        form["csrf_token"] = self.csrf_token(page or url)
        return self.post(url, data=form, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, app, client):
        self.app = app
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.client.submit("/auth/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.client.submit("/auth/logout", page="/account/")

    def sign_in_as(self, role: str = "member", **fields):
        """Create a verified member with this role, sign them in, and return their id."""
        with self.app.app_context():
            user = make_user(role=role, **fields)
            user_id, email = user.id, user.email
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user_id


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: the suite must prove everything it claims."""
    if os.environ.get("CI") and _skipped and not hasattr(session.config, "workerinput"):
        print(f"\nCI: {len(_skipped)} test(s) skipped, which CI does not allow: {_skipped[:5]}")
        session.exitstatus = 1
