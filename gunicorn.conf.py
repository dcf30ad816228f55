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
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# The path only (%(U)s), never the query string: queries can hold search terms
# or tokens. community.logging masks emailed-link tokens inside paths.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
