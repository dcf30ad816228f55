"""The reader over real registry text: how much it understands, and that it never misreads safety-critical wording.

``tests/data/ctgov-lupus-eligibility.json`` holds 62 lupus studies' eligibility text as
registry copies published it (Markdown, flattened one-line forms, texts cut short).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from community.trials.reading.bullets import split_criteria
from community.trials.reading.reader import read_bullet, read_study
from community.trials.reading.report import measure

CORPUS = json.loads((Path(__file__).resolve().parents[1] / "data" / "ctgov-lupus-eligibility.json")
                    .read_text(encoding="utf-8"))


def test_the_reader_understands_at_least_70_percent_of_the_corpus_bullets():
    report = measure([r["eligibilityCriteria"] for r in CORPUS], timing_studies=0)
    assert report.studies == 62 and report.bullets > 500
    assert report.understood >= 0.70, "\n".join(report.lines())
    assert report.share("structured") >= 0.40


def test_every_study_reads_without_error_and_every_criterion_is_well_formed():
    for record in CORPUS:
        bullets = split_criteria(record["eligibilityCriteria"])
        assert bullets, record["nctId"]
        for reading in read_study(bullets):
            for criterion in reading.criteria:
                assert set(criterion) == {"kind", "params"} and isinstance(criterion["params"], dict)


def kinds(side, text, parent=""):
    return [(c["kind"], c["params"]) for c in read_bullet(side, text, parent).criteria]


@pytest.mark.parametrize("text", [
    "Subjects with a rise in serum creatinine of ≥1 mg/dL within 1 month prior to the screening visit",
    "Increased disease activity within 8 weeks defined by an increase in SLEDAI by 3 points or more",
])
def test_a_change_is_never_read_as_a_level(text):
    assert not [k for k, _ in kinds("exclusion", text) if k == "lab"]


def test_an_option_among_several_is_never_required_on_its_own():
    parent = "Presence of any two of the following risk factors:"
    assert kinds("inclusion", "Age >= 40 years", parent) == []
    assert kinds("inclusion", "Diabetes mellitus", parent) == []
    assert all(k == "clinician" for k, _ in kinds("inclusion", "SLE duration of >= 5 years", parent))


def test_alternatives_in_one_bullet_become_one_of_and_exclusions_all_apply():
    [(kind, params)] = kinds("inclusion", "UPCR ≥1.0 (Class III/IV +/-V) or UPCR ≥2.0 (Class V)")
    assert kind == "any_of" and len(params["criteria"]) == 3
    excluded = kinds("exclusion", "Tested positive for human immunodeficiency virus (HIV), hepatitis B, or hepatitis C.")
    assert sorted(p["condition"] for _, p in excluded) == ["hepatitis_b", "hepatitis_c", "hiv"]


def test_qualified_conditions_and_exceptions_never_rule_a_member_out_alone():
    [(_, cancer)] = kinds("exclusion", "History of cancer, except carcinoma in situ and treated basal and squamous "
                                       "cell carcinomas")
    assert cancer["qualified"]
    [(_, hepatitis), _] = kinds("exclusion", "Active hepatitis B or C infection")
    assert hepatitis["qualified"]
    [(_, plain)] = kinds("exclusion", "History of cancer")
    assert not plain.get("qualified")


def test_negations_flip_what_is_required():
    [(_, not_taking)] = kinds("exclusion", "participants who are not taking HCQ")
    assert not_taking["mode"] == "required" and not_taking["drugs"] == ["hydroxychloroquine"]
    [(_, no_prior)] = kinds("inclusion", "No immunosuppressants such as cyclophosphamide, mycophenolate mofetil, "
                                         "azathioprine were used before enrollment.")
    assert no_prior["mode"] == "excluded" and no_prior.get("ever")


def test_cutaneous_lupus_is_not_read_as_systemic_lupus():
    [(_, params)] = [c for c in kinds("inclusion", "Patients with subacute cutaneous lupus erythematosus (SCLE), "
                                                   "discoid lupus erythematosus (DLE)") if c[0] == "diagnosis"]
    assert params["diagnoses"] == ["cutaneous"]


def test_a_pregnancy_study_does_not_exclude_pregnancy():
    record = next(r for r in CORPUS if r["nctId"] == "NCT03749044")
    readings = read_study(split_criteria(record["eligibilityCriteria"]))
    modes = [c["params"]["mode"] for r in readings for c in r.criteria if c["kind"] == "pregnancy"]
    assert modes == ["required"]


def test_an_exception_is_never_read_as_an_age():
    assert [k for k, _ in kinds("exclusion", "Malignancy of any type, with exceptions for non-melanoma skin cancers "
                                             "and certain cancers >5 years ago") if k == "age"] == []
