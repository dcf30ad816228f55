"""Time matching one member against 5,000 generated trials (`make bench`). Not a test: it prints numbers.

Matching is a pure function, so this needs no database: it measures the
criterion evaluation and ranking the suggestions page pays for on a recompute.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from community.trials.matching import (  # noqa: E402
    CriterionSpec,
    LabFact,
    MemberFacts,
    TreatmentFact,
    TrialSpec,
    match_all,
)

TRIALS = 5000
ROUNDS = 5
COUNTRIES = ["United States", "United Kingdom", "France", "China", "Brazil", "Canada", "Spain", "Germany"]
DRUGS = ["mycophenolate", "cyclophosphamide", "belimumab", "rituximab", "azathioprine", "tacrolimus",
         "anifrolumab", "obinutuzumab", "voclosporin", "methotrexate"]


def generated_trials(n: int, seed: int = 20261125) -> list[TrialSpec]:
    rng = random.Random(seed)
    trials = []
    for i in range(n):
        criteria = [CriterionSpec("age", {"min": rng.choice([12, 16, 18]), "max": rng.choice([None, 45, 65, 75]),
                                          "max_confirmed": True, "min_confirmed": True}, "registry"),
                    CriterionSpec("condition", {"diagnoses": rng.choice([["sle", "nephritis"], ["nephritis"]])},
                                  "registry")]
        if rng.random() < .6:
            criteria.append(CriterionSpec("prior_therapies", {"min_count": rng.choice([1, 2, 3]), "min_months": 3,
                                                              "drugs": rng.sample(DRUGS, 6)}))
        if rng.random() < .5:
            criteria.append(CriterionSpec("pregnancy", {}))
        if rng.random() < .4:
            criteria.append(CriterionSpec("drug", {"mode": "excluded", "months": rng.choice([2, 6, 12]),
                                                   "drugs": rng.sample(DRUGS, 2)}))
        if rng.random() < .4:
            criteria.append(CriterionSpec("lab", {"test": "egfr", "op": ">=", "value": rng.choice([25, 30, 35]),
                                                  "unit": "mL/min/1.73m²"}))
        if rng.random() < .3:
            criteria.append(CriterionSpec("nephritis_class", {"classes": ["III", "IV"]}))
        criteria.append(CriterionSpec("flares", {"min_count": 1, "months": 12}))
        criteria.append(CriterionSpec("clinician", {"text": "SLEDAI-2K score of 8 or more"}))
        locations = [{"country": rng.choice(COUNTRIES), "state": rng.choice(["California", "Ohio", ""]),
                      "city": f"City {j}"} for j in range(rng.randint(0, 8))]
        status = rng.choice(["RECRUITING", "RECRUITING", "NOT_YET_RECRUITING", "COMPLETED"])
        trials.append(TrialSpec(f"NCT{i:08d}", status, criteria, locations))
    return trials


def member() -> MemberFacts:
    return MemberFacts(
        today=date(2026, 11, 25), has_profile=True, birth_date=date(1992, 5, 2), sex="female",
        diagnoses=("sle",), country="United States", region="California", pregnancy="no",
        treatments=tuple(TreatmentFact(d.title(), d, date(2018 + n, 1, 1), date(2018 + n, 12, 1), "not_effective")
                         for n, d in enumerate(DRUGS[:4])),
        flare_starts=(date(2026, 2, 3), date(2026, 6, 14), date(2026, 9, 20)),
        labs={"egfr": LabFact("egfr", "eGFR", 62, "mL/min/1.73m²", date(2026, 10, 1))}, severe_symptom_days=5)


def main() -> None:
    trials = generated_trials(TRIALS)
    facts = member()
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        outcomes = match_all(facts, trials)
        timings.append(time.perf_counter() - start)
    groups = {g: sum(o.grouping == g for o in outcomes) for g in ("may_fit", "worth_asking", "probably_not")}
    criteria = sum(len(t.criteria) + 1 for t in trials if t.status in ("RECRUITING", "NOT_YET_RECRUITING"))
    print(f"matched 1 member against {TRIALS} trials ({len(outcomes)} recruiting, {criteria} criteria)")
    print(f"  median {statistics.median(timings) * 1000:.1f} ms, best {min(timings) * 1000:.1f} ms, "
          f"worst {max(timings) * 1000:.1f} ms over {ROUNDS} rounds")
    print(f"  groups: {groups}")


if __name__ == "__main__":
    main()
