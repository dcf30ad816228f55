"""Lupus Commons: the application factory."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import text

from config import Config, ProductionConfig, config_from_env


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app from a settings class (or overrides for tests) and register every part."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=False)
    register_config(app, config)
    register_url_converters(app)
    register_json(app)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_throttling(app)
    register_template_helpers(app)
    register_seed_loaders(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: type[Config] | dict | None) -> None:
    if isinstance(config, dict):
        base = config.get("_base") or config_from_env()
        app.config.from_object(base)
        app.config.update({k: v for k, v in config.items() if k != "_base"})
    else:
        base = config or config_from_env()
        app.config.from_object(base)
    if issubclass(base, ProductionConfig):
        base.validate(app.config)
    apply_trusted_proxies(app)
    if app.config["DATABASE_URL"].startswith("sqlite:///") and ":memory:" not in app.config["DATABASE_URL"]:
        from pathlib import Path

        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def register_json(app: Flask) -> None:
    """JSON nested thousands deep exhausts Python's stack while decoding: make it what it is,
    a malformed body, which Werkzeug answers with 400 (it turns ValueError into BadRequest)."""
    from flask.json.provider import DefaultJSONProvider

    class BoundedJSONProvider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            try:
                return super().loads(s, **kwargs)
            except RecursionError:
                raise ValueError("JSON nested too deeply") from None

    app.json = BoundedJSONProvider(app)


def register_url_converters(app: Flask) -> None:
    """Before any route is added: every ``<int:…>`` in the app is a bounded row id."""
    from community.views import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter


def apply_trusted_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the last TRUSTED_PROXIES forwarded hops.

    Werkzeug's ProxyFix takes the n right-most X-Forwarded-For entries, the ones our own
    proxies appended, so a client that sends its own header cannot choose its address.
    """
    raw = str(app.config["TRUSTED_PROXIES"]).strip()
    if not raw.isdigit() or int(raw) > 5:
        raise RuntimeError(f"TRUSTED_PROXIES must be a whole number from 0 to 5 "
                           f"(the proxies in front of the app), not {raw!r}.")
    hops = int(raw)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_logging(app: Flask) -> None:
    from community.logging import configure_logging

    configure_logging(app)


def register_extensions(app: Flask) -> None:
    from community import jobs, mail, pagecache, security
    from community.db import db
    from community.errors import register_error_handlers
    from community.extensions import csrf, login_manager
    from community.jobs import tasks as job_tasks
    from community.tracking import stamp as tracking_stamp

    db.init_app(app)
    tracking_stamp.init_app(app)
    pagecache.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(security.load_signed_in_user)
    security.init_app(app)
    mail.init_app(app)
    jobs.init_app(app, job_tasks.TABLE)
    register_error_handlers(app)


def register_blueprints(app: Flask) -> None:
    from community.account.views import bp as account_bp
    from community.admin.views import bp as admin_bp
    from community.auth.views import bp as auth_bp
    from community.forum.views import bp as forum_bp
    from community.insights.views import bp as insights_bp
    from community.main.views import bp as main_bp
    from community.messages.views import bp as messages_bp
    from community.moderation.views import bp as moderation_bp
    from community.news.views import bp as news_bp
    from community.permissions import PUBLIC, access
    from community.search.views import bp as search_bp
    from community.tracking.views import bp as tracking_bp
    from community.trials.views import bp as trials_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(forum_bp, url_prefix="/forum")
    app.register_blueprint(search_bp)  # its page stays at /forum/search
    app.register_blueprint(tracking_bp, url_prefix="/tracking")
    app.register_blueprint(moderation_bp, url_prefix="/moderation")
    app.register_blueprint(trials_bp, url_prefix="/trials")
    app.register_blueprint(news_bp, url_prefix="/news")
    app.register_blueprint(insights_bp, url_prefix="/insights")
    app.register_blueprint(messages_bp, url_prefix="/messages")

    @app.get("/healthz")
    @access(PUBLIC)
    def healthz():
        from community.db import db

        try:
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
        except Exception:
            app.logger.exception("health check: database unreachable")
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")


def register_throttling(app: Flask) -> None:
    """After the blueprints: applies the limits their views declared with @throttle."""
    from community.extensions import init_limiter

    init_limiter(app)


def register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from community.permissions import guardian
    from community.security import local_time

    @app.context_processor
    def _inject():
        return {"guardian": guardian()}

    from community import header

    header.init_app(app)

    @app.template_filter("localtime")
    def _localtime(value, fmt="%a %-d %b %Y, %H:%M"):
        """A UTC timestamp shown in the viewer's time zone ("Tue 3 Mar 2026, 14:05")."""
        tz = current_user.time_zone if current_user.is_authenticated else "UTC"
        return local_time(value, tz, fmt)


def register_seed_loaders(app: Flask) -> None:
    """What `flask seed` loads, in one list: each feature's reference data, from its seed.py."""
    from community import reference
    from community.forum.seed import load_categories
    from community.news.seed import load_articles
    from community.tracking.seed import load_lab_tests, load_medications, load_symptoms
    from community.trials.seed import load_shipped_trials

    reference.init_app(app, [
        reference.Loader("symptom catalogue", load_symptoms),
        reference.Loader("medication catalogue", load_medications),
        reference.Loader("lab catalogue", load_lab_tests),
        reference.Loader("lupus trials", load_shipped_trials),
        reference.Loader("forum categories", load_categories),
        reference.Loader("research news", load_articles, after=("lupus trials",)),
    ])


def register_cli(app: Flask) -> None:
    """Site-wide commands from community/cli.py, then each feature's command group."""
    from community.cli import register_commands
    from community.forum.cli import forum_cli
    from community.insights.cli import insights_cli
    from community.jobs.cli import jobs_cli
    from community.tracking.cli import tracking_cli
    from community.trials.cli import trials_cli

    register_commands(app)
    for group in (forum_cli, insights_cli, jobs_cli, tracking_cli, trials_cli):
        app.cli.add_command(group)


logging.getLogger("community").addHandler(logging.NullHandler())
