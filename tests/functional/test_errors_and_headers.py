"""Friendly error pages, security headers, caching rules and the health check."""

import pytest

PAGE_TITLES = {404: "find that page", 405: "work here", 413: "too large", 400: "expired"}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We can" in response.get_data(as_text=True) and "find that page" in response.get_data(as_text=True)


def test_wrong_method_is_a_friendly_405(client):
    response = client.delete("/auth/login")
    assert response.status_code == 405
    assert "work here" in response.get_data(as_text=True)
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_a_friendly_413(client):
    response = client.post("/auth/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_missing_csrf_token_is_a_friendly_400(client):
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "This form expired" in response.get_data(as_text=True)


def test_unexpected_errors_are_a_friendly_500_without_details(make_app):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.access_rule = "public"
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page and "secret internals" not in page


def test_too_many_sign_in_attempts_get_a_friendly_429(make_app):
    app = make_app(LOGIN_LIMIT_PER_IP="2 per minute")
    client = app.test_client()
    token = client.csrf_token("/auth/login")
    codes = [client.post("/auth/login", data={"csrf_token": token, "email": f"a{i}@example.org",
                                              "password": "x"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    page = client.post("/auth/login", data={"csrf_token": token, "email": "a9@example.org"}).get_data(as_text=True)
    assert "Too many sign-in attempts" in page and "try your password again in about" in page


def test_security_headers_are_on_every_page(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # only in production, behind TLS


def test_production_adds_hsts_and_secure_cookies(make_app):
    from config import ProductionConfig
    app = make_app(SECURITY_HSTS=ProductionConfig.SECURITY_HSTS,
                   SESSION_COOKIE_SECURE=ProductionConfig.SESSION_COOKIE_SECURE)
    assert "max-age" in app.test_client().get("/").headers["Strict-Transport-Security"]
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    from community import create_app
    from config import DEV_SECRET_KEY, ProductionConfig
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    for bad in (None, DEV_SECRET_KEY, "short"):
        if bad is None:
            monkeypatch.delenv("SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("SECRET_KEY", bad)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(ProductionConfig)


def test_signed_in_pages_are_never_cached_and_public_pages_may_be(client, auth):
    assert client.get("/").headers.get("Cache-Control") != "no-store"
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    auth.sign_in_as()
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/account/").headers["Cache-Control"] == "no-store"


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_answers_503_when_the_database_is_unreachable(make_app):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
