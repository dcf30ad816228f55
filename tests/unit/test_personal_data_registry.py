"""The export and deletion framework covers every table that holds a member's data."""

from sqlalchemy import func, select

from community import userdata
from community.account.services import delete_account, export_data
from community.db import Base, db
from community.models import User
from tests.support.factories import PASSWORD, make_user


def user_linked_tables() -> dict[str, set[str]]:
    """Tables with a foreign key to users, or a column named like a user reference."""
    linked: dict[str, set[str]] = {"users": {"id"}}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            points_at_users = any(fk.column.table.name == "users" for fk in column.foreign_keys)
            if points_at_users or column.name.endswith("user_id"):
                linked.setdefault(table.name, set()).add(column.name)
    return linked


def test_every_member_linked_table_is_registered_for_export_and_deletion():
    registered = userdata.registered_tables()
    missing = sorted(set(user_linked_tables()) - set(registered))
    assert not missing, f"register these tables in community.userdata: {missing}"


def test_registration_names_a_real_owner_column():
    for name, entry in userdata.registered_tables().items():
        assert entry.owner_column in Base.metadata.tables[name].columns, name


def test_export_has_a_section_for_every_registered_table(app):
    with app.app_context():
        user = make_user()
        document = export_data(user)
    sections = {entry.section for entry in userdata.registered_tables().values()}
    assert sections <= set(document["sections"])
    assert document["format"] == "lupus-commons-export"


def test_deletion_leaves_no_row_owned_by_the_member_in_erased_or_anonymised_tables(app):
    with app.app_context():
        user = make_user()
        bystander = make_user()
        user_id, bystander_id = user.id, bystander.id
        delete_account(user, PASSWORD)
        for name, entry in userdata.registered_tables().items():
            if entry.on_delete is userdata.OnDelete.KEEP:
                continue
            column = getattr(entry.model, entry.owner_column)
            left = db.session.scalar(select(func.count()).select_from(entry.model).where(column == user_id))
            assert left == 0, f"{name} still has rows for the deleted member"
        assert db.session.get(User, bystander_id) is not None  # nobody else is touched
