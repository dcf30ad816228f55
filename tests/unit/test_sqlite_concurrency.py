"""SQLite done right: concurrent read-modify-write transactions lose nothing.

This tests the embedded engine's own setup (community.db.build_engine), so it
always runs against a temporary SQLite file, whichever database the rest of
the suite uses.
"""

import threading

from sqlalchemy import Column, Integer, MetaData, Table, select, text, update
from sqlalchemy.orm import sessionmaker

from community.db import build_engine

WRITERS = 8
INCREMENTS = 50


def test_eight_concurrent_writers_lose_no_increment(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'counter.db'}")
    metadata = MetaData()
    counter = Table("counter", metadata, Column("id", Integer, primary_key=True), Column("n", Integer))
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(counter.insert().values(id=1, n=0))
    Session = sessionmaker(engine)
    errors = []

    def writer():
        try:
            for _ in range(INCREMENTS):
                with Session() as session, session.begin():
                    # Deliberately a read, then a write computed in Python.
                    n = session.execute(select(counter.c.n).where(counter.c.id == 1)).scalar_one()
                    session.execute(update(counter).where(counter.c.id == 1).values(n=n + 1))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        total = conn.execute(select(counter.c.n)).scalar_one()
        pragmas = {name: conn.execute(text(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "foreign_keys", "busy_timeout")}
    engine.dispose()
    assert not errors
    assert total == WRITERS * INCREMENTS
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 15000}
