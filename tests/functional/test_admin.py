"""Admins change roles and suspend members; every action lands in the staff log."""

from sqlalchemy import select

from community.db import db
from community.models import AuditEvent, User
from tests.support.factories import make_user


def test_admin_changes_a_role_with_a_reason_and_it_is_audited(app, client, auth):
    admin_id = auth.sign_in_as(role="admin", display_name="Ada")
    with app.app_context():
        member_id = make_user(display_name="Rowan").id
    response = client.submit(f"/admin/members/{member_id}/role", {"role": "moderator", "reason": "Trusted"},
                             page=f"/admin/members/{member_id}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, member_id).role == "moderator"
        event = db.session.scalar(select(AuditEvent))
        assert (event.actor_id, event.action, event.target_user_id) == (admin_id, "user.set_role", member_id)
        assert (event.before, event.after, event.reason) == ({"role": "member"}, {"role": "moderator"}, "Trusted")
    page = client.get("/admin/staff-log").get_data(as_text=True)
    assert "Made Rowan a moderator (was a member) — reason: Trusted" in page and "user.set_role" not in page


def test_role_change_without_a_reason_is_refused_beside_the_field(app, client, auth):
    auth.sign_in_as(role="admin")
    with app.app_context():
        member_id = make_user().id
    response = client.submit(f"/admin/members/{member_id}/role", {"role": "admin", "reason": ""},
                             page=f"/admin/members/{member_id}")
    assert response.status_code == 400
    assert "Please give a reason" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, member_id).role == "member"
        assert db.session.scalar(select(AuditEvent)) is None


def test_admin_cannot_change_their_own_role(app, client, auth):
    admin_id = auth.sign_in_as(role="admin")
    response = client.submit(f"/admin/members/{admin_id}/role", {"role": "member", "reason": "oops"},
                             page=f"/admin/members/{admin_id}")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, admin_id).role == "admin"


def test_admin_suspends_and_lifts_a_suspension(app, client, auth):
    auth.sign_in_as(role="admin")
    with app.app_context():
        member_id = make_user(email="spam@example.org").id
    client.submit(f"/admin/members/{member_id}/suspend", {"days": "3", "reason": "Spam"},
                  page=f"/admin/members/{member_id}")
    with app.app_context():
        assert db.session.get(User, member_id).is_suspended()
    page = client.submit(f"/admin/members/{member_id}/suspend", {"days": "-1", "reason": "x"},
                         page=f"/admin/members/{member_id}")
    client.submit(f"/admin/members/{member_id}/lift-suspension", {"reason": "Appeal accepted"},
                  page=f"/admin/members/{member_id}")
    with app.app_context():
        assert not db.session.get(User, member_id).is_suspended()
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.suspend", "user.unsuspend"]
    assert page.status_code == 400


def test_member_search_finds_by_display_name(app, client, auth):
    auth.sign_in_as(role="admin")
    with app.app_context():
        make_user(display_name="Juniper")
        make_user(display_name="Rowan")
    page = client.get("/admin/?q=junip").get_data(as_text=True)
    assert "Juniper" in page and "Rowan" not in page


def test_cli_creates_an_admin_and_sets_roles(app, runner):
    result = runner.invoke(args=["users", "create-admin", "--email", "root@example.org",
                                 "--display-name", "Root", "--password", "amber fox lantern"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        make_user(email="helper@example.org")
    result = runner.invoke(args=["users", "set-role", "helper@example.org", "moderator", "--reason", "volunteer"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "helper@example.org")) == "moderator"
        assert db.session.scalar(select(User).where(User.email == "root@example.org")).role == "admin"
        assert len(db.session.scalars(select(AuditEvent)).all()) == 2
    result = runner.invoke(args=["users", "set-role", "nobody@example.org", "admin"])
    assert result.exit_code != 0 and "No account" in result.output
    result = runner.invoke(args=["users", "create-admin", "--email", "x@example.org",
                                 "--display-name", "X1", "--password", "password"])
    assert result.exit_code != 0 and "too common" in result.output


def test_audit_rows_cannot_be_changed_or_deleted(app):
    import pytest
    with app.app_context():
        admin = make_user(role="admin")
        from community import audit
        audit.record(admin, "test.action", reason="kept")
        db.session.commit()
        event = db.session.scalar(select(AuditEvent))
        event.reason = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
