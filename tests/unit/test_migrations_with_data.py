"""Upgrading a database that already holds a community, not only an empty one: the messages
migration adds a column to the review queue while reports point at its items."""

from alembic import command
from sqlalchemy import create_engine, text

from community.models import User
from community.schema import alembic_config
from tests.unit.test_migrations import fresh_database_url

NOW = "2026-11-01 10:00:00"


def test_the_queue_gains_its_message_column_while_reports_point_at_its_items(app, tmp_path):
    url, drop = fresh_database_url(tmp_path)
    try:
        with app.app_context():
            cfg = alembic_config(url)
            command.upgrade(cfg, "0013")
            engine = create_engine(url)
            with engine.begin() as conn:
                if engine.dialect.name == "sqlite":
                    conn.execute(text("PRAGMA foreign_keys=ON"))
                conn.execute(User.__table__.insert().values(id=1, email="m@example.org", display_name="M",
                                                            password_hash="x"))
                conn.execute(text("INSERT INTO moderation_queue_items (id, kind, urgent, summary, snapshot, "
                                  "created_at, resolution_reason) VALUES (1, 'report', false, 's', '', :t, '')"),
                             {"t": NOW})
                conn.execute(text("INSERT INTO moderation_reports (id, item_id, reporter_id, subject_id, reason, "
                                  "note, snapshot, created_at) VALUES (1, 1, 1, 1, 'spam', '', '', :t)"), {"t": NOW})
            engine.dispose()
            command.upgrade(cfg, "head")
            engine = create_engine(url)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT id, message_id FROM moderation_queue_items")).all() == [(1, None)]
                assert conn.execute(text("SELECT item_id FROM moderation_reports")).scalar() == 1
            engine.dispose()
    finally:
        drop()
