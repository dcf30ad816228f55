"""Settings for every environment, read from the process environment.

Development and tests run on an embedded SQLite file under ``instance/``;
production takes everything that matters from the environment and refuses to
start without a real ``SECRET_KEY``.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lupus-commons.db'}")
    # Base URL used for links in emails, where there is no request to read it from.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: no form here needs more
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 6 * 3600

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", 60)))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", 12)))

    # Where rate limits count. memory:// counts in each process on its own, so it is for one
    # process only; production refuses it with several workers (see ProductionConfig.validate).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    # How many reverse proxies in front of the app append to X-Forwarded-For/-Proto. 0 trusts
    # none, so a client cannot forge its address; behind one nginx it is 1. Per-IP limits and
    # logs see the address the nearest trusted proxy saw, never one the client wrote itself.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "0")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "lupus-commons")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_IP = "20 per 10 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 10 minutes"
    RESET_LIMIT_PER_IP = "10 per hour"
    RESET_LIMIT_PER_ACCOUNT = "3 per hour"
    REGISTER_LIMIT_PER_IP = "10 per hour"

    EMAIL_TOKEN_MAX_AGE = timedelta(hours=24)
    RESET_TOKEN_MAX_AGE = timedelta(hours=1)
    SIGN_IN_LINK_MAX_AGE = timedelta(minutes=15)

    # argon2id parameters: the argon2-cffi defaults (RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp | outbox
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 10))
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Lupus Commons <no-reply@lupus-commons.invalid>"
    )
    MAIL_MAX_ATTEMPTS = 5
    # Development delivers queued mail at the end of the request that queued it,
    # so a newcomer sees the verification link in the terminal without a worker.
    MAIL_DELIVER_AFTER_REQUEST = False

    # Forums. New members (account younger than FORUM_NEW_MEMBER_PERIOD) get
    # Discourse-like first-day limits; staff are exempt from all of these.
    FORUM_POSTS_PER_PAGE = 20
    FORUM_TOPICS_PER_PAGE = 30
    FORUM_POST_COOLDOWN_SECONDS = int(os.environ.get("FORUM_POST_COOLDOWN_SECONDS", 15))
    FORUM_NEW_MEMBER_PERIOD = timedelta(days=1)
    FORUM_NEW_MEMBER_TOPICS_PER_DAY = 3
    FORUM_NEW_MEMBER_REPLIES_PER_DAY = 10
    FORUM_NEW_MEMBER_MAX_LINKS = 2
    FORUM_MAX_POST_CHARS = 20000

    # Moderation. A post reported by this many different members is hidden until
    # reviewed; a new member's first posts wait for approval (0 turns that off);
    # crisis helplines default to this country when the member's can't be told.
    MODERATION_AUTO_HIDE_REPORTS = int(os.environ.get("MODERATION_AUTO_HIDE_REPORTS", 3))
    MODERATION_HOLD_FIRST_POSTS = int(os.environ.get("MODERATION_HOLD_FIRST_POSTS", 2))
    MODERATION_DEFAULT_COUNTRY = os.environ.get("MODERATION_DEFAULT_COUNTRY", "GB")

    # Private messages. New members write privately once a forum post of theirs is
    # approved or this many days after joining; staff are exempt from the daily limit.
    MESSAGES_NEW_MEMBER_DAYS = int(os.environ.get("MESSAGES_NEW_MEMBER_DAYS", 3))
    MESSAGES_NEW_CONVERSATIONS_PER_DAY = int(os.environ.get("MESSAGES_NEW_CONVERSATIONS_PER_DAY", 10))
    MESSAGES_PER_PAGE = 50
    MESSAGES_INBOX_SIZE = 100

    # Trial suggestions: the ClinicalTrials.gov API v2 base, and a pause between pages
    # (the public API allows about 50 requests a minute).
    TRIALS_API_BASE_URL = os.environ.get("TRIALS_API_BASE_URL", "https://clinicaltrials.gov/api/v2")
    TRIALS_API_PAGE_DELAY = float(os.environ.get("TRIALS_API_PAGE_DELAY", 1.5))

    # Community insights: every published number comes from at least this many distinct
    # members (the public-health cell-suppression rule), and counts are rounded to this step.
    INSIGHTS_MIN_MEMBERS = int(os.environ.get("INSIGHTS_MIN_MEMBERS", 11))
    INSIGHTS_ROUND_TO = int(os.environ.get("INSIGHTS_ROUND_TO", 5))

    # Whole pages for visitors who are not signed in (community.pagecache): empty is off,
    # memory:// for one process, redis://host:6379/1 shared by every worker and instance.
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "")
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 60))

    # Background jobs (community.jobs). Empty: jobs run in-process after the request or
    # command that queued them (SQLite, `make run`, tests). redis://host:6379/2: an RQ queue
    # that `flask --app wsgi jobs worker` processes on any number of hosts.
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", "")
    JOBS_QUEUE_PREFIX = os.environ.get("JOBS_QUEUE_PREFIX", "lupus-commons")
    # Seconds to wait before each retry of a failed (or abandoned) job; one retry per entry.
    JOBS_RETRY_INTERVALS = os.environ.get("JOBS_RETRY_INTERVALS", "30,120,600,1800")
    # How often a worker proves it is alive; a job whose worker missed three beats is retried.
    JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", 5))
    JOBS_RESULT_SECONDS = int(os.environ.get("JOBS_RESULT_SECONDS", 3600))
    JOBS_MAIL_BATCH = 500
    # Members per recompute job: enough that the consent read and the commit are shared, few enough
    # that workers share a run evenly and (on SQLite) a page's write waits a few seconds at most.
    TRIALS_RECOMPUTE_BATCH = int(os.environ.get("TRIALS_RECOMPUTE_BATCH", 50))

    SECURITY_HSTS = False
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    MAIL_DELIVER_AFTER_REQUEST = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    MAIL_BACKEND = "outbox"  # messages stay in the outbox table for tests to read
    RATELIMIT_STORAGE_URI = "memory://"
    # On, so every anonymous page test also proves the cache shows nothing stale.
    PAGE_CACHE_URL = "memory://"
    # Cheap hashing keeps the suite fast; production keeps the strong defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    # Tests that exercise new-member approval turn it on themselves.
    MODERATION_HOLD_FIRST_POSTS = 0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HSTS = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    @classmethod
    def validate(cls, settings) -> None:
        """Refuse to run production with settings (the app's config) that would be unsafe."""
        if not os.environ.get("SECRET_KEY") or os.environ["SECRET_KEY"] == DEV_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set to a long random value in production.")
        if len(os.environ["SECRET_KEY"]) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters in production.")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production.")
        refuse_per_process_limits(settings["RATELIMIT_STORAGE_URI"], os.environ.get("GUNICORN_WORKERS"))


def refuse_per_process_limits(storage_uri: str, workers: str | int | None) -> None:
    """memory:// limits count in each process alone: with several workers (or instances) a
    sign-in limit of 5 lets 5 tries through per worker. Production runs them in Redis, or
    declares a single process with GUNICORN_WORKERS=1 (and then must run one instance)."""
    if storage_uri.startswith("memory://") and str(workers or "") != "1":
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI is memory://, which counts sign-in and reset limits in each "
            "worker separately. Set RATELIMIT_STORAGE_URI (or REDIS_URL) to redis://host:6379/0, "
            f"or run a single worker on a single instance with GUNICORN_WORKERS=1 (workers: {workers or 'default'}).")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the settings class named by APP_ENV (development by default)."""
    name = os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
