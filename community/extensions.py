"""Flask extensions, created here and bound to the app in create_app."""

from flask import request
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

# Limits are declared per route; storage comes from RATELIMIT_STORAGE_URI so
# every gunicorn worker and instance counts in the same Redis.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def submitted_email() -> str:
    """Rate-limit key for per-account throttles: the address typed into the form."""
    return "account:" + (request.form.get("email") or "").strip().lower()
