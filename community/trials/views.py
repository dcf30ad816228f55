"""Trial suggestions: consent, suggestions, trial pages, interest summaries, and admin curation."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.errors import ValidationFailed
from community.forms import ActionForm
from community.permissions import ADMIN, MEMBER, PUBLIC, access
from community.trials import consents, curation_admin, forms, interests, suggestions, trial_pages
from community.trials.curation import CURATED_KINDS
from community.trials.matching import CATEGORIES
from community.views import requested_next, show_error

bp = Blueprint("trials", __name__)

NO_STORE = {"Cache-Control": "no-store"}  # these pages show health data


@bp.app_template_filter("registry_date")
def registry_date(value: str) -> str:
    """A registry date ("2026-11-25" or "2026-11") as people say it ("25 Nov 2026", "Nov 2026")."""
    from calendar import month_abbr

    parts = (value or "").split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        day = int(parts[2]) if len(parts) > 2 else None
        label = f"{month_abbr[month]} {year}"
    except (ValueError, IndexError):
        return value or ""
    return f"{day} {label}" if day else label


@bp.app_context_processor
def _trial_helpers():
    return {"status_caveat": trial_pages.status_caveat}


@bp.get("/")
@access(MEMBER)
def index():
    result = suggestions.suggestions(current_user)
    return render_template("trials/index.html", result=result, action_form=ActionForm(),
                           consent_version=consents.CONSENT_VERSION), 200, NO_STORE


@bp.route("/consent", methods=["GET", "POST"])
@access(MEMBER)
def consent():
    latest = consents.latest_consent(current_user)
    form = forms.ConsentForm()
    if latest is not None and latest.action == "given" and not form.is_submitted():
        form.categories.data = list(latest.categories)
        form.email_updates.data = latest.email_updates
    if form.validate_on_submit():
        try:
            suggestions.give_consent(current_user, categories=form.categories.data or [],
                                  email_updates=form.email_updates.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Trial suggestions are on. They use only the records you chose.", "success")
            return redirect(requested_next() or url_for("trials.index"))
    return render_template("trials/consent.html", form=form, latest=latest, action_form=ActionForm(),
                           highlighted=trial_pages.find_trial(request.args.get("trial", "")),
                           history=consents.consent_history(current_user),
                           labels=consents.CATEGORY_LABELS, categories=CATEGORIES,
                           consent_version=consents.CONSENT_VERSION), 200, NO_STORE


@bp.post("/consent/withdraw")
@access(MEMBER)
def withdraw():
    if ActionForm().validate_on_submit():
        suggestions.withdraw_consent(current_user)
        flash("Trial suggestions are off. Your matches, interest marks and trial notes are deleted.", "success")
    return redirect(url_for("trials.consent"))


@bp.post("/notifications/seen")
@access(MEMBER)
def notifications_seen():
    if ActionForm().validate_on_submit():
        suggestions.mark_notifications_seen(current_user)
        flash("Marked as seen.", "success")
    return redirect(url_for("trials.index"))


@bp.get("/studies")
@access(PUBLIC)
def catalogue():
    return render_template("trials/catalogue.html", trials=trial_pages.catalogue())


@bp.get("/studies/<nct_id>")
@access(PUBLIC)
def trial(nct_id: str):
    view = trial_pages.trial_for(current_user, nct_id)
    headers = NO_STORE if view.consented else {}
    return render_template("trials/trial.html", view=view, action_form=ActionForm()), 200, headers


@bp.post("/studies/<nct_id>/interest")
@access(MEMBER)
def interest(nct_id: str):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("trials.trial", nct_id=nct_id))
    try:
        mark = interests.mark_interest(current_user, nct_id)
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(url_for("trials.consent"))
    flash("Noted. Here is your pre-screening summary — nothing has been sent to anyone.", "success")
    return redirect(url_for("trials.summary", interest_id=mark.id))


@bp.get("/interests/<int:interest_id>")
@access(MEMBER)
def summary(interest_id: int):
    data = interests.pre_screening(current_user, interest_id)
    return render_template("trials/summary.html", data=data, action_form=ActionForm()), 200, NO_STORE


@bp.get("/interests/<int:interest_id>/download")
@access(MEMBER)
def download_summary(interest_id: int):
    data = interests.pre_screening(current_user, interest_id)
    return Response(interests.pre_screening_text(data), mimetype="text/plain",
                    headers={**NO_STORE, "Content-Disposition":
                             f'attachment; filename="pre-screening-{data.trial.nct_id}.txt"'})


@bp.post("/interests/<int:interest_id>/remove")
@access(MEMBER)
def remove_interest(interest_id: int):
    if ActionForm().validate_on_submit():
        interests.remove_interest(current_user, interest_id)
        flash("Your interest mark is removed.", "success")
    return redirect(url_for("trials.index"))


# -- admin curation ---------------------------------------------------------------------------------
@bp.get("/admin")
@access(ADMIN)
def admin_list():
    return render_template("trials/admin_list.html", rows=curation_admin.curation_list(current_user))


@bp.route("/admin/<nct_id>", methods=["GET", "POST"])
@access(ADMIN)
def admin_trial(nct_id: str):
    trial = curation_admin.curation_trial(current_user, nct_id)
    form = forms.CriterionForm()
    if form.validate_on_submit():
        try:
            curation_admin.add_criterion(current_user, trial.nct_id, form.kind.data, form.params())
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Criterion added. Members' suggestions will be updated.", "success")
            return redirect(url_for("trials.admin_trial", nct_id=trial.nct_id))
    return render_template("trials/admin_trial.html", trial=trial, form=form, kinds=CURATED_KINDS,
                           action_form=ActionForm(), readings=curation_admin.bullet_readings(trial))


@bp.route("/admin/criteria/<int:criterion_id>", methods=["GET", "POST"])
@access(ADMIN)
def admin_criterion(criterion_id: int):
    criterion, trial = curation_admin.get_criterion(current_user, criterion_id)
    form = forms.CriterionForm()
    if not form.is_submitted():
        form.fill(criterion.kind, criterion.params)
    form.kind.data = criterion.kind  # the kind of an existing criterion doesn't change
    if form.validate_on_submit():
        try:
            curation_admin.update_criterion(current_user, criterion.id, form.params())
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Criterion saved.", "success")
            return redirect(url_for("trials.admin_trial", nct_id=trial.nct_id))
    return render_template("trials/admin_criterion.html", trial=trial, criterion=criterion, form=form,
                           kinds=CURATED_KINDS)


@bp.post("/admin/criteria/<int:criterion_id>/delete")
@access(ADMIN)
def admin_delete_criterion(criterion_id: int):
    criterion, trial = curation_admin.get_criterion(current_user, criterion_id)
    if ActionForm().validate_on_submit():
        curation_admin.delete_criterion(current_user, criterion.id)
        flash("Criterion removed.", "success")
    return redirect(url_for("trials.admin_trial", nct_id=trial.nct_id))


@bp.post("/admin/<nct_id>/reread")
@access(ADMIN)
def admin_reread(nct_id: str):
    trial = curation_admin.curation_trial(current_user, nct_id)
    if ActionForm().validate_on_submit():
        curation_admin.reread_trial(current_user, trial.nct_id)
        flash("The eligibility text was read again. Your reviewed bullets kept their review.", "success")
    return redirect(url_for("trials.admin_trial", nct_id=trial.nct_id))


@bp.post("/admin/bullets/<int:bullet_id>/review")
@access(ADMIN)
def admin_review_bullet(bullet_id: int):
    form = forms.BulletReviewForm()
    if not form.validate_on_submit():
        flash("Please choose confirm, discard or read again.", "error")
        return redirect(url_for("trials.admin_list"))
    trial = curation_admin.review_bullet(current_user, bullet_id, form.action.data)
    flash({"confirm": "Reading confirmed.", "discard": "Reading discarded: the study team checks this bullet.",
           "reread": "Bullet read again."}[form.action.data], "success")
    return redirect(url_for("trials.admin_trial", nct_id=trial.nct_id, _anchor=f"bullet-{bullet_id}"))


@bp.route("/admin/bullets/<int:bullet_id>/correct", methods=["GET", "POST"])
@access(ADMIN)
def admin_correct_bullet(bullet_id: int):
    bullet, trial = curation_admin.get_bullet(current_user, bullet_id)
    form = forms.CriterionForm()
    if form.validate_on_submit():
        try:
            curation_admin.correct_bullet(current_user, bullet.id, form.kind.data, form.params())
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Correction saved. It stays while the registry's words for this bullet are unchanged.", "success")
            return redirect(url_for("trials.admin_trial", nct_id=trial.nct_id, _anchor=f"bullet-{bullet.id}"))
    return render_template("trials/admin_correct.html", trial=trial, bullet=bullet, form=form, kinds=CURATED_KINDS)

