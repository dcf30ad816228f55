"""Splitting a study's eligibility text into bullets, each with its side (inclusion or exclusion).

Reads the registry API's Markdown (headings, ``*``/``-`` bullets, numbered and nested
lists, wrapped lines) and the flattened one-line copies that mirrors produce (inline
``*``, ``-``, ``•`` and ``1.`` markers). Every bullet keeps its own words: only the marker
goes and whitespace runs collapse. Texts that cannot be read as criteria (empty, binary,
markup, enormous) give no bullets; the caller shows them verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_READ_CHARS = 20_000


@dataclass(frozen=True)
class Bullet:
    side: str  # "inclusion" | "exclusion" | "unstated"
    text: str
    depth: int
    parent: int | None
    note: bool  # a lead-in line ("Any of the following will exclude:"), not a criterion itself
    group: str  # the sub-population a heading named ("For patients"), or ""


TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
HEADING = re.compile(
    r"(?:^|(?<=[\s:.;\-*•]))(?:key\s+)?(?P<side>inclusion|exclusion)\s+criteria\s+for\s+(?P<for>[^:.\n]{1,60}):"
    r"|(?:^|(?<=[\s:.;\-*•]))(?:key\s+)?(?P<side2>inclusion|exclusion)\s+criteria"
    r"\s*(?:[:.]|-(?=\s)|$|(?=\s+[*•\-]\s)|(?=\s+\d{1,2}[.)]\s)|(?=\s+(?-i:[A-Z])))"
    r"|(?:^|(?<=\s))(?P<protocol>protocol entry criteria)\s*:", re.I | re.M)
INLINE_GROUP = re.compile(r"(?:^|(?<=[\s.;]))(?P<group>For\s+(?:\w+\s+){0,3}\w+):(?=\s)")
LONE_EXCLUSION = re.compile(r"^\s*[*•\-]?\s*exclusion\s*$", re.I)
LINE_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>(?:[*\-•·‣◦▪]\s*)+(?:\d{1,2}[.)]\s*|\*\s*)?|\d{1,2}[.)](?!\d)|"
                         r"\(\d{1,2}\)|\.(?=\s)|[a-z][.)](?=\s)|\((?:[ivx]{1,4}|[a-z])\)|[ivx]{1,4}\)(?=\s))\s*")
INLINE_BULLET = re.compile(r"(?:^|(?<=\s))(?:[*•]|-(?=\s))\s+(?:[*•]\s+)?")
INLINE_NUMBER = re.compile(r"(?:^|(?<=[\s;:.]))(?:\*\s*)?(?:(\d{1,2})[.)]|\((\d{1,2})\))(?=\s*\S)(?!\d)")
GROUP_HEADING = re.compile(r"^(?:for\s+[\w /-]{2,40}|in\s+[\w /-]{2,40}\s+part[\w ]*):$", re.I)
NOTE = re.compile(r"(?:(?:following|these|the) (?:inclusion |exclusion )?criteria|criteria (?:will|are|must)|"
                  r"must meet all|to be eligible|will be excluded|will (?:disqualify|exclude)|are to be met|"
                  r"this list only contains|key (?:inclusion|exclusion) criteria|meets any of the following)", re.I)
DROP = re.compile(r"^(?:\(?remaining criteria not captured\)?|\.\.\.|…|[-*•.:;]+)$", re.I)


def looks_like_markup(text: str) -> bool:
    """Text full of HTML or XML tags ("<30 mL" is a comparison, not a tag)."""
    return len(TAG.findall(text)) >= 3


def looks_binary(text: str) -> bool:
    """Text that is mostly control characters or undecodable bytes."""
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or ch == "\ufffd" or 0x7f <= ord(ch) < 0xa0)
    return bad / len(text) > 0.05


def _clean(text: str) -> str:
    return " ".join(text.split()).strip()


@dataclass
class _Item:
    side: str
    text: str
    depth: int
    group: str
    kind: str  # marker kind: "star", "number", "letter", "plain"


def _marker_kind(marker: str) -> str:
    marker = marker.strip()
    if not marker:
        return "plain"
    if re.match(r"[*\-•·‣◦▪]", marker):
        return "star" if not re.search(r"\d", marker) else "number"
    if re.match(r"\(?\d", marker):
        return "number"
    if marker == ".":
        return "star"
    return "letter"


def _split_inline(segment: str, expected: int = 1) -> list[tuple[str, str]]:
    """(marker kind, text) pieces of a flattened segment: at bullets, and at numbers in sequence."""
    cuts: list[tuple[int, int, str]] = [(m.start(), m.end(), "star") for m in INLINE_BULLET.finditer(segment)]
    for m in INLINE_NUMBER.finditer(segment):
        value = int(m.group(1) or m.group(2))
        if value == expected or (value == 1 and expected > 1):
            cuts.append((m.start(), m.end(), "number"))
            expected = value + 1
    if not cuts:
        return [("plain", segment)]
    cuts.sort()
    pieces: list[tuple[str, str]] = []
    if segment[:cuts[0][0]].strip():
        pieces.append(("plain", segment[:cuts[0][0]]))
    for index, (_start, end, kind) in enumerate(cuts):
        stop = cuts[index + 1][0] if index + 1 < len(cuts) else len(segment)
        if stop > end or index + 1 == len(cuts):
            pieces.append((kind, segment[end:stop]))
    return pieces


def _sections(text: str) -> list[tuple[str, str, str]]:
    """(side, group, text) runs of the text between headings."""
    out: list[tuple[str, str, str]] = []
    side, group, start = "unstated", "", 0
    for m in HEADING.finditer(text):
        out.append((side, group, text[start:m.start()]))
        side = "inclusion" if m.group("protocol") else (m.group("side") or m.group("side2")).lower()
        group = _clean(m.group("for") or "")
        start = m.end()
    out.append((side, group, text[start:]))
    runs = []
    for side, group, run in out:
        # Sub-populations named inline ("For patients: … For control subjects: …") start runs of their own.
        start = 0
        for m in INLINE_GROUP.finditer(run):
            runs.append((side, group, run[start:m.start()]))
            group, start = m.group("group"), m.end()
        runs.append((side, group, run[start:]))
    return [(s, g, t) for s, g, t in runs if t.strip()]


SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]%][.;])\s+(?=[A-Z•])")
ABBREVIATION = re.compile(r"(?:\be\.g|\bi\.e|\bvs|\betc|\bal|\bno|\bDr|\beg|\bie)\.$", re.I)
LEAD_IN = re.compile(r"^(?P<lead>[^:]{10,200}?(?:the following|following (?:inclusion |exclusion )?criteria|"
                     r"criteria will disqualify|disqualify a patient)[^:]{0,160}):\s+(?=\S)", re.I)


def _sentences(text: str) -> list[str]:
    """A long marker-less run split into sentences; a lead-in ending in ":" becomes its own piece."""
    pieces = []
    lead = LEAD_IN.match(text)
    if lead:
        pieces.append(lead.group("lead") + ":")
        text = text[lead.end():]
    for sentence in SENTENCE_END.split(text):
        if pieces and ABBREVIATION.search(pieces[-1]):
            pieces[-1] += " " + sentence
        elif sentence.strip():
            pieces.append(sentence)
    return pieces


def _items(text: str) -> list[_Item]:
    items: list[_Item] = []
    for side, group, section in _sections(text):
        if "\n" not in section.strip() and len(section) > 200 and \
                _split_inline(section.strip())[0][0] == "plain" and len(_split_inline(section.strip())) == 1:
            items += [_Item(side, sentence, 0, group, "plain") for sentence in _sentences(section.strip())]
            continue
        blank_before = True
        previous_length = 0
        for raw in section.split("\n"):
            if not raw.strip():
                blank_before = True
                continue
            if LONE_EXCLUSION.match(raw):
                continue
            m = LINE_MARKER.match(raw)
            marker = m.group("marker") if m and m.group("marker").strip() else ""
            if marker and items and not blank_before and re.match(r"\d{1,2}\)$", marker.strip()) and \
                    items[-1].text.count("(") > items[-1].text.count(")"):
                items[-1].text += " " + raw.strip()  # "(Visit\n1) with…": a wrapped line, not a list number
                previous_length = len(raw)
                continue
            indent = len((m.group("indent") if m else "").expandtabs(4))
            body = raw[m.end():] if marker else raw.strip()
            number = re.search(r"\d{1,2}", marker)
            pieces = _split_inline(body, int(number.group()) + 1 if number else 1)
            first_kind, first_text = pieces[0]
            line_kind = _marker_kind(marker) if marker else first_kind
            open_bracket = bool(items) and items[-1].text.count("(") > items[-1].text.count(")")
            # A wrapped line continues a long line that stopped mid-sentence; a short line is a bullet of its own.
            continuing = (not marker and first_kind == "plain" and items and not blank_before
                          and items[-1].side == side and items[-1].group == group
                          and (open_bracket or (previous_length >= 60
                                                and not re.search(r"[.;:]\s*$", items[-1].text))))
            if continuing:
                items[-1].text += " " + first_text
            else:
                items.append(_Item(side, first_text, 1 if indent >= 2 and marker else 0, group, line_kind))
            for kind, piece in pieces[1:]:
                items.append(_Item(side, piece, 0, group, kind))
            blank_before = False
            previous_length = len(raw)
    return items


def _nest(items: list[_Item]) -> list[tuple[_Item, int, int | None]]:
    """Depth and parent of each item: a different marker kind under an item ending in ":" is its child."""
    out: list[tuple[_Item, int, int | None]] = []
    top_kind: dict[str, str] = {}
    parent: int | None = None
    for item in items:
        top = top_kind.setdefault(item.side, item.kind)
        depth = item.depth
        if parent is not None and out[parent][0].side == item.side and (
                item.depth > 0 or (item.kind != top and item.kind != "plain")):
            depth = 1
        elif item.kind != top and item.kind != "plain" and out and out[-1][0].text.rstrip().endswith(":") \
                and out[-1][0].side == item.side and not NOTE.search(out[-1][0].text):
            parent, depth = len(out) - 1, 1
        else:
            depth = 0
        if depth == 0:
            parent = None
        out.append((item, depth, parent if depth else None))
        if depth == 0 and item.text.rstrip().endswith(":") and not NOTE.search(item.text):
            parent = len(out) - 1
    return out


def split_criteria(text: str | None) -> list[Bullet]:
    """Every bullet of an eligibility text, in order, with its side (inclusion or exclusion)."""
    if not text or not text.strip() or len(text) > MAX_READ_CHARS or looks_binary(text) or looks_like_markup(text):
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bullets: list[Bullet] = []
    index_of: dict[int, int] = {}
    group_override = ""
    for position, (item, depth, parent) in enumerate(_nest(_items(text))):
        words = _clean(item.text)
        if not words or DROP.match(words):
            continue
        if GROUP_HEADING.match(words):
            group_override = words[:-1]
            continue
        note = bool(NOTE.search(words)) and words.endswith(":") and len(words) < 200 or \
            words.lower().startswith("this list only contains")
        index_of[position] = len(bullets)
        bullets.append(Bullet(item.side, words, depth, index_of.get(parent) if parent is not None else None,
                              note, item.group or group_override))
    return bullets
