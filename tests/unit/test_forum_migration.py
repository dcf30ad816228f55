"""The forums migration builds (and removes) the search index for each database engine."""

from alembic import command
from sqlalchemy import create_engine, inspect, text

from community.cli import alembic_config
from tests.conftest import POSTGRES_URL
from tests.unit.test_migrations import fresh_database_url

SQLITE_TRIGGERS = {"forum_fts_post_insert", "forum_fts_post_update", "forum_fts_post_delete",
                   "forum_fts_topic_title"}
POSTGRES_INDEXES = {"ix_forum_posts_body_fts", "ix_forum_topics_title_fts"}


def search_artefacts(engine) -> set[str]:
    with engine.connect() as conn:
        if POSTGRES_URL:
            return set(conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND indexname LIKE '%\\_fts'")).scalars())
        return set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE name LIKE 'forum_fts%' AND type IN ('table', 'trigger')")
        ).scalars())


def test_forum_search_index_is_created_kept_in_step_and_removed(app, tmp_path):
    url, drop = fresh_database_url(tmp_path)
    try:
        with app.app_context():
            cfg = alembic_config(url)
            command.upgrade(cfg, "0003")
            engine = create_engine(url)
            found = search_artefacts(engine)
            if POSTGRES_URL:
                assert found >= POSTGRES_INDEXES
            else:
                assert SQLITE_TRIGGERS | {"forum_fts"} <= found
                # The triggers keep the index in step with inserts, title edits and deletes.
                with engine.begin() as conn:
                    conn.execute(text(
                        "INSERT INTO users (id, email, display_name, password_hash, role, time_zone, "
                        "terms_accepted_at, created_at, session_token, bio, pronouns, show_lupus_since) "
                        "VALUES (1, 'a@example.org', 'A', 'x', 'member', 'UTC', '2026-01-01', '2026-01-01', "
                        "'t', '', '', 1)"))
                    conn.execute(text(
                        "INSERT INTO forum_categories (id, slug, name, description, position, "
                        "members_only_default, topic_count, post_count, created_at) "
                        "VALUES (1, 'c', 'C', '', 0, 1, 0, 0, '2026-01-01')"))
                    conn.execute(text(
                        "INSERT INTO forum_topics (id, category_id, author_id, title, members_only, created_at, "
                        "last_post_at, last_number, reply_count) VALUES (1, 1, 1, 'Kidney questions', 0, "
                        "'2026-01-01', '2026-01-01', 1, 0)"))
                    conn.execute(text(
                        "INSERT INTO forum_posts (id, topic_id, number, author_id, body_raw, body_html, body_text, "
                        "created_at, edit_count) VALUES (1, 1, 1, 1, 'x', 'x', 'proteinuria worries', "
                        "'2026-01-01', 0)"))

                    def hits(word):
                        return conn.execute(text("SELECT count(*) FROM forum_fts WHERE forum_fts MATCH :w"),
                                            {"w": word}).scalar()

                    assert hits("kidney") == 1 and hits("proteinuria") == 1
                    conn.execute(text("UPDATE forum_topics SET title = 'Renal questions' WHERE id = 1"))
                    conn.execute(text("UPDATE forum_posts SET body_text = 'biopsy' WHERE id = 1"))
                    assert hits("kidney") == 0 and hits("renal") == 1 and hits("biopsy") == 1
                    conn.execute(text("DELETE FROM forum_posts"))
                    assert conn.execute(text("SELECT count(*) FROM forum_fts")).scalar() == 0
            command.downgrade(cfg, "0001")
            assert not search_artefacts(engine)
            assert not [t for t in inspect(engine).get_table_names() if t.startswith("forum_")]
            engine.dispose()
    finally:
        drop()
