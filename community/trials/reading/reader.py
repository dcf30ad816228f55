"""Reading one eligibility bullet into structured criteria the matcher evaluates.

Rule-based and local: regular expressions over the registry's own words, no network and no
model. ``docs/trial-reader.md`` is the specification. The rules lean one way on purpose:
a reading that could turn an exclusion into "met" for the wrong member is worse than no
reading, so whatever is qualified, conditional or offered as an alternative is read into
criteria that can only come out *unknown*, or not read at all (the study team checks it).

Exclusion bullets are read as the requirement they impose ("creatinine > 2.5 mg/dL" on the
exclusion side is the criterion "creatinine at most 2.5 mg/dL").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from community.trials import drugs as drug_vocabulary

# Bump when the reader reads differently: admins can re-read studies read by an older one.
READER_VERSION = 1

NEGATED_OP = {">=": "<", ">": "<=", "<=": ">", "<": ">="}
CLINICIAN_TOPICS = ("disease_activity", "kidney_activity", "serology", "infection", "vaccination", "allergy",
                    "organ_function", "other_condition", "other_test", "other_treatment")
PROCEDURE_TOPICS = ("consent", "contraception", "language", "participation", "residence")
TOPIC_WORDS = {
    "disease_activity": "How active your lupus is, as the study team measures it",
    "kidney_activity": "Kidney findings (biopsy, urine tests, kidney activity) your doctor can check",
    "serology": "Antibody and blood tests your doctor can check",
    "infection": "Infections, now or in the past",
    "vaccination": "Recent vaccinations",
    "allergy": "Allergies or reactions to medicines",
    "organ_function": "How your organs are working (heart, lungs, liver, blood)",
    "other_condition": "Other health conditions",
    "other_test": "A test or measurement the study team does",
    "other_treatment": "Other treatments, including other studies' medicines",
    "consent": "Agreeing to take part (informed consent)",
    "contraception": "Contraception during the study",
    "language": "Language and reading",
    "participation": "Being able to take part (visits, follow-up, the investigator's judgement)",
    "residence": "Where you live or are registered",
}


@dataclass(frozen=True)
class Reading:
    """What came of one bullet: criteria that must all hold, and what else it is about."""

    criteria: list[dict] = field(default_factory=list)
    topic: str = ""


# -- shared pieces ----------------------------------------------------------------------------
NUM = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)"
_OP_WORDS = [
    (r"greater than or equal to|more than or equal to|equal (?:to )?or (?:greater|more) than|> or =|at least|"
     r"no less than|not less than|of at least|minimum of|a minimum of|≥|⩾|≧|≄|>=|=>|\u2265", ">="),
    (r"less than or equal to|equal (?:to )?or less than|< or =|no more than|not more than|not exceeding|"
     r"maximum(?: of)?|up to|at most|≤|⩽|≦|<=|=<|\u2264", "<="),
    (r"greater than|more than|higher than|above|over|exceeding|in excess of|>", ">"),
    (r"less than|lower than|below|under|<", "<"),
]
OP = "(" + "|".join(words for words, _ in _OP_WORDS) + ")"
_OP_LOOKUP = [(re.compile(words, re.I), op) for words, op in _OP_WORDS]


def op_of(words: str) -> str:
    """The comparison a comparator phrase states."""
    for pattern, op in _OP_LOOKUP:
        if pattern.fullmatch(words.strip()):
            return op
    return ""


def number(text: str) -> float:
    return float(text.replace(",", ""))


def _window(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


# Time windows, rounded so an exclusion never reaches further back than the text says.
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 364}
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12, "a": 1, "an": 1}
DURATION = r"(\d+|one|two|three|four|five|six|twelve)\s*-?\s*(days?|weeks?|wks?|months?|mos?|m\b|years?|yrs?|y\b)"
WINDOW = _window(r"(?:within|in|during|over)\s+(?:the\s+)?(?:past|last|previous|preceding|prior|recent)?\s*"
                 + DURATION + r"|" + DURATION + r"\s+(?:prior|before|preceding)")
YEAR_WINDOW = _window(r"(?:in|within|during)\s+the\s+(?:past|last|previous|preceding)\s+year|"
                      r"(?:past|previous|preceding|last)\s+year")


def _days(amount: str, unit: str) -> int:
    n = WORD_NUMBERS.get(amount.lower()) or int(amount)
    unit = unit.lower()
    key = "day" if unit.startswith("d") else "week" if unit.startswith("w") else \
        "year" if unit.startswith("y") else "month"
    days = n * UNIT_DAYS[key]
    if key == "month" and n % 12 == 0:
        days = n // 12 * 364
    elif key == "month":
        days = n * 30 if n < 3 else {3: 90, 6: 180}.get(n, n * 30)
    elif key == "week" and n == 52:
        days = 364
    return days


def window_days(text: str) -> int | None:
    """The look-back a bullet states ("within 3 months" → 90), or None."""
    match = WINDOW.search(text)
    if match:
        amount, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        return _days(amount, unit)
    if YEAR_WINDOW.search(text):
        return 364
    return None


def before_exception(text: str) -> str:
    """The text before "except…", whose items are never what the bullet excludes or requires."""
    return re.split(r"\bexcept\b|\bexcluding\b|\bwith the exception of\b|\bexception\b", text, maxsplit=1,
                    flags=re.I)[0]


NEGATION = re.compile(r"\b(?:no|not|never|without|none|absence of|free of|non-)\b(?![- ](?:more|less)\b)", re.I)


def negated_before(text: str, start: int, span: int = 40) -> bool:
    """Whether a negation stands shortly before position ``start`` in the same clause."""
    window = re.split(r"[;,.]|\band\b|\bor\b", text[max(0, start - span):start])[-1]
    return bool(NEGATION.search(window))


# -- ages ------------------------------------------------------------------------------------------
AGE_CONTEXT = re.compile(r"\bage[ds]?\b|years?\s*(?:of\s+age|old)|\byears?\s+(?:or|and)\s+(?:older|over|above)|"
                         r"(?:subjects|patients|participants)\s*[<>≥≤]", re.I)
NOT_AN_AGE = re.compile(r"gestational|by age|age[- ]matched|age and sex|caregiver|guardian|duration|diagnos\w* "
                        r"(?:at|before|by)|onset|weeks? of pregnancy|child-?bearing", re.I)
AGE_RANGE = re.compile(r"(?:aged?|ages?|between)[^\d;]{0,25}?(\d{1,2})\s*(?:-|–|to|and|through)\s*(\d{1,3})\s*"
                       r"(?:years?|yrs?|y\b)?|(\d{1,2})\s*(?:-|–|to)\s*(\d{1,3})\s*years?\s*(?:of\s+age|old)", re.I)
AGE_COMPARE = re.compile(r"(?:aged?\b|ages?\b|subjects|patients|adults?|must be|be)\s*:?\s*(?:of\s+)?(?:the\s+patient\s+)?"
                         + OP + r"\s*(\d{1,3})\s*(?:years?|yrs?|y\b)?|" + OP + r"\s*(\d{1,3})\s*(?:years?|yrs?|y\b)"
                         r"(?:\s*(?:of\s+age|old))?", re.I)
AGE_OR_OLDER = re.compile(r"(\d{1,2})\s*(?:years?|yrs?)?\s*(?:of\s+age\s+)?(?:or|and)\s+(?:older|over|above|more)"
                          r"(?!\s+the\s+age)", re.I)
AGE_WORDS = re.compile(r"(under|younger than|below|over|older than)\s+(?:the\s+)?(?:age\s+of\s+)?(\d{1,2})", re.I)


def read_age(side: str, text: str) -> list[dict]:
    """Age limits stated in the text ("aged 18–65", "≥ 18 years of age", exclusion "under 18")."""
    if not AGE_CONTEXT.search(text) or NOT_AN_AGE.search(text):
        return []
    text = before_exception(text)
    limits: list[tuple[str, float]] = []
    for m in AGE_RANGE.finditer(text):
        lo, hi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if int(lo) < int(hi) <= 130:
            limits += [(">=", float(lo)), ("<=", float(hi))]
    if not limits:
        for m in AGE_COMPARE.finditer(text):
            words, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            limits.append((op_of(words), float(value)))
        for m in AGE_OR_OLDER.finditer(text):
            limits.append((">=", float(m.group(1))))
        for m in AGE_WORDS.finditer(text):
            word = m.group(1).lower()
            limits.append(("<" if word in ("under", "younger than", "below") else ">", float(m.group(2))))
    if not limits or any(not op or value > 130 for op, value in limits):
        return []
    lo = hi = None
    for op, value in limits:
        if side == "exclusion":
            op = NEGATED_OP[op]
        if op in (">=", ">"):
            # "> 18" and ">= 18" both read as adults from 18 in registries; an exclusion "<= 17" allows 18.
            value = value + 1 if op == ">" and side == "exclusion" else value
            lo = value if lo is None else max(lo, value)
        else:
            value = value - 1 if op == "<" and side == "exclusion" else value
            hi = value if hi is None else min(hi, value)
    if lo is not None and hi is not None and lo > hi:
        return []
    params = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
    return [{"kind": "age", "params": params}]


# -- diagnosis, classification, duration, nephritis class ----------------------------------------
SLE = re.compile(r"systemic lupus erythematos[ui]s|\bc?SLE\b|\blupus\b(?! nephrit)", re.I)
NEPHRITIS = re.compile(r"lupus nephrit\w*|\bLN\b|lupus (?:glomerulo)?nephrit\w*|lupus GN|proliferative "
                       r"(?:lupus )?(?:glomerulo)?nephrit\w*|nephrit\w*", re.I)
CUTANEOUS = re.compile(r"(?:subacute\s+|chronic\s+)?(?:cutaneous|discoid)\s+lupus(?:\s+erythematosus)?|"
                       r"lupus erythematosus tumidus|\bc?CLE\b|\bS?CLE\b|\bC?DLE\b|\bdLE\b|\bscLE\b|discoid|"
                       r"\bLET\b", re.I)
DIAGNOSIS_CUE = re.compile(r"diagnos|fulfil|meet|satisf|classif|criteria|confirmed|proven|documented|"
                           r"patients? with|subjects? with|participants? with|women with|^(?:active\s+)?(?:SLE|"
                           r"lupus|systemic|proliferative)|have (?:a |an )?(?:clinical )?(?:SLE|lupus|systemic)|"
                           r"presence of systemic", re.I)
DIAGNOSIS_DOUBT = re.compile(r"may be enrolled|with or without|other than|\bnot\b|\bno\b|induced|excluding|"
                             r"overlap|if\b|mother|fetus|fetal|control|healthy", re.I)
PLAIN_SLE_EXCLUSION = re.compile(r"^(?:patients|subjects|participants)?\s*(?:with|who have)?\s*(?:a\s+diagnosis\s+of\s+)?"
                                 r"(?:systemic lupus erythematosus|SLE)(?:\s*\(SLE\))?\s*[.;]?$", re.I)
CLASSIFICATION = re.compile(r"\bACR\b|American College of Rheumatology|\bARA\b|SLICC|Systemic Lupus International|"
                            r"EULAR|European (?:League|Alliance)|4 of (?:the )?11", re.I)
CRITERIA_WORD = re.compile(r"criteri|classif|4 of|defined by", re.I)
DURATION_CUE = re.compile(r"(?:diagnos\w*|SLE|classification criteria for SLE)[^;]{0,80}?(?:for|at least|>=|≥|>|"
                          r"more than|minimum of|a minimum of|made at least)\s*(?:a minimum of\s*|at least\s*)?"
                          r"(\d+)\s*(weeks?|months?|years?)\s*(?:prior|before|\(|$|\.|,|;)", re.I)
ROMAN = ("I", "II", "III", "IV", "V", "VI")
CLASS_START = re.compile(r"\b(?:ISN/RPS|WHO|class(?:es)?|type|grade)\b|≥\s*class|>=\s*class", re.I)
CLASS_TOKEN = re.compile(r"\b(VI|IV|V|III|II|I)\b(?:\s*-\s*[SG]\b)?|(\+/-|±|with or without|\+)|(-|–|to)|"
                         r"(or (?:higher|above|greater))", re.I)
NEPHRITIS_DOUBT = re.compile(r"active|severe|requiring|current|induction|rapidly|progressive|within|if\b", re.I)


def read_diagnosis(side: str, text: str, alternatives: bool) -> list[dict]:
    """SLE, lupus nephritis or cutaneous lupus as the bullet requires (or, narrowly, excludes)."""
    if side == "exclusion":
        if PLAIN_SLE_EXCLUSION.match(text.strip()):
            return [{"kind": "diagnosis", "params": {"diagnoses": ["sle"], "exclude": True}}]
        return []
    if alternatives or not DIAGNOSIS_CUE.search(text) or DIAGNOSIS_DOUBT.search(before_exception(text)):
        return []
    head = before_exception(text)
    found = []
    systemic = SLE.search(CUTANEOUS.sub(" ", head))  # "cutaneous lupus erythematosus" is not systemic lupus
    if NEPHRITIS.search(head):
        found.append("nephritis")
    elif systemic:
        found.append("sle")
    if CUTANEOUS.search(head) and not found:
        found.append("cutaneous")
    if re.search(r"\bdiagnosis of lupus\b(?!\s+nephrit)|^diagnosed with lupus\b(?!\s+nephrit)|\blupus\s*\(systemic lupus erythematosus or "
                 r"cutaneous", head, re.I):
        found = ["sle", "nephritis", "cutaneous"]  # "lupus" alone: any kind
    return [{"kind": "diagnosis", "params": {"diagnoses": found}}] if found else []


def read_classification(side: str, text: str) -> list[dict]:
    """Classification criteria a doctor applies (ACR 1997, SLICC 2012, EULAR/ACR 2019)."""
    if side == "exclusion" or not CLASSIFICATION.search(text) or not CRITERIA_WORD.search(text):
        return []
    if re.search(r"cognitive|battery|nephritis definition", text, re.I) and not re.search(r"SLE|lupus", text):
        return []
    systems = []
    if re.search(r"ACR|American College|ARA\b|4 of (?:the )?11", text) and not re.search(
            r"2019|EULAR|European", text) or re.search(r"\b(?:ACR|ARA)\b[^;]{0,20}(?:1982|1997)|(?:1982|1997)[^;]{0,20}\b(?:ACR|ARA)\b|revised|4 of",
                   text, re.I):
        systems.append("ACR 1997")
    if re.search(r"SLICC|Systemic Lupus International", text, re.I):
        systems.append("SLICC 2012")
    if re.search(r"2019|EULAR|European", text):
        systems.append("EULAR/ACR 2019")
    return [{"kind": "classification", "params": {"systems": systems}}] if systems else []


def read_duration(side: str, text: str) -> list[dict]:
    """How long ago the diagnosis must have been made ("diagnosed ≥ 6 months before screening")."""
    if side == "exclusion" or re.search(r"\bwithin\b|=<|≤|new diagnosis", text, re.I):
        return []
    match = DURATION_CUE.search(text)
    if not match:
        return []
    return [{"kind": "diagnosis_duration", "params": {"min_days": _days(match.group(1), match.group(2))}}]


def nephritis_classes(text: str) -> list[str]:
    """The biopsy classes a bullet names on their own (not only in combination: "III/IV ± V" is III and IV)."""
    text = before_exception(text)
    start = CLASS_START.search(text)
    if not start:
        return []
    segment = text[start.start():start.start() + 160]
    if re.match(r"≥|>=", segment) or re.search(r"class\s+III\s+or\s+(?:higher|above|greater)", segment, re.I):
        first = re.search(r"\b(VI|IV|V|III|II|I)\b", segment)
        return list(ROMAN[ROMAN.index(first.group(1).upper()):]) if first else []
    found: list[str] = []
    combining = ranging = added = False
    last = ""
    for m in CLASS_TOKEN.finditer(segment):
        numeral, combine, dash, higher = m.groups()
        if numeral:
            numeral = numeral.upper()
            added = False
            if ranging and last:
                found += [c for c in ROMAN[ROMAN.index(last):ROMAN.index(numeral) + 1] if c not in found]
            elif not combining and numeral not in found:
                found.append(numeral)
                added = True
            last, combining, ranging = numeral, False, False
        elif combine:
            if combine == "+" and added and found and found[-1] == last:
                found.pop()  # "V+III": V only in combination
            combining = True
        elif dash:
            ranging = dash.lower() != "to" or bool(last)
        elif higher and last:
            found += [c for c in ROMAN[ROMAN.index(last) + 1:] if c not in found]
    return [c for c in ROMAN if c in found]


def read_nephritis_class(side: str, text: str, alternatives: bool) -> list[dict]:
    """Biopsy classes required (or, when plainly stated, excluded)."""
    if not re.search(r"nephritis|\bLN\b|\bGN\b|glomerulonephritis|biopsy", text, re.I) or alternatives:
        return []
    classes = nephritis_classes(text)
    if not classes:
        return []
    if side == "exclusion":
        if NEPHRITIS_DOUBT.search(text):
            return []
        return [{"kind": "nephritis_class", "params": {"classes": classes, "exclude": True}}]
    if re.search(r"\bif\b|or\s+(?:nephritic|nephrotic)", text, re.I):
        return []
    return [{"kind": "nephritis_class", "params": {"classes": classes}}]


# -- labs ------------------------------------------------------------------------------------------
UNITS = [
    (r"mg\s*/\s*dl", "mg/dL"), (r"[µμu]\s*(?:mol|㏖)\s*/\s*l", "µmol/L"), (r"µ㏖/l", "µmol/L"),
    (r"ml\s*/\s*min\s*(?:/|per)\s*1[.,]73\s*(?:m2|m²|m\^2|sqm|m 2|square met(?:er|re)s?)", "mL/min/1.73m²"),
    (r"ml\s*/\s*min", "mL/min"), (r"ml\b", "mL/min"),
    (r"milligrams?\s+per\s+milligram|mg\s*/\s*mg", "mg/mg"), (r"g\s*/\s*g\b", "g/g"), (r"mg\s*/\s*g\b", "mg/g"),
    (r"mg\s*/\s*mmol", "mg/mmol"),
    (r"(?:g|gm|gram)s?\s*(?:/|per)\s*(?:24\s*-?\s*h(?:ou)?rs?|day|d\b|24h)|g\s*/\s*24\s*h|g/d\b", "g/day"),
    (r"mg\s*(?:/|per)\s*(?:24\s*-?\s*h(?:ou)?rs?|day|d\b|24h)", "mg/day"),
    (r"g\s*/\s*dl", "g/dL"), (r"g\s*/\s*l\b", "g/L"),
    (r"(?:[x×*]\s*)?10\s*(?:\^|\*|)\s*9\s*/\s*l|×\s*10⁹\s*/\s*l|10⁹/l|g/l", "×10⁹/L"),
    (r"(?:cells\s*)?/\s*(?:mm3|mm³|mm2|µl|ul|μl|mcl)", "/mm³"),
    (r"iu\s*/\s*ml", "IU/mL"), (r"u\s*/\s*ml", "U/mL"), (r"u\s*/\s*l", "U/L"),
]
UNIT = "(" + "|".join(u for u, _ in UNITS) + ")"
_UNIT_LOOKUP = [(re.compile(u, re.I), name) for u, name in UNITS]
ULN = r"\s*(?:[x×*]|times)?\s*(?:the\s+)?(?:ULN|upper limit(?:s)? of (?:the )?normal(?: range)?|normal value|the normal)"


def unit_of(text: str | None) -> str:
    if not text:
        return ""
    for pattern, name in _UNIT_LOOKUP:
        if pattern.fullmatch(text.strip()):
            return name
    return ""


LAB_NAMES = {
    "upcr": r"UPCR|UPCr|uP/C(?:\s*ratio)?|u?PCR\b|urin\w*\s+protein\s*(?:[-:/]|to|\s)*\s*creatinine\s*ratio|"
            r"protein\s*/\s*creatinine(?:\s*ratio)?|urine protein-to-creatinine ratio",
    "crcl": r"creatinine clearance",
    "urine-protein-24h": r"(?:24[- ]?h(?:ou)?r?s?\s+)?(?:urin\w*\s+)?protein(?:uria)?(?:\s+quantitation)?",
    "egfr": r"e?GFR(?:\s*\([^)]{0,40}\))?|estimated glomerular filtration rate(?:\s*\(eGFR\))?|"
            r"glomerular filtration rate",
    "creatinine": r"(?:serum\s+)?creatinine|\bS-?Cr\b|\bSCr\b|\bScr\b",
    "haemoglobin": r"ha?emoglobin|\bHb\b|\bHgb\b",
    "platelets": r"platelet(?:s|\s+count)?",
    "neutrophils": r"(?:absolute\s+)?neutrophils?(?:\s+count)?|\bANC\b",
    "lymphocytes": r"lymphocytes?(?:\s+count)?",
    "white-cells": r"\bWBC(?:\s+count)?|white blood cells?(?:\s+count)?|leu[ck]ocytes?(?:\s+count)?",
    "anti-dsdna": r"anti[- ]?ds[- ]?DNA(?:\s+antibod(?:y|ies))?|anti[- ]double[- ]stranded\s+(?:\(?anti-dsDNA\)?\s+)?"
                  r"(?:deoxyribonucleic acid|DNA)(?:\s*\((?:anti-)?dsDNA\))?(?:\s+antibod(?:y|ies))?|\bdsDNA\b|"
                  r"anti[- ]?DNA",
}
LAB_PATTERNS = {test: re.compile(r"(?<![\w-])(?:" + names + r")[^.;\d<>≥≤=]{0,90}?" + OP + r"\s*" + NUM
                                 + r"\s*" + UNIT + "?", re.I) for test, names in LAB_NAMES.items()}
LAB_RANGES = {test: re.compile(r"(?<![\w-])(?:" + names + r")[^.;\d<>≥≤=]{0,30}?\b" + NUM + r"\s*(?:-|–|to)\s*"
                               + NUM + r"\s*" + UNIT, re.I) for test, names in LAB_NAMES.items()}
CHANGE = re.compile(r"(?:rise|increase|decrease|change|doubling|reduction|decline|improvement|fall)\w*\s+"
                    r"(?:\w+\s+){0,3}$|\bby\s*$|±|%|baseline", re.I)
LIVER = re.compile(r"(?<![\w-])(ALT|AST|alanine aminotransferase|aspartate aminotransferase|transaminases?|"
                   r"liver function(?: tests?| levels?)?|liver enzymes)(?:\s+and\s+(ALT|AST))?[^.;\d<>≥≤]{0,25}?"
                   + OP + r"?\s*(\d+(?:\.\d+)?|twice|two|three|four|five)\s*(?:times|[x×*])?" + ULN, re.I)
ANA = re.compile(r"(?<![\w-])(?:ANA|anti-?nuclear antibod(?:y|ies))[^.;]{0,60}?" + OP + r"?\s*1\s*:\s*(\d+)", re.I)
POSITIVE = {
    "ana": re.compile(r"(?:positive|seropositive for|elevated)\s+(?:for\s+)?(?:an?\s+)?(?:ANA|anti-?nuclear antibod)|"
                      r"\bANA\b[^.;,]{0,20}(?:positive|result)|anti-?nuclear antibod(?:y|ies)\s*\(ANA\)\s*(?:test\s*)?"
                      r"(?:positive|result)|\bANA\)?\s*(?:test\s+)?positive", re.I),
    "anti-dsdna": re.compile(r"(?:positive|elevated|seropositive for|abnormal)\s+(?:anti[- ]?)?(?:double[- ]stranded|"
                             r"\(?anti-?dsDNA\)?|ds[- ]?DNA)|(?:anti[- ]?)?ds[- ]?DNA(?:\s+antibod\w+)?\s*"
                             r"(?:positive|>\s*upper limit|above (?:the )?(?:upper limit|normal))", re.I),
    "anti-sm": re.compile(r"anti[- ]?(?:Sm\b|Smith)", re.I),
}
COMPLEMENT_LOW = re.compile(r"(?:low|reduced|decreased)\s+(?:complement\s+)?(C3|C4)|hypocomplement|"
                            r"(C3|C4)\s+(?:level\s+)?below", re.I)
OTHER_ANTIBODY = re.compile(r"anti-?histone|anti-?chromatin|anti-?Ro\b|anti-?La\b|antiphospholipid antibod|"
                            r"autoantibod|serolog|interferon", re.I)


def _lab(test: str, op: str, value: float, unit: str) -> dict:
    return {"kind": "lab", "params": {"test": test, "op": op, "value": value, "unit": unit}}


def _default_unit(test: str, value: float, unit: str) -> str:
    """Units registries leave out, where the number says which (a UPCR of 1 is mg/mg, not mg/mmol)."""
    if unit:
        return unit
    if test == "upcr" and value <= 20:
        return "mg/mg"
    if test == "egfr":
        return "mL/min/1.73m²"
    return ""


def read_labs(side: str, text: str, alternatives: bool, consumed: list[tuple[int, int]]) -> list[dict]:
    """Lab thresholds with their units; exclusions read as the limit they impose."""
    if alternatives or re.search(r"\bif\b|\bdefined as\b(?!.*\b(?:≥|>=|≤|<=)\b)", text, re.I) and side == "inclusion":
        return []
    out: list[dict] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in taken)

    for test in ("upcr", "crcl", "egfr", "urine-protein-24h", "creatinine", "haemoglobin", "platelets",
                 "neutrophils", "lymphocytes", "white-cells", "anti-dsdna"):
        for m in LAB_RANGES[test].finditer(text):
            if not free(m) or CHANGE.search(text[max(0, m.start() - 40):m.start()]):
                continue
            unit = unit_of(m.group(3)) or _default_unit(test, number(m.group(1)), "")
            if test == "urine-protein-24h" and unit not in ("g/day", "mg/day"):
                continue
            lo, hi = number(m.group(1)), number(m.group(2))
            if lo < hi:
                taken.append(m.span())
                if side == "inclusion":
                    out += [_lab(test, ">=", lo, unit), _lab(test, "<=", hi, unit)]
        for m in LAB_PATTERNS[test].finditer(text):
            if not free(m) or CHANGE.search(text[max(0, m.start() - 40):m.start()]) or \
                    CHANGE.search(text[m.start():m.end()]):
                continue
            op, value, unit = op_of(m.group(1)), number(m.group(2)), unit_of(m.group(3))
            if test == "urine-protein-24h" and unit not in ("g/day", "mg/day"):
                continue
            if test == "creatinine" and re.search(r"clearance|ratio", m.group(0), re.I):
                continue
            if not op or (m.group(3) and not unit) or re.match(r"\s*(?:/|per)\s*kg", text[m.end():], re.I):
                continue
            if not unit and test not in ("upcr", "egfr", "crcl"):
                continue  # a count or level without its unit can't be compared safely
            taken.append(m.span())
            if side == "exclusion":
                op = NEGATED_OP[op]
            out.append(_lab(test, op, value, _default_unit(test, value, unit)))
    for m in LIVER.finditer(text):
        words = m.group(3)
        op = op_of(words) if words else ">" if side == "exclusion" else "<="
        amount = m.group(4).lower()
        value = float({"twice": 2, "two": 2, "three": 3, "four": 4, "five": 5}.get(amount, amount))
        if not op:
            continue
        if side == "exclusion":
            op = NEGATED_OP[op]
        names = (m.group(1) + " " + (m.group(2) or "")).lower()
        tests = [t for t, word in (("alt", "alt"), ("ast", "ast")) if word in names.split()] or ["alt", "ast"]
        if "alanine" in names:
            tests = ["alt"]
        elif "aspartate" in names:
            tests = ["ast"]
        taken.append(m.span())
        out += [_lab(t, op, value, "xULN") for t in tests]
    consumed.extend(taken)
    return out


ANTIBODY_NAMES = {"ana": re.compile(r"(?<![\w-])(?:ANA|anti-?nuclear antibod(?:y|ies))(?![\w-])", re.I),
                  "anti-dsdna": re.compile(r"(?<![\w])(?:" + LAB_NAMES["anti-dsdna"] + r")", re.I),
                  "anti-sm": re.compile(r"anti[- ]?(?:Sm\b|Smith)", re.I)}
POSITIVE_WORD = re.compile(r"positiv|seropositive|elevated|detectable|abnormal|upper limit|above (?:the )?normal|"
                           r"raised|high\b", re.I)


def read_serology(side: str, text: str, alternatives: bool, consumed: list[tuple[int, int]],
                  already: set[str]) -> list[dict]:
    """Antibody results the member can log (ANA titre, anti-dsDNA, anti-Sm) and low complement; several
    named with "or" or "and/or" are alternatives."""
    if side == "exclusion" or alternatives:
        return []
    head = before_exception(text)
    options: list[dict] = []
    for m in ANA.finditer(head):
        op = op_of(m.group(1)) if m.group(1) else ">="
        if op in (">=", ">"):
            options.append(_lab("ana", op, float(m.group(2)), ""))
            consumed.append(m.span())
    positive = POSITIVE_WORD.search(head) and not negated_before(head, POSITIVE_WORD.search(head).start())
    if positive:
        for test, pattern in ANTIBODY_NAMES.items():
            m = pattern.search(head)
            if m and test not in already and not any(o["params"]["test"] == test for o in options):
                options.append(_lab(test, "positive", 0.0, ""))
                consumed.append(m.span())
    if re.search(r"autoantibody[- ]positive|positive (?:for )?autoantibod|positive serolog", head, re.I):
        options = [_lab("ana", "positive", 0.0, ""), _lab("anti-dsdna", "positive", 0.0, ""),
                   _lab("anti-sm", "positive", 0.0, "")]
    low = []
    for m in COMPLEMENT_LOW.finditer(head):
        which = (m.group(1) or m.group(2) or "").lower()
        low += [_lab(test, "below_normal", 0.0, "") for test in ([which] if which else ["c3", "c4"])]
        consumed.append(m.span())
    if not options:
        return low
    if len(options) == 1 and not OTHER_ANTIBODY.search(head):
        return options + low
    children = options + low if re.search(r"\bor\b", head, re.I) else options
    if OTHER_ANTIBODY.search(head):
        children.append({"kind": "clinician", "params": {"topic": "serology", "text": TOPIC_WORDS["serology"]}})
    rest = [] if children is not options else low
    return [{"kind": "any_of", "params": {"criteria": children}}] + rest


# -- treatments ------------------------------------------------------------------------------------
GROUP_PATTERNS = [
    ("b_cell", r"B[- ]?cell[- –]*(?:targeted|targeting|depleting|depletion|directed)|anti-?CD19|B[- ]cell therap"),
    ("anti_cd20", r"anti-?CD20"),
    ("biologics", r"biologic(?:al)?s?(?:\s+(?:therapy|therapies|agents?|DMARDs?|treatment|medicines))?"),
    ("cytotoxic", r"cytotoxic(?:\s+(?:drugs?|agents?|therapy))?"),
    ("calcineurin_inhibitors", r"calcineurin inhibitors?"),
    ("antimalarials", r"anti-?malarials?"),
    ("immunosuppressants", r"immunosuppressi(?:ve|on)\s+(?:agents?|drugs?|therapy|therapies|medications?|"
                           r"treatment|regimens?)|immunosuppressants?|(?<!biological )(?<!biologic )DMARDs?"),
    ("glucocorticoids", r"(?:gluco)?corticosteroids?|glucocorticosteroids?|\bsteroids?\b|\bGCs?\b|\bOCS\b"),
    ("cell_gene_therapy", r"CAR[- ]?T|gene therap\w*|chimeric antigen|cell therap\w*|genetically modified"),
    ("ivig", r"intravenous immunoglobulins?|\bIVIg\b"),
    ("plasmapheresis", r"plasmapheresis|plasma exchange"),
]
# "Investigational biological agent" is an experimental medicine, not the class of biologics.
_GROUPS = [(name, re.compile(r"(?<![\w-])(?<!investigational )(?:" + p + r")(?![\w])", re.I))
           for name, p in GROUP_PATTERNS]
DRUG_DOUBT = re.compile(r"topical|inhaled|intra-?articular|local|external use|allerg|hypersensitiv|intoleran|"
                        r"contraindicat|resistant|willing|withdraw|permitted|allowed|not exclusionary|may be|"
                        r"background|stable|dose|≤|<=|mg/|\d\s*mg\b|standard of care|\bSoC\b|prescri|pulse|"
                        r"participat|programme|program\b|compassionate|"
                        r"induction therapy for the",
                        re.I)
EVER = re.compile(r"\bprior\b|\bprevious(?:ly)?\b|\bever\b|history of|in the past\b(?!\s+\d)|had received|"
                  r"have received|has received|received\b|exposure|before enrollment|before enrolment|"
                  r"were used before|any time", re.I)
NOW = re.compile(r"currently|current\b|receiving|taking|ongoing|concomitant|\bon\b|\buse\b|\busing\b|treated with|"
                 r"treatment with|do not use|are on|being treated", re.I)
REFRACTORY = re.compile(r"fail\w*|refractory|inadequate(?:ly)? respon\w*|not respon\w*|did not respond|"
                        r"non-?respon\w*|despite|intoleran\w* to standard", re.I)
COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "a": 1, "first-line": 1}
AT_LEAST_N = re.compile(r"(?:at least|≥|>=|minimum of)\s*(\d|one|two|three)\s+(?:other\s+)?(?:standard|"
                        r"immunosuppress|DMARD|therap|medication|agent|drug|treatment|conventional)", re.I)


def _named(text: str) -> tuple[list[str], list[tuple[str, re.Match]]]:
    """Canonical drugs and drug groups named in ``text`` (groups with their match)."""
    named = [d for d in drug_vocabulary.drugs_named(text)]
    groups = [(name, m) for name, pattern in _GROUPS for m in [pattern.search(text)] if m]
    return named, groups


def read_drugs(side: str, text: str, alternatives: bool, consumed: list[tuple[int, int]]) -> list[dict]:
    """Required or excluded medicines and classes with their time window; stable doses; refractory rules."""
    head = before_exception(text)
    out: list[dict] = []
    refractory = REFRACTORY.search(head)
    if side == "inclusion" and refractory and not alternatives:
        count = AT_LEAST_N.search(head)
        n = (COUNT_WORDS.get(count.group(1).lower()) or int(count.group(1))) if count else \
            (1 if re.search(r"first-line|a first|steroid monotherapy", head, re.I) else 0)
        if n:
            months = 0
            duration = re.search(r"(?:for\s+(?:at\s+least\s+)?|≥\s*)(\d+)\s*(weeks?|months?|M\b)", head, re.I)
            if duration:
                amount = int(duration.group(1))
                months = amount if duration.group(2).lower().startswith("m") else amount * 7 // 30
            listed = [d for d in drug_vocabulary.drugs_named(head) if d not in drug_vocabulary.GROUPS["glucocorticoids"]
                      and d != "hydroxychloroquine"]
            consumed.append(refractory.span())
            return [{"kind": "prior_therapies", "params": {"min_count": n, "min_months": months,
                                                           "drugs": listed if len(listed) >= n else []}}]
        return []
    stable = re.search(r"(?:if on|if receiving|if taking)\s+([^,;]{3,60}?)[, ]*(?:the\s+)?(?:dose\s+(?:regimen\s+)?)?"
                       r"must be (?:on a )?stable[^.;]{0,40}?(?:for\s+)?(?:at\s+least\s+)?" + DURATION, head, re.I)
    if stable:
        named, groups = _named(stable.group(1))
        if named or groups:
            consumed.append(stable.span())
            return [{"kind": "stable_dose", "params": {"drugs": named, "group": groups[0][0] if groups else "",
                                                       "days": _days(stable.group(2), stable.group(3))}}]
    if alternatives or DRUG_DOUBT.search(head):
        return []
    named, groups = _named(head)
    # A class's own members named as its examples ("B cell therapy (for example, rituximab)").
    group_members = {d for name, _ in groups for d in drug_vocabulary.group_drugs(name)}
    if groups and re.search(r"for example|e\.g\.|such as|including|\(eg", head, re.I):
        named = [d for d in named if d not in group_members]
    if not named and not groups:
        return []
    if groups and groups[0][0] == "glucocorticoids" and re.search(r"high dose|pulse|mg", head, re.I):
        return []
    first = min([m.start() for _, m in groups] + [drug_vocabulary.first_mention(head, d) for d in named] or [0])
    negated = negated_before(head, first, 60) or bool(re.match(r"\s*no\b", head, re.I))
    required = (side == "inclusion") != negated
    days = window_days(head)
    ever = False
    if days is None:
        if EVER.search(head):
            ever = True
        elif NOW.search(head) or re.match(r"\s*(?:treatment with|use of|receipt of)", head, re.I):
            days = 0
        else:
            return []
    if required:
        if side == "exclusion" and not re.search(r"not taking|not receiving|not on\b|do not use", head, re.I):
            return []  # "no …" inside an exclusion is too easy to misread
        if not re.match(r"\s*(?:treatment with|currently (?:receiving|taking|treated with)|receiving|taking|"
                        r"prior|patients? (?:who are )?(?:not )?taking|participants who are not taking)", head, re.I) \
                and side == "inclusion":
            return []
    mode = "required" if required else "excluded"
    params_base: dict[str, Any] = {"mode": mode}
    if ever:
        params_base["ever"] = True
    else:
        params_base["days"] = days
    if groups and required and len(groups) > 1:
        out += [{"kind": "drug", "params": {**params_base, "drugs": [], "group": name}} for name, _ in groups]
    elif groups:
        out.append({"kind": "drug", "params": {**params_base, "drugs": named, "group": groups[0][0]}})
        for name, _ in groups[1:]:
            if not required:
                out.append({"kind": "drug", "params": {**params_base, "drugs": [], "group": name}})
    elif named:
        out.append({"kind": "drug", "params": {**params_base, "drugs": named, "group": ""}})
    consumed.append((0, len(head)))
    return out


STEROID = re.compile(r"(?:predniso(?:lo)?ne|glucocorticoids?|corticosteroids?|steroids?|\bGC\b|\bOCS\b|\bPRED\b)"
                     r"[^.;]{0,70}?" + OP + r"\s*" + NUM + r"\s*mg(?!\s*/\s*kg)(?:\s*(?:/|per)\s*(?:day|d)\b|"
                     r"\s*/d\b|\s*daily|\s*equivalent|\b)", re.I)
STEROID_RANGE = re.compile(r"(?:predniso(?:lo)?ne|PRED)[^.;\d]{0,20}?" + NUM + r"\s*(?:-|–)\s*" + NUM
                           + r"\s*mg\s*(?:/|per)\s*d", re.I)
STEROID_BEFORE = re.compile(OP + r"\s*" + NUM + r"\s*mg(?:\s*(?:/|per)\s*(?:day|d)\b|\s*/d\b)?\s*(?:of\s+)?"
                            r"(?:equivalent\s+)?(?:oral\s+)?predniso(?:lo)?ne", re.I)


def read_steroid_dose(side: str, text: str, alternatives: bool, consumed: list[tuple[int, int]]) -> list[dict]:
    """A cap (or floor) on today's glucocorticoid dose, in prednisone-equivalent mg a day."""
    if alternatives or re.search(r"\bwithin\b|in the (?:past|last)|/\s*kg|pulse|intravenous|trial of|tried|"
                                 r"history of|previous|prior to the study", text, re.I) or REFRACTORY.search(text):
        return []
    m = STEROID_RANGE.search(text)
    if m and side == "inclusion":
        consumed.append(m.span())
        return [{"kind": "steroid_dose", "params": {"op": ">=", "mg": number(m.group(1))}},
                {"kind": "steroid_dose", "params": {"op": "<=", "mg": number(m.group(2))}}]
    m = STEROID.search(text) or STEROID_BEFORE.search(text)
    if not m:
        return []
    op = op_of(m.group(1))
    if not op:
        return []
    if side == "exclusion":
        op = NEGATED_OP[op]
    consumed.append(m.span())
    return [{"kind": "steroid_dose", "params": {"op": op, "mg": number(m.group(2))}}]


# -- pregnancy -------------------------------------------------------------------------------------
PREGNANCY = re.compile(r"pregnan\w*|breast[- ]?feed\w*|lactat\w*|nursing", re.I)
PLANNING = re.compile(r"plan\w*\s+(?:to\s+become\s+|a\s+|for\s+|on\s+)?(?:a\s+)?pregnan|intend\w*[^.;]{0,20}pregnan|"
                      r"desire for pregnancy|wish\w* to become pregnant|fathering|plan to become pregnan", re.I)


def read_pregnancy(side: str, text: str, consumed: list[tuple[int, int]]) -> list[dict]:
    """Pregnancy and breastfeeding excluded (or, for a pregnancy study, required); planning where said."""
    m = PREGNANCY.search(text)
    if not m or re.search(r"gestational|only one pregnancy|intrauterine pregnanc|weeks? of pregnancy|"
                          r"pregnancy registry|outcome|more than one pregnancy|pregnancy per", text, re.I):
        return []
    planning = bool(PLANNING.search(text))
    negative_test = re.search(r"negative (?:urine |serum )?pregnancy test", text, re.I)
    if side == "exclusion":
        if re.search(r"do not meet|who do not|not pregnant", text, re.I):
            return []
        consumed.extend(x.span() for x in PREGNANCY.finditer(text))
        return [{"kind": "pregnancy", "params": {"mode": "excluded", "planning": planning}}]
    if negative_test or re.search(r"(?:must\s+)?not\s+(?:be\s+)?(?:pregnant|breast)|non-?pregnant", text, re.I):
        consumed.extend(x.span() for x in PREGNANCY.finditer(text))
        return [{"kind": "pregnancy", "params": {"mode": "excluded", "planning": planning}}]
    if re.match(r"\s*(?:\d\.\s*)?(?:pregnant|currently pregnant|desire for pregnancy)", text, re.I):
        consumed.extend(x.span() for x in PREGNANCY.finditer(text))
        return [{"kind": "pregnancy", "params": {"mode": "required", "planning": planning}}]
    return []


# -- medical history -------------------------------------------------------------------------------
SUFFIX = r"(?:\s+(?:infection|virus|antibod(?:y|ies)|antigen|positive|disease|carrier|test))?"
HISTORY = {
    "hiv": r"\bHIV\b(?:/AIDS)?|human immunodeficiency virus(?:\s*\(HIV\))?",
    "tuberculosis": r"tuberculosis(?:\s*\(TB\))?|\bTB\b",
    "cancer": r"cancers?|malignan\w*(?:\s+(?:tumou?rs?|cancer|disease))?|neoplas\w*|(?<!non-)tumou?rs?|"
              r"carcinoma|lymphoma|leuka?emia|solid tumou?rs?",
    "other_autoimmune": r"(?:other|another|concomitant|overlapping|additional)\s+(?:\w+\s+){0,2}(?:autoimmune|"
                        r"inflammatory|rheumat\w*|connective tissue)\s+(?:diseases?|conditions?|disorders?)|"
                        r"(?:autoimmune|rheumat\w*)\s+(?:or\s+rheumatic\s+)?diseases?\s+other\s+than\s+SLE|"
                        r"rheumatoid arthritis|multiple sclerosis|sj[oö]gren\W?s?(?:\s+syndrome)?|scleroderma|"
                        r"systemic sclerosis|myositis|mixed connective tissue disease|overlap syndrome|"
                        r"RA/lupus overlap|Hashimoto|psoriatic arthritis|demyelinating disorder",
    "cns_lupus": r"(?:central nervous system|\bCNS\b|neuropsychiatric|\bNPSLE\b)\s*(?:\(CNS\)\s*)?(?:lupus|SLE|"
                 r"disease|manifestations?(?:\s+of\s+SLE)?|involvement)?|neuro-?lupus|cerebral lupus|"
                 r"lupus encephalopathy|cerebritis|neuropsychiatric SLE",
    "dialysis": r"(?:renal\s+|haemo|hemo|peritoneal\s+|maintenance\s+)?dialysis|renal replacement therapy",
    "kidney_transplant": r"(?:kidney|renal|solid organ)\s+transplant(?:ation)?|renal transplantation",
    "diabetes": r"diabet\w*(?:\s+mellitus)?|\bDM\b",
    "thrombosis": r"(?:arterial\s+or\s+venous\s+)?thrombo(?:sis|embol\w*|tic events?)|embolism|\bDVT\b|"
                  r"\bstrokes?\b|transient ischemic attacks?",
    "antiphospholipid": r"anti-?phospholipid(?:\s+antibody)?\s+syndrome|\bAPS\b",
}
HISTORY_PATTERNS = {k: re.compile(r"(?<![\w-])(?:" + p + r")" + SUFFIX, re.I) for k, p in HISTORY.items()}
HEPATITIS = re.compile(r"hepatitis\s*\(?\s*((?:[BC]\b(?:\s*(?:/|,|or|and|and/or)\s*(?:hepatitis\s*)?)?)+)\)?"
                       + SUFFIX + r"|\bHBV\b|\bHCV\b|HBsAg|\bHB\b\s+(?:surface|infection)|hepatitis B/C", re.I)
QUALIFIER = re.compile(r"including|such as|e\.g|for example|secondary to|due to|caused by|active|severe|"
                       r"uncontrolled|poorly|unstable|requir\w*|clinically significant|significant|"
                       r"current(?:ly)?|untreated|recent|acute|chronic|frequent|latent|suspected|planned|"
                       r"progressive|type [12]|manifestation|main diagnosis|might confound|may affect|affect|"
                       r"need for|\band\b use|limit|secondary to|expected", re.I)
QUALIFIER_AFTER = re.compile(r"main diagnosis|might confound|may affect|requir\w*|that (?:may|might|could)|"
                             r"\b(?:with|and)\b[^.;]{0,40}(?:history|use|requir)", re.I)
EXCEPTIONS = re.compile(r"except|exception|other than|excluding|non-melanoma|in situ|basal|squamous|cured|"
                        r"certain cancers", re.I)


def _history_window(text: str) -> int | None:
    m = re.search(r"(?:within|in)\s+(?:the\s+)?(?:past|last|recent|previous|preceding)?\s*"
                  r"(\d+|one|two|three|four|five|six|twelve)"
                  r"\s*(years?|months?|weeks?)", text, re.I)
    if not m:
        return None
    n = WORD_NUMBERS.get(m.group(1).lower()) or int(m.group(1))
    unit = m.group(2).lower()
    if unit.startswith("y"):
        return n
    if unit.startswith("m") and n % 12 == 0:
        return n // 12
    if unit.startswith("w") and n == 52:
        return 1
    return -1  # a window shorter than a year: our records hold years only


def read_history(side: str, text: str, consumed: list[tuple[int, int]]) -> list[dict]:
    """Conditions from the member's medical history that a bullet excludes."""
    found: list[tuple[str, re.Match]] = []
    for m in HEPATITIS.finditer(text):
        letters = (m.group(1) or "").upper()
        word = m.group(0).upper()
        if "HBV" in word or "HBSAG" in word or "HB " in word or "B" in letters:
            found.append(("hepatitis_b", m))
        if "HCV" in word or "C" in letters:
            found.append(("hepatitis_c", m))
    for key, pattern in HISTORY_PATTERNS.items():
        m = pattern.search(before_exception(text) if key != "cancer" else text)
        if m:
            found.append((key, m))
    if not found:
        return []
    if side == "inclusion":
        # Only "no / must not have / absence of X" on the inclusion side excludes X.
        found = [(k, m) for k, m in found if re.search(
            r"(?:\bno\b|\bnot\b(?:\s+(?:have|be|had))?|\bwithout\b|absence of|free of|negative for)\s+(?:[\w-]+\s+){0,4}$",
            text[max(0, m.start() - 50):m.start()], re.I)]
        if not found or re.search(r"symptoms|report", text, re.I):
            return []
    elif re.search(r"who do not|not have|have not", text, re.I):
        return []
    whole_window = _history_window(text)
    out = []
    seen = set()
    for key, m in found:
        if key in seen:
            continue
        seen.add(key)
        before = text[max(0, m.start() - 45):m.start()]
        clause = re.split(r"[;,]|\bor\b(?! C\b)", before)[-1]
        qualified = bool(QUALIFIER.search(clause) or QUALIFIER.search(m.group(0))
                         or (key == "cancer" and EXCEPTIONS.search(text))
                         or QUALIFIER_AFTER.search(text[m.end():m.end() + 60]))
        if key == "cns_lupus" and re.search(r"active|severe|current|requir|need|within|unstable", text, re.I):
            qualified = True
        if key == "dialysis" and not re.search(r"history of|previous|ever\b|prior", text, re.I):
            qualified = True  # "on dialysis", "requiring dialysis": now, which a past answer doesn't tell
        params: dict[str, Any] = {"condition": key, "mode": "excluded"}
        window = whole_window
        if key == "cancer" and re.search(r"or\s+(?:a\s+)?history of malignan", text, re.I):
            window = None
        if window == -1:
            qualified = True
        elif window is not None and key in ("cancer", "thrombosis", "dialysis", "tuberculosis", "cns_lupus"):
            params["within_years"] = window
        if qualified:
            params["qualified"] = True
        consumed.append(m.span())
        out.append({"kind": "history", "params": params})
    return out


# -- clinician-only measures -----------------------------------------------------------------------
MEASURES = [
    ("SELENA-SLEDAI", r"SELENA[- ]?SLEDAI(?:\s+(?:total\s+)?score)?"),
    ("hSLEDAI", r"(?:Hybrid\s+[^()]{0,60}\(hSLEDAI\)|hSLEDAI)(?:\s+score)?"),
    ("clinical SLEDAI-2K", r"(?:clinical|cSLEDAI)\s*SLEDAI[- ]?(?:2K)?(?:\s+score)?|cSLEDAI"),
    ("SLEDAI-2K", r"m?SLEDAI[- ]?2K(?:\s+(?:total\s+)?score)?|SLE Disease Activity Index[- ]?2000\s*\(SLEDAI-2K\)"
                  r"(?:\s+score)?|SLEDAI(?:\s+score)?|(?:systemic lupus erythematosus\s+)?disease activity index\s*"
                  r"(?:\(SLEDAI\))?(?:\s+score)?|\(SLEDAI\)\s*score|Activity Index \(SLEDAI\) score"),
    ("CLASI", r"CLASI(?:\s+(?:activity\s+)?score)?|Cutaneous Lupus Erythematosus Disease Area and Severity Index"
              r"\s*\(CLASI\)(?:\s+activity)?(?:\s+score)?"),
    ("physician global assessment", r"Physician'?s? Global Assessment\s*\((?:PhGA|PGA)\)|\bPhGA\b|\bPGA\b(?: score)?"),
    ("activity index", r"(?:pathological\s+)?activity index(?:\s*\(AI\))?"),
    ("chronicity index", r"chronicity index"),
]
MEASURE_PATTERNS = [(name, re.compile(r"(?:" + p + r")[^.;\d<>≥≤=]{0,20}?" + OP + r"\s*" + NUM, re.I),
                     re.compile(r"(?:" + p + r")[^.;\d]{0,30}?" + NUM + r"\s*(?:-|–)\s*" + NUM + r"\s*(?:points?)?",
                                re.I))
                    for name, p in MEASURES]
BILAG = re.compile(r"BILAG|British Isles Lupus Assessment Group", re.I)


def read_measures(side: str, text: str, consumed: list[tuple[int, int]]) -> list[dict]:
    """Scores only a clinician can give (SLEDAI-2K, BILAG, CLASI…), with their thresholds."""
    out: list[dict] = []
    taken: list[tuple[int, int]] = []

    def overlaps(m: re.Match) -> bool:
        return any(a < m.end() and m.start() < b for a, b in taken)

    for name, pattern, ranged in MEASURE_PATTERNS:
        r = ranged.search(text)
        if r and overlaps(r):
            r = None
        if r and side == "inclusion" and number(r.group(1)) < number(r.group(2)):
            out += [{"kind": "clinician", "params": {"topic": "disease_activity", "measure": name, "op": op,
                                                     "value": number(v)}}
                    for op, v in ((">=", r.group(1)), ("<=", r.group(2)))]
            consumed.append(r.span())
            taken.append(r.span())
            continue
        for m in pattern.finditer(text):
            op = op_of(m.group(1))
            if not op or overlaps(m):
                continue
            if side == "exclusion":
                op = NEGATED_OP[op]
            out.append({"kind": "clinician", "params": {"topic": "kidney_activity" if "index" in name and
                                                        "activity index" in name or "chronicity" in name
                                                        else "disease_activity", "measure": name, "op": op,
                                                        "value": number(m.group(2))}})
            consumed.append(m.span())
            taken.append(m.span())
            break
    if not out and BILAG.search(text):
        m = BILAG.search(text)
        out.append({"kind": "clinician", "params": {"topic": "disease_activity", "measure": "BILAG"}})
        consumed.append(m.span())
    for criterion in out:
        criterion["params"]["text"] = measure_words(criterion["params"])
    return out


def measure_words(p: dict) -> str:
    """"SLEDAI-2K score of at least 6 (a disease-activity score the study team works out)"."""
    from community.trials.matching import OPERATORS

    measure = p.get("measure", "")
    if measure == "BILAG":
        return "BILAG disease-activity grades (the study team assesses each organ system)"
    if "op" in p:
        return f"{measure} score {OPERATORS.get(p['op'], p['op'])} {p['value']:g}"
    return measure


# -- topics ----------------------------------------------------------------------------------------
TOPIC_PATTERNS = [(name, re.compile(p, re.I)) for name, p in [
    ("consent", r"consent|\bICF\b"),
    ("contraception", r"contracept|birth control|barrier method|abstinen|sterili[sz]|vasectomy|"
                      r"postmenopausal|childbearing potential"),
    ("disease_activity", r"active (?:SLE|lupus|disease)|disease activity|activity score|moderately|severely active|"
                         r"inactive|quiescent|stable disease|remission|DORIS|LLDAS|\bflar\w*|lupus activity|"
                         r"SLE Activity|organ[- ]threatening|life[- ]threatening|active symptoms|BILAG|SLEDAI|"
                         r"CLASI|arthritis|joints?|lesions?|rash|alopecia|skin"),
    ("kidney_activity", r"nephrit|urinary sediment|renal|kidney|activity index|chronicity index|biopsy|"
                        r"proteinuria|glomerulo|\bCKD\b|\bLN\b|\bGN\b|urine"),
    ("vaccination", r"vaccin|immuni[sz]ation"),
    ("infection", r"infect|herpe|zoster|varicella|chickenpox|sepsis|antibiotic|fungal|viral|bacterial|"
                  r"hepatitis|candidiasis"),
    ("allergy", r"allerg|hypersensitiv|intoleran|anaphyla|contraindicat"),
    ("serology", r"antibod|serolog|anti-?Ro\b|anti-?La\b|complement|interferon|\bC3\b|\bC4\b|CD19|ANA\b|dsDNA"),
    ("organ_function", r"liver|hepatic|cardiac|heart|pulmonary|lung|respiratory|organ|hypertension|vasculitis|"
                       r"cytopenia|neutropenia|thrombocytopenia|anemia|anaemia|hemoly|haemoly|gastro|peptic|"
                       r"pancreatitis|bleed|haemorrhage|hemorrhage|myocard|renal failure|end[- ]stage|"
                       r"kidney failure|function"),
    ("other_treatment", r"investigational|study (?:drug|medication|agent)|clinical trial|therap|treat|medication|"
                        r"drug|agent|transfusion|surgery|steroid|immunosuppress|biologic|regimen|dose|IP dosing|"
                        r"antimalarial|prescri"),
    ("language", r"english|french|spanish|language|literate|illiterate|speak|fluency|read,? understand"),
    ("participation", r"willing|able to|ability to|inability|comply|complian|cooperat|available|registry|biobank|"
                      r"enrol|participat|visit|protocol|investigator|opinion|judge?ment|caregiver|guardian|"
                      r"unsuitable|best interest|followed at|sites?\b|MRI|PET|scan|claustrophob|pacemaker|"
                      r"questionnaire|survey|phone|unwilling|refuse"),
    ("residence", r"\bhome\b|resid|live in|social security|insurance|legal age|jurisdiction"),
    ("other_test", r"BMI|body mass|weight|kg/m|LVEF|ejection fraction|SpO2|vitamin|Ig[GAM]\b|ECOG|cholesterol|"
                   r"LDL|lipid|mmHg|score|scale|index|test|titer|titre|level|count|\bRBANS\b|PHQ|assessment"),
    ("other_condition", r"disease|condition|disorder|illness|syndrome|psychiatr|depress|psychosis|seizure|"
                        r"neurolog|cognit|substance|alcohol|abuse|smok|obes|hypertension|malignan|cancer|"
                        r"lupus|SLE|medical|health"),
]]
FILLER = re.compile(r"\b(?:patients?|subjects?|participants?|individuals?|women|men|males?|females?|with|who|have|"
                    r"has|had|having|history|of|known|any|the|a|an|or|and|prior|to|screening|current|positive|"
                    r"test(?:ed)?|for|at|in|on|be|is|are|evidence|documented|diagnosis|diagnosed|within|past|"
                    r"last|years?|months?|weeks?|days?|previous|must|not|no|visit|study|entry|baseline|"
                    r"infection|serologic|presence|including|e\.?g\.?|etc|other|than|than|as|by|defined|"
                    r"all|following|criteria|which|that|this|will|excluded|exclusion|inclusion)\b|[\W\d_]+", re.I)


def topic_of(text: str) -> str:
    """What a bullet (or what is left of it once read) is about, if any topic names it."""
    for name, pattern in TOPIC_PATTERNS:
        if pattern.search(text):
            return name
    return ""


def _residue(text: str, consumed: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in consumed:
        for i in range(max(0, a), min(len(chars), b)):
            chars[i] = " "
    return "".join(chars)


# -- a bullet and a study --------------------------------------------------------------------------
ALTERNATIVES = re.compile(r"(?:at least|any|one|two)\s+(?:\d+\s+|one\s+|two\s+|three\s+)?(?:of|or more of)\s+"
                          r"(?:the\s+)?following|"
                          r"one of the following|any of the following|either|defined as|as follows|including|"
                          r"following (?:criteria|conditions|\w+ serolog)|must meet|\bif\b|following:|"
                          r"consisting of|background|standard[- ]of[- ]care|of the following", re.I)
CONDITIONAL = re.compile(r"^\s*(?:\W*\s*)?if\b|\bif (?:female|male|on|receiving|taking|the)\b", re.I)


def read_bullet(side: str, text: str, parent_text: str = "", *, option: bool = False) -> Reading:
    """One bullet's criteria (all must hold) and its remaining topic; see docs/trial-reader.md.

    ``option``: the bullet is one of several alternatives listed side by side ("Positive ANA or").
    """
    # "greater than or equal to (>=) 6": the symbol repeats the words.
    text = re.sub(r"\s*\((?:>=|≥|<=|≤|>|<)\)", "", " ".join((text or "").split()))
    if not text or len(text) > 3000:
        return Reading()
    side = "exclusion" if side == "exclusion" else "inclusion"
    alternatives = side == "inclusion" and (option or (bool(parent_text) and bool(ALTERNATIVES.search(parent_text))))
    if side == "inclusion" and not alternatives and re.search(r"at least (?:\d|one|two|three) of (?!the 11)|any (?:two|one) of|"
                                                              r"one of the following", text, re.I):
        alternatives = True
    conditional = side == "inclusion" and bool(CONDITIONAL.search(text))
    consumed: list[tuple[int, int]] = []
    criteria: list[dict] = []
    if alternatives:
        # One option among several: nothing here is required on its own.
        criteria = read_measures(side, text, consumed)
        for c in criteria:
            c["params"]["text"] = "One of the study's options: " + c["params"]["text"]
        return Reading(criteria, topic_of(text))
    if not conditional:
        criteria += read_age(side, text)
        if criteria:
            consumed.append((0, len(text)) if len(text) < 60 else (0, 0))
        criteria += read_diagnosis(side, text, alternatives)
        criteria += read_classification(side, text)
        criteria += read_duration(side, text)
        criteria += read_nephritis_class(side, text, alternatives)
        criteria += read_labs(side, text, alternatives, consumed)
        criteria += read_serology(side, text, alternatives, consumed,
                                  {c["params"]["test"] for c in criteria if c["kind"] == "lab"})
    criteria += read_steroid_dose(side, text, alternatives and not conditional, consumed)
    drugs = read_drugs(side, text, alternatives, consumed)
    criteria += drugs
    criteria += read_pregnancy(side, text, consumed)
    if not alternatives:
        criteria += read_history(side, text, consumed)
    criteria += read_measures(side, text, consumed)
    labs = [c for c in criteria if c["kind"] == "lab"]
    if side == "inclusion" and len(labs) > 1 and re.search(r"\bor\b", text, re.I) \
            and not any(c["kind"] == "any_of" for c in criteria):
        # "proteinuria > 1 g/24 h or creatinine > 1.3 mg/dL or active sediment": any one of them will do.
        others = {"kind": "clinician", "params": {"topic": "kidney_activity" if topic_of(text) == "kidney_activity"
                                                  else "other_test", "text": "Another of the options listed"}}
        criteria = [c for c in criteria if c["kind"] != "lab"] + [{"kind": "any_of", "params": {
            "criteria": labs + [others]}}]
    if any(c["kind"] in ("diagnosis", "classification") for c in criteria):
        consumed.append((0, len(text)))
    residue = _residue(text, consumed)
    topic = topic_of(residue) if FILLER.sub(" ", residue).strip() else ""
    if topic and criteria and topic in ("other_condition", "other_test", "participation") and \
            len(FILLER.sub(" ", residue).split()) < 3:
        topic = ""
    if topic == "disease_activity" and any(c["kind"] == "clinician" and c["params"].get("topic") == topic
                                           for c in criteria):
        topic = ""
    return Reading(_dedupe(criteria), topic)


def _dedupe(criteria: list[dict]) -> list[dict]:
    seen, out = set(), []
    for c in criteria:
        key = repr((c["kind"], sorted(c["params"].items(), key=lambda kv: kv[0])))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


TRAILING_OR = re.compile(r"\b(?:or|and/or|OR)\s*[;,]?\s*$", re.I)


def read_study(bullets: list[Any]) -> list[Reading]:
    """Every bullet of one study read, then made consistent across bullets (see ``_drop_contradictions``)."""
    readings = []
    previous = ""
    for bullet in bullets:
        if getattr(bullet, "note", False):
            readings.append(Reading())
            continue
        parent = bullets[bullet.parent].text if bullet.parent is not None else ""
        # "Positive ANA or" / "Elevated anti-dsDNA or" / "anti-Sm": options listed side by side.
        option = bool(TRAILING_OR.search(previous) or TRAILING_OR.search(bullet.text))
        readings.append(read_bullet(bullet.side, bullet.text, parent, option=option))
        previous = bullet.text
    return _drop_contradictions(readings)


def _bounds(criteria: list[dict]) -> dict[tuple[str, str], list[tuple[str, float]]]:
    found: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for c in criteria:
        p = c["params"]
        if c["kind"] == "lab" and p.get("op") in NEGATED_OP:
            found.setdefault((p["test"], p.get("unit", "")), []).append((p["op"], float(p["value"])))
        elif c["kind"] == "steroid_dose":
            found.setdefault(("steroid", "mg"), []).append((p["op"], float(p["mg"])))
    return found


def _drop_contradictions(readings: list[Reading]) -> list[Reading]:
    """Thresholds on one test that no value can meet together are alternatives, not requirements.

    ("eGFR > 30" and "eGFR < 30 but > 15 with a chronicity index < 6" in one study are two ways in.)
    Those bullets lose their thresholds on that test and are left to the study team.
    """
    if any(c["kind"] == "pregnancy" and c["params"].get("mode") == "required" for r in readings for c in r.criteria):
        # A study for pregnant women: its "pregnancy" exclusions are about other pregnancies, not pregnancy itself.
        readings = [Reading([c for c in r.criteria if not (c["kind"] == "pregnancy" and
                                                           c["params"].get("mode") == "excluded")], r.topic)
                    for r in readings]
    per_bullet = [_bounds(r.criteria) for r in readings]
    merged: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for bounds in per_bullet:
        for key, items in bounds.items():
            merged.setdefault(key, []).extend(items)
    contradicted = set()
    for key, items in merged.items():
        lo = max([v for op, v in items if op in (">=", ">")], default=None)
        hi = min([v for op, v in items if op in ("<=", "<")], default=None)
        if lo is not None and hi is not None and (lo > hi or (lo == hi and any(op in (">", "<") for op, _ in items))):
            contradicted.add(key)
    if not contradicted:
        return readings
    out = []
    for reading, bounds in zip(readings, per_bullet, strict=True):
        if not contradicted & set(bounds):
            out.append(reading)
            continue
        kept = [c for c in reading.criteria
                if not (c["kind"] == "lab" and (c["params"]["test"], c["params"].get("unit", "")) in contradicted)
                and not (c["kind"] == "steroid_dose" and ("steroid", "mg") in contradicted)]
        out.append(Reading(kept, reading.topic or "kidney_activity"))
    return out
