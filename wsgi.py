"""The one module that builds the app at import time (gunicorn wsgi:app, flask --app wsgi)."""

from community import create_app

app = create_app()
