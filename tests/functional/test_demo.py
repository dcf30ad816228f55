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
