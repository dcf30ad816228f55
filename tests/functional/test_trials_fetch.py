"""`flask trials fetch` pages through a local server replaying ClinicalTrials.gov API v2 responses."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from community.db import db
from community.models import Trial
from community.trials import client
from tests.support.trials import study

PAGES = {
    None: {"totalCount": 3, "studies": [study("NCT09100001"), study("NCT09100002")], "nextPageToken": "tok2"},
    "tok2": {"totalCount": 3, "studies": [study("NCT09100003"), {"protocolSection": "broken"}]},
}


class Replay(BaseHTTPRequestHandler):
    pages = PAGES
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        type(self).seen.append({"path": parts.path, **query})
        token = query.get("pageToken")
        if parts.path != "/api/v2/studies" or token not in self.pages:
            body, status = b"<html>Internal error</html>", 500
        else:
            body, status = json.dumps(self.pages[token]).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status == 200 else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def registry():
    Replay.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v2", Replay
    server.shutdown()
    thread.join(timeout=5)


def test_fetch_follows_page_tokens_and_imports_every_page(make_app, registry):
    base, replay = registry
    app = make_app(TRIALS_API_BASE_URL=base, TRIALS_API_PAGE_DELAY=0)
    result = app.test_cli_runner().invoke(args=["trials", "fetch", "--condition", "lupus"])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 1 skipped" in result.output
    assert "skipped page 2: studies[1]: no protocolSection" in result.output
    assert [s.get("pageToken") for s in replay.seen] == [None, "tok2"]
    assert all(s["query.cond"] == "lupus" and s["path"] == "/api/v2/studies" for s in replay.seen)
    with app.app_context():
        assert set(db.session.scalars(select(Trial.nct_id))) == {"NCT09100001", "NCT09100002", "NCT09100003"}


def test_an_error_page_stops_the_fetch_but_keeps_the_pages_before_it(make_app, registry, monkeypatch):
    base, replay = registry
    monkeypatch.setattr(replay, "pages", {None: {**PAGES[None], "nextPageToken": "gone"}})
    app = make_app(TRIALS_API_BASE_URL=base, TRIALS_API_PAGE_DELAY=0)
    result = app.test_cli_runner().invoke(args=["trials", "fetch"])
    assert result.exit_code == 1
    assert "the registry answered 500 on page 2" in result.output
    assert "Pages before it were imported" in result.output
    with app.app_context():
        assert set(db.session.scalars(select(Trial.nct_id))) == {"NCT09100001", "NCT09100002"}


def test_client_refuses_a_page_that_is_not_an_api_page(registry, monkeypatch):
    base, replay = registry
    monkeypatch.setattr(replay, "pages", {None: {"hello": "world"}})
    with pytest.raises(client.FetchFailed, match="no list of studies"):
        list(client.fetch_pages(base, condition="lupus"))


def test_max_pages_stops_early(registry):
    base, _replay = registry
    pages = list(client.fetch_pages(base, condition="lupus", max_pages=1))
    assert len(pages) == 1 and pages[0]["nextPageToken"] == "tok2"
