"""An erased account leaves no trace of its health notes in the database's files: SQLite runs
with secure_delete, and an erasure empties the write-ahead log. (Always on a SQLite file of its
own, whichever database the suite runs on: this is about the embedded database's files.)"""

from datetime import date

from alembic import command
from sqlalchemy import text

from community import create_app
from community.db import db
from community.schema import alembic_config
from config import TestConfig
from tests.conftest import FormClient
from tests.support.factories import PASSWORD, make_user
from tests.support.tracking import checkin, seed_catalogues

NOTE = "zq-private-note: started methotrexate, scared about my kidneys"


def files_holding(directory, text: str) -> list[str]:
    needle = text.encode()
    return sorted(p.name for p in directory.iterdir() if p.is_file() and needle in p.read_bytes())


def test_a_deleted_members_note_is_in_no_file_under_instance(tmp_path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'lupus-commons.db'}"
    app = create_app({"_base": TestConfig, "DATABASE_URL": url})
    app.test_client_class = FormClient
    try:
        with app.app_context():
            command.upgrade(alembic_config(url), "heads")
            seed_catalogues()
            user = make_user()
            email = user.email
            checkin(user, day=date(2026, 3, 3), today=date(2026, 3, 3), notes=NOTE)
        assert files_holding(instance, NOTE), "the note was written somewhere to begin with"
        client = app.test_client()
        assert client.submit("/auth/login", {"email": email, "password": PASSWORD}).status_code == 302
        response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
        assert response.status_code == 302
        assert files_holding(instance, NOTE) == []
        with app.app_context():
            assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1
    finally:
        app.extensions["db"].kw["bind"].dispose()
