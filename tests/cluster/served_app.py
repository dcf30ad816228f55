"""What the cluster's gunicorn instances serve: ``wsgi:app``'s app, with two test settings.

Everything else comes from the environment exactly as in production (APP_ENV,
DATABASE_URL, RATELIMIT_STORAGE_URI…), through config.py.
"""

from community import create_app
from config import config_from_env

SETTINGS = {
    # Cheap hashing, as in the rest of the suite: dozens of members sign in at once.
    "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
    # A low per-account limit, so the throttle test needs few attempts; the per-IP limit
    # is raised because every simulated browser here comes from 127.0.0.1.
    "LOGIN_LIMIT_PER_ACCOUNT": "3 per 10 minutes",
    "LOGIN_LIMIT_PER_IP": "100000 per 10 minutes",
}

app = create_app({"_base": config_from_env(), **SETTINGS})
