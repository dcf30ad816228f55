"""Admin pages: members, roles, suspensions and the staff log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.admin import forms, services
from community.errors import ValidationFailed
from community.moderation import wording
from community.permissions import ADMIN, access
from community.views import show_error

bp = Blueprint("admin", __name__)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.get("/")
@access(ADMIN)
def members():
    search = forms.MemberSearchForm(request.args)
    query = search.q.data if search.validate() else ""
    rows, has_more = services.find_members(query or "", _page())
    return render_template("admin/members.html", search=search, members=rows,
                           has_more=has_more, page=_page())


def _member_page(member, role_form=None, suspend_form=None, lift_form=None, status=200):
    return render_template(
        "admin/member.html", member=member,
        role_form=role_form or forms.RoleForm(role=member.role),
        suspend_form=suspend_form or forms.SuspendForm(),
        lift_form=lift_form or forms.LiftSuspensionForm(),
    ), status


@bp.get("/members/<int:user_id>")
@access(ADMIN)
def member(user_id: int):
    return _member_page(services.get_member(user_id))


@bp.post("/members/<int:user_id>/role")
@access(ADMIN)
def set_role(user_id: int):
    form = forms.RoleForm()
    if form.validate_on_submit():
        try:
            target = services.set_role(current_user, user_id, form.role.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash(f"{target.display_name} is now a {target.role}.", "success")
            return redirect(url_for("admin.member", user_id=user_id))
    return _member_page(services.get_member(user_id), role_form=form, status=400)


@bp.post("/members/<int:user_id>/suspend")
@access(ADMIN)
def suspend(user_id: int):
    form = forms.SuspendForm()
    if form.validate_on_submit():
        target = services.suspend(current_user, user_id, form.days.data, form.reason.data)
        flash(f"{target.display_name} is suspended and signed out everywhere.", "success")
        return redirect(url_for("admin.member", user_id=user_id))
    return _member_page(services.get_member(user_id), suspend_form=form, status=400)


@bp.post("/members/<int:user_id>/lift-suspension")
@access(ADMIN)
def lift_suspension(user_id: int):
    form = forms.LiftSuspensionForm()
    if form.validate_on_submit():
        try:
            target = services.lift_suspension(current_user, user_id, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash(f"{target.display_name} can sign in again.", "success")
            return redirect(url_for("admin.member", user_id=user_id))
    return _member_page(services.get_member(user_id), lift_form=form, status=400)


@bp.get("/staff-log")
@access(ADMIN)
def staff_log():
    events, has_more = services.staff_log(_page())
    return render_template("admin/staff_log.html", events=events, has_more=has_more, page=_page(),
                           said=wording.describe(events))
