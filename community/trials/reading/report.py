"""How much of real registry text the reader understands, measured over a corpus.

Every bullet (lead-in notes aside) falls in one class:
- **structured**: read into at least one criterion the member's own records can answer;
- **clinician-only**: read only into measures for the doctor or the study team to judge
  (SLEDAI-2K, classification criteria, infections, organ function…);
- **procedure**: about taking part (consent, contraception, language, visits);
- **left to the study team**: nothing in it was understood.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from community.trials.reading.bullets import split_criteria
from community.trials.reading.reader import Reading, read_study

CLINICIAN_KINDS = {"clinician", "classification"}
CLASSES = ("structured", "clinician", "procedure", "team")


def classify(reading: Reading) -> str:
    """Which of the four classes one bullet's reading is in."""
    kinds = {c["kind"] for c in reading.criteria}
    if kinds - CLINICIAN_KINDS:
        return "structured"
    if kinds or (reading.topic and reading.topic not in ("consent", "contraception", "language",
                                                         "participation", "residence")):
        return "clinician"
    if reading.topic:
        return "procedure"
    return "team"


@dataclass
class ReaderReport:
    studies: int = 0
    bullets: int = 0
    classes: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)  # criteria read, by kind (and clinician topic)
    bullets_by_kind: Counter = field(default_factory=Counter)  # bullets with at least one criterion of the kind
    seconds_per_1000: float = 0.0

    def share(self, name: str) -> float:
        return self.classes[name] / self.bullets if self.bullets else 0.0

    @property
    def understood(self) -> float:
        """Structured or clinician-only: the headline share (procedures are counted apart)."""
        return self.share("structured") + self.share("clinician")

    def lines(self) -> list[str]:
        """The report as printed by ``flask trials reader-report``."""
        out = [f"{self.studies} studies, {self.bullets} bullets (lead-in notes not counted).",
               f"Read into structured or clinician-only criteria: {self.understood:.1%}"]
        words = {"structured": "structured (the member's records can answer)",
                 "clinician": "clinician-only (ask your doctor)", "procedure": "about taking part (study procedure)",
                 "team": "left to the study team (not understood)"}
        out += [f"  {words[c]:<48} {self.classes[c]:>5}  {self.share(c):6.1%}" for c in CLASSES]
        out.append("Bullets with a criterion of each kind:")
        out += [f"  {kind:<32} {n:>5}  {n / self.bullets:6.1%}" for kind, n in self.bullets_by_kind.most_common()]
        out.append(f"Time to split and read 1,000 studies: {self.seconds_per_1000:.1f} s")
        return out


def _kind_key(criterion: dict) -> str:
    if criterion["kind"] == "clinician":
        return f"clinician: {criterion['params'].get('measure') or criterion['params'].get('topic') or 'other'}"
    return criterion["kind"]


def measure(texts: Iterable[str], *, timing_studies: int = 1000) -> ReaderReport:
    """Split and read every text; count the classes and kinds; time reading ``timing_studies`` texts."""
    texts = [t or "" for t in texts]
    report = ReaderReport(studies=len(texts))
    for text in texts:
        bullets = split_criteria(text)
        for bullet, reading in zip(bullets, read_study(bullets), strict=True):
            if bullet.note:
                continue
            report.bullets += 1
            report.classes[classify(reading)] += 1
            keys = [_kind_key(c) for c in reading.criteria]
            if reading.topic:
                keys.append(f"topic: {reading.topic}")
            report.kinds.update(keys)
            report.bullets_by_kind.update(set(keys))
    if texts and timing_studies:
        started = time.perf_counter()
        for i in range(timing_studies):
            read_study(split_criteria(texts[i % len(texts)]))
        report.seconds_per_1000 = (time.perf_counter() - started) * 1000 / timing_studies
    return report
