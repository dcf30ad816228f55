"""Tracking pages: check-in, flares, treatments, labs, profile, charts, calendar, summary, exports.

Every page here is the signed-in member's own data; the services load only
the member's rows and answer 404 for anyone else's ids.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from community.errors import ValidationFailed
from community.forms import ActionForm
from community.models.tracking import SEVERITY_WORDS, WELLBEING_WORDS
from community.permissions import MEMBER, access
from community.tracking import (
    catalogue,
    charts,
    checkin_log,
    common,
    export,
    flare_log,
    forms,
    health_profile,
    lab_log,
    pages,
    preferences,
    treatment_log,
    visit_summary,
)
from community.tracking import labs as labs_
from community.views import show_error

bp = Blueprint("tracking", __name__)


@bp.app_template_filter("calday")
def _calday(value: date | None) -> str:
    """A local date as people say it ("Tue 3 Mar"), with the year when not this year."""
    return common.say_day(value, _viewer_today())


def _viewer_today() -> date | None:
    """The viewer's own date, worked out once per request: a page can show dozens of dates."""
    today = getattr(request, "_tracking_viewer_today", _UNSET)
    if today is _UNSET:
        today = common.local_today(current_user) if current_user.is_authenticated else None
        request._tracking_viewer_today = today
    return today


_UNSET = object()


@bp.app_template_filter("fullday")
def _fullday(value: date | None) -> str:
    """A date with its year always ("3 Dec 2026"), for the summary a doctor keeps."""
    return common.say_date(value)


@bp.app_template_filter("labvalue")
def _labvalue(lab) -> str:
    """A lab result as read: "1:320" (a titre has no unit), "0.6 g/L"."""
    return labs_.shown(lab)


@bp.app_template_filter("labrange")
def _labrange(lab) -> str:
    return labs_.normal_range(lab)


@bp.app_template_filter("num")
def _num(value: float | None) -> str:
    return charts.format_number(value)


@bp.context_processor
def _tracking_helpers():
    return {"label": catalogue.label, "severity_words": SEVERITY_WORDS, "wellbeing_words": WELLBEING_WORDS,
            # formdata=None: only its CSRF token is rendered, and an error page for an unreadable
            # body (413, bad JSON) must not read the body again.
            "action_form": ActionForm(formdata=None)}


def _today() -> date:
    return common.local_today(current_user)


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        abort(404)


def _int_or_none(value) -> int | None:
    """A whole number from a hidden field or choice; anything else (a tampered form) counts as none."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _done(message: str, endpoint: str = "tracking.dashboard", **values):
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


# -- dashboard ----------------------------------------------------------------------------------
@bp.get("/")
@access(MEMBER)
def dashboard():
    return render_template("tracking/dashboard.html", page=pages.dashboard(current_user))


# -- check-in -----------------------------------------------------------------------------------
def _checkin_symptom_groups(form, symptoms, checkin, previous):
    """Put first the starter symptoms, those the member rated (today, else last time) and their own."""
    # The starters stay in view even after a check-in that rated only one of them.
    mine = {s.id for s in symptoms if s.slug in catalogue.STARTER_SYMPTOMS or s.owner_id is not None}
    mine |= {r.symptom_id for r in checkin.ratings} if checkin is not None else set(previous)
    if request.method == "POST":
        mine |= {sid for sid, f in form.symptom_fields if f.data not in (None, "") or f.errors}
    fields = dict(form.symptom_fields)
    first = [(s, fields[s.id]) for s in symptoms if s.id in mine]
    rest = [(s, fields[s.id]) for s in symptoms if s.id not in mine]
    return first, rest


@bp.route("/check-in", methods=["GET", "POST"])
@access(MEMBER)
def checkin():
    today = _today()
    day = _parse_day(request.args.get("day")) or today
    if day > today:
        flash("That day hasn't come yet. Here is today's check-in.", "info")
        return redirect(url_for("tracking.checkin"))
    existing = checkin_log.checkin_for_day(current_user, day)
    symptoms = common.symptoms_for(current_user)
    form = forms.checkin_form(symptoms, treatment_log.treatments_active_on(current_user, day))
    if request.method == "GET":
        form.day.data = day
        if existing is not None:
            form.checkin_id.data = str(existing.id)
            form.wellbeing.data = str(existing.wellbeing) if existing.wellbeing else None
            form.sleep_hours.data = existing.sleep_hours
            form.triggers.data = list(existing.triggers or [])
            form.custom_trigger.data = existing.custom_trigger
            form.medications_taken.data = list(existing.medications_taken or [])
            form.notes.data = existing.notes
            for rating in existing.ratings:
                if f"sym_{rating.symptom_id}" in form:
                    form[f"sym_{rating.symptom_id}"].data = str(rating.severity)
    elif form.validate_on_submit():
        data = checkin_log.CheckInData(
            day=form.day.data, ratings=form.ratings(), wellbeing=_int_or_none(form.wellbeing.data),
            sleep_hours=form.sleep_hours.data, triggers=form.triggers.data or [],
            custom_trigger=form.custom_trigger.data or "", medications_taken=form.medications_taken.data or [],
            notes=form.notes.data or "", custom_symptom=form.custom_symptom.data or "",
            custom_severity=form.custom_severity.severity)
        try:
            saved = checkin_log.save_checkin(current_user, data, checkin_id=_int_or_none(form.checkin_id.data),
                                          today=today)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            when = "today" if saved.day == today else _calday(saved.day)
            return _done(f"Thank you. Your check-in for {when} is saved.")
    previous = checkin_log.last_ratings_before(current_user, day) if existing is None else {}
    first, rest = _checkin_symptom_groups(form, symptoms, existing, previous)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("tracking/checkin.html", form=form, day=day, today=today, existing=existing,
                           first=first, rest=rest, previous=previous), status


@bp.get("/check-ins/<int:checkin_id>")
@access(MEMBER)
def checkin_by_id(checkin_id: int):
    checkin = checkin_log.get_checkin(current_user, checkin_id)
    return redirect(url_for("tracking.checkin", day=checkin.day.isoformat()))


@bp.post("/check-ins/<int:checkin_id>/delete")
@access(MEMBER)
def delete_checkin(checkin_id: int):
    checkin = checkin_log.get_checkin(current_user, checkin_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    day = checkin_log.delete_checkin(current_user, checkin)
    return _done(f"Your check-in for {_calday(day)} is deleted.", "tracking.calendar",
                 month=f"{day:%Y-%m}")


# -- calendar and charts ------------------------------------------------------------------------
@bp.get("/calendar")
@access(MEMBER)
def calendar():
    today = _today()
    try:
        year, month = (int(p) for p in request.args.get("month", f"{today:%Y-%m}").split("-"))
        date(year, month, 1)
    except ValueError:
        abort(404)
    if not 1900 <= year <= today.year + 1:
        abort(404)
    return render_template("tracking/calendar.html",
                           page=pages.calendar_month(current_user, year, month, today=today))


@bp.route("/charts", methods=["GET", "POST"])
@access(MEMBER)
def charts_page():
    # The symptoms to chart are posted and kept in the session, not put in the address:
    # addresses end up in access logs, and which symptoms someone follows is health data.
    symptoms = common.symptoms_for(current_user)
    form = forms.ChartForm(request.form if request.method == "POST" else request.args)
    form.symptoms.choices = forms.options((s.id, s.name) for s in symptoms)
    form.validate()
    days = int(form.range.data) if form.range.data in ("30", "90", "365") and not form.range.errors else 30
    if request.method == "POST":
        if ActionForm().validate_on_submit():
            session["chart_symptoms"] = [] if form.symptoms.errors else list(form.symptoms.data or [])[:4]
        return redirect(url_for("tracking.charts_page", range=days))
    form.range.data = str(days)
    data = pages.chart_data(current_user, days=days, symptom_ids=session.get("chart_symptoms") or [],
                            symptoms=symptoms)
    chart = charts.symptom_chart(data, _calday)
    form.symptoms.data = data.chosen
    return render_template("tracking/charts.html", form=form, data=data, chart=chart,
                           rated=[data.symptoms[sid] for sid in data.rated])


# -- flares -------------------------------------------------------------------------------------
def _flare_form(**kwargs) -> forms.FlareForm:
    form = forms.FlareForm(**kwargs)
    form.symptoms.choices = forms.options((s.name, s.name) for s in common.symptoms_for(current_user))
    return form


def _flare_data(form) -> flare_log.FlareData:
    return flare_log.FlareData(start_date=form.start_date.data, end_date=form.end_date.data,
                              severity=form.severity.data or "", symptoms=form.symptoms.data or [],
                              organs=form.organs.data or [], triggers=form.triggers.data or [],
                              actions=form.actions.data or [], notes=form.notes.data or "")


@bp.get("/flares")
@access(MEMBER)
def flares():
    return render_template("tracking/flares.html", flares=flare_log.list_flares(current_user), today=_today())


@bp.route("/flares/new", methods=["GET", "POST"])
@access(MEMBER)
def new_flare():
    form = _flare_form()
    if request.method == "GET":
        form.start_date.data = _today()
    elif form.validate_on_submit():
        try:
            flare_log.save_flare(current_user, _flare_data(form))
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done("Your flare is logged. Take care of yourself.", "tracking.flares")
    return render_template("tracking/flare_form.html", form=form, flare=None), 400 if form.errors else 200


@bp.route("/flares/<int:flare_id>/edit", methods=["GET", "POST"])
@access(MEMBER)
def edit_flare(flare_id: int):
    flare = flare_log.get_flare(current_user, flare_id)
    form = _flare_form(obj=flare) if request.method == "GET" else _flare_form()
    if request.method == "POST" and form.validate_on_submit():
        try:
            flare_log.save_flare(current_user, _flare_data(form), flare=flare)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done("Your flare is updated.", "tracking.flares")
    return render_template("tracking/flare_form.html", form=form, flare=flare), 400 if form.errors else 200


@bp.post("/flares/<int:flare_id>/end")
@access(MEMBER)
def end_flare(flare_id: int):
    flare = flare_log.get_flare(current_user, flare_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        flare_log.end_flare(current_user, flare)
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(url_for("tracking.flares"))
    return _done("Glad it's over. The flare is marked as ended today.", "tracking.flares")


@bp.post("/flares/<int:flare_id>/delete")
@access(MEMBER)
def delete_flare(flare_id: int):
    flare = flare_log.get_flare(current_user, flare_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    flare_log.delete_flare(current_user, flare)
    return _done("The flare is deleted.", "tracking.flares")


# -- treatments ---------------------------------------------------------------------------------
def _treatment_form(**kwargs) -> forms.TreatmentForm:
    form = forms.TreatmentForm(**kwargs)
    form.medication_id.choices = forms.options(
        [("", "Choose a medicine…")] + [(m.id, m.name) for m in common.medications()])
    return form


@bp.get("/treatments")
@access(MEMBER)
def treatments():
    return render_template("tracking/treatments.html", treatments=treatment_log.list_treatments(current_user),
                           today=_today())


@bp.route("/treatments/new", methods=["GET", "POST"])
@access(MEMBER)
def new_treatment():
    form = _treatment_form()
    if request.method == "GET":
        form.start_date.data = _today()
    elif form.validate_on_submit():
        try:
            treatment = treatment_log.save_treatment(current_user, _treatment_data(form))
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done(f"{treatment.name} is added to your treatments.", "tracking.treatments")
    return render_template("tracking/treatment_form.html", form=form, treatment=None,
                           catalogue=common.medications()), 400 if form.errors else 200


def _treatment_data(form) -> treatment_log.TreatmentData:
    return treatment_log.TreatmentData(
        medication_id=form.medication_id.data, name=form.name.data or "", dose=form.dose.data,
        unit=form.unit.data, frequency=form.frequency.data, start_date=form.start_date.data,
        stop_date=form.stop_date.data, stop_reason=form.stop_reason.data or "", notes=form.notes.data or "",
        rating=form.rating.data or "")


@bp.get("/treatments/<int:treatment_id>")
@access(MEMBER)
def treatment(treatment_id: int):
    treatment = treatment_log.get_treatment(current_user, treatment_id, with_side_effects=True)
    form = forms.SideEffectForm(noted_on=_today())
    return render_template("tracking/treatment.html", treatment=treatment, form=form)


@bp.post("/treatments/<int:treatment_id>/side-effects")
@access(MEMBER)
def add_side_effect(treatment_id: int):
    treatment = treatment_log.get_treatment(current_user, treatment_id)
    form = forms.SideEffectForm()
    if form.validate_on_submit():
        try:
            treatment_log.add_side_effect(current_user, treatment, noted_on=form.noted_on.data,
                                     description=form.description.data, severity=form.severity.severity)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done("The side effect is noted.", "tracking.treatment", treatment_id=treatment_id)
    treatment_log.load_side_effects(treatment)
    return render_template("tracking/treatment.html", treatment=treatment, form=form), 400


@bp.post("/side-effects/<int:effect_id>/delete")
@access(MEMBER)
def delete_side_effect(effect_id: int):
    effect = treatment_log.get_own_side_effect(current_user, effect_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    treatment_id = treatment_log.delete_side_effect(current_user, effect)
    return _done("The side-effect note is deleted.", "tracking.treatment", treatment_id=treatment_id)


@bp.route("/treatments/<int:treatment_id>/edit", methods=["GET", "POST"])
@access(MEMBER)
def edit_treatment(treatment_id: int):
    treatment = treatment_log.get_treatment(current_user, treatment_id)
    form = _treatment_form(obj=treatment) if request.method == "GET" else _treatment_form()
    if request.method == "GET" and treatment.medication_id:
        form.name.data = ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            treatment_log.save_treatment(current_user, _treatment_data(form), treatment=treatment)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done("The treatment is updated.", "tracking.treatment", treatment_id=treatment.id)
    return render_template("tracking/treatment_form.html", form=form, treatment=treatment,
                           catalogue=common.medications()), 400 if form.errors else 200


@bp.route("/treatments/<int:treatment_id>/stop", methods=["GET", "POST"])
@access(MEMBER)
def stop_treatment(treatment_id: int):
    treatment = treatment_log.get_treatment(current_user, treatment_id)
    form = forms.StopTreatmentForm()
    if request.method == "GET":
        form.stop_date.data = _today()
    elif form.validate_on_submit():
        try:
            treatment_log.stop_treatment(current_user, treatment, stop_date=form.stop_date.data,
                                    reason=form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done(f"{treatment.name} is marked as stopped.", "tracking.treatments")
    return render_template("tracking/treatment_stop.html", form=form, treatment=treatment), \
        400 if form.errors or form.form_errors else 200


@bp.route("/treatments/<int:treatment_id>/change-dose", methods=["GET", "POST"])
@access(MEMBER)
def change_dose(treatment_id: int):
    treatment = treatment_log.get_treatment(current_user, treatment_id)
    form = forms.ChangeDoseForm()
    if request.method == "GET":
        form.on.data = _today()
        form.dose.data = treatment.dose
        form.unit.data = treatment.unit
        form.frequency.data = treatment.frequency
    elif form.validate_on_submit():
        try:
            treatment_log.change_dose(current_user, treatment, on=form.on.data, dose=form.dose.data,
                                 unit=form.unit.data, frequency=form.frequency.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done(f"The new dose of {treatment.name} is saved.", "tracking.treatments")
    return render_template("tracking/treatment_dose.html", form=form, treatment=treatment), \
        400 if form.errors or form.form_errors else 200


@bp.post("/treatments/<int:treatment_id>/delete")
@access(MEMBER)
def delete_treatment(treatment_id: int):
    treatment = treatment_log.get_treatment(current_user, treatment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    treatment_log.delete_treatment(current_user, treatment)
    return _done("The treatment is deleted.", "tracking.treatments")


# -- labs -----------------------------------------------------------------------------------------
def _lab_form(**kwargs) -> forms.LabForm:
    form = forms.LabForm(**kwargs)
    form.lab_test_id.choices = forms.options(
        [("", "Choose a test…")] + [(t.id, t.name) for t in common.lab_tests()])
    return form


def _lab_data(form) -> lab_log.LabData:
    return lab_log.LabData(lab_test_id=form.lab_test_id.data, name=form.name.data or "",
                            value=form.value.data or "", unit=form.unit.data or "",
                            taken_on=form.taken_on.data, ref_low=form.ref_low.data,
                            ref_high=form.ref_high.data, notes=form.notes.data or "")


@bp.get("/labs")
@access(MEMBER)
def labs():
    trends = labs_.trends(lab_log.list_labs(current_user), common.lab_tests(), _calday)
    return render_template("tracking/labs.html", trends=trends)


@bp.route("/labs/new", methods=["GET", "POST"])
@access(MEMBER)
def new_lab():
    form = _lab_form()
    if request.method == "GET":
        form.taken_on.data = _today()
    elif form.validate_on_submit():
        try:
            lab = lab_log.save_lab(current_user, _lab_data(form))
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done(f"Your {lab.name} result is saved.", "tracking.labs")
    return render_template("tracking/lab_form.html", form=form, lab=None, tests=common.lab_tests()), \
        400 if form.errors else 200


@bp.route("/labs/<int:lab_id>/edit", methods=["GET", "POST"])
@access(MEMBER)
def edit_lab(lab_id: int):
    lab = lab_log.get_lab(current_user, lab_id)
    form = _lab_form(obj=lab) if request.method == "GET" else _lab_form()
    if request.method == "GET":
        form.value.data = lab.value_text
        if lab.lab_test_id:
            form.name.data = ""
    elif form.validate_on_submit():
        try:
            lab_log.save_lab(current_user, _lab_data(form), lab=lab)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done("The lab result is updated.", "tracking.labs")
    return render_template("tracking/lab_form.html", form=form, lab=lab, tests=common.lab_tests()), \
        400 if form.errors else 200


@bp.post("/labs/<int:lab_id>/delete")
@access(MEMBER)
def delete_lab(lab_id: int):
    lab = lab_log.get_lab(current_user, lab_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    lab_log.delete_lab(current_user, lab)
    return _done("The lab result is deleted.", "tracking.labs")


# -- profile, reminders ---------------------------------------------------------------------------
@bp.route("/profile", methods=["GET", "POST"])
@access(MEMBER)
def profile():
    existing = health_profile.get_profile(current_user)
    if request.method == "GET":
        form = forms.ProfileForm(obj=existing, **forms.ProfileForm.history_data(
            existing.medical_history if existing is not None else None))
    else:
        form = forms.ProfileForm()
    if request.method == "GET" and existing is not None and existing.birth_date:
        form.birth_year.data = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            health_profile.save_profile(current_user, medical_history=form.medical_history(), **{
                name: form[name].data for name in (
                    "diagnoses", "nephritis_class", "other_diagnosis", "diagnosed_year", "diagnosed_month",
                    "birth_date", "birth_year", "sex", "country", "region", "postal_code", "organs",
                    "pregnancy")})
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _done("Your health profile is saved.", "tracking.profile")
    return render_template("tracking/profile.html", form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/reminders", methods=["GET", "POST"])
@access(MEMBER)
def reminders():
    settings = preferences.get_settings(current_user)
    form = forms.ReminderForm(obj=settings) if request.method == "GET" else forms.ReminderForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            preferences.save_reminder(current_user, enabled=form.reminder_enabled.data, at=form.reminder_time.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            message = (f"We'll email you at {form.reminder_time.data:%H:%M} if you haven't checked in yet."
                       if form.reminder_enabled.data else "Reminders are off.")
            return _done(message, "tracking.reminders")
    return render_template("tracking/reminders.html", form=form), 400 if form.errors else 200


# -- doctor summary, exports ----------------------------------------------------------------------
@bp.get("/summary")
@access(MEMBER)
def summary():
    questions = forms.QuestionsForm(questions=preferences.get_settings(current_user).doctor_questions)
    return _summary_page(questions)


def _summary_page(questions_form, status: int = 200):
    """The summary for the period asked for (the last 90 days by default), with the questions form."""
    today = _today()
    form = forms.PeriodForm(request.args if request.args else None)
    period = visit_summary.Period(today - timedelta(days=89), today)
    if request.args:
        if form.validate():
            period = visit_summary.Period(form.start.data, form.end.data)
        else:
            status = 400
    else:
        form.start.data, form.end.data = period.start, period.end
    data = None
    if not form.errors:
        try:
            data = visit_summary.doctor_summary(current_user, period, today=today)
        except ValidationFailed as error:
            show_error(form, error)
            status = 400
    return render_template("tracking/summary.html", form=form, data=data, questions_form=questions_form), status


@bp.post("/summary/questions")
@access(MEMBER)
def save_questions():
    form = forms.QuestionsForm()
    if form.validate_on_submit():
        try:
            preferences.save_questions(current_user, form.questions.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Your questions are saved. They print with the summary.", "success")
            return redirect(url_for("tracking.summary", **{k: v for k, v in request.args.items()
                                                           if k in ("start", "end")}) + "#doctor-questions")
    # Shown again with everything typed, the message beside the box.
    return _summary_page(form, 400)


@bp.get("/export")
@access(MEMBER)
def export_page():
    return render_template("tracking/export.html", kinds=export.KINDS)


@bp.get("/export/<kind>.csv")
@access(MEMBER)
def export_csv(kind: str):
    if kind not in export.KINDS:
        abort(404)
    body = export.to_csv(kind, pages.export_rows(current_user))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="lupus-commons-{kind}.csv"'})

