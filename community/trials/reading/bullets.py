"""Splitting a study's eligibility text into bullets, each with its side (inclusion or exclusion).

The registry's API returns Markdown: ``Inclusion Criteria:`` / ``Exclusion Criteria:``
headings, ``*`` or ``-`` bullets (indented when nested), numbered lists, lines wrapped at
about ninety columns. Registry copies flatten that into one line with the markers inline
(``* ``, ``- ``, ``• ``, ``1. ``, ``1) ``, ``(1) ``), or drop the markers altogether. This
module reads all of them:

- headings are found on their own line, at the start of a line, or inline (then with a
  colon, and capitalised, so "the following inclusion criteria" in a sentence is no heading);
- a numbered marker in running text counts only when it continues an open list (``2.``
  after ``1.``) or starts one right after a heading, a marker or a colon, so "2.5 mg/dL",
  "class 3, 4" or "(17)" stay words; hyphens inside words and ``*`` glued to a word
  (a footnote) are never markers;
- nesting comes from indentation, from a change of marker under a bullet that ends in
  ":" ("Presence of any two of the following:" then ``-`` items under ``1.`` items), and
  from numbering (a list restarting at 1 under an item);
- a line without a marker continues the bullet above when it was wrapped (it starts in
  lower case, or the line above was full and stopped mid-sentence); otherwise it is a
  bullet of its own, as in texts written as plain lines or paragraphs;
- a marker-less flattened section is split into sentences.

Every bullet keeps its own words: only the marker goes and whitespace runs collapse.
Lead-ins ("Any of the following criteria will disqualify a patient:") and sub-population
headings ("For patients:") come out as notes; the heading's population is each bullet's
``group``. Texts that cannot be read as criteria (empty, binary, markup, enormous) give no
bullets, and the caller shows them verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_READ_CHARS = 20_000

INCLUSION, EXCLUSION, UNSTATED = "inclusion", "exclusion", "unstated"
MAX_DEPTH = 6  # registry lists nest two or three levels; deeper "nesting" is noise


@dataclass(frozen=True)
class Bullet:
    side: str  # "inclusion" | "exclusion" | "unstated" (text before or without any heading)
    text: str  # the bullet's own words, marker removed, whitespace collapsed
    depth: int  # 0 top level, 1 nested under a parent bullet, 2 ...
    parent: int | None  # index in the returned list of the bullet this one is nested under
    note: bool  # a lead-in or sub-heading ("For patients:"), not a criterion itself
    group: str  # the sub-population a heading named ("For patients"), or ""


# -- what cannot be read --------------------------------------------------------------------------

# A tag starts with a letter right after "<" (or "</"), so "<30 mL" and "< 5" are comparisons.
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]{0,30}(?:\s[^<>]{0,500})?/?>")
MARKUP_TAGS = 3
BINARY_SHARE = 0.05


def looks_like_markup(text: str) -> bool:
    """True when the text is full of HTML or XML tags (three or more)."""
    return len(TAG.findall(text)) >= MARKUP_TAGS


def looks_binary(text: str) -> bool:
    """True when control characters or undecodable bytes (U+FFFD) make up more than 5% of the text."""
    if not text:
        return False
    control = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t") or 0x7F <= ord(ch) < 0xA0)
    replaced = text.count("\ufffd")
    return (control + replaced) / len(text) > BINARY_SHARE


# -- markers --------------------------------------------------------------------------------------

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
ROMAN_RE = "viii|vii|vi|iv|ix|iii|ii|i|v|x"
# "•" is never part of the words, so it needs no space after it ("rash •Lupus headache"); the
# others do: "*Our aim" is a footnote, "-2" a negative number.
BULLET = r"(?:[*‣▪◦·●○■►➢-](?=\s|$)|•)"
NUMBER = (rf"(?:\(\d{{1,2}}\)|\d{{1,2}}[.)]|\((?:{ROMAN_RE})\)|(?:{ROMAN_RE})[.)]|\([a-h]\)|[a-h][.)])"
          r":?(?=\s|$)")
MARKER = rf"(?:{BULLET}[ \t]*)+(?:{NUMBER}[ \t]*)?|{NUMBER}[ \t]*"
LINE_MARKER = re.compile(rf"(?:{MARKER}|\.(?=\s))")  # ". Male or female…": a list whose numbers were lost
INLINE_MARKER = re.compile(rf"(?<!\S)(?:{MARKER})")
NUMBER_PARTS = re.compile(rf"(?P<open>\()?(?P<value>\d{{1,2}}|{ROMAN_RE}|[a-h])(?P<close>[.)])")
BULLET_CHARS = "*‣▪◦·●○■►➢-•"

# -- headings -------------------------------------------------------------------------------------

SIDE_WORDS = r"(?:(?:key|main|major)\s+)?(?P<side>inclusion|exclusion)(?:\s+criteria)?|(?P<protocol>protocol\s+entry\s+criteria)"
# At the start of a line: alone ("Inclusion criteria", "Exclusion", "• Inclusion Criteria"),
# or ended by a colon or full stop ("INCLUSION CRITERIA:", "Inclusion Criteria.").
LINE_HEADING = re.compile(rf"[ \t]*(?:[*•‣▪◦·●-][ \t]*)*(?P<words>{SIDE_WORDS})"
                          r"(?:(?<=criteria)\s+for\s+(?P<group>[^:\n]{1,80}?))?[ \t]*(?P<end>:|\.(?=\s|$)|$)", re.I)
# Inside running text: capitalised and with a colon, so a sentence's "inclusion criteria" stays words.
INLINE_HEADING = re.compile(
    r"(?<![\w-])(?P<words>(?:(?:Key|KEY|Main|MAIN)\s+)?(?P<side>Inclusion|INCLUSION|Exclusion|EXCLUSION)"
    r"\s+(?:Criteria|criteria|CRITERIA)|(?P<protocol>PROTOCOL ENTRY CRITERIA|Protocol [Ee]ntry [Cc]riteria))"
    r"(?:\s+for\s+(?P<group>[^:\n]{1,80}?))?\s*:")


def _prefixes(word: str, shortest: int = 3) -> str:
    """An alternation of the word's prefixes, longest first ("Exclusion Criteria", …, "Exc")."""
    return "|".join(re.escape(word[:n]) for n in range(len(word), shortest - 1, -1))


# A mirror that cut the text in the next heading leaves "… immunosuppressant Excl".
CUT_HEADING = re.compile(rf"\s(?:Key\s+)?(?:{_prefixes('Exclusion Criteria')}|{_prefixes('EXCLUSION CRITERIA')}):?$")
# Notes a mirror appends to a text it cut short.
MIRROR_NOTE = (r"\(\s*(?:remaining|further|additional|more|other)\s+(?:\w+\s+)?criteria\s+"
               r"(?:not\s+\w+|omitted|truncated)\s*\)|\[\s*(?:\.\.\.|…)\s*\]|\.{3,}|…")
TRAILING_MIRROR_NOTE = re.compile(rf"(?:\s*(?:{MIRROR_NOTE}))+\s*$", re.I)
DROP = re.compile(rf"^(?:{MIRROR_NOTE}|\(?\s*(?:remaining|further|additional|more|other)\s+(?:\w+\s+)?"
                  r"criteria\s+(?:not\s+\w+|omitted|truncated)\s*\)?\.?)$", re.I)

# -- notes ----------------------------------------------------------------------------------------

# A lead-in talks about the criteria as a list: "Any of the following criteria will disqualify…:".
LEAD_IN = re.compile(r"\b(?:following|below|these|listed|all|any)\s+(?:\w+\s+){0,2}criteri(?:a|on)\b"
                     r"|\bcriteri(?:a|on)\s+(?:\w+\s+){0,3}(?:apply|below|met|following)\b", re.I)
LEAD_IN_MAX = 300
NOTE_SENTENCE = re.compile(r"^(?:this|the above|the following) list\b|^in determining\b.*\bcriteria\b", re.I)
NOTE_TAIL = re.compile(r"(?<=\S)\s+(?P<note>This list\b[^.]{0,200}\.?)$")
# "For patients:" / "For control subjects:" name the population the bullets after them are for.
GROUP_TAIL = re.compile(r"(?:^|(?<=\s))(?P<group>(?:For|FOR)\s+(?!example\b|instance\b)[^\s:;.,()*•]"
                        r"[^:;.()*•]{0,40}?)\s*:$")
GROUP_WHOLE = re.compile(r"^(?P<group>(?:all\s+)?(?:patients|participants|subjects|controls|"
                         r"healthy\s+(?:controls|volunteers|subjects|participants)|control\s+(?:subjects|group)|"
                         r"(?:part|cohort|group|arm|stage)\s+[\w-]{1,8}))\s*:$", re.I)

# -- sentences ------------------------------------------------------------------------------------

SENTENCE_BREAK = re.compile(r"[.;](?=\s+[A-Z])")
COLON_BREAK = re.compile(r"\s*:\s+(?=\S)")
ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "vs", "approx", "dr", "no", "incl", "cf", "al", "fig", "ref"}
ONLY_MARKERS = re.compile(r"[\s\d().:*•‣▪◦·●○■►➢-]+")  # "2) (3)": markers with nothing after them
TERMINAL = ".;:!?"
OR_END = re.compile(r"\b(?:or|and/or)\s*[,;]?$", re.I)
LOWER_START = re.compile(r"[a-z(\[{/&+,;:%<>=≤≥]")


def _clean(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return " ".join(text.split())


def _unbalanced(text: str) -> bool:
    """True when a bracket opened in the text is still open (so a wrapped line continues it)."""
    return text.count("(") > text.count(")") or text.count("[") > text.count("]")


def _marker_kind(marker: str) -> tuple[str, int]:
    """(kind, value) of a marker: ("1.", 3) for "3.", ("i)", 2) for "ii)", ("*", 0) for "*" or "• *"."""
    parts = NUMBER_PARTS.search(marker)
    if parts:
        value, close = parts.group("value"), parts.group("close")
        opening = "(" if parts.group("open") else ""
        if value.isdigit():
            return f"{opening}1{close}", int(value)
        if value in ROMAN:
            return f"{opening}i{close}", ROMAN[value]
        return f"{opening}a{close}", ord(value) - ord("a") + 1
    stripped = marker.strip()
    return (stripped[0] if stripped else "*"), 0


def _sentences(text: str, first: bool) -> list[str]:
    """A marker-less flattened run split into sentences; a lead-in ending in ":" is a piece of its own."""
    pieces: list[str] = []
    start = 0
    for m in SENTENCE_BREAK.finditer(text):
        before = text[start:m.start()]
        words = before.rsplit(None, 1)
        last_word = words[-1].lstrip("([").lower() if words else ""
        if last_word in ABBREVIATIONS or _unbalanced(before):
            continue
        pieces.append(text[start:m.end()])
        start = m.end()
    pieces.append(text[start:])
    if first and pieces:
        colon = COLON_BREAK.search(pieces[0])
        if colon and colon.start() < LEAD_IN_MAX and LEAD_IN.search(pieces[0][:colon.start()]):
            pieces[0:1] = [pieces[0][:colon.start()] + ":", pieces[0][colon.end():]]
    return [p for p in pieces if p.strip()]


# -- the reader -----------------------------------------------------------------------------------


@dataclass(eq=False)
class _Draft:
    """A bullet being read: its words can still grow while wrapped lines follow."""

    side: str
    section: int
    section_group: str
    kind: str  # "none" (no marker), a bullet character, or a list style such as "1." / "(i)" / "a)"
    value: int  # place in a numbered list, 0 for bullets
    indent: int | None  # column of a marker that starts a line; None inline
    first: bool  # the first bullet of its section
    parts: list[str] = field(default_factory=list)
    parent: _Draft | None = None
    previous: _Draft | None = None  # the sibling just before it in its list
    note: bool = False
    group: str = ""  # set on a sub-population heading: the bullets after it are for this group
    dropped: bool = False
    brackets: int = 0  # brackets opened and not yet closed, kept as lines come so wrapping is cheap to test

    @property
    def text(self) -> str:
        return " ".join(self.parts).strip()

    @property
    def empty(self) -> bool:
        return not any(part.strip() for part in self.parts)

    @property
    def last_char(self) -> str:
        """The last character of the words so far ("" when there are none)."""
        for part in reversed(self.parts):
            if part.strip():
                return part.rstrip()[-1]
        return ""

    def add(self, text: str) -> None:
        """Append words (a wrapped line, or the words after the marker)."""
        self.parts.append(text)
        self.brackets += text.count("(") + text.count("[") - text.count(")") - text.count("]")


class _Reader:
    """Reads one text line by line, keeping the open lists of the current section."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.width = max((self._measure(line) for line in self.lines), default=0)
        self.drafts: list[_Draft] = []
        self.last: _Draft | None = None  # the bullet that wrapped lines would continue
        self.side, self.section, self.section_group = UNSTATED, 0, ""
        self.stack: list[_Draft] = []  # the path from a top-level bullet to the current one
        self.depth_of_kind: dict[str, int] = {}  # where each kind of marker first sat in this section
        self.in_section = 0
        self.blank = True
        self.previous_width = 0

    @staticmethod
    def _measure(line: str) -> int:
        """A line's length without a heading a mirror put in front of its first bullet."""
        heading = LINE_HEADING.match(line)
        if heading and heading.group("end") == ":":
            return len(line.rstrip()) - heading.end()
        return len(line.rstrip())

    def read(self) -> list[_Draft]:
        """Every draft of the text, in order (dropped ones marked)."""
        first_line = True
        for raw in self.lines:
            if not raw.strip():
                self.blank = True
                continue
            indent = None if first_line else len(raw) - len(raw.lstrip())
            first_line = False
            self._line(raw.strip(), indent)
            self.blank = False
            self.previous_width = self._measure(raw)
        self._finish()
        return self.drafts

    # -- a line: headings first, then the words and markers between them

    def _line(self, line: str, indent: int | None) -> None:
        """Read one non-blank line."""
        pos = 0
        heading = LINE_HEADING.match(line)
        if heading and (heading.group("end") or heading.end() == len(line)):
            self._heading(heading)
            pos = heading.end()
        for inline in INLINE_HEADING.finditer(line, pos):
            self._part(line[pos:inline.start()], pos == 0, indent)
            self._heading(inline)
            pos = inline.end()
        self._part(line[pos:], pos == 0, indent)

    def _heading(self, m: re.Match[str]) -> None:
        """Start a new section (inclusion or exclusion, maybe for a named group)."""
        self._finish()
        self.last = None
        self.section += 1
        self.side = INCLUSION if m.group("protocol") else m.group("side").lower()
        self.section_group = _clean(m.group("group") or "")
        self.stack, self.depth_of_kind, self.in_section = [], {}, 0
        if self.section_group:
            # "Inclusion Criteria for Prospective Part of Trial": the heading says which population.
            note = self._new("none", 0, None, _clean(m.group("words") + " for " + self.section_group))
            self._mark_note(note)
            note.group, self.in_section = self.section_group, 0

    def _part(self, text: str, line_start: bool, indent: int | None) -> None:
        """Words and markers between headings: the leading words, then one bullet per marker."""
        if not text.strip():
            return
        opened = False
        start = scan = 0
        m = LINE_MARKER.match(text) if line_start else None
        if m and self._accept_line_marker(m.group(0)):
            kind, value = _marker_kind(m.group(0))
            alone = not text[m.end():].strip()
            # A marker alone on its line takes the next line as its words ("-\nDesire for…").
            self._open(kind + (" alone" if alone else ""), value, indent)
            opened, start = True, m.end()
            scan = start
        elif m:
            scan = m.end()  # "(Visit\n1) with": the "1)" is words, not a marker
        for m in INLINE_MARKER.finditer(text, scan):
            if m.start() < start or not self._accept_inline(m, text, start):
                continue
            self._words(text[start:m.start()], opened, line_start and start == 0, indent)
            kind, value = _marker_kind(m.group(0))
            self._open(kind, value, None)
            opened, start = True, m.end()
        self._words(text[start:], opened, line_start and start == 0, indent)

    def _accept_line_marker(self, marker: str) -> bool:
        """A marker at the start of a line, unless it is a wrapped "(Visit\\n1)" or an unstarted letter list."""
        kind, value = _marker_kind(marker)
        if not value or marker[0] in BULLET_CHARS:
            return True
        if self.last is not None and not self.blank and self.last.brackets > 0 and kind.endswith(")"):
            return False
        if kind[-2:-1].isdigit():
            return True
        return value == 1 or self._continues_list(kind, value)

    def _accept_inline(self, m: re.Match[str], text: str, start: int) -> bool:
        """Is this inline marker a real one? Numbers only in sequence; no dash between two numbers."""
        marker = m.group(0)
        before = text[start:m.start()].rstrip()
        if marker.strip()[0] in BULLET_CHARS:
            # "15 - 60", "3 * 10": arithmetic, not a list
            return not (marker.strip()[0] in "-*" and before[-1:].isdigit() and text[m.end():m.end() + 1].isdigit())
        kind, value = _marker_kind(marker)
        if self._continues_list(kind, value):
            return True
        return value == 1 and (not before or before.endswith(":"))

    def _continues_list(self, kind: str, value: int) -> bool:
        """True when an open list of this style expects this number next."""
        return any(d.kind == kind and d.value + 1 == value for d in self.stack)

    def _words(self, text: str, opened: bool, line_start: bool, indent: int | None) -> None:
        """Words after a marker, or leading words: a wrapped line, a marker-less bullet, or sentences."""
        if not text.strip():
            return
        if opened:
            self.last.add(text)
            return
        last = self.last
        if line_start:
            if last is not None and last.empty and not last.note:
                last.add(text)  # the words of a marker that stood alone on the line above
            elif last is not None and self._wrapped(text, last, indent):
                last.add(text)
            else:
                self._new("none", 0, indent, text)
            return
        # Words right after a heading on the same line: a flattened copy, read as sentences.
        for sentence in _sentences(text.strip(), first=self.in_section == 0):
            self._new("none", 0, None, sentence)

    def _wrapped(self, text: str, last: _Draft, indent: int | None) -> bool:
        """Does this marker-less line continue the bullet above (a line the source wrapped)?"""
        if self.blank:
            return False
        first_word = text.split()[0]
        ends_sentence = last.last_char in tuple(TERMINAL)
        if LOWER_START.match(text) or (text[0].isdigit() and not ends_sentence) or last.brackets > 0:
            return True
        if last.indent is not None and indent is not None and last.kind != "none" and indent > last.indent + 1:
            return True  # indented under its marker, as Markdown continues a list item
        return not ends_sentence and self.previous_width + 1 + len(first_word) > self.width

    # -- bullets

    def _new(self, kind: str, value: int, indent: int | None, text: str) -> _Draft:
        """Open a bullet with its words already known."""
        draft = self._open(kind, value, indent)
        draft.add(text)
        return draft

    def _open(self, kind: str, value: int, indent: int | None) -> _Draft:
        """Close the bullet being read and open the next one, placed in the open lists."""
        self._finish()
        draft = _Draft(self.side, self.section, self.section_group, kind, value, indent, self.in_section == 0)
        self._place(draft)
        self.drafts.append(draft)
        self.in_section += 1
        self.last = draft
        return draft

    def _finish(self) -> None:
        """The bullet being read is complete: drop it if empty, or tell whether it is a note."""
        draft = self.last
        if draft is None or draft.dropped or draft.note:
            return
        words = _clean(draft.text)
        if not any(ch.isalnum() for ch in words) or DROP.match(words) or ONLY_MARKERS.fullmatch(words):
            draft.dropped = True
            self._unstack(draft)
            return
        tail = NOTE_TAIL.search(words) or GROUP_TAIL.search(words)
        if tail and tail.start() > 0:
            # "… in this clinical study For control subjects:": the tail heads what follows.
            draft.parts = [words[:tail.start()]]  # (its brackets no longer matter: it is complete)
            note = _Draft(draft.side, draft.section, draft.section_group, "none", 0, None, False, [tail.group(0)])
            self.drafts.append(note)
            self.last = note
            self._mark_note(note)
            return
        if self._is_note(draft, words):
            self._mark_note(draft)

    def _is_note(self, draft: _Draft, words: str) -> bool:
        """A lead-in, a sub-population heading or a remark about the list, rather than a criterion."""
        if NOTE_SENTENCE.match(words) or GROUP_TAIL.match(words) or GROUP_WHOLE.match(words):
            return True
        return (draft.kind == "none" and draft.first and words.endswith(":") and len(words) <= LEAD_IN_MAX
                and bool(LEAD_IN.search(words)))

    def _mark_note(self, draft: _Draft) -> None:
        """Make the draft a note: it heads no list, and a population heading sets the group."""
        draft.note = True
        words = _clean(draft.text)
        group = GROUP_TAIL.match(words) or GROUP_WHOLE.match(words)
        if group:
            draft.group = group.group("group")
        draft.parent = None
        self.stack, self.depth_of_kind = [], {}

    def _unstack(self, draft: _Draft) -> None:
        """Take a dropped bullet out of the open lists."""
        if draft in self.stack:
            del self.stack[self.stack.index(draft):]

    def _place(self, draft: _Draft) -> None:
        """Nest the draft: by indentation first, then by marker kind and numbering."""
        stack = self.stack
        if draft.kind == "none":
            stack[:] = [draft]  # a line or sentence without a marker is a top-level bullet
            return
        dedented = False
        if draft.indent is not None:
            while stack and stack[-1].indent is not None and stack[-1].indent >= draft.indent + 2:
                stack.pop()
                dedented = True
            if stack and stack[-1].indent is not None and draft.indent >= stack[-1].indent + 2:
                self._child(draft)
                return
            if stack and stack[-1].indent is None and draft.indent >= 2 and stack[-1].text.endswith(":"):
                self._child(draft)  # under a first line whose indentation the copy stripped
                return
        if not stack:
            self._push(draft)
            return
        top = stack[-1]
        opens_list = top.text.endswith(":") and not dedented
        if draft.value:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i].kind == draft.kind and stack[i].value + 1 == draft.value:
                    self._sibling(draft, i)
                    return
            if draft.value == 1 and opens_list:
                self._child(draft)
                return
        elif top.kind == draft.kind:
            if top.parent is not None and self._options_ended(top):
                self._sibling(draft, len(stack) - 2)
                return
            self._sibling(draft, len(stack) - 1)
            return
        elif opens_list:
            self._child(draft)
            return
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].kind == draft.kind:
                self._sibling(draft, i)
                return
        depth = self.depth_of_kind.get(draft.kind)
        self._sibling(draft, depth if depth is not None and depth < len(stack) else len(stack) - 1)

    @staticmethod
    def _options_ended(top: _Draft) -> bool:
        """True after the last of a run of options ("ANA or", "anti-dsDNA or", "anti-Sm"): the list is over."""
        previous = top.previous
        return previous is not None and bool(OR_END.search(previous.text)) and not OR_END.search(top.text)

    def _child(self, draft: _Draft) -> None:
        """Nest the draft under the current bullet (no deeper than any real list goes)."""
        if len(self.stack) >= MAX_DEPTH:
            self._sibling(draft, len(self.stack) - 1)
            return
        draft.parent = self.stack[-1]
        self._push(draft)

    def _sibling(self, draft: _Draft, level: int) -> None:
        """Put the draft next to the stack's bullet at this level, closing the lists below it."""
        replaced = self.stack[level]
        draft.parent, draft.previous = replaced.parent, replaced
        del self.stack[level:]
        self._push(draft)

    def _push(self, draft: _Draft) -> None:
        """Make the draft the current bullet, remembering where its kind of marker sits."""
        self.stack.append(draft)
        self.depth_of_kind.setdefault(draft.kind, len(self.stack) - 1)


def _normalise(text: str) -> str:
    """One kind of line break and space; mirror notes and a cut-off heading at the end removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = re.sub(r"[\u00a0\u2007\u202f\u3000\u2028\u2029\f\v]", " ", text)
    text = re.sub(r"[\u200b\ufeff]", "", text).rstrip()
    for _ in range(3):
        shorter = CUT_HEADING.sub("", TRAILING_MIRROR_NOTE.sub("", text)).rstrip()
        if shorter == text:
            break
        text = shorter
    return text


def _bullets(drafts: list[_Draft]) -> list[Bullet]:
    """The kept drafts as bullets: parent indices, depths and groups worked out."""
    kept = [d for d in drafts if not d.dropped and _clean(d.text)]
    index = {id(d): i for i, d in enumerate(kept)}
    bullets: list[Bullet] = []
    depth_of: dict[int, int] = {}
    section, group = -1, ""
    for i, draft in enumerate(kept):
        if draft.section != section:
            section, group = draft.section, draft.section_group
        if draft.note and draft.group:
            group = draft.group
        parent = draft.parent
        while parent is not None and (id(parent) not in index or parent.note):
            parent = parent.parent  # a dropped parent hands its children to its own parent
        parent_index = index[id(parent)] if parent is not None and index[id(parent)] < i else None
        depth = depth_of[parent_index] + 1 if parent_index is not None else 0
        depth_of[i] = depth
        bullets.append(Bullet(draft.side, _clean(draft.text), depth, parent_index, draft.note, group))
    return bullets


def split_criteria(text: str | None) -> list[Bullet]:
    """Every bullet of an eligibility text, in order, with its side (inclusion or exclusion)."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_READ_CHARS:
        return []
    if looks_binary(text) or looks_like_markup(text):
        return []
    return _bullets(_Reader(_normalise(text)).read())
