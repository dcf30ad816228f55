"""Behind a reverse proxy, per-IP limits see the member's address, and only the proxies we
trust may tell us what it is; production refuses limits that each worker counts alone."""

import pytest

from community import create_app
from config import ProductionConfig, TestConfig, refuse_per_process_limits
from tests.support.factories import PASSWORD, make_user

PROXY = "127.0.0.1"  # nginx on the same host, as in the README


def sign_in_from(app, client_address: str | None, email: str, password: str = "wrong guess",  # noqa: S107
                 forwarded_for: str | None = None):
    """A sign-in POST arriving from the proxy, which appended ``client_address`` to X-Forwarded-For."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    header = forwarded_for or client_address
    if header:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = header
    return client.submit("/auth/login", {"email": email, "password": password})


def test_with_a_trusted_proxy_one_attacker_cannot_lock_everyone_out(make_app):
    app = make_app(TRUSTED_PROXIES="1")
    with app.app_context():
        maya = make_user(email="maya@example.org").email
    # 21 failed sign-ins from 21 addresses: each address has used 1 of its 20.
    codes = {sign_in_from(app, f"203.0.113.{n}", f"stranger{n}@example.org").status_code for n in range(21)}
    assert codes == {200}
    # The member, from her own address, is let in.
    assert sign_in_from(app, "198.51.100.7", maya, PASSWORD).status_code == 302


def test_with_a_trusted_proxy_one_address_is_still_limited(make_app):
    app = make_app(TRUSTED_PROXIES="1")
    codes = [sign_in_from(app, "203.0.113.5", f"stranger{n}@example.org").status_code for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


def test_a_client_cannot_choose_its_address_by_sending_its_own_header(make_app):
    # The proxy appends the real address to whatever the client sent; only the last entry counts.
    app = make_app(TRUSTED_PROXIES="1")
    codes = [sign_in_from(app, None, f"stranger{n}@example.org",
                          forwarded_for=f"10.9.9.{n}, 203.0.113.5").status_code for n in range(21)]
    assert codes[20] == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app):
    # The default: nothing in front of the app is trusted, so a forged header changes nothing,
    # and every request counts against the peer that sent it.
    app = make_app()
    assert app.config["TRUSTED_PROXIES"] == "0"
    codes = [sign_in_from(app, f"203.0.113.{n}", f"stranger{n}@example.org").status_code for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


@pytest.mark.parametrize("bad", ["-1", "one", "99", "1.5"])
def test_a_nonsense_proxy_count_stops_the_app_with_a_clear_message(database_url, bad):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be a whole number"):
        create_app({"_base": TestConfig, "DATABASE_URL": database_url, "TRUSTED_PROXIES": bad})


@pytest.mark.parametrize("workers", [None, "3", 3])
def test_production_refuses_memory_limits_with_several_workers(workers):
    with pytest.raises(RuntimeError, match="counts sign-in and reset limits in each worker"):
        refuse_per_process_limits("memory://", workers)


@pytest.mark.parametrize("storage, workers", [("memory://", "1"), ("memory://", 1),
                                              ("redis://127.0.0.1:6379/0", "9"), ("redis://r:6379/0", None)])
def test_shared_storage_or_one_declared_worker_may_start(storage, workers):
    refuse_per_process_limits(storage, workers)


def test_production_app_will_not_start_on_memory_limits(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI is memory://"):
        create_app({"_base": ProductionConfig, "RATELIMIT_STORAGE_URI": "memory://"})
    app = create_app({"_base": ProductionConfig, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15"})
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    app.extensions["db"].kw["bind"].dispose()


def test_gunicorn_refuses_memory_limits_however_the_workers_were_counted(monkeypatch):
    import importlib.util
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("gunicorn_settings", "gunicorn.conf.py")
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(RuntimeError, match="memory://"):
        settings.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))
    settings.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))
