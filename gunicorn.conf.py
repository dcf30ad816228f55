"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every instance is stateless (sessions in signed cookies, rate limits in Redis,
data in PostgreSQL), so run as many instances behind the proxy as you need.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 30
graceful_timeout = 30
# Workers are recycled now and then (a guard against slow memory growth). The app is
# loaded once in the master and forked, so a new worker is ready at once: loading it in
# every new worker took about a second on 2 cores, and recycling every 2,000 requests
# then cost 40% of the throughput and one-second stalls (measured with make bench).
# A code change therefore needs a restart, not a HUP.
preload_app = True
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# The path only (%(U)s), never the query string: queries can hold search terms
# or tokens. community.logging masks emailed-link tokens, addresses and query strings.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def on_starting(server):
    """Refuse per-process rate limits with several workers, however the count was given (-w too)."""
    if os.environ.get("APP_ENV") == "production":
        from config import ProductionConfig, refuse_per_process_limits

        refuse_per_process_limits(ProductionConfig.RATELIMIT_STORAGE_URI, server.cfg.workers)


def post_fork(server, worker):
    """Each worker opens its own database connections, never the master's."""
    app = server.app.wsgi()
    if "db" in getattr(app, "extensions", {}):
        app.extensions["db"].kw["bind"].dispose(close=False)
