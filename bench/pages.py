"""Key pages under load on loopback, side by side with the bare-Flask ceiling (`make bench`).

Builds a `small` generated community in a fresh SQLite file, serves the app and a
bare "hello" app under the same gunicorn settings, drives each page with wrk for a
fixed time, counts SQL statements per page in-process, prints one table and writes
bench/results/latest.json. Everything stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DURATION = os.environ.get("BENCH_SECONDS", "5")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WORKERS = os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2))
BENCH_EMAIL, BENCH_PASSWORD = "bench@example.org", "bench member password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str) -> dict:
    """Migrate, seed, generate the small set, and add one member with history and consent."""
    os.environ["DATABASE_URL"] = database_url
    from alembic import command
    from sqlalchemy import select

    from community import create_app
    from community.auth.services import find_by_email
    from community.cli import alembic_config
    from community.db import db
    from community.generate import PRESETS, generate
    from community.models import CheckIn, Post, Topic, User
    from community.reference import load_all
    from community.trials import services as trials
    from config import DevelopmentConfig

    app = create_app({"_base": DevelopmentConfig, "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox",
                      "MAIL_DELIVER_AFTER_REQUEST": False})
    with app.app_context():
        command.upgrade(alembic_config(database_url), "head")
        load_all()
        report = generate(PRESETS["small"])
        member = db.session.scalar(select(User).join(CheckIn, CheckIn.user_id == User.id).limit(1))
        member.email = BENCH_EMAIL
        from community.passwords import hash_password
        member.password_hash = hash_password(BENCH_PASSWORD)
        db.session.commit()
        trials.give_consent(find_by_email(BENCH_EMAIL), categories=list(trials.CATEGORY_LABELS),
                            email_updates=False)
        topic = db.session.scalar(select(Topic).where(Topic.members_only.is_(False), Topic.reply_count >= 9)
                                  .limit(1))
        word = db.session.scalar(select(Post.body_text).limit(1)).split()[1].strip(".")
        from community.models import Category
        category = db.session.get(Category, topic.category_id).slug
    return {"app": app, "generated": report.rows, "topic": topic.id, "category": category, "word": word}


def statements_per_page(app, paths: dict[str, str], logged_in: set[str]) -> dict[str, int]:
    from tests.helpers import counting_statements

    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/auth/login").text).group(1)
    counts = {}
    signed_in = False
    for name, path in paths.items():
        if name in logged_in and not signed_in:
            response = client.post("/auth/login", data={"csrf_token": token, "email": BENCH_EMAIL,
                                                        "password": BENCH_PASSWORD})
            signed_in = response.status_code == 302 and "/auth/" not in response.headers["Location"]
            if not signed_in:
                raise RuntimeError("the bench member could not sign in")
        if client.get(path).status_code != 200:  # also warms caches once
            raise RuntimeError(f"{path} did not answer 200")
        with counting_statements(app) as statements:
            client.get(path)
        counts[name] = len(statements)
    return counts


def serve(module: str, port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", WORKERS, "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", module]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "wsgi" in module  # noqa: S310
                                   else f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{module} did not start: {process.stderr.read().decode()[-2000:]}")


def session_cookie(port: int) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/auth/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    landed = opener.open(f"http://127.0.0.1:{port}/auth/login",
                         data=urlencode({"csrf_token": token, "email": BENCH_EMAIL,
                                         "password": BENCH_PASSWORD}).encode())
    if "/auth/" in landed.geturl():
        raise RuntimeError("the bench member could not sign in to the served app")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "5s",
               "-s", str(ROOT / "bench" / "latency.lua"), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=int(DURATION) + 30).stdout
    return json.loads(output.split("RESULT ", 1)[1].splitlines()[0])


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it (Debian package wrk).")
    workdir = Path(tempfile.mkdtemp(prefix="lupus-bench-"))
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    print("Preparing the small data set…", flush=True)
    data = prepare(database_url)
    pages = {
        "topic page (anonymous, 10 posts)": f"/forum/t/{data['topic']}",
        "category listing (anonymous)": f"/forum/c/{data['category']}",
        "search (anonymous)": f"/forum/search?q={data['word']}",
        "tracking dashboard (member)": "/tracking/",
        "tracking chart (member)": "/tracking/charts",
        "trial suggestions (member)": "/trials/",
    }
    logged_in = {name for name in pages if "(member)" in name}
    statements = statements_per_page(data["app"], pages, logged_in)
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development", "SECRET_KEY": "bench-" + "x" * 40,
           "MAIL_BACKEND": "outbox", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    hello_port, app_port = free_port(), free_port()
    hello = serve("bench.hello:app", hello_port, env)
    app = serve("wsgi:app", app_port, env)
    try:
        results = {"ceiling (bare Flask hello)": wrk(f"http://127.0.0.1:{hello_port}/")}
        cookie = session_cookie(app_port)
        for name, path in pages.items():
            results[name] = wrk(f"http://127.0.0.1:{app_port}{path}", cookie if name in logged_in else None)
    finally:
        for process in (hello, app):
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    ceiling = results["ceiling (bare Flask hello)"]["rps"]
    print(f"\n{'page':<36} {'req/s':>8} {'% ceiling':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'SQL':>4} {'errors':>6}")
    for name, r in results.items():
        share = 100 * r["rps"] / ceiling if ceiling else 0
        print(f"{name:<36} {r['rps']:>8.0f} {share:>8.1f}% {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} "
              f"{statements.get(name, 0):>4} {r['errors'] + r['non2xx']:>6}")
        r["share_of_ceiling"] = round(share, 1)
        r["sql_statements"] = statements.get(name)
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {"seconds": DURATION, "connections": CONNECTIONS, "gunicorn_workers": WORKERS,
                     "database": "sqlite", "data_set": "small", "generated_rows": data["generated"]},
        "results": results}, indent=2))
    print(f"\nWritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
