"""The matcher explains exactly what it explained before it was made fast.

``tests/data/trials_matching_expected.json`` holds, for varied generated members
against varied generated trials and the shipped lupus studies, every suggestion
in rank order with its grouping and a digest of its criterion-by-criterion
results (labels, outcomes, evidence sentences, site text). It was written by the
straightforward matcher before any caching. A change in wording is a change
members see: regenerate the file on purpose with
``.venv/bin/python -m tests.unit.test_trials_matching_equivalence`` and review the diff.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from community.trials import matching
from community.trials.matching import MatchOutcome, MemberFacts, TrialSpec
from tests.support.trials import shipped_specs, varied_cases

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "trials_matching_expected.json"
MEMBERS, TRIALS, SEED = 24, 120, 20261130


def cases() -> tuple[list[MemberFacts], list[TrialSpec]]:
    members, trials = varied_cases(MEMBERS, TRIALS, SEED)
    return members, trials + [spec for _status, spec in shipped_specs().values()]


def line(outcome: MatchOutcome) -> str:
    """One suggestion as the member sees it: which study, how it is grouped, and every sentence shown."""
    shown = json.dumps([[r.as_dict() for r in outcome.results], outcome.proximity_tier, outcome.proximity],
                       sort_keys=True, ensure_ascii=False)
    return f"{outcome.nct_id} {outcome.grouping} {hashlib.sha256(shown.encode()).hexdigest()[:12]}"


def observed(members: list[MemberFacts], trials: list[TrialSpec]) -> list[list[str]]:
    return [[line(o) for o in matching.match_all(facts, trials)] for facts in members]


def test_generated_members_get_the_same_suggestions_order_and_explanations_as_before():
    members, trials = cases()
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert len(expected) == MEMBERS
    for number, (want, got) in enumerate(zip(expected, observed(members, trials), strict=True)):
        assert got == want, f"member {number}: {members[number]}"


def test_the_cases_reach_every_outcome_of_every_criterion_kind():
    """The comparison above is only as good as its cases: they must exercise each kind three ways."""
    members, trials = cases()
    seen = {(r.kind, r.outcome) for facts in members for o in matching.match_all(facts, trials)
            for r in o.results}
    for kind in ("age", "sex", "condition", "diagnosis", "nephritis_class", "drug", "pregnancy", "lab"):
        assert {(kind, matching.MET), (kind, matching.NOT_MET), (kind, matching.UNKNOWN)} <= seen, kind
    for kind in ("prior_therapies", "flares", "location"):  # never "not met": only people can rule these out
        assert {(kind, matching.MET), (kind, matching.UNKNOWN)} <= seen, kind
    assert ("biomarker", matching.UNKNOWN) in seen and ("clinician", matching.UNKNOWN) in seen
    groupings = {o.grouping for facts in members for o in matching.match_all(facts, trials)}
    assert groupings == set(matching.GROUP_ORDER)


def test_repeated_matching_of_the_same_member_gives_the_same_answer():
    members, trials = cases()
    first = observed(members[:3], trials)
    assert observed(members[:3], list(reversed(trials))) == first


if __name__ == "__main__":
    EXPECTED.write_text(json.dumps(observed(*cases()), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Written {EXPECTED}")
