"""Matching is a pure function: crafted members against the shipped lupus trials, criterion by criterion."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from community.errors import ValidationFailed
from community.trials import curation, matching
from community.trials.matching import (
    MAY_FIT,
    MET,
    NOT_MET,
    PROBABLY_NOT,
    UNKNOWN,
    WORTH_ASKING,
    CriterionSpec,
    LabFact,
    MemberFacts,
    TreatmentFact,
    TrialSpec,
    evaluate,
    match_all,
)
from tests.support.trials import CAR_T_REFRACTORY_SLE, TODAY, refractory_sle_facts, shipped_specs

SPECS = shipped_specs()
ROOT = Path(__file__).resolve().parents[2]


def result(outcome, kind):
    return next(r for r in outcome.results if r.kind == kind)


def by_id(outcomes):
    return {o.nct_id: o for o in outcomes}


def test_34_year_old_with_refractory_sle_gets_the_car_t_trials_with_ask_your_doctor_for_sledai():
    outcomes = by_id(match_all(refractory_sle_facts(), [spec for _s, spec in SPECS.values()]))
    for nct_id in CAR_T_REFRACTORY_SLE:
        outcome = outcomes[nct_id]
        assert outcome.grouping in (MAY_FIT, WORTH_ASKING), (nct_id, outcome.reasons_not_met)
    breakfree = outcomes["NCT05869955"]
    # Her records fit, but she lives in California and its sites are in other states: worth asking about travel.
    assert breakfree.grouping == WORTH_ASKING
    assert [r.label for r in breakfree.results if r.outcome == UNKNOWN and not r.clinician_only] == \
        ["A study site in your state or region"]
    assert outcomes["NCT06308978"].grouping == MAY_FIT  # FT819 has a site in Orange, California
    therapies = result(breakfree, "prior_therapies")
    assert therapies.outcome == MET
    assert "You stopped Mycophenolate in March 2024 and Belimumab in April 2025 because they were not effective" \
        in therapies.evidence
    assert result(breakfree, "flares").outcome == MET
    assert "3 flares since February 2026" in result(breakfree, "flares").evidence
    assert result(breakfree, "age").evidence.startswith("You are 34")
    sledai = [r for r in outcomes["NCT06581198"].results if "SLEDAI-2K" in r.label]
    assert sledai and all(r.outcome == UNKNOWN and r.evidence == matching.ASK_DOCTOR for r in sledai)


def test_71_year_old_sees_trials_capped_at_65_as_probably_not_with_the_age_reason():
    facts = refractory_sle_facts(birth_date=date(1955, 1, 9))
    outcomes = by_id(match_all(facts, [spec for _s, spec in SPECS.values()]))
    capped = [nct for nct, (status, spec) in SPECS.items()
              if status in matching.SUGGESTED_STATUSES
              and any(c.kind == "age" and c.params.get("max") == 65 for c in spec.criteria)]
    assert capped, "the shipped data has recruiting trials capped at 65"
    for nct_id in capped:
        assert outcomes[nct_id].grouping == PROBABLY_NOT
        assert "You are 71; this study takes people up to 65." in outcomes[nct_id].reasons_not_met
    # A study taking people up to 75 is not ruled out by age.
    assert result(outcomes["NCT06581198"], "age").outcome == MET


@pytest.mark.parametrize("state", ["pregnant", "breastfeeding"])
def test_member_who_reports_pregnancy_sees_pregnancy_exclusions_as_not_met(state):
    facts = refractory_sle_facts(pregnancy=state)
    with_exclusion = [spec for _s, spec in SPECS.values() if any(c.kind == "pregnancy" for c in spec.criteria)]
    assert len(with_exclusion) >= 3
    for spec in with_exclusion:
        outcome = evaluate(facts, spec)
        assert result(outcome, "pregnancy").outcome == NOT_MET
        assert outcome.grouping == PROBABLY_NOT
        assert f"You said you are {state}" in result(outcome, "pregnancy").evidence


def test_member_without_a_profile_gets_unknowns_not_errors():
    facts = MemberFacts(today=TODAY)
    outcomes = match_all(facts, [spec for _s, spec in SPECS.values()])
    assert outcomes
    for outcome in outcomes:
        assert outcome.grouping == WORTH_ASKING
        assert all(r.outcome == UNKNOWN for r in outcome.results)


def test_clinician_only_measures_are_never_inferred_even_from_a_rich_log():
    facts = refractory_sle_facts(severe_symptom_days=90, flare_starts=tuple(date(2026, m, 1) for m in range(1, 12)))
    for _status, spec in SPECS.values():
        for r in evaluate(facts, spec).results:
            if r.kind == "clinician":
                assert (r.outcome, r.evidence) == (UNKNOWN, matching.ASK_DOCTOR)


def test_biopsy_class_is_unknown_unless_the_member_reported_it():
    spec = SPECS["NCT06947460"][1]
    unreported = result(evaluate(refractory_sle_facts(diagnoses=("nephritis",)), spec), "nephritis_class")
    assert unreported.outcome == UNKNOWN and "Ask your doctor" in unreported.evidence
    reported = result(evaluate(refractory_sle_facts(diagnoses=("nephritis",), nephritis_class="IV"), spec),
                      "nephritis_class")
    assert reported.outcome == MET and "class IV" in reported.evidence
    wrong = result(evaluate(refractory_sle_facts(diagnoses=("nephritis",), nephritis_class="V"), spec),
                   "nephritis_class")
    assert wrong.outcome == NOT_MET


def test_left_out_categories_show_as_unknown_with_the_reason():
    facts = replace(refractory_sle_facts(), used=frozenset({"profile"}), treatments=None, flare_starts=None)
    outcome = evaluate(facts, SPECS["NCT05869955"][1])
    assert result(outcome, "prior_therapies").outcome == UNKNOWN
    assert "You chose not to use your treatments" in result(outcome, "prior_therapies").evidence
    assert "You chose not to use your flares" in result(outcome, "flares").evidence


def test_a_recently_taken_excluded_drug_is_not_met_and_an_old_one_is_met():
    spec = TrialSpec("NCT09000009", "RECRUITING", [CriterionSpec("drug", {"mode": "excluded", "months": 9,
                                                                        "drugs": ["rituximab"]})])
    recent = refractory_sle_facts(treatments=(TreatmentFact("Rituximab", "rituximab", date(2025, 1, 1),
                                                            date(2026, 5, 3), ""),))
    assert result(evaluate(recent, spec), "drug").outcome == NOT_MET
    assert "until 3 May 2026" in result(evaluate(recent, spec), "drug").evidence
    old = refractory_sle_facts(treatments=(TreatmentFact("Rituximab", "rituximab", date(2023, 1, 1),
                                                         date(2024, 1, 3), ""),))
    assert result(evaluate(old, spec), "drug").outcome == MET


def test_lab_thresholds_convert_units_and_distrust_old_results():
    spec = TrialSpec("NCT09000010", "RECRUITING", [CriterionSpec("lab", {"test": "upcr", "op": ">", "value": 1,
                                                                       "unit": "mg/mg"})])
    high = refractory_sle_facts(labs={"upcr": LabFact("upcr", "UPCR", 150, "mg/mmol", date(2026, 10, 1))})
    assert result(evaluate(high, spec), "lab").outcome == MET
    low = refractory_sle_facts(labs={"upcr": LabFact("upcr", "UPCR", 50, "mg/mmol", date(2026, 10, 1))})
    assert result(evaluate(low, spec), "lab").outcome == NOT_MET
    old = refractory_sle_facts(labs={"upcr": LabFact("upcr", "UPCR", 150, "mg/mmol", date(2024, 10, 1))})
    assert result(evaluate(old, spec), "lab").outcome == UNKNOWN


def test_birth_year_alone_at_the_age_limit_is_unknown_not_a_guess():
    spec = TrialSpec("NCT09000011", "RECRUITING", [CriterionSpec("age", {"min": 18, "max": 65})])
    facts = refractory_sle_facts(birth_date=None, birth_year=1960)  # 65 or 66 on TODAY
    assert result(evaluate(facts, spec), "age").outcome == UNKNOWN


def test_only_recruiting_trials_are_suggested_ranked_by_fit_status_and_distance():
    here = [{"country": "United States", "state": "California", "city": "Palo Alto"}]
    elsewhere = [{"country": "France", "city": "Paris"}]
    trials = [
        TrialSpec("NCT00000001", "COMPLETED", [], here),
        TrialSpec("NCT00000002", "NOT_YET_RECRUITING", [], here),
        TrialSpec("NCT00000003", "RECRUITING", [], elsewhere),
        TrialSpec("NCT00000004", "RECRUITING", [], here),
        TrialSpec("NCT00000005", "RECRUITING", [CriterionSpec("age", {"min": 18, "max": 30})], here),
    ]
    order = [o.nct_id for o in match_all(refractory_sle_facts(), trials)]
    assert order == ["NCT00000004", "NCT00000002", "NCT00000003", "NCT00000005"]


def test_criterion_forms_reject_out_of_range_values_beside_the_field():
    with pytest.raises(ValidationFailed) as error:
        curation.clean_params("prior_therapies", {"min_count": 0})
    assert error.value.field == "min_count"
    with pytest.raises(ValidationFailed) as error:
        curation.clean_params("lab", {"test": "egfr", "op": ">=", "value": -3})
    assert error.value.field == "value"
    with pytest.raises(ValidationFailed) as error:
        curation.clean_params("drug", {"mode": "excluded", "drugs": "", "months": 3})
    assert error.value.field == "drugs"
    assert curation.clean_params("drug", {"mode": "excluded", "drugs": "Rituximab, rituximab", "months": 3}) == \
        {"mode": "excluded", "drugs": ["rituximab"], "months": 3}


ELIGIBLE = re.compile(r"eligib(le|ility)\b", re.IGNORECASE)


def test_the_product_never_says_eligible():
    members = [refractory_sle_facts(), refractory_sle_facts(birth_date=date(1955, 1, 9)),
               refractory_sle_facts(pregnancy="pregnant"), MemberFacts(today=TODAY)]
    for facts in members:
        for outcome in match_all(facts, [spec for _s, spec in SPECS.values()]):
            for r in outcome.results:
                assert not ELIGIBLE.search(r.label + " " + r.evidence), r
    templates = list((ROOT / "templates" / "trials").glob("*.html")) + [ROOT / "templates/email/trial_may_fit.txt"]
    assert templates
    for path in templates:
        assert not re.search(r"\beligible\b|\bineligible\b", path.read_text(), re.IGNORECASE), path
    # The check itself can fail.
    assert ELIGIBLE.search("You are eligible")


def _member_in(country: str, region: str) -> MemberFacts:
    return replace(refractory_sle_facts(), country=country, region=region)


def _site_result(facts: MemberFacts, *sites: tuple[str, str, str]):
    trial = TrialSpec("NCT09100001", "RECRUITING", [], [{"city": c, "state": st, "country": co} for c, st, co in sites])
    outcome = evaluate(facts, trial)
    return outcome, result(outcome, "location")


def test_a_site_in_iowa_is_not_near_a_member_in_new_york():
    outcome, site = _site_result(_member_in("United States", "New York"), ("Iowa City", "Iowa", "United States"))
    assert site.outcome == UNKNOWN
    assert site.label == "A study site in your state or region"
    assert site.evidence == ("Sites in your country, none in New York: the listed ones are in Iowa. "
                             "Ask the study team whether travel is possible.")
    assert outcome.grouping == WORTH_ASKING and outcome.proximity == ""


def test_a_site_in_the_members_own_state_is_met_and_named():
    outcome, site = _site_result(_member_in("USA", "new york"), ("Iowa City", "Iowa", "United States"),
                                 ("Buffalo", "New York", "United States"))
    assert site.outcome == MET
    assert site.evidence == "There is a listed site in your state or region: New York (Buffalo)."
    assert outcome.proximity == site.evidence and outcome.proximity_tier == 0


def test_without_a_region_only_the_country_is_claimed():
    outcome, site = _site_result(_member_in("United States", ""), ("Iowa City", "Iowa", "United States"))
    assert site.outcome == MET
    assert site.label == "A study site in your country"
    assert "near" not in site.label and "Add your state or region" in site.evidence
    assert outcome.proximity_tier == 1


def test_no_site_in_the_members_country_says_where_the_sites_are():
    _outcome, site = _site_result(_member_in("United Kingdom", "Kent"), ("Iowa City", "Iowa", "United States"))
    assert site.outcome == UNKNOWN
    assert site.evidence.startswith("No listed site in United Kingdom (sites in: United States)")


def test_a_state_typed_as_its_postal_abbreviation_is_the_same_state():
    _outcome, site = _site_result(_member_in("US", "NY"), ("Buffalo", "New York", "United States"))
    assert site.outcome == MET and "New York (Buffalo)" in site.evidence
    _outcome, site = _site_result(_member_in("Canada", "on"), ("Toronto", "Ontario", "Canada"))
    assert site.outcome == MET
    # Only within the country it belongs to: "WA" in Australia is not Washington.
    _outcome, site = _site_result(_member_in("Australia", "WA"), ("Seattle", "Washington", "Australia"))
    assert site.outcome == UNKNOWN


def test_the_stored_rank_orders_as_the_tuple_it_encodes():
    rng = random.Random(3)
    fields = [(rng.randint(0, 2), rng.choice((0, 1, 9)), rng.randint(0, 2), rng.randint(0, 40), rng.randint(0, 40),
               f"NCT{rng.randint(0, 99_999_999):08d}") for _ in range(3000)]
    by_tuple = sorted(fields, key=lambda f: (f[0], f[1], f[2], -f[3], f[4], f[5]))
    by_key = sorted(fields, key=lambda f: matching.rank_key(*f))
    assert by_key == by_tuple
    assert matching.rank_key(2, 9, 2, 0, 999, "NCT99999999") < 2**63  # fits the 64-bit column
