"""Time trial matching (`make bench`). Not a test: it prints numbers and adds them to bench/results/latest.json.

1. One member against 5,000 generated trials with the pure matcher: the criterion
   evaluation and ranking every recompute pays for (trial specs already built).
2. The same trials in a fresh database beside the `small` generated community (no
   forum), all 200 of whose members opt in here with a varied health profile: reading the
   catalogue into specs, each member's first matching end to end (their records read,
   every trial matched, every explanation written), then an import that updates 2% of
   the trials and re-matching every member after it a job (a batch of members) at a time, as a
   worker does (only the changed studies are evaluated again), then the same run with nothing
   changed. A member's time is their batch's divided by its size.

    python bench/match_bench.py [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import RESULTS, scratch_database  # noqa: E402
from community.trials.catalogue import keep_out_of_garbage_collection  # noqa: E402
from community.trials.matching import (  # noqa: E402
    SUGGESTED_STATUSES,
    CriterionSpec,
    LabFact,
    MemberFacts,
    TreatmentFact,
    TrialSpec,
    match_all,
)
from tests.support.trials import store_specs  # noqa: E402

TRIALS = 5000
ROUNDS = 20
UPDATED_SHARE = 0.02  # of the trials, changed by the import before re-matching everyone
COUNTRIES = ["United States", "United Kingdom", "France", "China", "Brazil", "Canada", "Spain", "Germany"]
REGIONS = ["California", "Ohio", ""]
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
        locations = [{"country": rng.choice(COUNTRIES), "state": rng.choice(REGIONS),
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


def spread(seconds: list[float]) -> dict:
    """Median and p95 in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "runs": len(ordered)}


def timed_batches(batches: list[list[int]], run) -> list[float]:
    """Each member's share of their batch's time, as a worker's recompute jobs run them."""
    shares = []
    for batch in batches:
        start = time.perf_counter()
        run(batch)
        shares += [(time.perf_counter() - start) / len(batch)] * len(batch)
    return shares


def pure_matching(trials: list[TrialSpec]) -> dict:
    keep_out_of_garbage_collection()  # as the app does with its cached catalogue
    timings = []
    for _ in range(ROUNDS):
        facts = member()  # a new member each round: nothing carried over from the last one
        start = time.perf_counter()
        outcomes = match_all(facts, trials)
        timings.append(time.perf_counter() - start)
    groups = {g: sum(o.grouping == g for o in outcomes) for g in ("may_fit", "worth_asking", "probably_not")}
    criteria = sum(len(t.criteria) + 1 for t in trials if t.status in SUGGESTED_STATUSES)
    print(f"matched 1 member against {len(trials)} trials ({len(outcomes)} recruiting, {criteria} criteria)")
    result = spread(timings)
    print(f"  median {result['median_ms']} ms, p95 {result['p95_ms']} ms over {ROUNDS} rounds; groups: {groups}")
    return {"trials": len(trials), "suggested": len(outcomes), "criteria": criteria, **result, "groups": groups}


def give_profiles(user_ids: list[int], rng: random.Random) -> None:
    """Give the consenting members a varied health profile (in place of the generator's plain one)."""
    from sqlalchemy import delete, insert

    from community.db import db
    from community.models import HealthProfile

    db.session.execute(delete(HealthProfile).where(HealthProfile.user_id.in_(user_ids)))
    db.session.execute(insert(HealthProfile), [
        {"user_id": user_id, "birth_year": rng.randint(1950, 2006),
         "sex": rng.choice(["female"] * 9 + ["male"]),
         "diagnoses": rng.choice([["sle"], ["sle"], ["nephritis"], ["sle", "cutaneous"], ["cutaneous"]]),
         "nephritis_class": rng.choice(["", "", "III", "IV"]), "country": rng.choice(COUNTRIES),
         "region": rng.choice(REGIONS), "pregnancy": rng.choice(["no", "no", "no", "", "pregnant"])}
        for user_id in user_ids])
    db.session.commit()


def import_update(trials: list[TrialSpec], rng: random.Random) -> tuple[int, float]:
    """Re-import a share of the generated trials with new age limits and statuses, as a registry update."""
    from community.trials.importer import import_records

    chosen = rng.sample(trials, round(len(trials) * UPDATED_SHARE))
    records = [(t.nct_id, {"protocolSection": {
        "identificationModule": {"nctId": t.nct_id, "briefTitle": f"Generated lupus study {t.nct_id}"},
        "statusModule": {"overallStatus": rng.choice(["RECRUITING", "NOT_YET_RECRUITING", "COMPLETED"])},
        "conditionsModule": {"conditions": ["Systemic Lupus Erythematosus"]},
        "eligibilityModule": {"minimumAge": "18 Years", "maximumAge": f"{rng.choice([40, 65, 80])} Years"},
        "contactsLocationsModule": {"locations": [dict(loc, facility="General Hospital") for loc in t.locations]},
    }}) for t in chosen]
    start = time.perf_counter()
    report = import_records(records)
    if report.problems:
        raise RuntimeError(f"the generated update did not import: {report.problems[:3]}")
    return report.imported, time.perf_counter() - start


def database_matching(engine: str, trials: list[TrialSpec], workdir: Path) -> dict:
    """Catalogue read, first matching per consenting member, and re-matching all after an import."""
    with scratch_database(engine, workdir) as database_url:
        os.environ["DATABASE_URL"] = database_url
        from alembic import command
        from sqlalchemy import select

        from community import create_app
        from community.db import db
        from community.generate import PRESETS, generate
        from community.models import User
        from community.reference import load_all
        from community.schema import alembic_config
        from community.trials import catalogue, consents, matching, matching_runs, suggestions
        from config import DevelopmentConfig

        app = create_app({"_base": DevelopmentConfig, "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox",
                          "MAIL_DELIVER_AFTER_REQUEST": False})
        rng = random.Random(7)
        with app.app_context():
            print(f"\n{engine}: preparing {TRIALS} trials and the small community (no forum)…", flush=True)
            command.upgrade(alembic_config(database_url), "heads")
            load_all()
            generate(replace(PRESETS["small"], topics=0))
            store_specs(trials)
            # Every generated member opts in (the generator's consenting share is too few to time well).
            members = list(db.session.scalars(select(User).where(User.email.like("gen-%"))
                                              .order_by(User.id)))
            give_profiles([m.id for m in members], rng)
            start = time.perf_counter()
            specs = catalogue.current().specs
            cold = time.perf_counter() - start
            start = time.perf_counter()
            catalogue.current()
            warm = time.perf_counter() - start
            first = []
            for user in members:
                start = time.perf_counter()
                if consents.current_consent(user) is not None:
                    suggestions.withdraw_consent(user)
                suggestions.give_consent(user, categories=list(matching.CATEGORIES), email_updates=False)
                first.append(time.perf_counter() - start)
            member_ids = matching_runs.consenting_member_ids()
            version_before = catalogue.current().version
            updated, import_seconds = import_update(trials, rng)
            start = time.perf_counter()
            matching_runs.prepare_run()  # the changed studies get their version, once
            prepare = time.perf_counter() - start
            batches = matching_runs.member_batches(member_ids)
            per_member = timed_batches(batches, matching_runs.recompute_members)
            again = sum(per_member) + prepare
            # The run again: nothing changed, one read per member.
            quiet = timed_batches(batches, matching_runs.recompute_members)
            rematched_studies = len(catalogue.current().changed_since(version_before).specs)
        db_engine = app.extensions["db"].kw["bind"]
        db_engine.dispose()
    result = {
        "catalogue_read_ms": {"first": round(cold * 1000, 1), "unchanged": round(warm * 1000, 1),
                              "suggested_trials": len(specs)},
        "first_matching_one_member": spread(first),
        "import": {"trials_updated": updated, "seconds": round(import_seconds, 2)},
        "rematch_all_after_import": {
            "members": len(member_ids), "members_per_job": len(batches[0]), "seconds": round(again, 2),
            "prepare_ms": round(prepare * 1000, 1),
            "per_member": spread(per_member), "unchanged_member": spread(quiet),
            # Each job is a batch, independent of the others: two workers on two cores share them.
            "estimated_100k_members_two_workers_minutes": round(
                100_000 * statistics.fmean(per_member) / 2 / 60, 1)},
        "studies_rematched_per_member": rematched_studies,
    }
    rematch = result["rematch_all_after_import"]
    print(f"  reading the catalogue into specs: {result['catalogue_read_ms']['first']} ms "
          f"({len(specs)} suggestible trials), {result['catalogue_read_ms']['unchanged']} ms when unchanged")
    print(f"  first matching of one member, end to end: median {result['first_matching_one_member']['median_ms']}"
          f" ms, p95 {result['first_matching_one_member']['p95_ms']} ms over {len(first)} members")
    print(f"  import updating {updated} trials: {import_seconds:.2f} s; then re-matching all {len(member_ids)} "
          f"consenting members in jobs of {len(batches[0])}: {again:.2f} s (median {rematch['per_member']['median_ms']}"
          f" ms, p95 {rematch['per_member']['p95_ms']} ms a member, {rematched_studies} suggestible studies each; "
          f"versioning the changed studies {rematch['prepare_ms']} ms)")
    print(f"  a member with nothing to re-match: median {rematch['unchanged_member']['median_ms']} ms; "
          f"100,000 members after such an import, two workers: about "
          f"{rematch['estimated_100k_members_two_workers_minutes']} minutes")
    return result


def save(matching: dict) -> None:
    """Add the numbers under "matching", keeping what bench/pages.py wrote."""
    report = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    report["matching"] = matching
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"\nAdded \"matching\" to {RESULTS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default=os.environ.get("BENCH_DATABASES", "sqlite,postgresql"))
    engines = [e.strip() for e in parser.parse_args().databases.split(",") if e.strip()]
    if unknown := set(engines) - {"sqlite", "postgresql"}:
        sys.exit(f"unknown database {sorted(unknown)}: choose from sqlite, postgresql")
    trials = generated_trials(TRIALS)
    results = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "pure": pure_matching(trials),
               "databases": {}}
    workdir = Path(tempfile.mkdtemp(prefix="lupus-match-bench-"))
    try:
        for engine in engines:
            results["databases"][engine] = database_matching(engine, trials, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    save(results)


if __name__ == "__main__":
    main()
