"""TEMPORARY stub until the splitter lands (the helper overwrites this file)."""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_READ_CHARS = 20_000


@dataclass(frozen=True)
class Bullet:
    side: str
    text: str
    depth: int
    parent: int | None
    note: bool
    group: str


def looks_like_markup(text: str) -> bool:
    return len(re.findall(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>", text)) >= 3


def looks_binary(text: str) -> bool:
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or ch == "\ufffd")
    return bool(text) and bad / len(text) > 0.05


def split_criteria(text):
    if not text or not text.strip() or len(text) > MAX_READ_CHARS or looks_binary(text) or looks_like_markup(text):
        return []
    out, side = [], "unstated"
    parts = re.split(r"((?:Key\s+)?(?:Inclusion|Exclusion)\s+Criteria\s*:?)|\n+|\s\*\s|\s-\s|\s•\s|\s\d{1,2}\.\s", text, flags=re.I)
    for part in parts:
        if not part or not part.strip():
            continue
        m = re.fullmatch(r"(?:Key\s+)?(Inclusion|Exclusion)\s+Criteria\s*:?", part.strip(), re.I)
        if m:
            side = m.group(1).lower()
            continue
        t = " ".join(part.strip(" *-•").split())
        if t:
            out.append(Bullet(side, t, 0, None, False, ""))
    return out
