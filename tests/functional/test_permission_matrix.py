"""Every foundation route × every role: who gets the page, who is sent to sign in, who gets 404."""

import pytest

from tests.support.factories import make_user

ROLES = ["anonymous", "member", "moderator", "admin"]
OK, LOGIN, HOME, HIDDEN, REDIRECT = 200, "login", "home", 404, 302
ALLOWED = "allowed"  # the form was handled: saved and redirected, or re-shown with its messages

# (method, path, {role: expected}) — a path may use {me} (the viewer) and {other} (another member).
MATRIX = [
    ("GET", "/", dict.fromkeys(ROLES, OK)),
    ("GET", "/terms", dict.fromkeys(ROLES, OK)),
    ("GET", "/privacy", dict.fromkeys(ROLES, OK)),
    ("GET", "/healthz", dict.fromkeys(ROLES, OK)),
    ("GET", "/members/{other}", dict.fromkeys(ROLES, OK)),
    ("GET", "/auth/register", {"anonymous": OK, "member": HOME, "moderator": HOME, "admin": HOME}),
    ("GET", "/auth/login", {"anonymous": OK, "member": HOME, "moderator": HOME, "admin": HOME}),
    ("GET", "/auth/check-email", dict.fromkeys(ROLES, OK)),
    ("GET", "/auth/forgot-password", dict.fromkeys(ROLES, OK)),
    ("GET", "/auth/verify/not-a-token", dict.fromkeys(ROLES, REDIRECT)),
    ("GET", "/auth/reset/not-a-token", dict.fromkeys(ROLES, REDIRECT)),
    ("POST", "/auth/resend-verification", dict.fromkeys(ROLES, REDIRECT)),
    ("POST", "/auth/register", {"anonymous": OK, "member": HOME, "moderator": HOME, "admin": HOME}),
    ("POST", "/auth/login", {"anonymous": OK, "member": HOME, "moderator": HOME, "admin": HOME}),
    ("POST", "/auth/forgot-password", dict.fromkeys(ROLES, OK)),
    ("POST", "/auth/reset/not-a-token", dict.fromkeys(ROLES, REDIRECT)),
    ("GET", "/auth/sign-in-link", {"anonymous": OK, "member": HOME, "moderator": HOME, "admin": HOME}),
    ("POST", "/auth/sign-in-link", {"anonymous": OK, "member": HOME, "moderator": HOME, "admin": HOME}),
    ("GET", "/auth/sign-in-link/not-a-token", dict.fromkeys(ROLES, REDIRECT)),
    ("POST", "/auth/sign-in-link/not-a-token", dict.fromkeys(ROLES, REDIRECT)),
    *[("POST", f"/account/{p}", {"anonymous": LOGIN, "member": ALLOWED, "moderator": ALLOWED, "admin": ALLOWED})
      for p in ["profile", "privacy", "password", "email", "delete"]],
    ("POST", "/auth/logout", {"anonymous": LOGIN, "member": REDIRECT, "moderator": REDIRECT, "admin": REDIRECT}),
    *[("GET", f"/account/{p}", {"anonymous": LOGIN, "member": OK, "moderator": OK, "admin": OK})
      for p in ["", "profile", "privacy", "password", "email", "delete", "export"]],
    ("GET", "/account/confirm-email/not-a-token",
     {"anonymous": LOGIN, "member": REDIRECT, "moderator": REDIRECT, "admin": REDIRECT}),
    ("POST", "/account/sign-out-everywhere",
     {"anonymous": LOGIN, "member": REDIRECT, "moderator": REDIRECT, "admin": REDIRECT}),
    *[("GET", p, {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "admin": OK})
      for p in ["/admin/", "/admin/members/{other}", "/admin/staff-log"]],
    *[("POST", f"/admin/members/{{other}}/{action}",
       {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "admin": ALLOWED})
      for action in ["role", "suspend", "lift-suspension", "consent-record"]],
]
POST_DATA = {"/admin/members/{other}/role": {"role": "moderator", "reason": "matrix"},
             "/admin/members/{other}/suspend": {"days": "1", "reason": "matrix"},
             "/admin/members/{other}/lift-suspension": {"reason": "matrix"},
             "/admin/members/{other}/consent-record": {"reason": "matrix"},
             "/auth/resend-verification": {"email": "x@example.org"}}


def test_matrix_covers_every_foundation_route(app):
    covered = {(method, path.split("{")[0].rstrip("/") or "/") for method, path, _ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.split(".")[0] not in {"main", "auth", "account", "admin", "healthz"}:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            prefix = rule.rule.split("<")[0].rstrip("/") or "/"
            if not any(m == method and (p == prefix or p.startswith(prefix)) for m, p in covered):
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these routes to the matrix: {missing}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_route_answers_each_role_as_intended(app, client, auth, role, method, path, expected):
    with app.app_context():
        other = make_user(display_name="Other member", verified=True).id
    me = auth.sign_in_as(role) if role != "anonymous" else None
    url = path.format(me=me, other=other)
    if method == "GET":
        response = client.get(url)
    else:
        # Any page showing a form carries this session's CSRF token.
        response = client.submit(url, POST_DATA.get(path, {}), page="/account/" if me else "/auth/login")
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif want == ALLOWED:
        assert response.status_code in (200, 302, 400)
        assert "/auth/login" not in response.headers.get("Location", "")
    elif want == HOME:
        assert response.status_code == 302 and response.headers["Location"] == "/"
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:500]
