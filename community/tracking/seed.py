"""The tracker's reference data: the symptom, medication and lab catalogues.

Loaded by `flask seed` (the factory names each loader) and idempotent: rows are
added by slug, existing ones are brought up to date.
"""

from __future__ import annotations

from sqlalchemy import select

from community.db import db
from community.models import LabTest, Medication, Symptom

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


def load_symptoms() -> int:
    """Add or refresh the lupus symptom catalogue."""
    return _upsert(Symptom, [dict(slug=slug, name=name, explanation=why, sort_order=i)
                             for i, (slug, name, why) in enumerate(SYMPTOMS)])


def load_medications() -> int:
    """Add or refresh the lupus medication catalogue."""
    return _upsert(Medication, [dict(slug=slug, name=name, explanation=why, default_unit=unit,
                                     default_frequency=freq, sort_order=i)
                                for i, (slug, name, why, unit, freq) in enumerate(MEDICATIONS)])


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
