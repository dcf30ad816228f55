"""The XSS corpus posted as topic titles, post bodies, display names and bios.

Every page that shows them is opened in Chromium: no script may run (the
``window.__xss`` canary stays unset, no dialog opens). The site's CSP would
block inline script even if the sanitiser failed, so each page's live DOM is
also inspected: no event-handler or style attributes, no javascript:/data:/
vbscript: URLs, no script/iframe/object/embed/svg/style elements from users.
That second check is what makes this test able to fail.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from community.db import db
from community.forum import posting, reading
from community.forum.seed import load_categories
from community.models.forum import Category, TopicWatch
from tests.support.factories import PASSWORD, make_user

PAYLOADS = [line.replace("\\n", "\n") for line in
            (Path(__file__).parent.parent / "data" / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
            if line.strip()]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data",
                  "srcdoc", "lowsrc", "dynsrc", "cite"}
NEVER_FROM_USERS = {"iframe", "object", "embed", "svg", "math", "style", "base", "frame", "frameset",
                    "video", "audio", "template", "isindex", "keygen", "marquee", "xmp", "noscript",
                    "applet", "image"}


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in NEVER_FROM_USERS:
            self.problems.append(f"<{tag}> element")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append("inline or foreign <script>")
        if tag == "img" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<img> not from /static/: {values}")
        if tag == "link" and not (values.get("href") or "").startswith("/"):
            self.problems.append(f"<link> not from this site: {values}")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                plain = "".join(ch for ch in value if ch > " ").lower()
                if plain.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def unsafe_markup(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("bad", [
    '<p onclick="x()">a</p>', '<a href=" JavaScript:x()">a</a>', '<img src=x>',
    '<script>x()</script>', '<svg></svg>', '<a href="data:text/html,x">a</a>', '<b style="x">a</b>',
])
def test_the_markup_inspector_catches_what_it_must(bad):
    assert unsafe_markup(f"<html><body>{bad}</body></html>")


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 100
    corpus = "\n".join(PAYLOADS).lower()
    for kind in ("<script", "onerror", "javascript:", "data:", "<svg", "style=", "&#", "](", "jAvAsCrIpT:".lower()):
        assert kind in corpus, kind


def test_no_payload_runs_or_survives_on_any_forum_page(page, live_server):
    app = live_server.app
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0
    with app.app_context():
        load_categories()
        category = db.session.scalar(select(Category).where(Category.slug == "off-topic"))
        viewer = make_user(display_name="Viewer", email="viewer@example.org")
        authors = [make_user(display_name=f"{payload.replace(chr(10), ' ')[:33]} #{i:03d}", bio=payload,
                             role="moderator")  # staff: no posting limits, so every payload posts
                   for i, payload in enumerate(PAYLOADS)]
        topic_ids = []
        for i, payload in enumerate(PAYLOADS):
            title = f"{payload.replace(chr(10), ' ')[:140]} x{i}"
            topic = posting.start_topic(authors[i], category.slug, title=title, body=payload,
                                        members_only=bool(i % 2)).topic
            db.session.add(TopicWatch(user_id=viewer.id, topic_id=topic.id))
            db.session.commit()
            replier = authors[(i + 1) % len(authors)]
            first = reading.locate_post(replier, _first_post_id(topic.id))
            quote = posting.quote_markdown(replier, _first_post_id(topic.id), topic.id)
            posting.reply(replier, topic.id, body=quote + payload + f" @{authors[i].display_name}")
            assert first
            topic_ids.append((topic.id, " ".join(title.split())))
        profile_ids = [a.id for a in authors]
        viewer_email = viewer.email

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(viewer_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

    problems: dict[str, list[str]] = {}

    def visit(path: str) -> None:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        if page.evaluate("window.__xss") is not None:
            problems.setdefault(path, []).append("window.__xss was set")
        found = unsafe_markup(page.content())
        if found:
            problems.setdefault(path, []).extend(found)

    for topic_id, title in topic_ids:
        visit(f"/forum/t/{topic_id}")
        assert page.locator("h1").inner_text() == title  # the payload is really on the page, as text
    for user_id in profile_ids:
        visit(f"/members/{user_id}")
    listing_pages = ["/forum/latest", "/forum/c/off-topic", "/forum/"]
    while listing_pages:
        path = listing_pages.pop()
        visit(path)
        more = page.locator("a", has_text="Older topics").first
        if more.count():
            listing_pages.append(more.get_attribute("href"))
    for query in ("xss", "script", "javascript", "img onerror", "window"):
        for number in range(1, 8):
            visit(f"/forum/search?q={query}&page={number}")
    for number in range(1, 10):
        visit(f"/forum/notifications?page={number}")
    visit("/forum/latest.atom".replace(".atom", ""))  # the feed is XML; its titles are checked below
    feed = page.request.get("/forum/latest.atom").text()
    assert "<script" not in feed and "<img" not in feed

    assert not dialogs, f"dialogs opened: {dialogs[:5]}"
    assert not problems, "unsafe markup:\n" + "\n".join(f"{p}: {v[:3]}" for p, v in list(problems.items())[:10])


def _first_post_id(topic_id: int) -> int:
    from community.models.forum import Post

    return db.session.scalar(select(Post.id).where(Post.topic_id == topic_id, Post.number == 1))
