"""Two real gunicorn instances sharing one database and one Redis: the multi-instance proof.

Each pytest process starts its own pair (2 sync workers each, free ports on 127.0.0.1)
with the production ``gunicorn.conf.py``, serving ``tests/cluster/served_app.py`` (the
production app with cheap password hashing and test login limits), configured through
the environment. On the PostgreSQL pass they share a private schema; on the
SQLite pass, one WAL file written by four processes. Rate limits count in Redis under
a key prefix of their own. Everything is stopped and removed at the end, even when a
test or the start-up fails.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from tests.conftest import (
    CSRF_INPUT,
    POSTGRES_URL,
    drop_abandoned_schemas,
    private_schema,
    with_search_path,
)
from tests.support.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
WORKERS_PER_INSTANCE = 2
START_DEADLINE_SECONDS = 30
MEMBERS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (a gunicorn master's workers), from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(int(entry.name))
    return pids


@dataclass
class Instance:
    """One gunicorn master and its workers, in a process group of its own."""

    name: str
    env: dict
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tests.cluster.served_app:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful shutdown), then SIGKILL whatever is left of the group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # stray workers of a master that died
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def wait_until_healthy(self, seconds: float = START_DEADLINE_SECONDS) -> float:
        """Poll /healthz until every worker could answer; return how long it took."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200 \
                        and len(self.worker_pids()) == WORKERS_PER_INSTANCE:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not healthy after {seconds}s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


@dataclass
class Cluster:
    a: Instance
    b: Instance
    database_url: str
    members: list[str]  # emails, all with tests.support.factories.PASSWORD
    topics: dict[str, int]  # what each test writes to: "replies", "reports", "faults"
    first_posts: dict[str, int]
    handed_out: int = 0

    def take_members(self, count: int) -> list[str]:
        """Members no other test has used: each sign-in counts against a per-account limit."""
        taken = self.members[self.handed_out:self.handed_out + count]
        assert len(taken) == count, "raise MEMBERS in tests/cluster/conftest.py"
        self.handed_out += count
        return taken


class Browser:
    """One person's browser behind a load balancer: one cookie jar, any instance.

    Cookies are not tied to a port, so whatever one instance sets is sent to the other.
    A CSRF token is valid for every form of its session, so one is fetched per sign-in.
    """

    def __init__(self, cookies: dict | None = None):
        self.http = httpx.Client(cookies=cookies, timeout=30)
        self.token = ""

    def close(self) -> None:
        self.http.close()

    def csrf_token(self, page: str) -> str:
        response = self.http.get(page)
        match = CSRF_INPUT.search(response.text)
        assert match, f"no CSRF token on {page} (status {response.status_code})"
        return match.group(1) or match.group(2)

    def post(self, url: str, data: dict | None = None) -> httpx.Response:
        """Submit a form as a signed-in member (with this session's CSRF token)."""
        return self.http.post(url, data={**(data or {}), "csrf_token": self.token})

    def sign_in(self, base: str, email: str, password: str = PASSWORD) -> httpx.Response:
        token = self.csrf_token(f"{base}/auth/login")
        response = self.http.post(f"{base}/auth/login",
                                  data={"email": email, "password": password, "csrf_token": token})
        if acknowledged(response):
            self.token = self.csrf_token(f"{base}/account/")  # signing in starts a new session
        return response

    def signed_in_at(self, base: str) -> bool:
        """Whether the account page opens (a signed-out browser is sent to the sign-in page)."""
        response = self.http.get(f"{base}/account/")
        assert response.status_code in (200, 302), response.status_code
        return response.status_code == 200

    def cookie(self, name: str) -> str:
        return self.http.cookies[name]


def acknowledged(response: httpx.Response) -> bool:
    """A write the app confirmed: forms answer with a redirect after saving."""
    return response.status_code in (302, 303)


def _private_database(tmp_path: Path, prefix: str = "lc_cluster"):
    """A migrated database of this process's own; returns (url, drop).

    Fixtures that live side by side in one process (the session's cluster and a test's own
    workers) pass different prefixes: dropping one must never drop the other's schema.
    """
    if POSTGRES_URL:
        schema = private_schema(prefix)
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            drop_abandoned_schemas(conn)
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()

        return with_search_path(POSTGRES_URL, schema), drop
    return f"sqlite:///{tmp_path / 'cluster.db'}", lambda: None


def _seed(database_url: str) -> tuple[list[str], dict[str, int], dict[str, int]]:
    """Members past the first-day limits, and a topic for each test to write to.

    """
    from alembic import command

    from community import create_app
    from community.db import db, utcnow
    from community.models import User
    from community.passwords import hash_password
    from community.reference import load_all
    from community.schema import alembic_config
    from config import DevelopmentConfig
    from tests.cluster.served_app import SETTINGS
    from tests.support.forum import first_post, make_category, make_topic

    app = create_app({"_base": DevelopmentConfig, "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox",
                      **SETTINGS})
    try:
        with app.app_context():
            command.upgrade(alembic_config(database_url), "heads")
            load_all()
            password_hash = hash_password(PASSWORD)
            long_ago = utcnow() - timedelta(days=30)
            emails = [f"cluster{n}@example.org" for n in range(MEMBERS)]
            members = [User(email=email, display_name=f"Cluster {n}", password_hash=password_hash,
                            email_verified_at=long_ago, created_at=long_ago)
                       for n, email in enumerate(emails)]
            opener = User(email="opener@example.org", display_name="Opener", password_hash=password_hash,
                          email_verified_at=long_ago, created_at=long_ago)
            db.session.add_all([*members, opener])
            db.session.commit()
            category = make_category(members_only_default=False)
            topics = {purpose: make_topic(opener, category) for purpose in ("replies", "reports", "faults")}
            return (emails, {purpose: topic.id for purpose, topic in topics.items()},
                    {purpose: first_post(topic).id for purpose, topic in topics.items()})
    finally:
        app.extensions["db"].kw["bind"].dispose()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cluster")
    database_url, drop_database = _private_database(tmp_path)
    key_prefix = f"lc-cluster-{uuid.uuid4().hex}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST_"))},
        "APP_ENV": "development",  # plain-http cookies; everything else as configured below
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": key_prefix,
        "MAIL_BACKEND": "outbox",
        "FORUM_POST_COOLDOWN_SECONDS": "0",
        "MODERATION_HOLD_FIRST_POSTS": "0",
        "GUNICORN_WORKERS": str(WORKERS_PER_INSTANCE),
        "GUNICORN_THREADS": "1",  # one thread: gunicorn's plain sync workers
        "LOG_LEVEL": "WARNING",
    }
    instances = [Instance(name, env, tmp_path / f"{name}.log") for name in ("a", "b")]
    try:
        members, topics, first_posts = _seed(database_url)
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_until_healthy()
        yield Cluster(*instances, database_url=database_url, members=members, topics=topics,
                      first_posts=first_posts)
    finally:
        for instance in instances:
            instance.stop()
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{key_prefix}*"):
            connection.delete(key)
        connection.close()
        drop_database()


@pytest.fixture
def database(cluster):
    """A plain engine on the cluster's database, for counting what the instances wrote."""
    from community.db import build_engine

    engine = build_engine(cluster.database_url)
    yield engine
    engine.dispose()

