"""Lab units as registries and members write them, and conversions between units of one quantity.

Each test has a base unit; a value in any unit known for that test converts to it. Two
units of different quantities (anti-dsDNA in IU/mL and in U/mL come from different assays)
never convert: the matcher then says it cannot compare.
"""

from __future__ import annotations

import re

# Per test: base unit, then {unit: factor to multiply a value in that unit by to get the base unit}.
COUNTS = {"×10⁹/l": 1.0, "×10³/µl": 1.0, "/mm³": 0.001, "/µl": 0.001}
CONVERSIONS: dict[str, dict[str, float]] = {
    "creatinine": {"µmol/l": 1.0, "mg/dl": 88.42},
    "egfr": {"ml/min/1.73m²": 1.0, "ml/min": 1.0},
    "crcl": {"ml/min": 1.0, "ml/min/1.73m²": 1.0},
    "upcr": {"mg/mg": 1.0, "g/g": 1.0, "mg/g": 0.001, "mg/mmol": 1 / 113.12, "g/mmol": 1000 / 113.12},
    "urine-protein-24h": {"g/day": 1.0, "mg/day": 0.001},
    "haemoglobin": {"g/l": 1.0, "g/dl": 10.0, "mmol/l": 16.11},
    "platelets": COUNTS, "neutrophils": COUNTS, "lymphocytes": COUNTS, "white-cells": COUNTS,
    "c3": {"g/l": 1.0, "mg/dl": 0.01}, "c4": {"g/l": 1.0, "mg/dl": 0.01},
    "anti-dsdna": {"iu/ml": 1.0}, "anti-sm": {"u/ml": 1.0},
    "alt": {"u/l": 1.0, "iu/l": 1.0}, "ast": {"u/l": 1.0, "iu/l": 1.0},
    "esr": {"mm/h": 1.0}, "crp": {"mg/l": 1.0, "mg/dl": 10.0},
}
_SPELLINGS = [
    (r"[µμu]mol/l|µ㏖/l|umol/l|micromol/l", "µmol/l"),
    (r"ml/min/1[.,]73(?:m2|m²|m\^2|sqm|m)?", "ml/min/1.73m²"),
    (r"(?:[x×*]?10(?:\^|\*|)9|×10⁹|10⁹|g)/l", "×10⁹/l"),
    (r"(?:[x×*]?10(?:\^|\*|)3|×10³|10³|k)/(?:µl|ul|μl|mcl)", "×10³/µl"),
    (r"(?:cells)?/(?:mm3|mm³|mm2|cumm)", "/mm³"),
    (r"/(?:µl|ul|μl|mcl)", "/µl"),
    (r"g/(?:24h(?:ours?|rs?)?|day|d)|gm/day", "g/day"),
    (r"mg/(?:24h(?:ours?|rs?)?|day|d)", "mg/day"),
    (r"iu/ml", "iu/ml"), (r"u/ml", "u/ml"),
]
_SPELLING_PATTERNS = [(re.compile(p), unit) for p, unit in _SPELLINGS]


def normal_unit(unit: str, test: str = "") -> str:
    """One spelling per unit: "umol/L", "μmol/l" → "µmol/l"; "x10^9/L" → "×10⁹/l"."""
    text = "".join((unit or "").lower().split()).replace("per", "/")
    if test not in COUNTS_TESTS and text == "g/l":
        return "g/l"
    for pattern, name in _SPELLING_PATTERNS:
        if pattern.fullmatch(text):
            return name
    return text


COUNTS_TESTS = {"platelets", "neutrophils", "lymphocytes", "white-cells"}


def to_base(test: str, value: float, unit: str) -> float | None:
    """``value`` in ``unit`` expressed in the test's base unit, or None when the unit isn't known for it."""
    factors = CONVERSIONS.get(test)
    if factors is None:
        return None
    factor = factors.get(normal_unit(unit, test))
    return None if factor is None else value * factor


def comparable(test: str, value: float, unit: str, want_unit: str) -> float | None:
    """The member's ``value`` (in ``unit``) in the criterion's ``want_unit``, or None if it can't be compared."""
    have, want = normal_unit(unit, test), normal_unit(want_unit, test)
    if not want or have == want:
        return value
    base = to_base(test, value, have)
    per_want = to_base(test, 1.0, want)
    if base is None or not per_want:
        return None
    return base / per_want
