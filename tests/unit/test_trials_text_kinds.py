"""The criterion kinds read from registry text, evaluated against crafted members' records.

Each test is one thing a member's own records say about one criterion: met, not met, or
unknown with what would answer it. Exclusions read as requirements never come out "met"
for a member whose records contradict them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.trials.matching import (
    MET,
    NOT_MET,
    PROBABLY_NOT,
    UNKNOWN,
    CriterionSpec,
    HistoryFact,
    LabFact,
    MemberFacts,
    TreatmentFact,
    TrialSpec,
    evaluate,
    steroid_mg_per_day,
)

TODAY = date(2026, 12, 3)


def facts(**values) -> MemberFacts:
    base = dict(today=TODAY, has_profile=True, birth_year=1990, sex="female", diagnoses=("sle",), country="Germany")
    return MemberFacts(**{**base, **values})


def one(member: MemberFacts, kind: str, **params):
    outcome = evaluate(member, TrialSpec("NCT00000001", "RECRUITING", [CriterionSpec(kind, params, "text", bullet=0)]))
    return outcome.results[0], outcome


def lab(slug, value, unit, *, days_ago=20, low=None, high=None) -> LabFact:
    return LabFact(slug=slug, name=slug, value=value, unit=unit, taken_on=TODAY - timedelta(days=days_ago),
                   ref_low=low, ref_high=high)


def treatment(slug, *, start, stop=None, dose=None, unit="mg", frequency="once_daily", reason="") -> TreatmentFact:
    return TreatmentFact(name=slug.capitalize(), slug=slug, start=start, stop=stop, reason=reason, dose=dose,
                         unit=unit, frequency=frequency)


def test_creatinine_in_mg_per_dl_is_compared_with_a_limit_in_micromol_and_rules_the_study_out():
    member = facts(labs={"creatinine": lab("creatinine", 2.8, "mg/dL")})
    result, outcome = one(member, "lab", test="creatinine", op="<", value=200.0, unit="µmol/L")
    assert result.outcome == NOT_MET
    assert "2.8 mg/dL" in result.evidence and "248 µmol/L" in result.evidence
    assert outcome.grouping == PROBABLY_NOT


def test_creatinine_under_the_limit_after_conversion_is_met():
    member = facts(labs={"creatinine": lab("creatinine", 1.2, "mg/dL")})
    assert one(member, "lab", test="creatinine", op="<", value=200.0, unit="µmol/L")[0].outcome == MET


def test_upcr_in_mg_per_mmol_meets_a_threshold_in_mg_per_mg():
    member = facts(labs={"upcr": lab("upcr", 150, "mg/mmol")})  # ≈ 1.33 mg/mg
    assert one(member, "lab", test="upcr", op=">=", value=1.0, unit="mg/mg")[0].outcome == MET
    member = facts(labs={"upcr": lab("upcr", 80, "mg/mmol")})  # ≈ 0.71 mg/mg
    assert one(member, "lab", test="upcr", op=">=", value=1.0, unit="mg/mg")[0].outcome == NOT_MET


def test_24_hour_proteinuria_in_mg_is_compared_in_grams_a_day():
    member = facts(labs={"urine-protein-24h": lab("urine-protein-24h", 1800, "mg/day")})
    assert one(member, "lab", test="urine-protein-24h", op=">=", value=1.5, unit="g/day")[0].outcome == MET


def test_haemoglobin_and_platelets_convert_between_common_units():
    member = facts(labs={"haemoglobin": lab("haemoglobin", 9.5, "g/dL"),
                         "platelets": lab("platelets", 80000, "/mm³")})
    assert one(member, "lab", test="haemoglobin", op=">=", value=90.0, unit="g/L")[0].outcome == MET
    assert one(member, "lab", test="platelets", op=">=", value=100.0, unit="×10⁹/L")[0].outcome == NOT_MET


def test_units_of_different_assays_are_not_compared():
    member = facts(labs={"anti-dsdna": lab("anti-dsdna", 50, "U/mL")})
    result, _ = one(member, "lab", test="anti-dsdna", op=">", value=15.0, unit="IU/mL")
    assert result.outcome == UNKNOWN and "can't be compared" in result.evidence


def test_anti_dsdna_flagged_high_against_its_range_meets_above_normal():
    member = facts(labs={"anti-dsdna": lab("anti-dsdna", 180, "IU/mL", low=0, high=30)})
    result, _ = one(member, "lab", test="anti-dsdna", op="positive", value=0.0, unit="")
    assert result.outcome == MET and "above normal" in result.evidence
    assert one(member, "lab", test="anti-dsdna", op="above_normal", value=0.0, unit="")[0].outcome == MET


def test_anti_dsdna_without_a_range_asks_for_the_range_not_the_doctor():
    result, _ = one(facts(labs={"anti-dsdna": lab("anti-dsdna", 180, "IU/mL")}), "lab", test="anti-dsdna",
                    op="positive", value=0.0, unit="")
    assert result.outcome == UNKNOWN and result.answer == "labs"


def test_liver_enzymes_as_times_the_upper_limit_of_normal():
    member = facts(labs={"alt": lab("alt", 150, "U/L", high=40)})
    result, _ = one(member, "lab", test="alt", op="<=", value=3.0, unit="xULN")
    assert result.outcome == NOT_MET and "3.8 × the upper limit" in result.evidence


def test_an_old_lab_result_is_unknown():
    member = facts(labs={"egfr": lab("egfr", 90, "mL/min/1.73m²", days_ago=500)})
    assert one(member, "lab", test="egfr", op=">=", value=30.0, unit="mL/min/1.73m²")[0].outcome == UNKNOWN


def test_rituximab_four_months_ago_is_b_cell_therapy_in_the_past_year():
    member = facts(treatments=(treatment("rituximab", start=date(2025, 6, 1), stop=TODAY - timedelta(days=120)),))
    result, outcome = one(member, "drug", mode="excluded", drugs=[], group="b_cell", days=364)
    assert result.outcome == NOT_MET
    assert "B-cell–targeted therapy" in result.label and "Rituximab" in result.evidence
    assert outcome.grouping == PROBABLY_NOT


def test_rituximab_two_years_ago_is_not_in_a_one_year_window_but_is_in_ever():
    member = facts(treatments=(treatment("rituximab", start=date(2023, 1, 1), stop=date(2024, 6, 1)),))
    assert one(member, "drug", mode="excluded", drugs=[], group="b_cell", days=364)[0].outcome == MET
    assert one(member, "drug", mode="excluded", drugs=[], group="b_cell", ever=True)[0].outcome == NOT_MET


def test_a_drug_named_in_a_members_own_words_is_found_by_its_brand_name():
    member = facts(treatments=(TreatmentFact(name="CellCept 500", slug="", start=date(2026, 1, 1), stop=None,
                                             reason=""),))
    assert one(member, "drug", mode="excluded", drugs=["mycophenolate"], group="", days=0)[0].outcome == NOT_MET


def test_steroid_dose_in_prednisone_equivalents():
    member = facts(treatments=(treatment("methylprednisolone", start=date(2026, 1, 1), dose=16),))
    assert steroid_mg_per_day(member) == (20.0, ["Methylprednisolone"])
    assert one(member, "steroid_dose", op="<=", mg=20.0)[0].outcome == MET
    assert one(member, "steroid_dose", op="<=", mg=10.0)[0].outcome == NOT_MET


def test_no_steroid_logged_meets_a_cap_but_not_a_floor():
    member = facts(treatments=(treatment("hydroxychloroquine", start=date(2020, 1, 1), dose=200),))
    assert one(member, "steroid_dose", op="<=", mg=20.0)[0].outcome == MET
    result, _ = one(member, "steroid_dose", op=">=", mg=5.0)
    assert result.outcome == UNKNOWN and result.answer == "treatments"


def test_a_steroid_dose_in_mg_per_kg_is_for_the_doctor():
    member = facts(treatments=(treatment("prednisone", start=date(2026, 1, 1), dose=1, unit="mg/kg"),))
    result, _ = one(member, "steroid_dose", op="<=", mg=20.0)
    assert result.outcome == UNKNOWN and result.clinician_only


def test_stable_dose_is_met_when_unchanged_long_enough_and_never_not_met():
    long = facts(treatments=(treatment("hydroxychloroquine", start=date(2025, 1, 1), dose=200),))
    recent = facts(treatments=(treatment("hydroxychloroquine", start=TODAY - timedelta(days=10), dose=200),))
    none = facts(treatments=(treatment("azathioprine", start=date(2025, 1, 1), dose=100),))
    assert one(long, "stable_dose", drugs=[], group="antimalarials", days=28)[0].outcome == MET
    assert one(recent, "stable_dose", drugs=[], group="antimalarials", days=28)[0].outcome == UNKNOWN
    assert one(none, "stable_dose", drugs=[], group="antimalarials", days=28)[0].outcome == MET


@pytest.mark.parametrize(("answer", "year", "params", "expected"), [
    ("yes", None, {"condition": "hiv", "mode": "excluded"}, NOT_MET),
    ("no", None, {"condition": "hiv", "mode": "excluded"}, MET),
    ("yes", 2010, {"condition": "cancer", "mode": "excluded", "within_years": 5}, MET),
    ("yes", 2024, {"condition": "cancer", "mode": "excluded", "within_years": 5}, NOT_MET),
    ("yes", None, {"condition": "cancer", "mode": "excluded", "within_years": 5}, UNKNOWN),
    ("yes", 2024, {"condition": "cancer", "mode": "excluded", "qualified": True}, UNKNOWN),
    ("yes", None, {"condition": "hepatitis_b", "mode": "excluded", "qualified": True}, UNKNOWN),
])
def test_medical_history_answers_history_criteria(answer, year, params, expected):
    member = facts(history={params["condition"]: HistoryFact(answer, year)}, used=frozenset(
        ("profile", "history")))
    assert one(member, "history", **params)[0].outcome == expected


def test_an_unanswered_condition_links_to_the_medical_history_and_unshared_history_to_consent():
    result, _ = one(facts(history={}), "history", condition="tuberculosis", mode="excluded")
    assert result.outcome == UNKNOWN and result.answer == "history"
    result, _ = one(facts(used=frozenset({"profile"})), "history", condition="tuberculosis", mode="excluded")
    assert result.outcome == UNKNOWN and result.answer == "consent"


def test_any_of_is_met_by_one_met_option_and_never_not_met_while_one_is_for_the_doctor():
    member = facts(labs={"ana": lab("ana", 320, "")})
    options = [{"kind": "lab", "params": {"test": "ana", "op": ">=", "value": 80.0, "unit": ""}},
               {"kind": "lab", "params": {"test": "anti-dsdna", "op": "positive", "value": 0.0, "unit": ""}}]
    assert one(member, "any_of", criteria=options)[0].outcome == MET
    low = facts(labs={"ana": lab("ana", 40, "")})
    with_doctor = options + [{"kind": "clinician", "params": {"topic": "serology", "text": "Other antibodies"}}]
    assert one(low, "any_of", criteria=with_doctor)[0].outcome == UNKNOWN


def test_diagnosis_duration_from_the_year_and_month_of_diagnosis():
    assert one(facts(diagnosed_year=2020), "diagnosis_duration", min_days=180)[0].outcome == MET
    assert one(facts(diagnosed_year=2026, diagnosed_month=11), "diagnosis_duration", min_days=180)[0].outcome \
        == NOT_MET
    assert one(facts(diagnosed_year=2026), "diagnosis_duration", min_days=180)[0].outcome == UNKNOWN


def test_planning_a_pregnancy_rules_out_only_studies_that_say_so():
    member = facts(pregnancy="planning")
    assert one(member, "pregnancy", mode="excluded", planning=True)[0].outcome == NOT_MET
    assert one(member, "pregnancy", mode="excluded", planning=False)[0].outcome == MET
    assert one(facts(pregnancy="pregnant"), "pregnancy", mode="required")[0].outcome == MET


def test_excluded_nephritis_classes_and_excluded_diagnosis():
    member = facts(diagnoses=("nephritis",), nephritis_class="IV")
    assert one(member, "nephritis_class", classes=["III", "IV", "V", "VI"], exclude=True)[0].outcome == NOT_MET
    assert one(facts(), "nephritis_class", classes=["III", "IV", "V", "VI"], exclude=True)[0].outcome == MET
    assert one(facts(), "diagnosis", diagnoses=["sle"], exclude=True)[0].outcome == NOT_MET
    assert one(facts(diagnoses=("cutaneous",)), "diagnosis", diagnoses=["sle"], exclude=True)[0].outcome == MET


def test_classification_and_procedures_are_never_met_and_never_the_members_to_answer():
    for kind, params in (("classification", {"systems": ["EULAR/ACR 2019"]}), ("procedure", {"topic": "consent"})):
        result, _ = one(facts(), kind, **params)
        assert result.outcome == UNKNOWN and result.clinician_only and result.answer == ""


def test_results_carry_the_bullet_they_were_read_from():
    spec = TrialSpec("NCT00000002", "RECRUITING", [CriterionSpec("age", {"min": 18}, "registry"),
                                                   CriterionSpec("pregnancy", {"mode": "excluded"}, "text", bullet=4)])
    assert evaluate(facts(pregnancy="no"), spec).bullets == (None, 4, None)


def test_a_logged_anti_dsdna_above_its_range_answers_a_curated_studys_antibody_criterion():
    from tests.support.trials import shipped_specs

    _status, spec = shipped_specs()["NCT05938725"]
    member = facts(labs={"anti-dsdna": lab("anti-dsdna", 180, "IU/mL", low=0, high=30)})
    antibodies = next(r for r in evaluate(member, spec).results if r.kind == "any_of")
    assert antibodies.outcome == MET
    assert "180 IU/mL" in antibodies.evidence and "above normal" in antibodies.evidence
