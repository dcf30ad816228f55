"""Tracking data migrations: titres saved earlier with a unit lose it; measured values keep theirs."""

from alembic import command
from sqlalchemy import create_engine, text

from community.models import User
from community.schema import alembic_config
from tests.unit.test_migrations import fresh_database_url


def test_titres_saved_with_the_tests_unit_are_kept_without_it(app, tmp_path):
    url, drop = fresh_database_url(tmp_path)
    try:
        with app.app_context():
            cfg = alembic_config(url)
            command.upgrade(cfg, "0010")
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(User.__table__.insert().values(id=1, email="m@example.org", display_name="M",
                                                            password_hash="x"))
                for n, (value, value_text, unit) in enumerate([(320, "1:320", "IU/mL"), (45, "45", "IU/mL")]):
                    conn.execute(text(
                        "INSERT INTO tracking_lab_results (id, user_id, name, value, value_text, unit, taken_on, "
                        "notes, created_at) VALUES (:id, 1, 'Anti-dsDNA', :v, :t, :u, '2026-11-01', '', "
                        "'2026-11-01')"), {"id": n + 1, "v": value, "t": value_text, "u": unit})
            command.upgrade(cfg, "0011")
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT value_text, unit FROM tracking_lab_results ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [("1:320", ""), ("45", "IU/mL")]
            engine.dispose()
    finally:
        drop()
