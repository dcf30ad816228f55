"""Flask extensions, created here and bound to the app in create_app."""

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
# The session carries our own rotating token (User.get_id); Flask-Login's
# "strong" protection would also end sessions when a phone changes network.
login_manager.session_protection = "basic"

csrf = CSRFProtect()


def submitted_email() -> str:
    """Rate-limit key for per-account throttles: the address typed into the form."""
    return "account:" + (request.form.get("email") or "").strip().lower()


THROTTLE_KEYS = {"ip": get_remote_address, "account": submitted_email}


def went_through(response) -> bool:
    """A POST that did what it asked (it redirects on); a form shown again with its errors didn't."""
    return response.status_code in (302, 303)


def throttle(config_key: str, per: str = "ip", *, counts=None):
    """Declare a limit on a view's POSTs, read from ``config[config_key]`` (e.g. "5 per 10 minutes").

    ``counts``, given a response, says whether the request used up one of the allowance
    (default: every POST does); registration counts only sign-ups that went through, so a
    visitor fixing typos is never locked out.

    Views only declare; ``init_limiter`` applies the limits with each app's own
    Limiter, so every app (and every gunicorn worker) counts in its configured
    storage, and counting is shared exactly when that storage is shared (Redis).
    """
    if per not in THROTTLE_KEYS:
        raise ValueError(f"throttle per must be one of {sorted(THROTTLE_KEYS)}")

    def decorate(view):
        view.__dict__.setdefault("throttles", []).append((config_key, per, counts))
        return view

    return decorate


def init_limiter(app: Flask) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app,
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      key_prefix=app.config["RATELIMIT_KEY_PREFIX"])
    for endpoint, view in list(app.view_functions.items()):
        for config_key, per, counts in getattr(view, "throttles", []):
            view = limiter.limit(lambda key=config_key: current_app.config[key],
                                 key_func=THROTTLE_KEYS[per], methods=["POST"],
                                 deduct_when=counts)(view)
        app.view_functions[endpoint] = view
    app.extensions["throttling"] = limiter
    return limiter
