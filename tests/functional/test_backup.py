"""`flask backup` / `flask restore`: a backup holds every row of every table, and bad input is refused.

Each test builds its own database (a temporary SQLite file, or on the PostgreSQL pass a private
schema for the PostgreSQL round trip), never the suite's shared one: restoring replaces everything.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Column, MetaData, String, Table, create_engine, select, text
from sqlalchemy.engine import make_url

from community import create_app
from community.backup import libpq_url, pg_schema
from community.db import Base
from community.schema import alembic_config
from config import TestConfig
from tests.conftest import POSTGRES_URL, drop_abandoned_schemas, private_schema, with_search_path

ENGINES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))
UNREACHABLE_POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:1/none?options=-csearch_path%3Dlc_app"


@dataclass
class Site:
    url: str
    app: Flask

    def cli(self, *args: str, input: str | None = None):
        return self.app.test_cli_runner().invoke(args=list(args), input=input)

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table the app has, plus alembic_version, in primary-key order."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return {table.name: [tuple(row) for row in
                                     conn.execute(select(table).order_by(*table.primary_key.columns))]
                        for table in [*Base.metadata.sorted_tables, ALEMBIC_VERSION]}
        finally:
            engine.dispose()

    def execute(self, *statements: str) -> None:
        engine = create_engine(self.url)
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
        engine.dispose()


def populate(site: Site) -> None:
    """Reference data, the demo community and a small generated one: rows in most tables."""
    for args in (["seed"], ["demo", "load"],
                 ["demo", "generate", "--members", "4", "--days", "30", "--topics", "3", "--replies", "2"]):
        result = site.cli(*args)
        assert result.exit_code == 0, result.output


class Sites:
    """Apps on databases of a test's own; engines closed and the PostgreSQL schema dropped at the end."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.apps: list[Flask] = []
        self.schemas: list[str] = []

    def at(self, url: str) -> Site:
        """An app on ``url``, which need not exist yet."""
        site = Site(url, create_app({"_base": TestConfig, "DATABASE_URL": url}))
        self.apps.append(site.app)
        return site

    def new(self, engine: str = "sqlite", *, populated: bool = True, revision: str = "head") -> Site:
        """A database migrated to ``revision`` and, unless told otherwise, full of rows."""
        if engine == "sqlite":
            url = f"sqlite:///{self.tmp_path / 'live.db'}"
        else:
            schema = private_schema("lc_backup")
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                drop_abandoned_schemas(conn)
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            self.schemas.append(schema)
            url = with_search_path(POSTGRES_URL, schema)
        site = self.at(url)
        with site.app.app_context():
            command.upgrade(alembic_config(url), revision)
        if populated:
            populate(site)
        return site

    def close(self) -> None:
        for app in self.apps:
            app.extensions["db"].kw["bind"].dispose()
        for schema in self.schemas:
            drop_schema(schema)


@pytest.fixture
def sites(tmp_path):
    sites = Sites(tmp_path)
    yield sites
    sites.close()


def drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def assert_refused(result, message: str) -> None:
    """A clear one-line error and a failing exit status, never a traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("engine", ENGINES)
def test_backup_and_restore_round_trip_every_row_of_every_table(sites, tmp_path, engine):
    site = sites.new(engine)
    before = site.snapshot()
    assert set(before) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert before["alembic_version"] == [(head(),)]
    filled = [name for name, rows in before.items() if rows]
    assert len(filled) >= 20, f"too few tables hold rows for a meaningful round trip: {filled}"

    path = tmp_path / "nightly.backup"
    result = site.cli("backup", str(path))
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}:" in result.output and f"revision {head()} (this code's head)" in result.output

    # Disaster: every row gone. The restore puts every one of them back, in place.
    site.execute(*(f'DELETE FROM "{table.name}"' for table in reversed(Base.metadata.sorted_tables)))
    assert site.snapshot() != before
    result = site.cli("restore", "--yes", str(path))
    assert result.exit_code == 0, result.output
    assert f"Restored {path} (revision {head()})" in result.output
    assert "db upgrade" not in result.output
    assert site.snapshot() == before

    # A restore drill into a brand-new, empty database gives the same rows.
    if engine == "sqlite":
        fresh = sites.at(f"sqlite:///{tmp_path / 'fresh' / 'restored.db'}")
    else:
        site.app.extensions["db"].kw["bind"].dispose()
        drop_schema(pg_schema(make_url(site.url)))
        fresh = site
    assert fresh.cli("restore", "--yes", str(path)).exit_code == 0
    assert fresh.snapshot() == before


def test_backup_while_another_connection_is_writing_holds_only_committed_rows(sites, tmp_path):
    site = sites.new()
    before = site.snapshot()
    writer = sqlite3.connect(make_url(site.url).database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock until the end
        writer.execute("UPDATE users SET bio = 'uncommitted'")
        writer.execute("DELETE FROM forum_reactions")
        started = time.monotonic()
        result = site.cli("backup", str(tmp_path / "during-write.backup"))
        assert result.exit_code == 0, result.output
        assert time.monotonic() - started < 5, "the backup waited for the writer instead of reading a snapshot"
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert site.snapshot() != before  # the write was real, and is now committed

    restored = sites.at(f"sqlite:///{tmp_path / 'restored.db'}")
    assert restored.cli("restore", "--yes", str(tmp_path / "during-write.backup")).exit_code == 0
    assert restored.snapshot() == before


def test_backup_will_not_replace_a_file_unless_forced(sites, tmp_path):
    site = sites.new(populated=False)
    path = tmp_path / "backup.db"
    path.write_text("an older backup")

    assert_refused(site.cli("backup", str(path)), "already exists: choose another name or pass --force")
    assert path.read_text() == "an older backup"

    result = site.cli("backup", "--force", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert not list(tmp_path.glob("*.part")), "the temporary file was left behind"


def test_restore_asks_before_replacing_the_data(sites, tmp_path):
    site = sites.new()
    before = site.snapshot()
    path = tmp_path / "backup.db"
    assert site.cli("backup", str(path)).exit_code == 0
    site.execute("DELETE FROM forum_reactions")
    changed = site.snapshot()

    declined = site.cli("restore", str(path), input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert "Replace every row in sqlite:///" in declined.output
    assert site.snapshot() == changed

    accepted = site.cli("restore", str(path), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert site.snapshot() == before


def _not_migrated(tmp_path):
    path = tmp_path / "other-app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    return path


def _pg_archive(tmp_path):
    path = tmp_path / "nightly.dump"
    path.write_bytes(b"PGDMP\x01\x0e\x00")
    return path


def _folder(tmp_path):
    (tmp_path / "backups").mkdir()
    return tmp_path / "backups"


def _text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    return path


@pytest.mark.parametrize(("make_file", "message"), [
    (lambda tmp_path: tmp_path / "missing.db", "there is no file at"),
    (_folder, "is not a file"),
    (_text, "is not a backup made by flask backup"),
    (_not_migrated, "without this app's schema (no alembic_version table)"),
    (_pg_archive, "is a PostgreSQL backup but the configured database is SQLite"),
], ids=["missing", "folder", "text-file", "other-sqlite-database", "postgresql-archive"])
def test_restore_refuses_anything_but_a_backup_of_this_app_and_changes_nothing(
        sites, tmp_path, make_file, message):
    site = sites.new(populated=False)
    site.cli("seed")
    before = site.snapshot()
    assert_refused(site.cli("restore", "--yes", str(make_file(tmp_path))), message)
    assert site.snapshot() == before


def test_restore_refuses_a_backup_from_newer_code(sites, tmp_path):
    site = sites.new(populated=False)
    path = tmp_path / "backup.db"
    assert site.cli("backup", str(path)).exit_code == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    assert_refused(site.cli("restore", "--yes", str(path)),
                   "revision from_the_future, which this code does not know")
    assert site.snapshot()["alembic_version"] == [(head(),)]


def test_restoring_an_older_backup_says_to_upgrade(sites, tmp_path):
    previous = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(head()).down_revision
    site = sites.new(populated=False, revision=previous)
    path = tmp_path / "old.db"
    result = site.cli("backup", str(path))
    assert result.exit_code == 0, result.output
    assert f"revision {previous} (older than this code's head {head()})" in result.output

    result = site.cli("restore", "--yes", str(path))
    assert result.exit_code == 0, result.output
    assert "run `flask --app wsgi db upgrade` before serving" in result.output


def test_sqlite_backup_into_a_postgresql_site_is_refused(sites, tmp_path):
    path = tmp_path / "backup.db"
    assert sites.new(populated=False).cli("backup", str(path)).exit_code == 0
    assert_refused(sites.at(UNREACHABLE_POSTGRES).cli("restore", "--yes", str(path)),
                   "is an SQLite backup but the configured database is PostgreSQL")


@pytest.mark.parametrize(("url", "message"), [
    ("sqlite://", "an in-memory SQLite database cannot be backed up"),
    ("sqlite:///{tmp_path}/never-created.db", "there is no database at"),
])
def test_backup_explains_a_database_it_cannot_copy(sites, tmp_path, url, message):
    assert_refused(sites.at(url.format(tmp_path=tmp_path)).cli("backup", str(tmp_path / "backup.db")), message)
    assert not (tmp_path / "backup.db").exists()


def test_backup_refuses_a_database_that_is_not_this_apps(sites, tmp_path):
    site = sites.at(f"sqlite:///{_not_migrated(tmp_path)}")
    assert_refused(site.cli("backup", str(tmp_path / "backup.db")),
                   "other-app.db is an SQLite database without this app's schema")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-app.db"]


def test_backup_explains_a_target_it_cannot_write(sites, tmp_path):
    site = sites.new(populated=False)
    assert_refused(site.cli("backup", str(tmp_path / "no-such-folder" / "b.db")), "does not exist")
    assert_refused(site.cli("backup", str(tmp_path)), "is a folder")


def test_postgresql_backup_without_pg_dump_says_what_to_install(sites, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert_refused(sites.at(UNREACHABLE_POSTGRES).cli("backup", str(tmp_path / "nightly.dump")),
                   "pg_dump was not found on PATH: install the PostgreSQL client tools")
    assert list(tmp_path.iterdir()) == []  # no half-written file left behind


def test_postgresql_urls_become_libpq_urls_with_the_password_kept_off_the_command_line():
    url = make_url("postgresql+psycopg://lupus:s3cr%40t@db.internal:5432/lupus_commons"
                   "?options=-csearch_path%3Dtenant_a&sslmode=require")
    conninfo, env = libpq_url(url)
    assert conninfo == ("postgresql://lupus@db.internal:5432/lupus_commons"
                        "?options=-csearch_path%3Dtenant_a&sslmode=require")
    assert env["PGPASSWORD"] == "s3cr@t"
    assert pg_schema(url) == "tenant_a"


@pytest.mark.parametrize(("options", "schema"), [
    (None, None),
    ("-c search_path=reports", "reports"),
    ('-c search_path="$user",public', "public"),
    ("--search_path=lc_test_42 -c statement_timeout=5000", "lc_test_42"),
])
def test_the_schema_comes_from_the_search_path_option(options, schema):
    url = make_url("postgresql+psycopg://lupus@db/lupus_commons")
    if options:
        url = url.update_query_dict({"options": options})
    assert pg_schema(url) == schema


if POSTGRES_URL:
    def test_postgresql_restore_refuses_an_archive_of_another_schema(sites, tmp_path):
        site = sites.new("postgresql", populated=False)
        path = tmp_path / "nightly.dump"
        assert site.cli("backup", str(path)).exit_code == 0
        other = with_search_path(POSTGRES_URL, "lc_elsewhere")
        assert_refused(sites.at(other).cli("restore", "--yes", str(path)),
                       "but the configured database uses schema lc_elsewhere")
