"""SQLite transactions: reading requests run beside a writer, and GETs that write say so first.

These build a tiny app on their own SQLite file, so they mean the same on the
PostgreSQL pass.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import text

from community.db import db


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.db"
    app = Flask(__name__)
    app.config.update(TESTING=True, DATABASE_URL=f"sqlite:///{path}")
    db.init_app(app)

    @app.get("/count")
    def count():
        return str(db.session.scalar(text("SELECT count(*) FROM notes")))

    @app.get("/careless")
    def careless():
        db.session.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        db.session.commit()
        return "written"

    @app.get("/declared")
    def declared():
        before = db.session.scalar(text("SELECT count(*) FROM notes"))
        db.writing()
        db.session.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        db.session.commit()
        return str(before + 1)

    @app.post("/add")
    def add():
        db.session.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        db.session.commit()
        return "added"

    with app.app_context():
        db.session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        db.session.commit()
    return app, path


def hold_write_lock(path, seconds: float, holding: threading.Event) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO notes (body) VALUES ('held')")
    holding.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def test_a_reading_request_answers_while_another_process_holds_the_write_lock(tiny):
    app, path = tiny
    holding = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(path, 2.0, holding))
    writer.start()
    holding.wait(5)
    started = time.monotonic()
    response = app.test_client().get("/count")
    waited = time.monotonic() - started
    writer.join()
    assert response.text == "0"  # the uncommitted row is not seen
    assert waited < 1.0, f"the read queued on the write lock for {waited:.1f}s"


def test_a_writing_request_still_queues_on_the_lock_and_loses_nothing(tiny):
    app, path = tiny
    holding = threading.Event()
    writer = threading.Thread(target=hold_write_lock, args=(path, 0.5, holding))
    writer.start()
    holding.wait(5)
    assert app.test_client().post("/add").text == "added"
    writer.join()
    assert app.test_client().get("/count").text == "2"


def test_a_get_that_writes_without_saying_so_is_refused_and_writes_nothing(tiny):
    app, _ = tiny
    with pytest.raises(RuntimeError, match=r"call db.writing\(\) before its first write"):
        app.test_client().get("/careless")
    assert app.test_client().get("/count").text == "0"


def test_a_get_that_declares_its_write_commits_it(tiny):
    app, _ = tiny
    assert app.test_client().get("/declared").text == "1"
    assert app.test_client().get("/count").text == "1"
