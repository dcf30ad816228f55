"""What an admin may enter as a criterion: the kinds offered, and each one's values checked and tidied.

Used for hand curation (the curation page and the shipped ``criteria.json``) and for an admin's
correction of what the reader read from a bullet. ``clean_params`` raises ValidationFailed naming the
field, so forms show the message beside it.
"""

from __future__ import annotations

from community.errors import ValidationFailed
from community.trials.drugs import GROUPS
from community.trials.matching import HISTORY_WORDS, LAB_NAMES, LAB_OPERATORS, OPERATORS

CURATED_KINDS = {
    "diagnosis": "Diagnosis (SLE, lupus nephritis, cutaneous)",
    "nephritis_class": "Lupus nephritis biopsy class",
    "prior_therapies": "Earlier treatments that did not work",
    "drug": "A medicine required or excluded",
    "steroid_dose": "A limit on today's steroid dose (prednisone or equivalent)",
    "pregnancy": "Pregnancy or breastfeeding excluded",
    "history": "A condition in the medical history excluded (HIV, hepatitis, cancer…)",
    "lab": "A lab threshold",
    "flares": "Recent flares (patient-reported proxy for disease activity)",
    "clinician": "A measure only a clinician can check (SLEDAI-2K, BILAG…)",
}
# Kinds the shipped criteria may use beyond the form's: "one of several" lists of the kinds above.
SHIPPED_ONLY_KINDS = ("any_of",)
NEPHRITIS_CLASSES = ("I", "II", "III", "IV", "V", "VI")
LAB_TESTS = tuple(LAB_NAMES)


def _whole(params: dict, key: str, low: int, high: int, what: str) -> int:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValidationFailed(f"Please enter {what} as a whole number.", field=key)
    if not low <= value <= high:
        raise ValidationFailed(f"Please enter {what} between {low} and {high}.", field=key)
    return int(value)


def _drugs(params: dict, key: str = "drugs", *, required: bool) -> list[str]:
    raw = params.get(key) or []
    if isinstance(raw, str):
        raw = raw.split(",")
    drugs = []
    for item in raw:
        name = " ".join(str(item).lower().split())
        if not name:
            continue
        if len(name) < 3 or len(name) > 60:
            raise ValidationFailed("Each medicine name should be 3 to 60 characters.", field=key)
        if name not in drugs:
            drugs.append(name)
    if len(drugs) > 20:
        raise ValidationFailed("Please list at most 20 medicines.", field=key)
    if required and not drugs:
        raise ValidationFailed("Please name at least one medicine.", field=key)
    return drugs


def _number(params: dict, key: str, low: float, high: float, message: str) -> float:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValidationFailed(message, field=key)
    return float(value)


def clean_params(kind: str, params: dict, *, shipped: bool = False) -> dict:
    """Check a criterion's values and return them tidy; ValidationFailed names the field."""
    if kind not in CURATED_KINDS and not (shipped and kind in SHIPPED_ONLY_KINDS):
        raise ValidationFailed("Please choose a kind of criterion.", field="kind")
    p = params
    if kind == "any_of":
        children = p.get("criteria") or []
        if not isinstance(children, list) or len(children) < 2:
            raise ValidationFailed("A list of options needs at least two.", field="criteria")
        return {"criteria": [{"kind": c.get("kind"), "params": clean_params(c.get("kind"), c.get("params") or {})}
                             for c in children]}
    if kind == "diagnosis":
        diagnoses = [d for d in p.get("diagnoses") or [] if d in ("sle", "nephritis", "cutaneous")]
        if not diagnoses or len(diagnoses) != len(p.get("diagnoses") or []):
            raise ValidationFailed("Please tick at least one diagnosis.", field="diagnoses")
        return {"diagnoses": diagnoses}
    if kind == "nephritis_class":
        classes = [c for c in NEPHRITIS_CLASSES if c in (p.get("classes") or [])]
        if not classes or len(classes) != len(set(p.get("classes") or [])):
            raise ValidationFailed("Please tick at least one class.", field="classes")
        return {"classes": classes}
    if kind == "prior_therapies":
        return {"min_count": _whole(p, "min_count", 1, 10, "the number of treatments"),
                "min_months": _whole(p, "min_months", 0, 60, "the months each was taken") if
                p.get("min_months") is not None else 0,
                "drugs": _drugs(p, required=False)}
    if kind == "drug":
        if p.get("mode") not in ("required", "excluded"):
            raise ValidationFailed("Please choose required or excluded.", field="mode")
        group = p.get("group") or ""
        if group and group not in GROUPS:
            raise ValidationFailed("Please choose a known class of medicines.", field="group")
        clean = {"mode": p["mode"], "drugs": _drugs(p, required=not group),
                 "months": _whole(p, "months", 0, 120, "the months")}
        if group:
            clean["group"] = group
        if p.get("ever"):
            clean["ever"] = True
        return clean
    if kind == "steroid_dose":
        if p.get("op") not in OPERATORS:
            raise ValidationFailed("Please choose a comparison.", field="op")
        return {"op": p["op"], "mg": _number(p, "value" if "mg" not in p else "mg", 0, 2000,
                                             "Please enter milligrams a day between 0 and 2000.")}
    if kind == "pregnancy":
        clean = {}
        if p.get("planning"):
            clean["planning"] = True
        return clean
    if kind == "history":
        if p.get("condition") not in HISTORY_WORDS:
            raise ValidationFailed("Please choose a condition.", field="condition")
        clean = {"condition": p["condition"], "mode": "excluded"}
        if p.get("within_years") not in (None, "", 0):
            clean["within_years"] = _whole(p, "within_years", 1, 50, "the years")
        if p.get("qualified"):
            clean["qualified"] = True
        return clean
    if kind == "lab":
        if p.get("test") not in LAB_TESTS:
            raise ValidationFailed("Please choose a lab test.", field="test")
        if p.get("op") not in LAB_OPERATORS:
            raise ValidationFailed("Please choose a comparison.", field="op")
        value = 0.0 if p["op"] in ("above_normal", "below_normal", "positive") else \
            _number(p, "value", 0, 100000, "Please enter a threshold between 0 and 100000.")
        unit = " ".join(str(p.get("unit") or "").split())
        if len(unit) > 20:
            raise ValidationFailed("Please keep the unit under 20 characters.", field="unit")
        return {"test": p["test"], "op": p["op"], "value": float(value), "unit": unit}
    if kind == "flares":
        return {"min_count": _whole(p, "min_count", 1, 50, "the number of flares"),
                "months": _whole(p, "months", 1, 60, "the months")}
    text = " ".join(str(p.get("text") or "").split())
    if not 3 <= len(text) <= 300:
        raise ValidationFailed("Please describe the measure in 3 to 300 characters.", field="text")
    return {"text": text}
