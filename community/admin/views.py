"""Admin pages: members, roles, suspensions and the staff log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.admin import forms, services
from community.errors import ValidationFailed
from community.moderation import wording
from community.permissions import ADMIN, access
from community.trials import consents
from community.views import page_number, show_error

bp = Blueprint("admin", __name__)


@bp.get("/")
@access(ADMIN)
def members():
    search = forms.MemberSearchForm(request.args)
    query = search.q.data if search.validate() else ""
    rows, has_more = services.find_members(query or "", page_number())
    return render_template("admin/members.html", search=search, members=rows,
                           has_more=has_more, page=page_number(),
                           consent_counts=consents.consent_counts(current_user))


def _member_page(member, role_form=None, suspend_form=None, lift_form=None, consent_form=None,
                 consent_record=None, status=200):
    return render_template(
        "admin/member.html", member=member,
        role_form=role_form or forms.RoleForm(role=member.role),
        suspend_form=suspend_form or forms.SuspendForm(),
        lift_form=lift_form or forms.LiftSuspensionForm(),
        consent_form=consent_form or forms.ConsentRecordForm(),
        consent_record=consent_record,
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


@bp.post("/members/<int:user_id>/consent-record")
@access(ADMIN)
def consent_record(user_id: int):
    """A member's trial-consent record, shown only to answer that member's own request."""
    member = services.get_member(user_id)
    form = forms.ConsentRecordForm()
    if form.validate_on_submit():
        try:
            record = consents.disclose_consent_record(current_user, member, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _member_page(member, consent_record=record)
    return _member_page(member, consent_form=form, status=400)


@bp.get("/staff-log")
@access(ADMIN)
def staff_log():
    events, has_more = services.staff_log(page_number())
    return render_template("admin/staff_log.html", events=events, has_more=has_more, page=page_number(),
                           said=wording.describe(events))
