"""SQLAlchemy 2.x without Flask-SQLAlchemy: one engine per app, one session per app context."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Every id column is a 32-bit INTEGER: a larger number names no row, and PostgreSQL refuses to
# compare one (SQLite overflows past 2**63). Addresses and forms stop such numbers before a query.
MAX_ROW_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored timestamp is UTC."""
    return datetime.now(UTC)


def append_only(model: type, what: str) -> None:
    """Refuse ORM updates and deletes of ``model`` rows, so records can only be added.

    Bulk SQL deletes skip these events on purpose: account erasure uses them.
    """

    def refuse(_mapper, _connection, _target):
        raise RuntimeError(f"{what} are append-only")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)


# Requests with these methods only read, so on SQLite they run in a plain (deferred)
# transaction: WAL lets any number of readers run beside the one writer, instead of
# queueing every page view on the write lock. A GET that must write says so first
# with ``db.writing()``.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _reads_only() -> bool:
    return (has_request_context() and request.method in READING_METHODS
            and not g.get("db_writing", False))


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every writing transaction.

    pysqlite's own transaction handling starts transactions lazily and lets a
    read-modify-write interleave with another writer, silently losing updates.
    This is SQLAlchemy's documented recipe: take over BEGIN ourselves and make
    it IMMEDIATE so a writer holds the write lock from its first read, and
    concurrent writers queue on busy_timeout instead of overwriting each other.

    Reading requests begin DEFERRED and hold no lock. A deferred transaction
    cannot safely turn into a writer (SQLite answers "database is locked" when
    another write landed since its snapshot, and busy_timeout does not help), so
    a write inside one is refused here, loudly and in every test, rather than
    failing only under load.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # Deleted rows are overwritten with zeros, not left in free pages: an erased health
        # note must not be readable in the file afterwards (see Database.scrub_erased).
        cursor.execute("PRAGMA secure_delete=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        reads_only = _reads_only()
        connection.info["reads_only"] = reads_only
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes_in_readers(connection, _cursor, statement, *_args):
        if connection.info.get("reads_only") and statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
            raise RuntimeError(
                f"{request.method} {request.endpoint} writes inside a reading transaction; "
                "call db.writing() before its first write")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        connection.info["reads_only"] = False


def build_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the per-dialect settings this app relies on."""
    if url.startswith("sqlite"):
        from sqlalchemy.pool import StaticPool

        connect_args = {"check_same_thread": False, "timeout": 15}
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection so every thread sees the same in-memory database.
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """Holds each app's engine and hands out the app context's session."""

    def init_app(self, app: Flask) -> None:
        engine = build_engine(app.config["DATABASE_URL"], **app.config.get("ENGINE_OPTIONS", {}))
        app.extensions["db"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["db"].kw["bind"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["db"]()
        return g.db_session

    def writing(self) -> None:
        """Announce that this reading request (a GET) is about to write.

        Ends the request's read transaction, so its writes start a new one that
        holds the write lock from the start (see ``_configure_sqlite``). Objects
        already loaded stay usable; re-read anything the write depends on.
        """
        g.db_writing = True
        session = self.session
        if session.in_transaction() and session.connection().info.get("reads_only"):
            session.commit()

    def scrub_erased(self) -> None:
        """After an erasure has committed: on SQLite, fold the WAL into the database and empty it.

        secure_delete zeroes the erased rows in the database file, but the -wal file still holds
        older copies of those pages until a checkpoint truncates it. PostgreSQL keeps dead rows
        until (auto)vacuum reuses them; see the README's security section.
        """
        engine = self.engine
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return
        raw = engine.raw_connection()  # autocommit (we emit BEGIN ourselves): a checkpoint needs that
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zone type and hands back naive values; this keeps
    comparisons with ``utcnow()`` correct on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use community.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
