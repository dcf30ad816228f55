"""The facts kept with a member's matches: a snapshot reads back as exactly the facts it was made from
(so a re-match from it equals one from the records), and one this release cannot read is refused."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date

import pytest

from community.trials import evidence, matching
from community.trials.matching import HistoryFact, LabFact, MemberFacts, TreatmentFact
from tests.support.trials import varied_cases

EVERY_FIELD = MemberFacts(
    today=date(2026, 12, 4), used=frozenset(matching.CATEGORIES), has_profile=True, birth_date=date(1990, 2, 28),
    birth_year=1990, sex="female", diagnoses=("sle", "nephritis"), nephritis_class="IV", diagnosed_year=2015,
    diagnosed_month=6, country="United States", region="Ohio", pregnancy="planning",
    history={"cancer": HistoryFact("yes", 2019), "tuberculosis": HistoryFact("no")},
    treatments=(TreatmentFact("Mycophenolate", "mycophenolate", date(2020, 1, 1), date(2021, 3, 1), "not_effective",
                              1.5, "g", "twice_daily"),
                TreatmentFact("Prednisone", "prednisone", date(2024, 5, 1), None, "", 7.5, "mg", "once_daily")),
    flare_starts=(date(2026, 1, 10), date(2026, 9, 2)),
    labs={"egfr": LabFact("egfr", "eGFR", 58.3, "mL/min/1.73m²", date(2026, 11, 1), 60.0, None)},
    severe_symptom_days=4)


def test_every_field_reads_back_as_it_was():
    assert evidence.from_snapshot(evidence.snapshot(EVERY_FIELD)) == EVERY_FIELD


def test_generated_members_read_back_and_match_the_same():
    members, trials = varied_cases(150, 120, 20261204)
    for facts in members:
        kept = evidence.from_snapshot(evidence.snapshot(facts))
        assert kept == facts
        assert matching.match_all(kept, trials) == matching.match_all(facts, trials)


def test_the_fingerprint_follows_facts_and_consent():
    text = evidence.snapshot(EVERY_FIELD)
    assert evidence.digest(text, 1) == evidence.digest(evidence.snapshot(replace(EVERY_FIELD)), 1)
    assert evidence.digest(text, 1) != evidence.digest(text, 2)
    assert evidence.digest(text, 1) != evidence.digest(evidence.snapshot(replace(EVERY_FIELD, pregnancy="no")), 1)


def _edited(change) -> str:
    data = json.loads(evidence.snapshot(EVERY_FIELD))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize("text", [
    None, "", "not json", "[]",
    _edited(lambda d: d.pop("severe_symptom_days")),  # written before a field existed
    _edited(lambda d: d.update(weight_kg=70)),  # written when a field existed that no longer does
    _edited(lambda d: d.update(today="04/12/2026")),
    _edited(lambda d: d["treatments"][0].pop("start")),
], ids=["none", "empty", "not-json", "not-an-object", "field-missing", "field-unknown", "bad-date", "bad-treatment"])
def test_a_snapshot_this_release_cannot_read_is_refused(text):
    assert evidence.from_snapshot(text) is None


def test_random_members_with_every_kind_of_gap():
    rng = random.Random(5)
    for _ in range(50):
        facts = replace(EVERY_FIELD, history=rng.choice([None, EVERY_FIELD.history]),
                        treatments=rng.choice([None, EVERY_FIELD.treatments]),
                        labs=rng.choice([None, EVERY_FIELD.labs]), flare_starts=rng.choice([None, ()]),
                        birth_date=rng.choice([None, date(2001, 1, 1)]), severe_symptom_days=rng.choice([None, 0]))
        assert evidence.from_snapshot(evidence.snapshot(facts)) == facts
