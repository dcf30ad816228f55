"""`make demo`: the demo community loads twice without harm and its printed sign-ins work."""

from tests.conftest import AuthActions


def test_demo_loads_idempotently_and_its_sign_ins_work(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    lines = [line.split() for line in first.output.splitlines() if "@" in line and "password" not in line]
    password = first.output.split("password for all: ")[1].split(")")[0]
    assert len(lines) >= 5
    for role, email in lines:
        client = app.test_client()
        response = AuthActions(app, client).login(email, password)
        assert response.status_code == 302, f"demo {role} {email} cannot sign in"


def test_the_demo_community_publishes_real_aggregates(app, runner):
    """The demo's insight pages show counts from its contributing cohort, not only "fewer than 11"."""
    from sqlalchemy import func, select

    from community.db import db
    from community.demo import DEMO_PASSWORD
    from community.insights.demo import CONTRIBUTORS, EMAIL, RECENT
    from community.models import Medication, Treatment, TreatmentSideEffect, User

    assert runner.invoke(args=["seed"]).exit_code == 0
    output = runner.invoke(args=["demo", "load"]).output
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert EMAIL.format(1) not in output, "contributors are not demo sign-ins"
    with app.app_context():
        cohort = db.session.scalar(select(func.count(User.id)).where(User.email.like("contributor-%")))
        on_recent = db.session.scalar(
            select(func.count(func.distinct(Treatment.user_id))).join(Medication)
            .where(Medication.slug == RECENT))
        hair = db.session.scalar(
            select(func.count(func.distinct(TreatmentSideEffect.user_id))).join(Treatment).join(Medication)
            .where(Medication.slug == "mycophenolate", TreatmentSideEffect.description == "Hair thinning"))
    assert cohort == CONTRIBUTORS, "loading twice adds the cohort once"
    assert on_recent >= 11 and hair >= 11
    client = app.test_client()
    assert AuthActions(app, client).login("maya@demo.example.org", DEMO_PASSWORD).status_code == 302

    def page(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    recent = page(f"/insights/treatments/{RECENT}")
    assert f"about {(on_recent + 2) // 5 * 5} report taking" in recent
    assert "Symptoms before and after starting" in recent and "Not enough members logged" not in recent
    assert "Fatigue, week by week" in recent
    mycophenolate = page("/insights/treatments/mycophenolate")
    assert "Hair thinning" in mycophenolate
    assert f"about {(hair + 2) // 5 * 5}" in mycophenolate
    symptoms = page("/insights/symptoms")
    assert symptoms.count("about ") > 10
    assert "about " in page("/insights/conditions/nephritis")
    dashboard = page("/tracking/")
    assert "Treatments reported by members with Systemic lupus (SLE)" in dashboard
