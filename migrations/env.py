"""Alembic environment: metadata from community.db, URL from the app's settings."""

from logging.config import fileConfig

from alembic import context

from community import models  # noqa: F401 - registers every table on Base.metadata
from community.db import Base, build_engine
from config import config_from_env

config = context.config
if config.config_file_name is not None and not config.attributes.get("database_url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def include_name(name, type_, _parent_names) -> bool:
    """Leave full-text search artefacts alone: they are created by hand in migrations
    (SQLite FTS5 tables and their shadow tables, PostgreSQL tsvector columns and indexes)."""
    return not (type_ in ("table", "index", "column") and name and "_fts" in name)


def database_url() -> str:
    return config.attributes.get("database_url") or config_from_env().DATABASE_URL


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, compare_type=True,
                      include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    # render_as_batch lets ALTER-style changes work on SQLite too. Batch mode rebuilds a table and
    # drops the old copy, which SQLite refuses while other rows point at it (foreign keys on), so
    # enforcement is off while migrating, as Alembic's batch documentation advises, and every
    # reference is checked before it comes back on. The pragma only works outside a transaction.
    sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
    raw = connection.connection.driver_connection if sqlite else None
    if sqlite:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True, include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migrating left references to missing rows: {broken[:5]}")
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
