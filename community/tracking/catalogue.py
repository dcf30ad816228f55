"""The fixed choices the tracker offers, and the words shown for them.

The choice lists (triggers, organs, flare actions, units…) are plain constants:
they are stored as their keys and shown with these labels. The symptom,
medication and lab catalogues are rows in the database: their reference data
and loaders live in tracking/seed.py.
"""

from __future__ import annotations

# Offered on a member's very first check-in, before they have a history.
STARTER_SYMPTOMS = ("fatigue", "joint-pain", "brain-fog", "headache", "malar-rash", "low-mood")

TRIGGERS = [
    ("sun", "Sun exposure"),
    ("stress", "Stress"),
    ("infection", "Infection or illness"),
    ("missed_medication", "Missed medication"),
    ("poor_sleep", "Poor sleep"),
    ("overexertion", "Doing too much"),
    ("weather", "Weather change"),
]

ORGANS = [
    ("kidney", "Kidneys"),
    ("skin", "Skin"),
    ("joints", "Joints"),
    ("blood", "Blood"),
    ("heart_lungs", "Heart or lungs"),
    ("brain_nerves", "Brain or nerves"),
]

FLARE_ACTIONS = [
    ("called_doctor", "Called my doctor"),
    ("steroid_increase", "Increased steroids"),
    ("new_medication", "Started a new medication"),
    ("urgent_care", "Went to urgent care or the ER"),
    ("hospital", "Stayed in hospital"),
]

FLARE_SEVERITY_CHOICES = [("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")]

UNITS = [("mg", "mg"), ("g", "g"), ("mcg", "mcg"), ("mg/kg", "mg/kg"), ("mg/m2", "mg/m²"),
         ("ml", "mL"), ("units", "units"), ("tablets", "tablets"), ("other", "other")]

FREQUENCIES = [
    ("once_daily", "Once a day"),
    ("twice_daily", "Twice a day"),
    ("three_daily", "Three times a day"),
    ("every_other_day", "Every other day"),
    ("once_weekly", "Once a week"),
    ("twice_weekly", "Twice a week"),
    ("every_2_weeks", "Every 2 weeks"),
    ("every_4_weeks", "Every 4 weeks"),
    ("every_6_months", "Every 6 months"),
    ("as_needed", "Only when needed"),
    ("other", "Other"),
]

STOP_REASONS = [
    ("not_effective", "It didn't work well enough"),
    ("side_effects", "Side effects"),
    ("cost", "Cost"),
    ("remission", "Lupus calmed down (remission)"),
    ("pregnancy", "Pregnancy, or planning one"),
    ("doctors_advice", "My doctor advised it"),
    ("other", "Other"),
]
# "How well is it working for you?" — optional; community insights count the answers.
TREATMENT_RATINGS = [
    ("not_at_all", "Not at all"),
    ("a_little", "A little"),
    ("moderately", "Moderately"),
    ("a_lot", "A lot"),
]
# Set by "change dose", never chosen from the stop form.
DOSE_CHANGED = ("dose_changed", "Dose changed")

DIAGNOSES = [
    ("sle", "Systemic lupus (SLE)"),
    ("nephritis", "Lupus nephritis (kidneys)"),
    ("cutaneous", "Cutaneous lupus (skin)"),
    ("other", "Other"),
]
NEPHRITIS_CLASSES = [("", "Not known / not applicable"), ("I", "Class I"), ("II", "Class II"),
                     ("III", "Class III"), ("IV", "Class IV"), ("V", "Class V"), ("VI", "Class VI")]
SEXES = [("", "Prefer not to say"), ("female", "Female"), ("male", "Male"), ("intersex", "Intersex"),
         ("other", "Another way")]
PREGNANCY = [("", "Prefer not to say"), ("no", "No"), ("pregnant", "Pregnant"),
             ("breastfeeding", "Breastfeeding"), ("planning", "Planning a pregnancy in the next year")]

# Conditions clinical-trial criteria often ask about: (key, label, plain explanation, asks_year).
# The keys are stored in HealthProfile.medical_history and read by trials matching: never rename one.
HISTORY_CONDITIONS = [
    ("hiv", "HIV", "The virus that weakens the immune system (human immunodeficiency virus).", False),
    ("hepatitis_b", "Hepatitis B", "A virus that infects the liver, now or in the past.", False),
    ("hepatitis_c", "Hepatitis C", "Another virus that infects the liver, now or in the past.", False),
    ("tuberculosis", "Tuberculosis (TB), active or latent",
     "A bacterial infection, usually of the lungs. Latent means it is in the body without making you ill.",
     True),
    ("cancer", "Cancer of any kind", "Including skin cancer, and cancer that was treated long ago.", True),
    ("other_autoimmune", "Another autoimmune disease",
     "Such as rheumatoid arthritis, Sjögren's, multiple sclerosis, myositis or scleroderma.", False),
    ("cns_lupus", "Lupus affecting the brain or nerves",
     "Called neuropsychiatric or CNS lupus: for example seizures, psychosis or a stroke caused by lupus.", True),
    ("dialysis", "Kidney dialysis", "A machine cleaning the blood when the kidneys can't.", True),
    ("kidney_transplant", "A kidney transplant", "", True),
    ("diabetes", "Diabetes", "High blood sugar, type 1 or type 2, including diabetes caused by steroids.", False),
    ("thrombosis", "A blood clot (DVT, pulmonary embolism) or a stroke",
     "DVT is a clot in a leg vein; a pulmonary embolism is a clot in the lungs.", True),
    ("antiphospholipid", "Antiphospholipid syndrome (APS)",
     "Antibodies that make the blood clot too easily; it often comes with lupus.", False),
]
HISTORY_KEYS = tuple(key for key, *_ in HISTORY_CONDITIONS)
HISTORY_ANSWERS = [("", "Not answered"), ("no", "No"), ("yes", "Yes")]
# What the optional year means, where the question asks one.
HISTORY_YEAR_LABELS = {
    "tuberculosis": "Year of diagnosis or treatment",
    "cancer": "Year of diagnosis or last treatment",
    "cns_lupus": "Year it last happened",
    "dialysis": "Year of the last dialysis",
    "kidney_transplant": "Year of the transplant",
    "thrombosis": "Year of the last clot or stroke",
}
# Short names for summaries and the year fields' labels ("Cancer: yes (2019)").
HISTORY_NAMES = {
    "hiv": "HIV", "hepatitis_b": "Hepatitis B", "hepatitis_c": "Hepatitis C", "tuberculosis": "Tuberculosis (TB)",
    "cancer": "Cancer", "other_autoimmune": "Another autoimmune disease",
    "cns_lupus": "Lupus affecting the brain or nerves", "dialysis": "Kidney dialysis",
    "kidney_transplant": "Kidney transplant", "diabetes": "Diabetes", "thrombosis": "Blood clot or stroke",
    "antiphospholipid": "Antiphospholipid syndrome (APS)",
}


LABELS = {key: label for group in (TRIGGERS, ORGANS, FLARE_ACTIONS, FLARE_SEVERITY_CHOICES, UNITS,
                                   FREQUENCIES, STOP_REASONS, [DOSE_CHANGED], TREATMENT_RATINGS, DIAGNOSES, SEXES[1:],
                                   PREGNANCY[1:]) for key, label in group}


def label(key: str) -> str:
    """The words shown for a stored choice key (the key itself when unknown)."""
    return LABELS.get(key, key)


def history_lines(history: dict | None) -> list[str]:
    """A member's medical-history answers in plain words, in catalogue order: "Cancer: yes (2019)"."""
    lines = []
    for key in HISTORY_KEYS:
        entry = (history or {}).get(key)
        if not isinstance(entry, dict) or entry.get("answer") not in ("yes", "no"):
            continue
        year = entry.get("year")
        lines.append(f"{HISTORY_NAMES[key]}: {entry['answer']}" + (f" ({year})" if year else ""))
    return lines
