"""Migrations go up, down and up again, and agree with the models (alembic check)."""

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from community.db import Base
from community.schema import alembic_config
from tests.conftest import POSTGRES_URL, private_schema, with_search_path


def fresh_database_url(tmp_path) -> tuple[str, callable]:
    if not POSTGRES_URL:
        return f"sqlite:///{tmp_path / 'migrations.db'}", lambda: None
    schema = private_schema("lc_migrations")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return with_search_path(POSTGRES_URL, schema), drop


def test_upgrade_downgrade_upgrade_and_models_agree(app, tmp_path):
    url, drop = fresh_database_url(tmp_path)
    try:
        with app.app_context():
            cfg = alembic_config(url)
            assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1, "merge the migration heads"
            command.upgrade(cfg, "head")
            engine = create_engine(url)
            tables = set(inspect(engine).get_table_names())
            assert {t.name for t in Base.metadata.sorted_tables} <= tables
            command.downgrade(cfg, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            command.upgrade(cfg, "head")
            command.check(cfg)  # raises if models and migrations disagree
            engine.dispose()
    finally:
        drop()
