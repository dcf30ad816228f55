"""Splitting eligibility text into bullets: every layout the registry and its copies produce, real and made up.

``tests/data/ctgov-lupus-eligibility.json`` holds 62 lupus studies' eligibility text as registry
copies published it (Markdown, flattened one-line forms, marker-less text, texts cut short).
The expectations on real records below were counted by reading each text by hand.
"""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path

import pytest

from community.trials.reading.bullets import (
    MAX_READ_CHARS,
    Bullet,
    looks_binary,
    looks_like_markup,
    split_criteria,
)

RECORDS = json.loads((Path(__file__).resolve().parents[1] / "data" / "ctgov-lupus-eligibility.json")
                     .read_text(encoding="utf-8"))
CORPUS = {r["nctId"]: r for r in RECORDS}


def criteria(bullets: list[Bullet], side: str) -> list[str]:
    """The words of the bullets of one side that are criteria (lead-in notes left out)."""
    return [b.text for b in bullets if b.side == side and not b.note]


def notes(bullets: list[Bullet]) -> list[str]:
    return [b.text for b in bullets if b.note]


def only(bullets: list[Bullet], text: str) -> Bullet:
    [found] = [b for b in bullets if b.text == text]
    return found


def parent_of(bullets: list[Bullet], text: str) -> str | None:
    bullet = only(bullets, text)
    return bullets[bullet.parent].text if bullet.parent is not None else None


def record(nct_id: str) -> list[Bullet]:
    return split_criteria(CORPUS[nct_id]["eligibilityCriteria"])


# -- the API's Markdown ---------------------------------------------------------------------------

MARKDOWN = """Inclusion Criteria:

* Adults aged 18 to 75 years with systemic lupus erythematosus diagnosed at least
  6 months before screening
* Currently receiving at least 1 of the following:
  * Hydroxychloroquine
  * Azathioprine, at a stable dose:
    * for at least 12 weeks
* Able to give consent

Exclusion Criteria:

1. Pregnancy
2. Active infection:
   a. HIV
   b. hepatitis B
3. Prior CAR-T therapy
"""


def test_api_markdown_keeps_every_bullet_in_order_with_its_side():
    bullets = split_criteria(MARKDOWN)
    assert [(b.side, b.text) for b in bullets] == [
        ("inclusion", "Adults aged 18 to 75 years with systemic lupus erythematosus diagnosed at least 6 months "
                      "before screening"),
        ("inclusion", "Currently receiving at least 1 of the following:"),
        ("inclusion", "Hydroxychloroquine"),
        ("inclusion", "Azathioprine, at a stable dose:"),
        ("inclusion", "for at least 12 weeks"),
        ("inclusion", "Able to give consent"),
        ("exclusion", "Pregnancy"),
        ("exclusion", "Active infection:"),
        ("exclusion", "HIV"),
        ("exclusion", "hepatitis B"),
        ("exclusion", "Prior CAR-T therapy"),
    ]
    assert not any(b.note for b in bullets) and all(b.group == "" for b in bullets)


def test_indented_bullets_nest_under_the_bullet_above_and_a_dedent_closes_the_list():
    bullets = split_criteria(MARKDOWN)
    assert [b.depth for b in bullets] == [0, 0, 1, 1, 2, 0, 0, 0, 1, 1, 0]
    assert parent_of(bullets, "Hydroxychloroquine") == "Currently receiving at least 1 of the following:"
    assert parent_of(bullets, "for at least 12 weeks") == "Azathioprine, at a stable dose:"
    assert parent_of(bullets, "hepatitis B") == "Active infection:"
    assert parent_of(bullets, "Able to give consent") is None
    # a parent whose children list the options is a criterion, not a note
    assert not only(bullets, "Currently receiving at least 1 of the following:").note


def test_a_list_of_another_kind_under_a_colon_nests_and_the_outer_numbering_resumes():
    text = ("Inclusion Criteria:\n\n1. Age > 18 years\n\n2. Presence of any two of the following:\n\n"
            "- Diabetes mellitus\n\n- Hypertension\n\n3. Informed consent obtained\n")
    bullets = split_criteria(text)
    assert [(b.text, b.depth) for b in bullets] == [
        ("Age > 18 years", 0), ("Presence of any two of the following:", 0),
        ("Diabetes mellitus", 1), ("Hypertension", 1), ("Informed consent obtained", 0)]


def test_wrapped_lines_belong_to_the_bullet_they_continue():
    text = ("Inclusion Criteria:\n- Renal biopsy within 12 months prior to screening visit indicating active\n"
            "proliferative lupus glomerulonephritis (ISN/RPS Class III or IV, or the World Health Organization Class\n"
            "III or IV classification criteria [1982])\n- A stable serum creatinine ≤3 mg/dL\n")
    assert criteria(split_criteria(text), "inclusion") == [
        "Renal biopsy within 12 months prior to screening visit indicating active proliferative lupus "
        "glomerulonephritis (ISN/RPS Class III or IV, or the World Health Organization Class III or IV "
        "classification criteria [1982])",
        "A stable serum creatinine ≤3 mg/dL"]


def test_blank_line_separated_paragraphs_are_one_bullet_each():
    text = ("Age, 18 or more.\n\nLesions must be of at least 3 months duration and must not have been treated\n"
            "with topical steroids.\n\nIf female, the patient must have a negative pregnancy test.")
    bullets = split_criteria(text)
    assert [(b.side, b.text) for b in bullets] == [
        ("unstated", "Age, 18 or more."),
        ("unstated", "Lesions must be of at least 3 months duration and must not have been treated with topical "
                     "steroids."),
        ("unstated", "If female, the patient must have a negative pregnancy test.")]


def test_lines_without_markers_are_bullets_and_the_dashed_lines_under_a_colon_their_children():
    text = ("Inclusion Criteria:\nMale or female subjects aged 18 to 75 years.\n"
            "Laboratory evidence of active nephritis at screening, defined as:\n- Class III or IV: UPCR ≥1.5 mg/mg.\n"
            "- Class V: UPCR ≥2 mg/mg.\nExclusion Criteria:\nCurrently requiring renal dialysis.\n")
    bullets = split_criteria(text)
    assert [(b.side, b.text, b.depth) for b in bullets] == [
        ("inclusion", "Male or female subjects aged 18 to 75 years.", 0),
        ("inclusion", "Laboratory evidence of active nephritis at screening, defined as:", 0),
        ("inclusion", "Class III or IV: UPCR ≥1.5 mg/mg.", 1),
        ("inclusion", "Class V: UPCR ≥2 mg/mg.", 1),
        ("exclusion", "Currently requiring renal dialysis.", 0)]


def test_letter_and_roman_sub_items_nest_under_their_numbered_item():
    text = ("Inclusion Criteria: 1. SLE ; 2. Having received one of these regimens: i): cyclophosphamide ; "
            "ii): mycophenolate ; 3. Signed consent. Exclusion Criteria: 1. Any of: a. HIV b. hepatitis C "
            "2. Pregnancy")
    bullets = split_criteria(text)
    assert [(b.side, b.text, b.depth) for b in bullets] == [
        ("inclusion", "SLE ;", 0), ("inclusion", "Having received one of these regimens:", 0),
        ("inclusion", "cyclophosphamide ;", 1), ("inclusion", "mycophenolate ;", 1),
        ("inclusion", "Signed consent.", 0),
        ("exclusion", "Any of:", 0), ("exclusion", "HIV", 1), ("exclusion", "hepatitis C", 1),
        ("exclusion", "Pregnancy", 0)]


# -- flattened copies -----------------------------------------------------------------------------


def test_flattened_star_bullets_split_at_each_star_and_at_the_headings():
    text = ("Inclusion Criteria: * Diagnosis of SLE. * Active disease at the time of screening. "
            "Exclusion Criteria: * Pregnancy or breastfeeding.")
    bullets = split_criteria(text)
    assert [(b.side, b.text) for b in bullets] == [
        ("inclusion", "Diagnosis of SLE."), ("inclusion", "Active disease at the time of screening."),
        ("exclusion", "Pregnancy or breastfeeding.")]


def test_flattened_numbers_split_only_in_sequence_so_decimals_and_stray_numbers_stay_words():
    text = ("Inclusion Criteria: 1. Age 5-17 years old; 2. Creatinine under 2.5 mg/dL; 3. UPCR ≥ 1.0 (Class III "
            "or IV, at least 2. in a row); 4. NYHA class 3, 4 excluded (17) 5. Signed consent "
            "Exclusion Criteria: 1. Pregnancy 2. HIV")
    bullets = split_criteria(text)
    assert criteria(bullets, "inclusion") == [
        "Age 5-17 years old;", "Creatinine under 2.5 mg/dL;", "UPCR ≥ 1.0 (Class III or IV, at least 2. in a row);",
        "NYHA class 3, 4 excluded (17)", "Signed consent"]
    assert criteria(bullets, "exclusion") == ["Pregnancy", "HIV"]


def test_a_numbered_list_restarting_at_one_after_a_colon_is_nested_and_the_outer_list_resumes():
    text = ("Inclusion Criteria: 1. Age 12-70 years. 2. SLE for 6 months. 3. Active SLE defined by the following: "
            "1. SLEDAI ≥6; 2. BILAG 1A or 2B. 4. Stable medication.")
    bullets = split_criteria(text)
    assert [(b.text, b.depth) for b in bullets] == [
        ("Age 12-70 years.", 0), ("SLE for 6 months.", 0), ("Active SLE defined by the following:", 0),
        ("SLEDAI ≥6;", 1), ("BILAG 1A or 2B.", 1), ("Stable medication.", 0)]
    assert parent_of(bullets, "BILAG 1A or 2B.") == "Active SLE defined by the following:"


def test_flattened_dash_bullets_need_a_space_on_both_sides_so_hyphens_stay_in_words():
    text = ("Inclusion Criteria:- All patients with anti-dsDNA, SLEDAI-2K of 5-17 and Day -14 labs "
            "- Age 18 - 65 years Exclusion Criteria:- Life- or organ-threatening disease")
    bullets = split_criteria(text)
    assert criteria(bullets, "inclusion") == ["All patients with anti-dsDNA, SLEDAI-2K of 5-17 and Day -14 labs",
                                              "Age 18 - 65 years"]
    assert criteria(bullets, "exclusion") == ["Life- or organ-threatening disease"]


def test_doubled_markers_are_one_marker_and_a_star_glued_to_a_word_is_a_footnote():
    text = ("Inclusion Criteria:\n\n    • * age ≥ 18 years\n    • * validated SLE diagnosis*\n\n"
            "    Exclusion Criteria:\n\n    • 1. Pregnant women with SLE. *Our aim is to recruit early\n"
            "    • 2. Women who do not speak English")
    bullets = split_criteria(text)
    assert criteria(bullets, "inclusion") == ["age ≥ 18 years", "validated SLE diagnosis*"]
    assert criteria(bullets, "exclusion") == ["Pregnant women with SLE. *Our aim is to recruit early",
                                              "Women who do not speak English"]


def test_a_marker_less_flattened_section_is_split_into_sentences():
    text = ("Inclusion Criteria: Patients with SLE. Age over 18 years; Signed consent (e.g. written). "
            "Exclusion Criteria: Pregnancy. Hepatitis B or C")
    bullets = split_criteria(text)
    assert criteria(bullets, "inclusion") == ["Patients with SLE.", "Age over 18 years;", "Signed consent (e.g. written)."]
    assert criteria(bullets, "exclusion") == ["Pregnancy.", "Hepatitis B or C"]


def test_a_marker_less_section_without_punctuation_stays_one_bullet():
    text = ("Inclusion Criteria: Mother must have anti-Ro antibody Fetal bradyarrhythmia "
            "Exclusion Criteria: Fetal heart abnormalities")
    assert [(b.side, b.text) for b in split_criteria(text)] == [
        ("inclusion", "Mother must have anti-Ro antibody Fetal bradyarrhythmia"),
        ("exclusion", "Fetal heart abnormalities")]


# -- headings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("inclusion", "exclusion"), [
    ("Inclusion Criteria:", "Exclusion Criteria:"),
    ("Key Inclusion Criteria:", "Key Exclusion Criteria:"),
    ("INCLUSION CRITERIA:", "EXCLUSION CRITERIA:"),
    ("Inclusion criteria", "Exclusion criteria"),
    ("Inclusion Criteria.", "Exclusion Criteria."),
    ("• Inclusion Criteria", "• Exclusion Criteria"),
    ("PROTOCOL ENTRY CRITERIA:", "- Exclusion Criteria:"),
    ("Inclusion criteria:", "Exclusion\nExclusion Criteria:"),
])
def test_every_heading_variant_sets_the_side_and_never_becomes_a_bullet(inclusion, exclusion):
    text = f"{inclusion}\n- Diagnosis of SLE\n- Age 18 or over\n{exclusion}\n- Pregnancy\n"
    bullets = split_criteria(text)
    assert [(b.side, b.text) for b in bullets] == [
        ("inclusion", "Diagnosis of SLE"), ("inclusion", "Age 18 or over"), ("exclusion", "Pregnancy")]


def test_a_dash_before_an_inline_heading_gives_no_empty_bullet():
    bullets = split_criteria("Inclusion Criteria: 1. Age 14 to 70 2. Willing to use contraception. "
                             "- Exclusion Criteria: 1. Inability to consent")
    assert [(b.side, b.text) for b in bullets] == [
        ("inclusion", "Age 14 to 70"), ("inclusion", "Willing to use contraception."),
        ("exclusion", "Inability to consent")]


def test_words_before_any_heading_are_unstated_and_a_text_without_headings_is_all_unstated():
    bullets = split_criteria("Adults with lupus\nInclusion Criteria:\n- Age 18 or over\n")
    assert [(b.side, b.text) for b in bullets] == [("unstated", "Adults with lupus"), ("inclusion", "Age 18 or over")]
    assert {b.side for b in split_criteria("- Age 18 or over\n- Lupus nephritis\n")} == {"unstated"}


def test_inclusion_criteria_mentioned_in_a_sentence_is_not_a_heading():
    bullets = split_criteria("Inclusion Criteria: * Other protocol defined inclusion criteria could apply "
                             "* No conditions (listed under the exclusion criteria below)")
    assert [(b.side, b.text, b.note) for b in bullets] == [
        ("inclusion", "Other protocol defined inclusion criteria could apply", False),
        ("inclusion", "No conditions (listed under the exclusion criteria below)", False)]


# -- notes and groups -----------------------------------------------------------------------------


def test_sub_population_headings_are_notes_and_name_the_group_of_the_bullets_after_them():
    text = ("Inclusion Criteria: For patients: * SLE by ACR criteria * Aged 18 and over For control subjects: "
            "* Voluntary donor Exclusion Criteria: For patients: * Pregnancy")
    bullets = split_criteria(text)
    assert [(b.side, b.text, b.note, b.group) for b in bullets] == [
        ("inclusion", "For patients:", True, "For patients"),
        ("inclusion", "SLE by ACR criteria", False, "For patients"),
        ("inclusion", "Aged 18 and over", False, "For patients"),
        ("inclusion", "For control subjects:", True, "For control subjects"),
        ("inclusion", "Voluntary donor", False, "For control subjects"),
        ("exclusion", "For patients:", True, "For patients"),
        ("exclusion", "Pregnancy", False, "For patients")]


def test_a_heading_for_part_of_a_trial_is_a_note_and_its_bullets_carry_the_part():
    text = ("Inclusion Criteria for Prospective Part of Trial: Mother has anti-Ro antibody "
            "Exclusion Criteria for Prospective Part of Trial: Fetal heart abnormalities "
            "Inclusion Criteria for Observational Part of Trial: Normal heartbeat")
    bullets = split_criteria(text)
    assert [(b.side, b.text, b.note, b.group) for b in bullets] == [
        ("inclusion", "Inclusion Criteria for Prospective Part of Trial", True, "Prospective Part of Trial"),
        ("inclusion", "Mother has anti-Ro antibody", False, "Prospective Part of Trial"),
        ("exclusion", "Exclusion Criteria for Prospective Part of Trial", True, "Prospective Part of Trial"),
        ("exclusion", "Fetal heart abnormalities", False, "Prospective Part of Trial"),
        ("inclusion", "Inclusion Criteria for Observational Part of Trial", True, "Observational Part of Trial"),
        ("inclusion", "Normal heartbeat", False, "Observational Part of Trial")]


def test_lead_ins_and_remarks_about_the_list_are_notes_and_head_no_children():
    text = ("Inclusion Criteria: Only those who meet all the following criteria can be included: 1. Age 5-17; "
            "2. Lupus nephritis * eGFR ≥ 60 This list only contains the key inclusion criteria. "
            "Exclusion Criteria: Any of the following criteria will disqualify a patient: * Pregnancy")
    bullets = split_criteria(text)
    assert [(b.side, b.text, b.note, b.depth) for b in bullets] == [
        ("inclusion", "Only those who meet all the following criteria can be included:", True, 0),
        ("inclusion", "Age 5-17;", False, 0), ("inclusion", "Lupus nephritis", False, 0),
        ("inclusion", "eGFR ≥ 60", False, 0),
        ("inclusion", "This list only contains the key inclusion criteria.", True, 0),
        ("exclusion", "Any of the following criteria will disqualify a patient:", True, 0),
        ("exclusion", "Pregnancy", False, 0)]


def test_other_protocol_defined_criteria_could_apply_stays_a_criterion():
    bullets = split_criteria("Inclusion Criteria:\n- Age 18 or over\n- Other protocol defined inclusion criteria "
                             "could apply\n")
    assert not only(bullets, "Other protocol defined inclusion criteria could apply").note


# -- texts cut short ------------------------------------------------------------------------------


def test_a_cut_text_keeps_its_last_bullet_as_cut_and_drops_a_lone_trailing_marker():
    bullets = split_criteria("Exclusion Criteria:\n- Subjects with drug-induced SLE\n- Subjects with autoimmune "
                             "disease other than SLE (e.g.; Rheumatoid arthritis\n-")
    assert criteria(bullets, "exclusion") == ["Subjects with drug-induced SLE",
                                              "Subjects with autoimmune disease other than SLE (e.g.; Rheumatoid arthritis"]
    assert criteria(split_criteria("Inclusion Criteria: * Age ≥ 18 * Lupus nephri *"), "inclusion") == [
        "Age ≥ 18", "Lupus nephri"]


def test_mirror_notes_at_the_end_and_a_cut_off_heading_are_not_bullets():
    assert criteria(split_criteria("Inclusion Criteria: * Age ≥ 18 * Active SLE (remaining criteria not captured)"),
                    "inclusion") == ["Age ≥ 18", "Active SLE"]
    assert [b.text for b in split_criteria("Inclusion Criteria:\n- Age ≥ 18\n- Active SLE\n...")] == [
        "Age ≥ 18", "Active SLE"]
    assert [b.text for b in split_criteria("Inclusion Criteria: Stable dose of an immunosuppressant Excl")] == [
        "Stable dose of an immunosuppressant"]


# -- real registry records, counted by hand ---------------------------------------------------------

# (nct id, inclusion criteria, exclusion criteria, unstated criteria, first bullet, last bullet,
#  (a nested child, its parent) or None) — lead-in notes are not counted.
HAND_COUNTED = [
    ("NCT00371501", 15, 8, 0, "Age > 18 years", "Pregnant or lactating women",
     ("Serum low density lipoprotein (LDL) level >= 2.6 mmol/L or total cholesterol >= 5.5 mmol/L",
      "Presence of any two of the following risk factors:")),
    ("NCT00556192", 10, 8, 0, "Age > 18 years", "Unwillingness to comply with the protocol", None),
    ("NCT00962832", 3, 8, 0, "Diagnosis of SLE.",
     "History of severe systemic bacterial, fungal, viral, or parasitic infections (2 or more hospitalizations or "
     "2 or more courses of IV antibiotics) within 6 months prior to screening", None),
    ("NCT00594932", 9, 5, 0,
     "Diagnosis of SLE by the 1995 modification of revised ACR criteria (includes antiphospholipid antibodies)",
     "History of malignancy (except for basal cell carcinoma at", None),
    ("NCT02962960", 17, 6, 0, "Age 18 through 70 years",
     "Receipt of any investigation product within 4 weeks or 5 half -lives prior to sign",
     ("Antimalarials (eg, chloroquine, hydroxychloroquine, quinacrine)",
      "Any of the following medications for at least 12 weeks prior to signing the ICF, and at a stable doses for "
      "at least 8 weeks prior to randomization:")),
    ("NCT06456567", 9, 5, 0, "Age 12-70 years at screening.",
     "History of non-SLE disease requiring treatment with oral or parenteral. glucocorticosteroids for more than a "
     "total of 2 weeks within the last 24 weeks prior to screening.",
     ("SELENA SLEDAI total score ≥6 points with clinical SLEDAI score ≥4 points at screening;",
      "Moderately to severely active SLE definined by the following:")),
    ("NCT02477150", 5, 18, 0,
     "SLE patients who fulfill ≥4 of the 1997 ACR (17) or the 2012 SLICC/ACR criteria for SLE (18)",
     "Patients who cannot give a written consent (mentally incapable or illiterate)",
     ("Biological agents eg. rituximab, belimumab (any dose)",
      "Patients receiving doses of immunosuppressive agents exceeding the following:")),
    ("NCT07281105", 3, 5, 0, "Physician diagnosis of SLE;",
     "Other factors which in the opinion of the investigator could potentially impact the study outcomes (e.g., "
     "underlying disease, medications, history)* or prevent the participant from completing the protocol (poor "
     "compliance or unpredictable schedule);", None),
    ("NCT03749044", 8, 6, 0, "Pregnant women with a SLE diagnosis based on the SLICC classification criteria;",
     "More than one pregnancy pe", None),
    ("NCT05922722", 4, 2, 0, "age ≥ 18 years", "participants who are not taking HCQ", None),
    ("NCT06038474", 4, 3, 0, "Patient must be at least 18 years of age.", "Patient is pregnant or lactating.", None),
    ("NCT00513591", 0, 0, 5, "18 years of age or older",
     "Antiphospholipid Syndrome or positive antiphospholipid antibodies",
     ("Lupus (systemic lupus erythematosus or cutaneous lupus)",
      "Women with systemic autoimmune disease, including:")),
    ("NCT00001680", 0, 0, 10, "Age, 18 or more.",
     "If male, the patient must be surgically sterilized, sexually inactive, or use a", None),
    ("NCT02141672", 6, 7, 0, "Male or female subjects aged 18 to 75 years.",
     "Active unhealed peptic ulcer within 3 months prior to screening. If an ulcer has healed and the",
     ("Pancreatitis or gastrointestinal hemorrhage within 6 months prior to screening.",
      "Current or medical history of:")),
    ("NCT06804057", 8, 2, 0,
     "Has been diagnosed with SLE by a rheumatologist or a qualified rheumatology practitioner.",
     "Subjects participating in any non-blinded trial for any indication, with the exception of non-blinded CAR-T "
     "or other cell/gene therapies for the",
     ("Initiation of a biologic or immunosuppressant for the treatment of SLE at registry enrollment, OR",
      "In addition, subjects must meet at least one of the following criteria:")),
    ("NCT01673295", 12, 1, 0,
     "SLE, according to ACR and/or SLICC (Arthritis Rheum 2012; May 2; doi: 10.1002/art.34473) criteria ;",
     "An",
     ("NIH IVCY for 6M (6 monthly pulses) followed by AZA/MMF for 3 months ;",
      "Having received one out of four following immunosuppressive regimens:")),
    ("NCT07233642", 11, 3, 0, "Age: ≥ 5 years old, and no gender limitation;", "Have a",
     ("Renal function: eGFR≥30mL/min/1.73m2;", "The functions of important organs are basically normal:")),
    ("NCT00430677", 3, 4, 0,
     "Systemic Lupus Erythematosus (SLE) as defined by meeting at least 4 of the 11 classification criteria of the "
     "American College of Rheumatology for the classification of Systemic Lupus Erythematosus, either sequentially "
     "or coincident. The 4 criteria need not be present at study entry",
     "Subjects with autoimmune disease other than SLE as their main diagnosis (e.g.; Rheumatoid arthritis (RA), "
     "Multiple Sclerosis [MS])", None),
    ("NCT05329831", 9, 5, 0, "Those between the ages of 18-45,",
     "Those who have undergone changes in the treatment process and those who practice non-drug therapy during the "
     "study will not be included in the study.", None),
    ("NCT06947473", 6, 0, 0, "Male or female patients aged 3-65 years old;", "Physical condition score (ECOG) 0-2 points;",
     None),
    ("NCT06232304", 5, 3, 0,
     "be diagnosed with cSLE, meeting the revised American College of Rheumatology Classification Criteria for SLE "
     "by age 18 years",
     "an untreated major psychiatric illness (e.g., bipolar disorder, psychosis, severe depression (PHQ9 score ≥21, "
     "BDI/CDI II > 90) or active suicidal ideation (SI), based on the Pediatric Health Questionnaire (PHQ-9) items "
     "plus clinical interview; see Measures section)", None),
    ("NCT00268567", 1, 1, 0,
     "All patients were diagnosed as SLE according to the updated criteria of American College of Rheumatology in "
     "1997, had a systemic lupus erythematosus disease activity index (SLEDAI)equal or greater than 8; had evident "
     "renal diseases and biopsy-documented diffuse proliferative or focal proliferative lupus nephritis, with or "
     "without coincident membranous nephropathy, and pathological activity index (AI)equal or greater than 4",
     "Patients who had received cyclophosphamide within the previous 3 months, cerebral lupus, severe infection, "
     "liver disease, pregnancy,", None),
]


@pytest.mark.parametrize(("nct_id", "inclusion", "exclusion", "unstated", "first", "last", "nested"), HAND_COUNTED,
                         ids=[row[0] for row in HAND_COUNTED])
def test_a_real_record_splits_as_counted_by_hand(nct_id, inclusion, exclusion, unstated, first, last, nested):
    bullets = record(nct_id)
    counted = [b for b in bullets if not b.note]
    assert (len(criteria(bullets, "inclusion")), len(criteria(bullets, "exclusion")),
            len(criteria(bullets, "unstated"))) == (inclusion, exclusion, unstated)
    assert (counted[0].text, counted[-1].text) == (first, last)
    if nested:
        child, parent = nested
        assert parent_of(bullets, child) == parent
        assert only(bullets, child).depth == only(bullets, parent).depth + 1 >= 1


def test_real_lead_ins_are_notes_and_the_criteria_after_them_are_top_level():
    assert notes(record("NCT00222183")) == [
        "Subjects may be included only if they fulfil the following inclusion criteria on the pre-treatment days "
        "(between Day -14 and Day -2) and on Day 1 (before first application of study medication):",
        "Any of the following criteria will disqualify a patient from participating in this study:"]
    assert notes(record("NCT06804057")) == [
        "To be eligible to participate in this registry, an individual must meet all the following criteria:",
        "An individual who meets any of the following criteria will be excluded from participation in the registry:"]
    assert notes(record("NCT04700267")) == ["This list only contains the key inclusion criteria."]
    assert notes(record("NCT05495893")) == [
        "Only those who fully meet the following criteria can be considered for inclusion in this study:"]
    assert only(record("NCT05495893"), "Age 5-17 years old;").depth == 0


def test_the_marker_less_registry_texts_split_into_their_sentences():
    bullets = record("NCT00222183")
    assert (len(criteria(bullets, "inclusion")), len(criteria(bullets, "exclusion"))) == (7, 3)
    assert "Each of the 2 test sites must be at least 3 cm apart." in criteria(bullets, "inclusion")
    assert criteria(bullets, "exclusion")[-1] == "Patients who are receiving oral medication, known to precipitate l"
    observational = record("NCT00007358")
    assert [(b.side, b.group) for b in observational if not b.note] == [
        ("inclusion", "Prospective Part of Trial"), ("exclusion", "Prospective Part of Trial"),
        ("inclusion", "Observational Part of Trial"), ("exclusion", "Observational Part of Trial")]
    assert criteria(record("NCT05916781"), "inclusion")[2] == (
        "According to the physician, the participant can accept this treatment.")


def test_the_patients_and_controls_of_a_real_record_are_told_apart():
    bullets = record("NCT01157468")
    assert notes(bullets) == ["For patients:", "For control subjects:", "For patients:", "For control subjects:"]
    controls = [b.text for b in bullets if b.group == "For control subjects" and b.side == "exclusion" and not b.note]
    assert controls == ["Voluntary donor who refused to participate in this study",
                        "Voluntary who has not main home in Martinique"]
    assert len([b for b in bullets if b.group == "For patients" and b.side == "inclusion" and not b.note]) == 4


def test_a_cut_off_heading_at_the_end_of_a_real_text_is_dropped():
    assert record("NCT05617677")[-1].text.endswith("as well as an antimalarial and/or an immunosuppressant")


# -- the whole corpus -----------------------------------------------------------------------------

EXCLUSION_HEADING = re.compile(r"(?:Exclusion|EXCLUSION)(?: (?:Criteria|criteria|CRITERIA))?(?=\s*(?::|\n|$| for ))")
MARKER_START = re.compile(r"^(?:[*•‣▪◦·-]|\(?\d{1,2}[.)](?:\s|$)|\(\d{1,2}\))")
HEADING_WORDS = re.compile(r"(?:Inclusion|Exclusion) Criteria:", re.I)


@pytest.mark.parametrize("nct_id", sorted(CORPUS))
def test_every_record_gives_clean_bullets(nct_id):
    bullets = record(nct_id)
    assert bullets
    for index, bullet in enumerate(bullets):
        assert bullet.text and bullet.text == " ".join(bullet.text.split())
        assert not MARKER_START.match(bullet.text), bullet.text
        assert not HEADING_WORDS.search(bullet.text), bullet.text
        assert bullet.side in ("inclusion", "exclusion", "unstated")
        if bullet.parent is None:
            assert bullet.depth == 0
        else:
            parent = bullets[bullet.parent]
            assert bullet.parent < index and bullet.depth == parent.depth + 1 and not parent.note


@pytest.mark.parametrize("nct_id", sorted(CORPUS))
def test_every_record_with_an_exclusion_heading_gets_exclusion_bullets_unless_cut_right_after_it(nct_id):
    text = CORPUS[nct_id]["eligibilityCriteria"]
    headings = list(EXCLUSION_HEADING.finditer(text))
    if not headings or not re.search(r"\w", text[headings[-1].end():].lstrip(":")):
        return
    assert criteria(record(nct_id), "exclusion"), nct_id


def test_the_corpus_gives_hundreds_of_bullets_on_both_sides():
    bullets = [b for r in RECORDS for b in split_criteria(r["eligibilityCriteria"])]
    sides = {side: sum(1 for b in bullets if b.side == side and not b.note)
             for side in ("inclusion", "exclusion", "unstated")}
    assert sides["inclusion"] > 300 and sides["exclusion"] > 250 and sides["unstated"] < 40
    assert 5 <= sum(b.note for b in bullets) <= 30
    assert sum(b.depth > 0 for b in bullets) > 40


# -- what cannot be read, and what must never break -------------------------------------------------


@pytest.mark.parametrize("text", [
    None, "", "   ", "\n\n\t ",
    bytes(range(256)).decode("utf-8", errors="replace") * 20,
    "Inclusion Criteria:\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10 SLE",
    "\ufffd" * 40 + "Inclusion Criteria: * SLE",
    "Inclusion Criteria: * Age 18 or over " * 3000,
    "<html><body><div><p>Inclusion Criteria:</p><ul><li>SLE</li></ul><br/><script src='x.js'></script></div>",
    "* - • 1. 2) (3) -\n*\n-\n1.",
])
def test_text_that_cannot_be_read_gives_no_bullets(text):
    assert split_criteria(text) == []


def test_the_size_limit_is_on_the_whole_text():
    base = "Inclusion Criteria:\n- Age 18 or over\n"
    assert len(split_criteria(base + "x" * (MAX_READ_CHARS - len(base) - 1))) == 1
    assert split_criteria(base + "x" * MAX_READ_CHARS) == []
    assert split_criteria("a" * 100_000) == []


def test_comparisons_are_not_markup_and_a_stray_replacement_character_is_not_binary():
    text = "Inclusion Criteria: * eGFR <30 mL/min * platelets < 5 x10^9/L * creatinine >2 mg/dL * caf\ufffd"
    assert not looks_like_markup(text) and not looks_binary(text)
    assert len(split_criteria(text)) == 4


def test_markup_and_binary_are_recognised():
    assert looks_like_markup("<div>Inclusion</div><br/><p>SLE</p>")
    assert looks_like_markup('<script src="x.js"></script><b>x</b>')
    assert not looks_like_markup("<30 mL and < 5 and a <= b")
    assert looks_binary("SLE\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e")
    assert looks_binary(b"\xff\xfe\x00\x81lupus".decode("utf-8", errors="replace") * 10)
    assert not looks_binary("Inclusion Criteria:\n\t- SLE\r\n") and not looks_binary("")


FUZZ_ATOMS = ["Inclusion Criteria:", "Exclusion Criteria:", "Exclusion", "Key Inclusion Criteria", "For patients:",
              "*", "-", "•", "• *", "1.", "2.", "3.", "1)", "(1)", "(2)", "i)", "ii)", "a.", "b.", ".", ":", ";",
              "(", ")", "[", "\n", "\n\n", "  ", "    ", "\t", "\r\n", "SLE", "age", "Age", "≥", "2.5", "mg/dL",
              "anti-dsDNA", "This list", "following criteria", "or", "x", "...", "Excl", "<b>", "\ufffd", "\x00", "é"]


def test_random_strings_never_raise_and_always_give_well_formed_bullets_quickly():
    rng = random.Random(20261203)
    started = time.perf_counter()
    for _ in range(2000):
        text = "".join(rng.choice(["", " "]) + atom for atom in rng.choices(FUZZ_ATOMS, k=rng.randint(0, 60)))
        bullets = split_criteria(text)
        for index, bullet in enumerate(bullets):
            assert bullet.text and bullet.text == " ".join(bullet.text.split()), (text, bullet)
            assert bullet.side in ("inclusion", "exclusion", "unstated")
            assert bullet.parent is None or (bullet.parent < index
                                             and bullet.depth == bullets[bullet.parent].depth + 1)
    for _ in range(300):
        text = "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 200)))
        split_criteria(text)
    assert time.perf_counter() - started < 4


@pytest.mark.parametrize("text", ["1. a:\n" * 3000, "a\n" * 9999, "word (\n" * 2800, "(" * 19_999,
                                  " i) ii) iii)" * 1500, "- a:\n  " * 2500])
def test_pathological_texts_are_split_fast_and_nesting_stays_shallow(text):
    started = time.perf_counter()
    bullets = split_criteria(text[:MAX_READ_CHARS])
    assert time.perf_counter() - started < 1
    assert all(b.depth <= 6 for b in bullets)


def test_splitting_the_whole_corpus_twenty_times_is_fast():
    texts = [r["eligibilityCriteria"] for r in RECORDS] * 20
    started = time.perf_counter()
    for text in texts:
        split_criteria(text)
    assert time.perf_counter() - started < 10
