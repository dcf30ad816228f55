"""Community insights: contribution consent, treatment pages, symptom and condition pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.forms import ActionForm
from community.insights import services
from community.insights.disclosure import DIAGNOSES, FEW, HIDDEN
from community.insights.forms import ContributeForm
from community.permissions import MEMBER, access
from community.tracking import catalogue

bp = Blueprint("insights", __name__)

NO_STORE = {"Cache-Control": "no-store"}  # the member's own consent record


@bp.app_context_processor
def _insights_helpers():
    # Callable, so only the dashboard that shows "members like me" pays for the profile query.
    return {"insights_like_me": lambda: services.like_me(current_user),
            "insights_mentions": lambda *texts: services.mentioned_treatments(current_user, *texts),
            "insight_few": FEW, "insight_hidden": HIDDEN, "insight_label": catalogue.label}


@bp.get("/")
@access(MEMBER)
def index():
    view = services.page(current_user, "treatments", "all", request.args.get("group"))
    return render_template("insights/index.html", view=view, choices=services.like_me(current_user),
                           contributing=services.is_contributing(services.consent_history(current_user)))


@bp.get("/treatments/<slug>")
@access(MEMBER)
def treatment(slug: str):
    view = services.page(current_user, "treatment", slug, request.args.get("group"))
    return render_template("insights/treatment.html", view=view, slug=slug, choices=services.like_me(current_user),
                           name=view.page.title if view.page else services.medication_name(slug))


@bp.get("/medications/<int:medication_id>")
@access(MEMBER)
def medication(medication_id: int):
    # Links from a member's own treatment carry the catalogue id, which tracking already has.
    return redirect(url_for("insights.treatment", slug=services.medication_slug(current_user, medication_id)))


@bp.get("/symptoms")
@access(MEMBER)
def symptoms():
    return render_template("insights/symptoms.html", table=services.symptom_table(current_user),
                           diagnoses=DIAGNOSES, refused=services.REFUSED)


@bp.get("/conditions/<diagnosis>")
@access(MEMBER)
def condition(diagnosis: str):
    view = services.condition_page(current_user, diagnosis)
    return render_template("insights/condition.html", view=view, diagnosis=diagnosis,
                           label=dict(DIAGNOSES)[diagnosis])


@bp.route("/contribute", methods=["GET", "POST"])
@access(MEMBER)
def contribute():
    form = ContributeForm()
    if form.validate_on_submit():
        services.give_consent(current_user)
        flash("Thank you. Your records will be counted from the next refresh of community statistics.", "success")
        return redirect(url_for("insights.contribute"))
    history = services.consent_history(current_user)
    return render_template("insights/contribute.html", form=form, action_form=ActionForm(), history=history,
                           contributing=services.is_contributing(history)), 400 if form.errors else 200, NO_STORE


@bp.post("/contribute/withdraw")
@access(MEMBER)
def withdraw():
    if ActionForm().validate_on_submit():
        services.withdraw_consent(current_user)
        flash("You no longer contribute. The next refresh leaves your records out of every number.", "success")
    return redirect(url_for("insights.contribute"))

