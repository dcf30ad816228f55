"""Readings of real registry bullets, written by hand from the text and docs/trial-reader.md.

Each case names a study of ``tests/data/ctgov-lupus-eligibility.json``, the bullet's side and a
distinctive phrase of it, and what a careful reader takes from it: each expected criterion's kind with
the parameters that matter (a criterion matches when it has those values; other keys may exist), or
nothing member-checkable at all (``[]``: clinician-only or left to the study team). At least 30 studies;
exclusion wording, negations, ranges, units and or-lists are all here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from community.trials.reading.bullets import split_criteria
from community.trials.reading.reader import read_study

CORPUS = {r["nctId"]: r for r in json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "ctgov-lupus-eligibility.json").read_text(encoding="utf-8"))}
MEMBER_CHECKABLE_NONE: list = []
EXC, INC, UNS = "exclusion", "inclusion", "unstated"

CASES = [
    # ages, with exclusion ages read as limits
    ("NCT00001680", UNS, "Age, 18 or more", [("age", {"min": 18})]),
    ("NCT00371501", INC, "Age > 18 years", [("age", {"min": 18})]),
    ("NCT01328834", INC, "14-65 years of age", [("age", {"min": 14, "max": 65})]),
    ("NCT02456168", INC, "≥18 and ≤55 years of age", [("age", {"min": 18, "max": 55})]),
    ("NCT03749044", EXC, "Under the age of 18 and over the age of 45", [("age", {"min": 18, "max": 45})]),
    ("NCT05207358", EXC, "The patient's age under 18 years", [("age", {"min": 18})]),
    ("NCT06232304", INC, "ages of 12 and 22 years", [("age", {"min": 12, "max": 22})]),
    ("NCT01673295", INC, "Age ≥15y", [("age", {"min": 15})]),  # "except if … ≥18y" adds nothing
    # diagnosis, classification, duration
    ("NCT02330250", INC, "2012 SLICC", [("diagnosis", {"diagnoses": ["sle"]}),
                                         ("classification", {"systems": ["SLICC 2012"]})]),
    ("NCT05637112", INC, "Fulfilled the 2019 EULAR", [("diagnosis", {"diagnoses": ["sle"]}),
                                                       ("classification", {"systems": ["EULAR/ACR 2019"]})]),
    ("NCT01972568", INC, "diagnosed >= 6 months prior", [("diagnosis", {"diagnoses": ["sle"]}),
                                                          ("classification", {"systems": ["ACR 1997"]}),
                                                          ("diagnosis_duration", {"min_days": 180})]),
    ("NCT01146444", INC, "subacute cutaneous lupus erythematosus", [("diagnosis", {"diagnoses": ["cutaneous"]})]),
    ("NCT05287581", INC, "diagnosis of Lupus", [("diagnosis", {"diagnoses": ["sle", "nephritis", "cutaneous"]})]),
    # nephritis classes, included and excluded, "± V"
    ("NCT02081183", INC, "class III, IV or V", [("diagnosis", {"diagnoses": ["nephritis"]}),
                                                ("nephritis_class", {"classes": ["III", "IV", "V"]})]),
    ("NCT05207358", INC, "class III, IV +/- V", [("diagnosis", {"diagnoses": ["nephritis"]}),
                                                 ("nephritis_class", {"classes": ["III", "IV"]})]),
    ("NCT01316133", INC, "WHO class III-IV", [("nephritis_class", {"classes": ["III", "IV"]})]),
    ("NCT04700267", EXC, "Lupus nephritis >= Class III", [("nephritis_class", {"classes": ["III", "IV", "V", "VI"],
                                                                               "exclude": True})]),
    # labs with units; exclusions as limits; ranges
    ("NCT01316133", EXC, "S-Cr ≥ 200", [("lab", {"test": "creatinine", "op": "<", "value": 200, "unit": "µmol/L"})]),
    ("NCT02477150", EXC, "Serum creatinine >200umol/L", [("lab", {"test": "creatinine", "op": "<=", "value": 200,
                                                                  "unit": "µmol/L"})]),
    ("NCT00430677", INC, "A stable serum creatinine", [("lab", {"test": "creatinine", "op": "<=", "value": 3,
                                                                "unit": "mg/dL"})]),
    ("NCT02141672", EXC, "Estimated glomerular filtration rate", [("lab", {"test": "egfr", "op": ">", "value": 45})]),
    ("NCT06360068", EXC, "eGFR < 60", [("lab", {"test": "egfr", "op": ">=", "value": 60})]),
    ("NCT06155604", INC, "eGFR 15-60", [("lab", {"test": "egfr", "op": ">=", "value": 15}),
                                        ("lab", {"test": "egfr", "op": "<=", "value": 60})]),
    ("NCT01972568", EXC, "UPCr) >= 2", [("lab", {"test": "upcr", "op": "<", "value": 2, "unit": "mg/mg"})]),
    ("NCT00556192", INC, "Proteinuria >= 2g/day", [("lab", {"test": "urine-protein-24h", "op": ">=", "value": 2,
                                                             "unit": "g/day"})]),
    ("NCT06360068", EXC, "24-hour urine protein", [("lab", {"test": "urine-protein-24h", "op": "<", "value": 3})]),
    ("NCT04700267", INC, "Anti-dsDNA antibodies >15 IU/mL", [("lab", {"test": "anti-dsdna", "op": ">", "value": 15,
                                                                      "unit": "IU/mL"})]),
    ("NCT02477150", EXC, "Lymphocyte count <500", [("lab", {"test": "lymphocytes", "op": ">=", "value": 500})]),
    ("NCT05495893", INC, "WBC count ≥ 3.0", [("lab", {"test": "white-cells", "op": ">=", "value": 3}),
                                             ("lab", {"test": "lymphocytes", "op": ">=", "value": 0.5})]),
    ("NCT01741857", EXC, "ALT higher than 3 times", [("lab", {"test": "alt", "op": "<=", "value": 3, "unit": "xULN"}),
                                                      ("lab", {"test": "ast", "op": "<=", "value": 3, "unit": "xULN"})]),
    # a change, not a level: nothing member-checkable
    ("NCT00430677", EXC, "rise in serum creatinine", MEMBER_CHECKABLE_NONE),
    # or-lists: one of, on the inclusion side
    ("NCT05781750", INC, "UPCR ≥1.0", [("any_of", {})]),
    ("NCT05781750", INC, "Unequivocally positive ANA", [("any_of", {})]),
    ("NCT01328834", INC, "proteinuria > 1g/24hr or Scr", [("any_of", {})]),
    # exclusion or-lists: every item excludes
    ("NCT01639339", EXC, "Tested positive for human immunodeficiency virus", [
        ("history", {"condition": "hiv"}), ("history", {"condition": "hepatitis_b"}),
        ("history", {"condition": "hepatitis_c"})]),
    ("NCT02081183", EXC, "hepatitis B or C, or HIV", [
        ("history", {"condition": "hiv"}), ("history", {"condition": "hepatitis_b"}),
        ("history", {"condition": "hepatitis_c"})]),
    # drugs, classes and windows; negations
    ("NCT01639339", EXC, "B cell targeted therapy", [("drug", {"mode": "excluded", "group": "b_cell", "days": 364})]),
    ("NCT01639339", EXC, "Treatment with belimumab within the past year", [
        ("drug", {"mode": "excluded", "drugs": ["belimumab"], "days": 364})]),
    ("NCT00774852", EXC, "Use of cyclophosphamide in the past year", [
        ("drug", {"mode": "excluded", "drugs": ["cyclophosphamide"], "days": 364})]),
    ("NCT03396393", EXC, "cyclophosphamide within 180 days", [
        ("drug", {"mode": "excluded", "drugs": ["cyclophosphamide"], "days": 180})]),
    ("NCT02954939", EXC, "biologics therapy", [("drug", {"mode": "excluded", "group": "biologics", "days": 364})]),
    ("NCT01597492", EXC, "any prior treatment with belimumab", [
        ("drug", {"mode": "excluded", "drugs": ["belimumab"], "ever": True})]),
    ("NCT01316133", EXC, "received tacrolimus in the past", [
        ("drug", {"mode": "excluded", "drugs": ["tacrolimus"], "ever": True})]),
    ("NCT05922722", EXC, "who are not taking HCQ", [("drug", {"mode": "required", "drugs": ["hydroxychloroquine"]})]),
    ("NCT05329831", INC, "do not use biological DMARDs", [("drug", {"mode": "excluded", "group": "biologics"})]),
    ("NCT00624351", INC, "If on antimalarials", [("stable_dose", {"group": "antimalarials", "days": 28})]),
    # steroid caps, exclusions as caps
    ("NCT06360068", EXC, "Baseline prednisone dosage", [("steroid_dose", {"op": "<=", "mg": 40})]),
    ("NCT01673295", INC, "If on GC", [("steroid_dose", {"op": "<=", "mg": 10})]),
    # refractory
    ("NCT06038474", INC, "Active symptoms despite", [("prior_therapies", {"min_count": 2})]),
    # pregnancy and planning
    ("NCT01597492", EXC, "Pregnant or nursing", [("pregnancy", {"mode": "excluded"})]),
    ("NCT02477150", EXC, "plan to become pregnancy", [("pregnancy", {"mode": "excluded", "planning": True})]),
    ("NCT02962960", INC, "Must not be pregnant or breastfeeding", [("pregnancy", {"mode": "excluded"})]),
    ("NCT03749044", INC, "Pregnant women with a SLE diagnosis", [
        ("diagnosis", {"diagnoses": ["sle"]}), ("classification", {"systems": ["SLICC 2012"]}),
        ("pregnancy", {"mode": "required"})]),
    # medical history: windows, exceptions and qualifiers
    ("NCT02074020", EXC, "Malignancy within past 5 years", [("history", {"condition": "cancer", "within_years": 5})]),
    ("NCT00774852", EXC, "History of cancer, except", [("history", {"condition": "cancer", "qualified": True})]),
    ("NCT00556192", EXC, "History of cancer", [("history", {"condition": "cancer"})]),
    ("NCT00556192", EXC, "Active tuberculosis", [("history", {"condition": "tuberculosis", "qualified": True})]),
    ("NCT00556192", EXC, "Diabetes mellitus", [("history", {"condition": "diabetes"})]),
    ("NCT05922722", EXC, "other autoimmune diseases", [("history", {"condition": "other_autoimmune"})]),
    ("NCT01972568", EXC, "Severe central nervous system SLE", [("history", {"condition": "cns_lupus",
                                                                           "qualified": True})]),
    ("NCT02330250", EXC, "Renal transplantation", [("history", {"condition": "kidney_transplant"})]),
    ("NCT00371501", EXC, "arterial or venous thromboembolism", [("history", {"condition": "thrombosis"})]),
    # clinician-only measures: never member-checkable
    ("NCT02349061", INC, "Demonstrate active disease based on SLEDAI-2K", MEMBER_CHECKABLE_NONE),
    ("NCT03396393", INC, "Activity Index (SLEDAI) score must be 6-11", MEMBER_CHECKABLE_NONE),
    ("NCT02349061", INC, "At least 1 BILAG A", MEMBER_CHECKABLE_NONE),
    # options of a list, consent and procedures: nothing member-checkable
    ("NCT00371501", INC, "Age >= 40 years", MEMBER_CHECKABLE_NONE),
    ("NCT00371501", INC, "Informed consent obtained", MEMBER_CHECKABLE_NONE),
    ("NCT04032496", INC, "Literate in English", MEMBER_CHECKABLE_NONE),
]
CLINICIAN_CASES = {("NCT02349061", "Demonstrate active disease based on SLEDAI-2K"): ("SLEDAI-2K", ">=", 6.0),
                   ("NCT03396393", "Activity Index (SLEDAI) score must be 6-11"): ("SLEDAI-2K", ">=", 6.0)}


def reading_of(nct_id: str, side: str, contains: str):
    bullets = split_criteria(CORPUS[nct_id]["eligibilityCriteria"])
    readings = read_study(bullets)
    found = [r for b, r in zip(bullets, readings, strict=True) if b.side == side and contains in b.text]
    assert len(found) == 1, f"{nct_id}: {len(found)} {side} bullets contain {contains!r}"
    return found[0]


def has(criterion: dict, kind: str, params: dict) -> bool:
    if criterion["kind"] != kind:
        return False
    got = criterion["params"]
    for key, want in params.items():
        value = got.get(key)
        if isinstance(want, list):
            if sorted(value or []) != sorted(want):
                return False
        elif isinstance(want, int | float) and not isinstance(want, bool):
            if value is None or float(value) != float(want):
                return False
        elif value != want:
            return False
    return True


@pytest.mark.parametrize(("nct_id", "side", "contains", "expected"), CASES,
                         ids=[f"{n}-{s[:3]}-{c[:28]}" for n, s, c, _ in CASES])
def test_a_real_bullet_reads_as_written_by_hand(nct_id, side, contains, expected):
    reading = reading_of(nct_id, side, contains)
    checkable = [c for c in reading.criteria if c["kind"] not in ("clinician", "procedure", "classification")
                 or any(k == c["kind"] for k, _ in expected)]
    for kind, params in expected:
        assert any(has(c, kind, params) for c in checkable), (kind, params, reading.criteria)
    assert len(checkable) == len(expected), reading.criteria


@pytest.mark.parametrize(("key", "want"), CLINICIAN_CASES.items(), ids=[k[0] for k in CLINICIAN_CASES])
def test_clinician_measures_are_named_with_their_thresholds(key, want):
    reading = reading_of(key[0], INC, key[1])
    measures = [(c["params"].get("measure"), c["params"].get("op"), c["params"].get("value"))
                for c in reading.criteria if c["kind"] == "clinician"]
    assert want in measures


def test_the_hand_written_cases_cover_enough_studies_and_kinds_of_wording():
    assert len({n for n, *_ in CASES}) >= 30
    assert sum(side == EXC for _, side, _, _ in CASES) >= 10
    assert sum(any(k == "any_of" for k, _ in e) for *_, e in CASES) >= 3
    assert sum(e == [] for *_, e in CASES) >= 6
