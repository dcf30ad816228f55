"""Member-written Markdown -> safe HTML, once, at write time.

markdown-it-py parses CommonMark with raw HTML switched off (anything that
looks like a tag is shown as text) and its own link validation (no
``javascript:``, ``vbscript:``, ``file:`` or ``data:`` links). nh3 then
sanitises the result against a short allow-list as a second, independent
wall: only these tags, only these attributes, only http(s)/mailto links, and
every link marked ``nofollow ugc`` and opened without a referrer. Templates
mark only the stored ``body_html`` as safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from community.errors import ValidationFailed

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MENTION_CLASS = "mention"

# "@" then a display name (letters, numbers, spaces, dots, dashes, apostrophes; see the
# sign-up rule). Names may contain spaces, so every word-boundary prefix is a candidate
# and the longest one that names a member wins.
_MENTION_START = re.compile(r"(?<![\w@])@([\w][\w .'-]{0,39})")
_LINK_COUNT = re.compile(r"(?i)(?:\bhttps?://|\bwww\.|\bmailto:)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass
class Rendered:
    html: str
    text: str
    mentioned_ids: list[int] = field(default_factory=list)
    link_count: int = 0


# Resolves candidate names (lower-cased) to {lower name: (user id, display name)} in one query.
MentionResolver = Callable[[set[str]], dict[str, tuple[int, str]]]


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Images could track readers (and CSP blocks other hosts anyway): show them as links.
    md.disable("image")
    return md


_md = _markdown()


def clean_text(value: str) -> str:
    """Drop control characters (they have no business in posts and confuse search snippets)."""
    return _CONTROL.sub("", value or "").replace("\r\n", "\n").replace("\r", "\n")


def written_body(body: str, *, limit: int, empty: str, noun: str) -> str:
    """A post's or message's text, cleaned, or a ValidationFailed on the body field saying why not:
    nothing written, or longer than ``limit`` (never cut: the member keeps what they typed)."""
    body = clean_text(body or "").strip()
    if not body:
        raise ValidationFailed(empty, field="body")
    if len(body) > limit:
        raise ValidationFailed(f"Please keep {noun} under {limit:,} characters (this one has {len(body):,}).",
                               field="body")
    return body


def mention_candidates(text: str) -> set[str]:
    """Every lower-cased prefix (at a word boundary) of every @name in the text."""
    found: set[str] = set()
    for match in _MENTION_START.finditer(text):
        words = match.group(1).split(" ")
        for end in range(1, min(len(words), 6) + 1):
            candidate = " ".join(words[:end]).rstrip(".'-").strip()
            if len(candidate) >= 2:
                found.add(candidate.lower())
    return found


def _split_mentions(content: str, known: dict[str, tuple[int, str]]):
    """Yield ("text", str) and ("mention", (id, name, typed)) pieces of one text run."""
    position = 0
    for match in _MENTION_START.finditer(content):
        words = match.group(1).split(" ")
        best = None
        for end in range(min(len(words), 6), 0, -1):
            typed = " ".join(words[:end]).rstrip(".'-").strip()
            if typed.lower() in known:
                best = typed
                break
        if best is None:
            continue
        start = match.start()
        if start > position:
            yield "text", content[position:start]
        user_id, name = known[best.lower()]
        yield "mention", (user_id, name, best)
        position = start + 1 + len(best)
    if position < len(content):
        yield "text", content[position:]


def _link_mentions(tokens: list[Token], known: dict[str, tuple[int, str]],
                   profile_url: Callable[[int], str]) -> list[int]:
    """Turn @Name in plain text (not in links or code) into links to the member's profile."""
    mentioned: list[int] = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for child in block.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            if child.type != "text" or in_link or "@" not in child.content:
                children.append(child)
                continue
            for kind, piece in _split_mentions(child.content, known):
                if kind == "text":
                    children.append(Token("text", "", 0, content=piece))
                    continue
                user_id, name, _typed = piece
                if user_id not in mentioned:
                    mentioned.append(user_id)
                children.append(Token("link_open", "a", 1, attrs={
                    "href": profile_url(user_id), "class": MENTION_CLASS}))
                children.append(Token("text", "", 0, content="@" + name))
                children.append(Token("link_close", "a", -1))
        block.children = children
    return mentioned


def _demote_headings(tokens: list[Token], offset: int) -> None:
    """A post's "# Heading" becomes an <h3> (offset 2): the page's own h1 and h2 stay in order."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + offset, 6)}"


def sanitise(markup: str) -> str:
    """The allow-list wall every stored HTML fragment passes through."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )


def plain_text(markup: str) -> str:
    """Readable text of sanitised HTML, for search and snippets."""
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", markup))).strip()


def render(text: str, resolve_mentions: MentionResolver | None = None,
           profile_url: Callable[[int], str] | None = None, heading_offset: int = 2) -> Rendered:
    """Render member Markdown to sanitised HTML, its plain text, who it mentions and its links."""
    text = clean_text(text)
    tokens = _md.parse(text)
    _demote_headings(tokens, heading_offset)
    mentioned: list[int] = []
    if resolve_mentions is not None and "@" in text:
        candidates = mention_candidates(text)
        known = resolve_mentions(candidates) if candidates else {}
        if known:
            mentioned = _link_mentions(tokens, known, profile_url or (lambda uid: f"/members/{uid}"))
    markup = sanitise(_md.renderer.render(tokens, _md.options, {}))
    return Rendered(html=markup, text=plain_text(markup), mentioned_ids=mentioned,
                    link_count=count_links(text))


def count_links(text: str) -> int:
    """How many web or mail links the raw text carries (linked or bare)."""
    return len(_LINK_COUNT.findall(text or ""))


def quote_block(author_name: str, post_url: str, body_raw: str, max_chars: int = 1500) -> str:
    """Markdown that quotes a post, with an attribution line linking back to it."""
    body = clean_text(body_raw).strip()
    if len(body) > max_chars:
        body = body[:max_chars].rsplit(" ", 1)[0] + " …"
    safe_name = re.sub(r"([\\`*_\[\]<>#])", r"\\\1", author_name)
    lines = [f"**{safe_name}** [wrote]({post_url}):", ""] + body.split("\n")
    return "\n".join("> " + line if line else ">" for line in lines) + "\n\n"


def iter_quoted_post_ids(text: str, pattern: re.Pattern[str]) -> Iterable[int]:
    """Post ids linked from quote lines (lines starting with ">") of a post's Markdown."""
    for line in clean_text(text).split("\n"):
        if line.lstrip().startswith(">"):
            for match in pattern.finditer(line):
                yield int(match.group(1))


_ANCHOR = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def links_as_text(markup: str) -> str:
    """Sanitised HTML with every link turned into its words and its address, nothing to click.

    For a first private message from a stranger, where a link is the usual start of a scam:
    the reader sees exactly where a link would have gone before deciding to copy it.
    """
    def spell_out(match: re.Match[str]) -> str:
        href, words = match.group(1), match.group(2)
        return href if plain_text(words) == html.unescape(href) else f"{words} ({href})"

    return sanitise(_ANCHOR.sub(spell_out, markup))
