"""Key pages under load on loopback, side by side with the bare-Flask ceiling (`make bench`).

For each database (SQLite, PostgreSQL) and each generated data set (small, large):
build the set in a fresh database, serve the app under the same gunicorn settings as
a bare "hello" app, drive each page with wrk for a fixed time, and count SQL
statements per page in-process. Prints one table per database with the p95 growth
from small to large, and writes bench/results/latest.json. Everything stays on
127.0.0.1, every server and scratch database is removed, and it stops by itself.

Each page (and the ceiling, served beside the app during the same set) is driven ``--runs``
times, interleaved, and the median of the runs is reported; the share of the ceiling is the
page's median against the ceiling's median from the same set, so both saw the same machine.
``--database-url`` measures a database that already holds a generated set instead of
generating a fresh one (it is then left in place).

    python bench/pages.py [--databases sqlite,postgresql] [--sets small,large] [--seconds 3] [--runs 3]
                          [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "latest.json"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
WORKERS = os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2))
BENCH_EMAIL, BENCH_PASSWORD = "bench@example.org", "bench member password"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
KEY_PREFIX = f"lupus-bench-{os.getpid()}"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CEILING = "ceiling (bare Flask hello)"
CHECKIN_POST = "check-in POST (member)"
SEARCH = "hair mycophenolate"  # what a member asks: did anyone else lose hair on it?
SEARCH_PAGE = "search (member)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scratch_database(engine: str, workdir: Path) -> Iterator[str]:
    """A new, empty database for one data set; gone afterwards whatever happens."""
    if engine == "sqlite":
        path = workdir / "bench.db"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    from tests.conftest import drop_abandoned_schemas, private_schema, with_search_path

    schema = private_schema("lc_bench")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        drop_abandoned_schemas(conn)
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(POSTGRES_URL, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def prepare(database_url: str, data_set: str, *, generate_set: bool = True) -> dict:
    """Migrate, seed, generate the set, and make one generated member the bench member
    (``generate_set=False``: the database already holds a generated set)."""
    os.environ["DATABASE_URL"] = database_url
    from alembic import command
    from sqlalchemy import func, select

    from community import create_app
    from community.auth.services import find_by_email
    from community.db import db
    from community.generate import PRESETS, generate
    from community.insights.refresh import refresh as refresh_insights
    from community.models import Category, CheckIn, InsightsPage, Post, Topic, User
    from community.passwords import hash_password
    from community.reference import load_all
    from community.schema import alembic_config
    from community.trials import consents, suggestions
    from config import DevelopmentConfig

    app = create_app({"_base": DevelopmentConfig, "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox",
                      "MAIL_DELIVER_AFTER_REQUEST": False})
    with app.app_context():
        command.upgrade(alembic_config(database_url), "heads")
        if generate_set:
            load_all()
            report = generate(PRESETS[data_set])
            generated, seconds = report.rows, round(report.seconds, 1)
        else:
            generated, seconds = {"users (existing database)": db.session.scalar(select(func.count(User.id)))}, 0.0
        member = find_by_email(BENCH_EMAIL) or db.session.scalar(
            select(User).join(CheckIn, CheckIn.user_id == User.id).limit(1))
        member.email = BENCH_EMAIL
        member.password_hash = hash_password(BENCH_PASSWORD)
        db.session.commit()
        bench_member = find_by_email(BENCH_EMAIL)
        if consents.latest_consent(bench_member) is None:
            suggestions.give_consent(bench_member, categories=list(consents.CATEGORY_LABELS), email_updates=False)
        # The nightly insights refresh over the whole set; its pages are then one stored row each.
        insights = refresh_insights()
        insight_slug = db.session.scalar(select(InsightsPage.slug).where(InsightsPage.kind == "treatment")
                                         .order_by(InsightsPage.slug).limit(1))
        # A public topic whose first page is full, and the newest one: the page a visitor lands on.
        topic = db.session.scalar(select(Topic).where(Topic.members_only.is_(False), Topic.reply_count >= 19)
                                  .order_by(Topic.last_post_at.desc()).limit(1))
        category = db.session.get(Category, topic.category_id).slug
        posts = db.session.scalar(select(func.count(Post.id)))
    return {"app": app, "generated": generated, "seconds": seconds, "posts": posts,
            "topic": topic.id, "category": category, "insights_refresh_seconds": round(insights.seconds, 1),
            "insights_contributors": insights.contributors, "insight_slug": insight_slug}


def pages_for(data: dict) -> dict[str, str]:
    return {
        "topic page (anonymous, 20 posts)": f"/forum/t/{data['topic']}",
        "category listing (anonymous)": f"/forum/c/{data['category']}",
        # Signed in: members' pages are never cached, so this measures the full-text query itself.
        SEARCH_PAGE: f"/forum/search?q={SEARCH.replace(' ', '+')}",
        "tracking dashboard (member)": "/tracking/",
        "tracking chart (member)": "/tracking/charts",
        "trial suggestions (member)": "/trials/",
        "treatment insights (member)": f"/insights/treatments/{data['insight_slug']}",
        CHECKIN_POST: "/tracking/check-in",
    }


def checkin_body(page: str) -> str:
    """Today's check-in form as the member would send it again (an edit: one check-in a day)."""
    fields = {"csrf_token": CSRF.search(page).group(1), "day": date.today().isoformat(),
              "wellbeing": "3", "sleep_hours": "7.5", "notes": "Tired after work, joints stiff."}
    existing = re.search(r'name="checkin_id" type="hidden" value="(\d*)"', page)
    fields["checkin_id"] = existing.group(1) if existing else ""
    for name in re.findall(r'name="(sym_\d+)"', page)[:4]:
        fields[name] = "2"
    return urlencode(fields)


def statements_per_page(app, pages: dict[str, str]) -> dict[str, int]:
    """SQL statements each page costs, counted in-process after one warm-up request."""
    from tests.support.observe import counting_statements

    client = app.test_client()
    token = CSRF.search(client.get("/auth/login").text).group(1)
    counts = {}
    signed_in = client.post("/auth/login", data={"csrf_token": token, "email": BENCH_EMAIL,
                                                 "password": BENCH_PASSWORD})
    if signed_in.status_code != 302 or "/auth/" in signed_in.headers["Location"]:
        raise RuntimeError("the bench member could not sign in")
    anonymous = app.test_client()
    for name, path in pages.items():
        browser = client if "(member)" in name else anonymous
        for _ in range(2):  # the first request also fills caches; the second is counted
            if name == CHECKIN_POST:
                body = checkin_body(browser.get(path).text)
                with counting_statements(app) as statements:
                    status = browser.post(path, data=body, content_type="application/x-www-form-urlencoded")
                expected = 302
            else:
                with counting_statements(app) as statements:
                    status = browser.get(path)
                expected = 200
            if status.status_code != expected:
                raise RuntimeError(f"{name} answered {status.status_code}, not {expected}")
        counts[name] = len(statements)
    return counts


def production_like_redis() -> dict[str, str]:
    """Rate limits and the visitors' page cache in Redis, as in production, under a key
    prefix of this run's own; nothing when Redis isn't running (the table says so)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        return {}
    return {"RATELIMIT_STORAGE_URI": REDIS_URL, "PAGE_CACHE_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": KEY_PREFIX}


def forget_redis_keys() -> None:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{KEY_PREFIX}*"):
            client.delete(key)
    except redis.RedisError:
        pass


def serve(module: str, port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", WORKERS, "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", module]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    probe = "/healthz" if "wsgi" in module else "/"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)  # noqa: S310 - loopback
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{module} did not start: {process.stderr.read().decode()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def signed_in_opener(port: int) -> tuple[urllib.request.OpenerDirector, CookieJar]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/auth/login").read().decode()
    landed = opener.open(f"http://127.0.0.1:{port}/auth/login",
                         data=urlencode({"csrf_token": CSRF.search(page).group(1), "email": BENCH_EMAIL,
                                         "password": BENCH_PASSWORD}).encode())
    if "/auth/" in landed.geturl():
        raise RuntimeError("the bench member could not sign in to the served app")
    return opener, jar


def wrk(url: str, seconds: int, cookie: str | None = None, post_body: str | None = None,
        connections: str = CONNECTIONS) -> dict:
    script = ROOT / "bench" / "latency.lua"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if post_body is not None:
            lua.write(f'wrk.method = "POST"\nwrk.body = "{post_body}"\n'
                      'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
        lua.write(script.read_text())
    command = ["wrk", f"-t{min(2, int(connections))}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", lua.name, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    finally:
        os.unlink(lua.name)
    return json.loads(output.split("RESULT ", 1)[1].splitlines()[0])


def median_of(runs: list[dict]) -> dict:
    """The median of each number over the runs (each number on its own), and the runs themselves."""
    keys = ("rps", "p50", "p95", "p99")
    result = {key: round(statistics.median(r[key] for r in runs), 2) for key in keys}
    result.update(requests=sum(r["requests"] for r in runs), errors=sum(r["errors"] for r in runs),
                  non2xx=sum(r["non2xx"] for r in runs), runs=[{k: r[k] for k in keys} for r in runs])
    return result


@contextmanager
def scratch_or_existing(engine: str, workdir: Path, database_url: str | None) -> Iterator[str]:
    if database_url:
        yield database_url
    else:
        with scratch_database(engine, workdir) as url:
            yield url


def measure_set(engine: str, data_set: str, seconds: int, runs: int, workdir: Path,
                database_url: str | None = None) -> dict:
    fresh = database_url is None
    with scratch_or_existing(engine, workdir, database_url) as database_url:
        print(f"[{engine}/{data_set}] " + ("generating…" if fresh else "preparing the existing database…"),
              flush=True)
        data = prepare(database_url, data_set, generate_set=fresh)
        print(f"[{engine}/{data_set}] {sum(data['generated'].values()):,} rows in {data['seconds']} s; "
              f"insights refresh {data['insights_refresh_seconds']} s for {data['insights_contributors']:,} "
              "contributors; measuring…", flush=True)
        pages = pages_for(data)
        statements = statements_per_page(data["app"], pages)
        data["app"].extensions["db"].kw["bind"].dispose()
        env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development",
               "SECRET_KEY": "bench-" + "x" * 40, "MAIL_BACKEND": "outbox", "LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT), **production_like_redis()}
        port, hello_port = free_port(), free_port()
        server = serve("wsgi:app", port, env)
        hello = serve("bench.hello:app", hello_port, {**os.environ, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"})
        measured: dict[str, list[dict]] = {CEILING: [], **{name: [] for name in pages}}
        alone_runs = []
        try:
            opener, jar = signed_in_opener(port)
            cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
            bodies = {}
            for name, path in pages.items():
                if name == CHECKIN_POST:
                    url = f"http://127.0.0.1:{port}{path}"
                    body = checkin_body(opener.open(url).read().decode())
                    opener.open(url, data=body.encode())  # today's check-in exists: wrk edits it
                    bodies[name] = checkin_body(opener.open(url).read().decode())
            # Runs interleaved (ceiling, every page; again…) so a slow moment of the machine
            # spreads over all rows instead of sinking one.
            for run in range(runs):
                measured[CEILING].append(wrk(f"http://127.0.0.1:{hello_port}/", seconds))
                for name, path in pages.items():
                    measured[name].append(wrk(f"http://127.0.0.1:{port}{path}", seconds,
                                              cookie if "(member)" in name else None, bodies.get(name)))
                # Search latency itself, one member at a time: under 16 connections on 2 workers
                # every request also waits for ~8 others, which the page rows above include.
                alone_runs.append(wrk(f"http://127.0.0.1:{port}{pages[SEARCH_PAGE]}", seconds, cookie,
                                      connections="1"))
                print(f"[{engine}/{data_set}] run {run + 1} of {runs} done", flush=True)
        finally:
            stop(server)
            stop(hello)
    ceiling = median_of(measured.pop(CEILING))
    results = {}
    for name, page_runs in measured.items():
        result = median_of(page_runs)
        result["share_of_ceiling"] = round(100 * result["rps"] / ceiling["rps"], 1)
        result["sql_statements"] = statements[name]
        results[name] = result
    return {"generated_rows": data["generated"], "generation_seconds": data["seconds"],
            "posts": data["posts"], "ceiling": ceiling, "pages": results, "search_alone": median_of(alone_runs),
            "insights_refresh_seconds": data["insights_refresh_seconds"]}


def print_table(engine: str, sets: dict[str, dict]) -> None:
    names = list(next(iter(sets.values()))["pages"])
    runs = len(next(iter(sets.values()))["search_alone"]["runs"])
    print(f"\n{engine}: median of {runs} runs; %ceil = the page's req/s against the ceiling measured "
          "beside it during the same set")
    for data_set, m in sets.items():
        c = m["ceiling"]
        print(f"  ceiling during {data_set}: {c['rps']:,.0f} req/s (p95 {c['p95']:.1f} ms; runs "
              + ", ".join(f"{r['rps']:,.0f}" for r in c["runs"]) + ")")
    head = f"{'page':<34}"
    for data_set in sets:
        head += f" | {data_set + ' req/s':>12} {'%ceil':>6} {'p50':>6} {'p95':>7} {'p99':>7} {'SQL':>4} {'err':>4}"
    if len(sets) == 2:
        head += " | p95 growth"
    print(head)
    for name in names:
        line = f"{name:<34}"
        for measured in sets.values():
            r = measured["pages"][name]
            line += (f" | {r['rps']:>12,.0f} {r['share_of_ceiling']:>5.1f}% {r['p50']:>6.1f} {r['p95']:>7.1f} "
                     f"{r['p99']:>7.1f} {r['sql_statements']:>4} {r['errors'] + r['non2xx']:>4}")
        if len(sets) == 2:
            small, large = (m["pages"][name]["p95"] for m in sets.values())
            line += f" | {large / small:>9.2f}×" if small else " |"
        print(line)
    alone = "; ".join(f"{data_set} p50 {m['search_alone']['p50']:.1f} ms, p95 {m['search_alone']['p95']:.1f} ms"
                      for data_set, m in sets.items())
    print(f"search {SEARCH!r}, one connection: {alone}")
    print("insights refresh (flask insights refresh): "
          + "; ".join(f"{data_set} {m['insights_refresh_seconds']} s" for data_set, m in sets.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default=os.environ.get("BENCH_DATABASES", "sqlite,postgresql"))
    parser.add_argument("--sets", default=os.environ.get("BENCH_SETS", "small,large"))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "3")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="measure this database, which already holds the generated set (one database, one set)")
    args = parser.parse_args()
    engines = [e.strip() for e in args.databases.split(",") if e.strip()]
    data_sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    if unknown := set(engines) - {"sqlite", "postgresql"}:
        sys.exit(f"unknown database {sorted(unknown)}: choose from sqlite, postgresql")
    if unknown := set(data_sets) - {"small", "large"}:
        sys.exit(f"unknown data set {sorted(unknown)}: choose from small, large")
    if args.runs < 1:
        sys.exit("--runs must be at least 1")
    if args.database_url:
        if len(data_sets) != 1:
            sys.exit("--database-url holds one set: name it with --sets")
        engines = ["postgresql" if args.database_url.startswith("postgresql") else "sqlite"]
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it (Debian package wrk).")

    workdir = Path(tempfile.mkdtemp(prefix="lupus-bench-"))
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "settings": {"seconds": args.seconds, "runs": args.runs, "connections": CONNECTIONS,
                           "gunicorn_workers": WORKERS,
                           "redis": "on" if production_like_redis() else "off (not running)"},
              "databases": {}}
    try:
        for engine in engines:
            sets = {data_set: measure_set(engine, data_set, args.seconds, args.runs, workdir, args.database_url)
                    for data_set in data_sets}
            report["databases"][engine] = sets
            print_table(engine, sets)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        forget_redis_keys()
    results = Path(os.environ.get("BENCH_RESULTS", RESULTS))
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(report, indent=2))
    print(f"\nWritten {results}")


if __name__ == "__main__":
    main()
