"""The symptom, medication and lab catalogues, and the fixed choices the tracker offers.

Catalogues are reference data loaded by `flask seed` (idempotent: rows are
added by slug, existing ones are brought up to date). The fixed choice lists
(triggers, organs, flare actions, units…) are plain constants: they are
stored as their keys and shown with these labels.
"""

from __future__ import annotations

from sqlalchemy import select

from community.db import db
from community.models import LabTest, Medication, Symptom
from community.reference import loader

SYMPTOMS = [
    ("fatigue", "Fatigue", "Tiredness that rest doesn't fix."),
    ("joint-pain", "Joint pain", ""),
    ("joint-swelling", "Joint swelling", ""),
    ("muscle-pain", "Muscle pain", ""),
    ("malar-rash", "Butterfly (malar) rash", "A rash across the cheeks and nose."),
    ("other-rash", "Other rash", ""),
    ("photosensitivity", "Sun sensitivity", "Rash or feeling unwell after time in sunlight (photosensitivity)."),
    ("ulcers", "Mouth or nose ulcers", "Sores inside the mouth or nose, often painless."),
    ("hair-loss", "Hair loss", ""),
    ("raynauds", "Raynaud's", "Fingers or toes turn white or blue in the cold."),
    ("fever", "Fever", ""),
    ("chest-pain", "Chest pain on breathing", "Sharp pain when breathing in (can be pleurisy)."),
    ("short-breath", "Shortness of breath", ""),
    ("headache", "Headache", ""),
    ("brain-fog", "Brain fog", "Trouble thinking clearly, remembering or finding words."),
    ("dryness", "Dry eyes or mouth", ""),
    ("leg-swelling", "Swelling of legs", "Puffy ankles or legs (oedema)."),
    ("foamy-urine", "Foamy urine", "Can be a sign of protein in the urine."),
    ("low-mood", "Low mood", ""),
    ("anxiety", "Anxiety", ""),
]

# Offered on a member's very first check-in, before they have a history.
STARTER_SYMPTOMS = ("fatigue", "joint-pain", "brain-fog", "headache", "malar-rash", "low-mood")

MEDICATIONS = [
    ("hydroxychloroquine", "Hydroxychloroquine (Plaquenil)", "An antimalarial; the base treatment for most people with lupus.", "mg", "once_daily"),
    ("prednisone", "Prednisone", "A glucocorticoid (steroid) that calms inflammation quickly.", "mg", "once_daily"),
    ("prednisolone", "Prednisolone", "A glucocorticoid (steroid), similar to prednisone.", "mg", "once_daily"),
    ("methylprednisolone", "Methylprednisolone", "A glucocorticoid (steroid), often given as a drip in a flare.", "mg", "once_daily"),
    ("methotrexate", "Methotrexate", "An immunosuppressant, usually taken once a week.", "mg", "once_weekly"),
    ("azathioprine", "Azathioprine", "An immunosuppressant.", "mg", "once_daily"),
    ("mycophenolate", "Mycophenolate (CellCept, Myfortic)", "An immunosuppressant often used for kidney involvement.", "mg", "twice_daily"),
    ("cyclophosphamide", "Cyclophosphamide", "A strong immunosuppressant given for severe organ involvement.", "mg", "every_4_weeks"),
    ("tacrolimus", "Tacrolimus", "A calcineurin inhibitor, used for lupus nephritis.", "mg", "twice_daily"),
    ("voclosporin", "Voclosporin (Lupkynis)", "A calcineurin inhibitor for lupus nephritis.", "mg", "twice_daily"),
    ("belimumab", "Belimumab (Benlysta)", "A biologic that lowers B-cell activity.", "mg", "once_weekly"),
    ("anifrolumab", "Anifrolumab (Saphnelo)", "A biologic that blocks type I interferon.", "mg", "every_4_weeks"),
    ("rituximab", "Rituximab", "A biologic that removes B cells, given as a drip.", "mg", "every_6_months"),
    ("obinutuzumab", "Obinutuzumab (Gazyva)", "A biologic that removes B cells, for lupus nephritis.", "mg", "every_6_months"),
]

LAB_TESTS = [
    ("anti-dsdna", "Anti-dsDNA", "Antibodies that often rise when lupus is active.", "IU/mL", False),
    ("anti-sm", "Anti-Smith (anti-Sm)", "An antibody found almost only in lupus.", "U/mL", False),
    ("c3", "C3 complement", "A blood protein that often falls when lupus is active.", "g/L", False),
    ("c4", "C4 complement", "A blood protein that often falls when lupus is active.", "g/L", False),
    ("upcr", "Urine protein/creatinine ratio (UPCR)", "Protein leaking into the urine; a kidney check.", "mg/mmol", False),
    ("urine-protein-24h", "24-hour urine protein",
     "Protein collected in the urine over a whole day; a kidney check.", "g/day", False),
    ("egfr", "eGFR", "How well the kidneys filter.", "mL/min/1.73m²", False),
    ("creatinine", "Creatinine", "A waste product the kidneys clear.", "µmol/L", False),
    ("crcl", "Creatinine clearance", "How well the kidneys clear creatinine, often from a 24-hour urine test.",
     "mL/min", False),
    ("esr", "ESR", "A general marker of inflammation.", "mm/h", False),
    ("crp", "CRP", "A general marker of inflammation or infection.", "mg/L", False),
    ("haemoglobin", "Haemoglobin", "Red blood cells' oxygen carrier; low means anaemia.", "g/L", False),
    ("white-cells", "White cells", "Infection-fighting cells.", "×10⁹/L", False),
    ("neutrophils", "Neutrophils", "The white cells that fight bacteria; low is called neutropenia.",
     "×10⁹/L", False),
    ("lymphocytes", "Lymphocytes", "White cells of the immune system; low is called lymphopenia.",
     "×10⁹/L", False),
    ("platelets", "Platelets", "Cells that help blood clot.", "×10⁹/L", False),
    ("alt", "ALT (liver enzyme)", "A liver test; high can mean the liver is irritated, for example by a medicine.",
     "U/L", False),
    ("ast", "AST (liver enzyme)", "Another liver test, usually checked with ALT.", "U/L", False),
    ("ana", "ANA titre", "Antinuclear antibodies, written like 1:320.", "", True),
]

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


def _upsert(model, rows: list[dict]) -> int:
    existing = {row.slug: row for row in db.session.scalars(
        select(model).where(model.slug.in_([r["slug"] for r in rows])))}
    added = 0
    for values in rows:
        row = existing.get(values["slug"])
        if row is None:
            db.session.add(model(**values))
            added += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
    db.session.commit()
    return added


@loader("symptom catalogue")
def load_symptoms() -> int:
    """Add or refresh the lupus symptom catalogue."""
    return _upsert(Symptom, [dict(slug=slug, name=name, explanation=why, sort_order=i)
                             for i, (slug, name, why) in enumerate(SYMPTOMS)])


@loader("medication catalogue")
def load_medications() -> int:
    """Add or refresh the lupus medication catalogue."""
    return _upsert(Medication, [dict(slug=slug, name=name, explanation=why, default_unit=unit,
                                     default_frequency=freq, sort_order=i)
                                for i, (slug, name, why, unit, freq) in enumerate(MEDICATIONS)])


@loader("lab catalogue")
def load_lab_tests() -> int:
    """Add or refresh the lab test catalogue."""
    return _upsert(LabTest, [dict(slug=slug, name=name, explanation=why, unit=unit, is_titre=titre,
                                  sort_order=i)
                             for i, (slug, name, why, unit, titre) in enumerate(LAB_TESTS)])


def load_catalogues() -> None:
    """All three catalogues (tests and the demo call this)."""
    load_symptoms()
    load_medications()
    load_lab_tests()
