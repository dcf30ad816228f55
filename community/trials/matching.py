"""Explainable trial matching: (member facts, trial criteria) → per-criterion results with evidence.

A pure function: no database, no request, no clock (``facts.today`` is the
member's local day). Every criterion comes out **met**, **not met** or
**unknown — ask your doctor**, with a sentence citing the member's own data.

Grouping:
- *probably not*: at least one criterion is not met (the reason is shown);
- *worth asking about*: nothing is not met, but something the member could
  tell us is unknown (missing profile answer, no lab logged, no nearby site);
- *may fit*: nothing is not met, and the only unknowns are the clinician-only
  measures (SLEDAI-2K, BILAG, classification…) that no member can judge.

Clinician-only measures are never inferred from symptom logs. The product
never says anyone qualifies: the study team decides.

Speed (one member against thousands of trials): what depends only on a trial
— its criteria in words, which criteria count, its sites by country — is
worked out once per spec, and a member's result for a criterion once per call,
shared by every trial stating the same criterion (results are immutable, and
depend only on the member's facts and the criterion's kind and values).
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache

from community.trials import drugs as drug_vocabulary
from community.trials import units

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
MAY_FIT, WORTH_ASKING, PROBABLY_NOT = "may_fit", "worth_asking", "probably_not"
GROUP_ORDER = {MAY_FIT: 0, WORTH_ASKING: 1, PROBABLY_NOT: 2}
SUGGESTED_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")
STATUS_ORDER = {"RECRUITING": 0, "NOT_YET_RECRUITING": 1}
CATEGORIES = ("profile", "history", "treatments", "flares", "symptoms", "labs")

# Upper age limits in the lupus studies we know of run from 40 to 75: when a
# record's upper limit is not confirmed, ages below this are not in doubt.
UNCONFIRMED_MAX_AGE_SAFE_BELOW = 40
LAB_MAX_AGE_DAYS = 365

DIAGNOSIS_WORDS = {"sle": "systemic lupus (SLE)", "nephritis": "lupus nephritis",
                   "cutaneous": "cutaneous lupus", "other": "another diagnosis"}
LAB_NAMES = {"egfr": "eGFR", "crcl": "creatinine clearance", "upcr": "urine protein/creatinine ratio (UPCR)",
             "urine-protein-24h": "24-hour urine protein", "anti-dsdna": "anti-dsDNA", "anti-sm": "anti-Sm",
             "c3": "C3", "c4": "C4", "ana": "ANA titre", "creatinine": "creatinine",
             "haemoglobin": "haemoglobin", "platelets": "platelets", "neutrophils": "neutrophils",
             "lymphocytes": "lymphocytes", "white-cells": "white cells", "alt": "ALT", "ast": "AST",
             "esr": "ESR", "crp": "CRP"}
OPERATORS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}
LAB_OPERATORS = {**OPERATORS, "above_normal": "above the normal range", "below_normal": "below the normal range",
                 "positive": "positive"}
HISTORY_WORDS = {"hiv": "HIV", "hepatitis_b": "hepatitis B", "hepatitis_c": "hepatitis C",
                 "tuberculosis": "tuberculosis (TB)", "cancer": "cancer", "other_autoimmune": "another autoimmune disease",
                 "cns_lupus": "lupus affecting the brain or nerves (CNS lupus)", "dialysis": "kidney dialysis",
                 "kidney_transplant": "a kidney transplant", "diabetes": "diabetes",
                 "thrombosis": "a blood clot or stroke", "antiphospholipid": "antiphospholipid syndrome (APS)"}
CLASSIFICATION_WORDS = {"ACR 1997": "the ACR classification criteria (1997 or earlier)",
                        "SLICC 2012": "the SLICC 2012 classification criteria",
                        "EULAR/ACR 2019": "the 2019 EULAR/ACR classification criteria"}
PROCEDURE_WORDS = {"consent": "Agreeing to take part (informed consent)",
                   "contraception": "Using contraception during the study",
                   "language": "Language and reading", "participation": "Being able to take part in the visits",
                   "residence": "Where you live or are registered"}
STUDY_TEAM = "The study team goes through this with you."
COUNTRY_ALIASES = {"us": "united states", "usa": "united states", "u.s.": "united states",
                   "u.s.a.": "united states", "united states of america": "united states",
                   "america": "united states", "uk": "united kingdom", "u.k.": "united kingdom",
                   "great britain": "united kingdom", "britain": "united kingdom", "england": "united kingdom",
                   "scotland": "united kingdom", "wales": "united kingdom", "northern ireland": "united kingdom"}
ASK_DOCTOR = "Only your doctor or the study team can check this."
# Registries write states and provinces in full; members often type the postal abbreviation.
REGION_ABBREVIATIONS = {
    "united states": dict(zip(
        ["al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky",
         "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh",
         "ok", "or", "pa", "pr", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy"],
        ["alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
         "district of columbia", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
         "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi",
         "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
         "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "puerto rico",
         "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
         "washington", "west virginia", "wisconsin", "wyoming"], strict=True)),
    "canada": {"ab": "alberta", "bc": "british columbia", "mb": "manitoba", "nb": "new brunswick",
               "nl": "newfoundland and labrador", "ns": "nova scotia", "nt": "northwest territories",
               "nu": "nunavut", "on": "ontario", "pe": "prince edward island", "qc": "quebec",
               "sk": "saskatchewan", "yt": "yukon"},
}


# -- inputs ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TreatmentFact:
    name: str
    slug: str
    start: date
    stop: date | None
    reason: str
    dose: float | None = None
    unit: str = ""  # tracking's unit keys: "mg", "g", "mg/kg"…
    frequency: str = ""  # tracking's frequency keys: "once_daily", "twice_daily", "once_weekly"…


@dataclass(frozen=True)
class LabFact:
    slug: str
    name: str
    value: float
    unit: str
    taken_on: date
    # The lab's own reference range, as the member copied it from the report.
    ref_low: float | None = None
    ref_high: float | None = None


@dataclass(frozen=True)
class HistoryFact:
    """The member's answer about one condition in their medical history."""

    answer: str  # "yes" or "no" (unanswered conditions are absent)
    year: int | None = None  # when it was diagnosed or last active, if they said


@dataclass(frozen=True)
class MemberFacts:
    """What the member chose to share with matching; ``None`` means not shared or never recorded."""

    today: date
    used: frozenset[str] = frozenset(CATEGORIES)
    has_profile: bool = False
    birth_date: date | None = None
    birth_year: int | None = None
    sex: str = ""
    diagnoses: tuple[str, ...] = ()
    nephritis_class: str = ""
    diagnosed_year: int | None = None
    diagnosed_month: int | None = None
    country: str = ""
    region: str = ""
    pregnancy: str = ""  # "", "no", "pregnant", "breastfeeding", "planning"
    # By condition key (tracking.catalogue.HISTORY_CONDITIONS); None when not shared.
    history: dict[str, HistoryFact] | None = None
    treatments: tuple[TreatmentFact, ...] | None = None
    flare_starts: tuple[date, ...] | None = None
    labs: dict[str, LabFact] | None = None
    severe_symptom_days: int | None = None

    def treatments_of(self, drug: str) -> frozenset[int]:
        """Positions in ``treatments`` of those that are this drug; worked out once per drug, as every
        trial naming it asks again."""
        found = self._drug_positions.get(drug)
        if found is None:
            found = self._drug_positions[drug] = frozenset(
                i for i, t in enumerate(self.treatments or ()) if drug_matches(t, drug))
        return found

    @cached_property
    def _drug_positions(self) -> dict[str, frozenset[int]]:
        return {}  # not a field: equality, replace() and the fingerprint ignore it


@dataclass(frozen=True)
class CriterionSpec:
    kind: str
    params: dict
    source: str = "curated"
    # The position of the eligibility bullet it was read from (None: registry fields or curation).
    bullet: int | None = field(default=None, compare=False)
    # Exact values, not meaning (18 and 18.0 differ): equal keys always give equal results.
    # Filled in from kind and params, so treat params as read-only once the spec exists.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.kind + repr(self.params))

    @cached_property
    def label(self) -> str:
        """The criterion in words (the same for every member)."""
        return describe(self.kind, self.params)


@dataclass(frozen=True)
class TrialSpec:
    nct_id: str
    status: str
    criteria: Sequence[CriterionSpec]
    locations: Sequence[dict] = ()
    # Filled in from criteria and locations.
    evaluated: tuple[CriterionSpec, ...] = field(init=False, repr=False, compare=False)
    bullets: tuple[int | None, ...] = field(init=False, repr=False, compare=False)  # beside evaluated, + location
    sites: dict[str, list[dict]] = field(init=False, repr=False, compare=False)  # by comparable country

    def __post_init__(self) -> None:
        # A curator narrowed the registry's conditions (e.g. the SLE arm of a basket trial).
        curated_diagnosis = any(spec.kind == "diagnosis" for spec in self.criteria)
        evaluated = tuple(spec for spec in self.criteria if not (spec.kind == "condition" and curated_diagnosis))
        object.__setattr__(self, "evaluated", evaluated)
        object.__setattr__(self, "bullets", tuple(spec.bullet for spec in evaluated) + (None,))
        sites: dict[str, list[dict]] = {}
        for loc in self.locations:
            if country := normal_country(loc.get("country", "")):  # no country: in no member's country
                sites.setdefault(country, []).append(loc)
        object.__setattr__(self, "sites", sites)

    @cached_property
    def site_countries(self) -> str:
        """Where its sites are, for the many members with none in their country."""
        return join_words(sorted({loc.get("country") for loc in self.locations if loc.get("country")})[:5])


# -- outputs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CriterionResult:
    kind: str
    label: str
    outcome: str
    evidence: str
    clinician_only: bool = False
    # For an unknown: where the member could answer it ("profile", "history", "labs"…, "consent" when
    # they chose not to share what would), or "" when only their doctor or the study team can.
    answer: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "outcome": self.outcome,
                "evidence": self.evidence, "clinician_only": self.clinician_only, "answer": self.answer}

    @cached_property
    def key(self) -> str:
        """A short name for exactly this content: a member's matches store each distinct result once, by it.
        From the fields' repr, which tells any two contents apart, and is cheaper than their JSON."""
        content = (self.kind, self.label, self.outcome, self.evidence, self.clinician_only, self.answer)
        return hashlib.blake2b(repr(content).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class MatchOutcome:
    nct_id: str
    grouping: str
    results: tuple[CriterionResult, ...]
    proximity_tier: int
    proximity: str
    # Where the outcome sits in the member's list: rank_key() of its ordering, one integer.
    rank: int = field(compare=False, default=0)
    # Beside each result, the position of the bullet it was read from (None for the rest).
    bullets: tuple[int | None, ...] = field(compare=False, default=())

    @property
    def reasons_not_met(self) -> list[str]:
        return [r.evidence for r in self.results if r.outcome == NOT_MET]


# -- small helpers -----------------------------------------------------------------------
@lru_cache(maxsize=4096)
def months_before(day: date, months: int) -> date:
    """The same day-of-month ``months`` earlier (clamped to the month's length)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cap(text: str) -> str:
    """First letter up, the rest untouched (str.capitalize lowercases month names)."""
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=4096)
def say_date(day: date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


@lru_cache(maxsize=4096)
def say_month(day: date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


def join_words(words: Iterable[str], last: str = "and") -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {last} " + words[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def age_range(facts: MemberFacts) -> tuple[int, int] | None:
    """The member's age, or the two ages it can be when only the birth year is known."""
    today = facts.today
    if facts.birth_date is not None:
        b = facts.birth_date
        age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
        return age, age
    if facts.birth_year is not None:
        return today.year - facts.birth_year - 1, today.year - facts.birth_year
    return None


def normal_country(name: str) -> str:
    name = " ".join((name or "").lower().replace(",", " ").split())
    return COUNTRY_ALIASES.get(name, name)


def normal_region(country: str, name: str | None) -> str:
    """A state or province as comparable text: "NY", "ny " and "New York" are the same in the United States."""
    name = " ".join((name or "").lower().replace(".", "").split())
    return REGION_ABBREVIATIONS.get(country, {}).get(name, name)


def drug_matches(treatment: TreatmentFact, drug: str) -> bool:
    drug = drug.lower().strip()
    if treatment.slug and treatment.slug == drug:
        return True
    return drug_vocabulary.names_drug(treatment.name, drug)


def drug_word(drug: str) -> str:
    return "CAR-T" if drug == "car-t" else drug.replace("-", " ")


def criterion_drugs(p: dict) -> list[str]:
    """The drugs a drug criterion names: its own list and every member of its class."""
    found = [d.lower() for d in p.get("drugs", [])]
    return found + [d for d in drug_vocabulary.group_drugs(p.get("group", "")) if d not in found]


def drug_names(p: dict) -> str:
    """"B-cell–targeted therapy (such as rituximab)", "cyclophosphamide or tacrolimus"."""
    own = [drug_word(d) for d in p.get("drugs", [])]
    if p.get("group"):
        group = drug_vocabulary.GROUP_WORDS.get(p["group"], p["group"])
        return group + (f" (or {join_words(own, 'or')})" if own else "")
    return join_words(own, "or")


def window_words(p: dict) -> str:
    """"in the last 90 days", "ever", "now"; curated criteria count months."""
    if p.get("ever"):
        return "ever"
    if p.get("days"):
        days = int(p["days"])
        if days % 364 == 0 or days % 365 == 0:
            return f"in the last {plural(days // 364 if days % 364 == 0 else days // 365, 'year')}"
        if days % 30 == 0:
            return f"in the last {plural(days // 30, 'month')}"
        if days % 7 == 0:
            return f"in the last {plural(days // 7, 'week')}"
        return f"in the last {plural(days, 'day')}"
    if p.get("months"):
        return f"in the last {plural(int(p['months']), 'month')}"
    return "now"


def not_shared(category: str) -> str:
    return f"You chose not to use your {category} for matching."


def no_treatments(facts: MemberFacts) -> str:
    """Why treatment criteria can't be answered: not shared, or nothing logged."""
    return not_shared("treatments") if "treatments" not in facts.used else "You haven't logged any treatments."


def lab_threshold(p: dict) -> str:
    """"at least 35 mL/min/1.73m²", "at least 1:80", "at most 3 × the upper limit of normal"."""
    op = p.get("op")
    if op in ("above_normal", "below_normal", "positive"):
        return LAB_OPERATORS[op]
    value = float(p.get("value") or 0)
    if p.get("unit") == "xULN":
        return f"{OPERATORS.get(op, op)} {value:g} × the upper limit of normal"
    unit = f" {p['unit']}" if p.get("unit") else ""
    shown = f"1:{value:g}" if p.get("test") == "ana" else f"{value:g}{unit}"
    return f"{OPERATORS.get(op, op)} {shown}"


# -- labels (the criterion in words, shown beside the outcome) ---------------------------
def describe(kind: str, params: dict) -> str:
    p = params
    if kind == "age":
        lo, hi = p.get("min"), p.get("max")
        if lo is not None and hi is not None:
            return f"Aged {lo:g} to {hi:g}"
        if lo is not None:
            return f"Aged {lo:g} or over" + ("" if p.get("max_confirmed", True) else
                                              " (upper limit not confirmed)")
        if hi is not None:
            return f"Aged up to {hi:g}"
        return "Age limits not confirmed"
    if kind == "sex":
        return {"FEMALE": "Women only", "MALE": "Men only"}.get(p.get("sex", ""), "Any sex")
    if kind in ("condition", "diagnosis"):
        words = join_words([DIAGNOSIS_WORDS.get(d, d) for d in p.get("diagnoses", [])], "or")
        return f"Not for people with {words}" if p.get("exclude") else f"Diagnosis: {words}"
    if kind == "location":
        # Near means the member's own state or region: a site elsewhere in a big country is not near.
        return "A study site in your state or region" if p.get("within") == "region" else \
            "A study site in your country"
    if kind == "nephritis_class":
        classes = join_words(p.get("classes", []), "or")
        return f"No lupus nephritis of biopsy class {classes}" if p.get("exclude") else \
            f"Lupus nephritis biopsy class {classes}"
    if kind == "classification":
        return "Lupus that meets " + join_words([CLASSIFICATION_WORDS.get(s, s) for s in p.get("systems", [])], "or")
    if kind == "diagnosis_duration":
        days = int(p.get("min_days") or 0)
        return f"Diagnosed at least {plural(days // 30, 'month') if days >= 60 else plural(days // 7, 'week')} ago"
    if kind == "stable_dose":
        return f"If you take {drug_names(p)}, the same dose for at least {plural(int(p.get('days') or 0), 'day')}"
    if kind == "steroid_dose":
        return (f"Steroid dose (prednisone or equivalent) {OPERATORS.get(p.get('op'), p.get('op'))} "
                f"{float(p.get('mg') or 0):g} mg a day")
    if kind == "history":
        what = HISTORY_WORDS.get(p.get("condition", ""), p.get("condition", ""))
        if p.get("mode") == "required":
            return f"Has had {what}"
        within = f" in the last {plural(int(p['within_years']), 'year')}" if p.get("within_years") else ""
        return f"No {what}{within}" + (" (as the study defines it)" if p.get("qualified") else "")
    if kind == "any_of":
        return "One of: " + "; ".join(describe(c["kind"], c.get("params", {})) for c in p.get("criteria", []))
    if kind == "procedure":
        return PROCEDURE_WORDS.get(p.get("topic", ""), "About taking part")
    if kind == "prior_therapies":
        text = f"At least {plural(p.get('min_count', 1), 'earlier treatment')} that did not work well enough"
        if p.get("drugs"):
            text += " from: " + ", ".join(drug_word(d) for d in p["drugs"])
        if p.get("min_months"):
            text += f" (each taken for at least {plural(p['min_months'], 'month')})"
        return text
    if kind == "drug":
        drugs, window = drug_names(p), window_words(p)
        if p.get("mode") == "required":
            return f"Taking {drugs} now" if window == "now" else \
                f"Has taken {drugs}" if window == "ever" else f"Took {drugs} {window}"
        return f"Not taking {drugs}" if window == "now" else \
            f"Never treated with {drugs}" if window == "ever" else f"No {drugs} {window}"
    if kind == "pregnancy":
        if p.get("mode") == "required":
            return "Pregnant" + (" or planning a pregnancy" if p.get("planning") else "")
        return "Not pregnant or breastfeeding" + (", and not planning a pregnancy" if p.get("planning") else "")
    if kind == "lab":
        return f"{LAB_NAMES.get(p.get('test', ''), p.get('test', ''))} {lab_threshold(p)}"
    if kind == "flares":
        return (f"Lupus active recently: at least {plural(p.get('min_count', 1), 'flare')} in the last "
                f"{plural(p.get('months', 12), 'month')} (your own log stands in for the doctor's measure)")
    if kind == "clinician":
        return p.get("text", "A measure only your doctor can check")
    return kind


# -- evaluation per kind -----------------------------------------------------------------
def _profile_missing(facts: MemberFacts, what: str) -> str:
    if "profile" not in facts.used:
        return not_shared("health profile")
    return f"You haven't added {what} to your health profile."


def _age(facts: MemberFacts, p: dict) -> tuple[str, str]:
    ages = age_range(facts) if "profile" in facts.used else None
    if ages is None:
        return UNKNOWN, _profile_missing(facts, "your date or year of birth")
    lo_age, hi_age = ages
    you = f"you are {lo_age}" if lo_age == hi_age else f"you are {lo_age} or {hi_age}"
    min_age, max_age = p.get("min"), p.get("max")
    if min_age is not None and hi_age < min_age:
        return NOT_MET, f"{cap(you)}; this study takes people from {min_age:g}."
    if max_age is not None and lo_age > max_age:
        return NOT_MET, f"{cap(you)}; this study takes people up to {max_age:g}."
    if (min_age is not None and lo_age < min_age) or (max_age is not None and hi_age > max_age):
        return UNKNOWN, (f"{cap(you)} (from your birth year); this study's limit is right at your age. "
                         "Your date of birth would settle it.")
    if max_age is None and not p.get("max_confirmed", True) and hi_age >= UNCONFIRMED_MAX_AGE_SAFE_BELOW:
        return UNKNOWN, f"{cap(you)}; this study's upper age limit isn't confirmed — check the registry."
    if min_age is None and not p.get("min_confirmed", True) and lo_age < 18:
        return UNKNOWN, f"{cap(you)}; this study's lower age limit isn't confirmed — check the registry."
    if min_age is not None and max_age is not None:
        return MET, f"{cap(you)}; this study takes people aged {min_age:g} to {max_age:g}."
    if min_age is not None:
        return MET, f"{cap(you)}; this study takes people from {min_age:g}."
    if max_age is not None:
        return MET, f"{cap(you)}; this study takes people up to {max_age:g}."
    return MET, f"{cap(you)}."


def _sex(facts: MemberFacts, p: dict) -> tuple[str, str]:
    wanted = {"FEMALE": "female", "MALE": "male"}.get(p.get("sex", ""))
    if wanted is None:
        return MET, "This study takes people of any sex."
    if "profile" not in facts.used or facts.sex not in ("female", "male"):
        return UNKNOWN, _profile_missing(facts, "your sex") if facts.sex == "" else \
            "The study team will talk this through with you."
    if facts.sex == wanted:
        return MET, f"You said you are {facts.sex}; this study is for {wanted} participants."
    return NOT_MET, f"You said you are {facts.sex}; this study is for {wanted} participants only."


def _diagnosis(facts: MemberFacts, p: dict) -> tuple[str, str]:
    wanted = set(p.get("diagnoses", []))
    if "profile" not in facts.used or not facts.diagnoses:
        return UNKNOWN, _profile_missing(facts, "which kind of lupus you have")
    have = set(facts.diagnoses)
    if "nephritis" in have:
        have.add("sle")  # lupus nephritis is systemic lupus affecting the kidneys
    said = join_words([DIAGNOSIS_WORDS.get(d, d) for d in facts.diagnoses])
    wants = join_words([DIAGNOSIS_WORDS.get(d, d) for d in sorted(wanted)], "or")
    if p.get("exclude"):
        if have & wanted:
            return NOT_MET, f"You said you have {said}; this study does not take people with {wants}."
        return MET, f"You said you have {said}; this study does not take people with {wants}."
    if have & wanted:
        return MET, f"You said you have {said}; this study is for {wants}."
    return NOT_MET, f"You said you have {said}; this study is for {wants}."


def _nephritis_class(facts: MemberFacts, p: dict) -> tuple[str, str]:
    classes = p.get("classes", [])
    wants = join_words(classes, "or")
    if "profile" not in facts.used:
        return UNKNOWN, not_shared("health profile") + " " + ASK_DOCTOR
    if not facts.nephritis_class:
        if p.get("exclude") and facts.diagnoses and "nephritis" not in facts.diagnoses:
            return MET, "You haven't said you have lupus nephritis."
        return UNKNOWN, (f"Your kidney biopsy class isn't in your profile; this study "
                         f"{'does not take' if p.get('exclude') else 'is for'} class {wants}. "
                         "Ask your doctor, or add it to your profile.")
    if p.get("exclude"):
        if facts.nephritis_class in classes:
            return NOT_MET, (f"You reported biopsy class {facts.nephritis_class}; this study does not take "
                             f"people with class {wants}.")
        return MET, f"You reported biopsy class {facts.nephritis_class}; this study does not take class {wants}."
    if facts.nephritis_class in classes:
        return MET, f"You reported biopsy class {facts.nephritis_class}; this study is for class {wants}."
    return NOT_MET, f"You reported biopsy class {facts.nephritis_class}; this study is for class {wants}."


def _prior_therapies(facts: MemberFacts, p: dict) -> tuple[str, str]:
    if facts.treatments is None:
        return UNKNOWN, no_treatments(facts)
    need = int(p.get("min_count", 1))
    drugs = [d.lower() for d in p.get("drugs", [])]
    min_months = int(p.get("min_months") or 0)
    counted: dict[str, TreatmentFact] = {}
    off_list: list[TreatmentFact] = []
    too_short: list[TreatmentFact] = []
    listed: dict[int, str] = {}  # treatment position → the first listed drug it is
    for d in drugs:
        for i in facts.treatments_of(d):
            listed.setdefault(i, d)
    for i, t in enumerate(facts.treatments):
        if t.reason != "not_effective" or t.stop is None:
            continue
        matched = listed.get(i) if drugs else (t.slug or t.name.lower())
        if matched is None:
            off_list.append(t)
        elif min_months and t.stop < _add_months(t.start, min_months):
            too_short.append(t)
        else:
            counted.setdefault(matched, t)
    stopped = [f"{t.name} in {say_month(t.stop)}" for t in counted.values()]
    if len(counted) >= need:
        return MET, (f"You stopped {join_words(stopped)} because "
                     f"{'it was' if len(stopped) == 1 else 'they were'} not effective; "
                     f"this study asks for at least {need}.")
    parts = []
    if stopped:
        parts.append(f"You stopped {join_words(stopped)} because "
                     f"{'it was' if len(stopped) == 1 else 'they were'} not effective")
    if off_list:
        parts.append(f"{join_words(t.name for t in off_list)} {'is' if len(off_list) == 1 else 'are'} "
                     "not on this study's list")
    if too_short:
        parts.append(f"{join_words(t.name for t in too_short)} was taken for less than "
                     f"{plural(min_months, 'month')}")
    if not parts:
        parts.append("You haven't logged a treatment stopped because it was not effective")
    return UNKNOWN, "; ".join(parts) + f". This study asks for at least {need} — ask your doctor."


def _add_months(day: date, months: int) -> date:
    return months_before(day, -months)


def _since(facts: MemberFacts, p: dict) -> date | None:
    """The first day of a drug criterion's window (None: any time ever)."""
    if p.get("ever"):
        return None
    if p.get("days"):
        return facts.today - timedelta(days=int(p["days"]))
    months = int(p.get("months") or 0)
    return months_before(facts.today, months) if months else facts.today


def _drug(facts: MemberFacts, p: dict) -> tuple[str, str]:
    if facts.treatments is None:
        return UNKNOWN, no_treatments(facts)
    drugs = criterion_drugs(p)
    since = _since(facts, p)
    taking = frozenset().union(*(facts.treatments_of(d) for d in drugs))
    hits = [t for i, t in enumerate(facts.treatments)
            if i in taking and t.start <= facts.today and (since is None or t.stop is None or t.stop >= since)]
    names = drug_names(p)
    window = window_words(p)
    window = "at any time" if window == "ever" else window

    def said(t: TreatmentFact) -> str:
        return f"you are taking {t.name}" if t.stop is None or t.stop >= facts.today else \
            f"you logged {t.name} until {say_date(t.stop)}"

    if p.get("mode") == "required":
        if hits:
            return MET, f"{cap(said(hits[0]))}; this study asks for one of its listed medicines {window}."
        return UNKNOWN, (f"You haven't logged {names} {window}; this study asks for it. "
                         "If you take it, add it to your treatments.")
    if hits:
        return NOT_MET, f"{cap(said(hits[0]))}; this study does not take people on {names} {window}."
    return MET, f"You haven't logged {names} {window}."


def _stable_dose(facts: MemberFacts, p: dict) -> tuple[str, str]:
    if facts.treatments is None:
        return UNKNOWN, no_treatments(facts)
    days = int(p.get("days") or 0)
    current = [t for i, t in enumerate(facts.treatments)
               if i in frozenset().union(*(facts.treatments_of(d) for d in criterion_drugs(p)))
               and t.start <= facts.today and (t.stop is None or t.stop >= facts.today)]
    if not current:
        return MET, f"You haven't logged {drug_names(p)} now, so this doesn't apply."
    recent = [t for t in current if (facts.today - t.start).days < days]
    if not recent:
        t = current[0]
        return MET, f"You logged {t.name} at the same dose since {say_date(t.start)}."
    t = recent[0]
    return (UNKNOWN, f"Your {t.name} dose started on {say_date(t.start)}; the study asks for the same dose for "
                     f"{plural(days, 'day')} before it starts. Ask the study team about timing.", "doctor")


def steroid_mg_per_day(facts: MemberFacts) -> tuple[float | None, list[str]]:
    """Today's glucocorticoid dose in prednisone-equivalent mg a day, and the treatments it came from.

    None when a current steroid's dose can't be turned into mg a day (mg/kg, pulses, "as needed").
    """
    total, names = 0.0, []
    for i, t in enumerate(facts.treatments or ()):
        if not (t.start <= facts.today and (t.stop is None or t.stop >= facts.today)):
            continue
        drug = next((d for d in drug_vocabulary.PREDNISONE_EQUIVALENT if i in facts.treatments_of(d)), None)
        if drug is None:
            continue
        per_day = drug_vocabulary.DOSES_PER_DAY.get(t.frequency)
        factor = {"mg": 1.0, "g": 1000.0}.get(t.unit)
        if t.dose is None or per_day is None or factor is None:
            return None, [t.name]
        total += t.dose * factor * per_day * drug_vocabulary.PREDNISONE_EQUIVALENT[drug]
        names.append(t.name)
    return total, names


def _steroid_dose(facts: MemberFacts, p: dict) -> tuple[str, str]:
    if facts.treatments is None:
        return UNKNOWN, no_treatments(facts)
    op, limit = p.get("op"), float(p.get("mg") or 0)
    wants = f"{OPERATORS.get(op, op)} {limit:g} mg a day"
    dose, names = steroid_mg_per_day(facts)
    if dose is None:
        return (UNKNOWN, f"Your {join_words(names)} dose can't be read as milligrams a day; this study asks for "
                         f"{wants} (prednisone or equivalent). Ask your doctor.", "doctor")
    ok = {">=": dose >= limit, ">": dose > limit, "<=": dose <= limit, "<": dose < limit}.get(op)
    if ok is None:
        return UNKNOWN, ASK_DOCTOR
    if not names:
        if ok:
            return MET, f"You haven't logged a steroid (glucocorticoid) now; this study asks for {wants}."
        return UNKNOWN, (f"You haven't logged a steroid (glucocorticoid) now; this study asks for {wants}. "
                         "If you take one, add it to your treatments.")
    yours = f"{dose:g} mg a day of prednisone or equivalent ({join_words(names)})"
    return (MET if ok else NOT_MET), f"You logged {yours}; this study asks for {wants}."


def _pregnancy(facts: MemberFacts, p: dict) -> tuple[str, str]:
    if "profile" not in facts.used:
        return UNKNOWN, not_shared("health profile")
    if p.get("mode") == "required":
        wanted = ("pregnant", "planning") if p.get("planning") else ("pregnant",)
        if facts.pregnancy in wanted:
            return MET, f"You said you are {PREGNANCY_WORDS[facts.pregnancy]}; this study is for pregnancy."
        if facts.pregnancy in ("no", "breastfeeding", "planning") or facts.sex == "male":
            return NOT_MET, "This study is for people who are pregnant" + (
                " or planning a pregnancy." if p.get("planning") else ".")
        return UNKNOWN, "You haven't said whether you are pregnant."
    if facts.pregnancy == "planning" and p.get("planning"):
        return NOT_MET, "You said you are planning a pregnancy; this study does not take people who are."
    if facts.pregnancy == "planning":
        return MET, "You said you are planning a pregnancy, not pregnant or breastfeeding now."
    if facts.pregnancy in ("pregnant", "breastfeeding"):
        return NOT_MET, (f"You said you are {facts.pregnancy}; this study does not take people who are "
                         "pregnant or breastfeeding.")
    if facts.pregnancy == "no":
        return MET, "You said you are not pregnant or breastfeeding."
    if facts.sex == "male":
        return MET, "This applies to people who can become pregnant."
    return UNKNOWN, "You haven't said whether you are pregnant or breastfeeding."


PREGNANCY_WORDS = {"pregnant": "pregnant", "planning": "planning a pregnancy", "breastfeeding": "breastfeeding",
                   "no": "not pregnant"}


def _lab(facts: MemberFacts, p: dict) -> tuple[str, str]:
    test = p.get("test", "")
    name = LAB_NAMES.get(test, test)
    if facts.labs is None:
        return UNKNOWN, not_shared("lab results") if "labs" not in facts.used else \
            f"You haven't logged a result for {name}."
    result = facts.labs.get(test)
    if result is None:
        return UNKNOWN, f"You haven't logged a result for {name}. Ask your doctor for your latest one."
    have_unit = (result.unit or "").strip()
    yours = f"1:{result.value:g}" if test == "ana" else f"{result.value:g}{' ' + have_unit if have_unit else ''}"
    wants = lab_threshold(p)
    when = say_date(result.taken_on)
    if (facts.today - result.taken_on).days > LAB_MAX_AGE_DAYS:
        return UNKNOWN, (f"Your latest {name} was {yours} on {when}, more than a year ago; this study asks "
                         f"for {wants}. Ask your doctor for a recent result.")
    op = p.get("op")
    said = f"Your latest {name} was {yours} on {when}"
    if op in ("above_normal", "below_normal", "positive") or p.get("unit") == "xULN":
        return _lab_against_range(result, p, said, wants)
    value = units.comparable(test, result.value, have_unit, p.get("unit") or "")
    if value is None:
        return (UNKNOWN, f"{said}, in {have_unit or 'no unit'}; this study uses {p.get('unit')}, "
                         "which can't be compared here. Ask your doctor.", "doctor")
    threshold = float(p.get("value") or 0)
    ok = {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold,
          "<": value < threshold}.get(op)
    if ok is None:
        return UNKNOWN, ASK_DOCTOR
    shown = "" if value == result.value or test == "ana" else f" ({value:.3g} {p.get('unit')})"
    return (MET if ok else NOT_MET), f"{said}{shown}; this study asks for {wants}."


def _lab_against_range(result: LabFact, p: dict, said: str, wants: str) -> tuple[str, ...]:
    """Criteria read against the lab's own reference range: above or below normal, positive, × ULN."""
    op, test = p.get("op"), p.get("test")
    low, high = result.ref_low, result.ref_high
    if test == "ana" and op == "positive":
        if result.value >= 80:
            return MET, f"{said}; this study asks for a positive ANA (1:80 or more)."
        return UNKNOWN, f"{said}; this study asks for a positive ANA. Ask your doctor how your lab reads it.", "doctor"
    if op == "below_normal":
        if low is None:
            return UNKNOWN, f"{said}, without the lab's normal range; add it to compare. This study asks for {wants}."
        if result.value < low:
            return MET, f"{said}, below your lab's normal range ({low:g}–{high if high is not None else ''}); this " \
                        f"study asks for {wants}."
        return (UNKNOWN, f"{said}, within your lab's normal range; this study asks for {wants}. The study team "
                         "tests it again at screening.", "doctor")
    if high is None:
        return UNKNOWN, (f"{said}, without the lab's upper limit of normal; add the range from your report to "
                         f"compare. This study asks for {wants}.")
    range_words = f"your lab's normal range is {low:g}–{high:g}" if low is not None else \
        f"your lab's upper limit is {high:g}"
    if p.get("unit") == "xULN":
        times = result.value / high if high else None
        if times is None:
            return UNKNOWN, ASK_DOCTOR
        threshold = float(p.get("value") or 0)
        ok = {">=": times >= threshold, ">": times > threshold, "<=": times <= threshold,
              "<": times < threshold}.get(op)
        if ok is None:
            return UNKNOWN, ASK_DOCTOR
        return (MET if ok else NOT_MET), f"{said} ({times:.1f} × the upper limit; {range_words}); this study asks " \
                                         f"for {wants}."
    if result.value > high:
        return MET, f"{said}, above normal ({range_words}); this study asks for {wants}."
    return (UNKNOWN, f"{said}, within normal ({range_words}); this study asks for {wants}. The study team tests it "
                     "again at screening.", "doctor")


def _flares(facts: MemberFacts, p: dict) -> tuple[str, str]:
    need = int(p.get("min_count", 1))
    months = int(p.get("months", 12))
    if facts.flare_starts is None:
        return UNKNOWN, (not_shared("flares") if "flares" not in facts.used
                         else "You haven't logged any flares.") + " " + ASK_DOCTOR
    since = months_before(facts.today, months)
    recent = sorted(d for d in facts.flare_starts if since <= d <= facts.today)
    symptoms = ""
    if facts.severe_symptom_days:
        symptoms = (f", and rated a symptom severe on {plural(facts.severe_symptom_days, 'day')} "
                    "in the last 90 days")
    if len(recent) >= need:
        return MET, (f"You logged {plural(len(recent), 'flare')} since {say_month(recent[0])}{symptoms}. "
                     "The study team will measure disease activity themselves.")
    return UNKNOWN, (f"You logged {plural(len(recent), 'flare')} in the last {plural(months, 'month')}"
                     f"{symptoms}. Disease activity is the doctor's judgement — ask your doctor.")


def _clinician(_facts: MemberFacts, _p: dict) -> tuple[str, str]:
    return UNKNOWN, ASK_DOCTOR


def _procedure(_facts: MemberFacts, _p: dict) -> tuple[str, str]:
    return UNKNOWN, STUDY_TEAM


def _classification(facts: MemberFacts, p: dict) -> tuple[str, str]:
    systems = join_words([CLASSIFICATION_WORDS.get(s, s) for s in p.get("systems", [])], "or")
    if "profile" in facts.used and facts.diagnoses:
        said = join_words([DIAGNOSIS_WORDS.get(d, d) for d in facts.diagnoses])
        return UNKNOWN, f"You said you have {said}. Whether it meets {systems} is for your doctor to say."
    return UNKNOWN, f"Whether your lupus meets {systems} is for your doctor to say."


def _diagnosis_duration(facts: MemberFacts, p: dict) -> tuple[str, ...]:
    if "profile" not in facts.used:
        return UNKNOWN, not_shared("health profile")
    if facts.diagnosed_year is None:
        return UNKNOWN, "You haven't added when you were diagnosed to your health profile."
    need = int(p.get("min_days") or 0)
    year, month = facts.diagnosed_year, facts.diagnosed_month
    # The earliest and latest day the diagnosis can have been, from what the member said.
    earliest = date(year, month or 1, 1)
    latest = date(year, month, calendar.monthrange(year, month)[1]) if month else date(year, 12, 31)
    when = say_month(earliest) if month else str(year)
    if (facts.today - latest).days >= need:
        return MET, f"You were diagnosed in {when}; this study asks for at least {plural(need, 'day')} since."
    if (facts.today - earliest).days < need:
        return NOT_MET, f"You were diagnosed in {when}; this study asks for at least {plural(need, 'day')} since."
    return UNKNOWN, f"You were diagnosed in {when}; the month would settle whether it is {plural(need, 'day')} ago."


def _history(facts: MemberFacts, p: dict) -> tuple[str, ...]:
    key = p.get("condition", "")
    what = HISTORY_WORDS.get(key, key)
    if facts.history is None:
        return UNKNOWN, not_shared("medical history") if "history" not in facts.used else \
            f"You haven't said in your medical history whether you have had {what}."
    answer = facts.history.get(key)
    if answer is None:
        return UNKNOWN, f"You haven't said in your medical history whether you have had {what}."
    if p.get("mode") == "required":
        return (MET, f"You said you have had {what}.") if answer.answer == "yes" else \
            (NOT_MET, f"You said you haven't had {what}; this study is for people who have.")
    if answer.answer == "no":
        return MET, f"You said you haven't had {what}."
    when = f" ({answer.year})" if answer.year else ""
    within = p.get("within_years")
    if within:
        if answer.year is None:
            return UNKNOWN, (f"You said you have had {what}; this study excludes it in the last "
                             f"{plural(int(within), 'year')}. Adding the year to your medical history would tell.")
        if answer.year < facts.today.year - int(within):
            return MET, (f"You said you had {what} in {answer.year}; this study excludes it in the last "
                         f"{plural(int(within), 'year')}.")
    if p.get("qualified"):
        return (UNKNOWN, f"You said you have had {what}{when}; this study excludes only some cases. "
                         "Ask the study team whether yours counts.", "doctor")
    return NOT_MET, f"You said you have had {what}{when}; this study does not take people who have."


def _any_of(facts: MemberFacts, p: dict) -> tuple[str, ...]:
    results = []
    for child in p.get("criteria", []):
        evaluator = EVALUATORS.get(child.get("kind"), _clinician)
        results.append((child.get("kind"), *evaluator(facts, child.get("params", {}))))
    for _kind, outcome, evidence, *_ in results:
        if outcome == MET:
            return MET, evidence
    if results and all(outcome == NOT_MET for _, outcome, *_ in results):
        return NOT_MET, " ".join(evidence for _, _, evidence, *_ in results)
    answerable = [evidence for kind, outcome, evidence, *rest in results
                  if outcome == UNKNOWN and kind not in CLINICIAN_ONLY and not rest]
    shown = answerable or [evidence for _, outcome, evidence, *_ in results if outcome == UNKNOWN]
    return (UNKNOWN, " ".join(dict.fromkeys(shown)) or ASK_DOCTOR) + (() if answerable else ("doctor",))


EVALUATORS = {
    "age": _age, "sex": _sex, "condition": _diagnosis, "diagnosis": _diagnosis,
    "nephritis_class": _nephritis_class, "prior_therapies": _prior_therapies, "drug": _drug,
    "pregnancy": _pregnancy, "lab": _lab, "flares": _flares, "clinician": _clinician,
    "classification": _classification, "diagnosis_duration": _diagnosis_duration, "history": _history,
    "stable_dose": _stable_dose, "steroid_dose": _steroid_dose, "any_of": _any_of, "procedure": _procedure,
}
CLINICIAN_ONLY = {"clinician", "classification", "procedure"}
# Where a member would answer an unknown: the records it reads (the page links to their forms).
ANSWERED_IN = {"age": "profile", "sex": "profile", "condition": "profile", "diagnosis": "profile",
               "nephritis_class": "profile", "pregnancy": "profile", "diagnosis_duration": "profile",
               "history": "history", "drug": "treatments", "stable_dose": "treatments",
               "steroid_dose": "treatments", "prior_therapies": "treatments", "lab": "labs", "flares": "flares"}


class _Member:
    """One member's facts with what every trial reuses: results by criterion, and their place."""

    __slots__ = ("facts", "results", "places", "country", "region")

    def __init__(self, facts: MemberFacts) -> None:
        self.facts = facts
        self.results: dict[str, CriterionResult] = {}
        self.places: dict[str, CriterionResult] = {}  # by evidence, which says where (and so the outcome)
        self.country = normal_country(facts.country)
        self.region = normal_region(self.country, facts.region)

    def result(self, spec: CriterionSpec) -> CriterionResult:
        found = self.results.get(spec.key)
        if found is None:
            evaluator = EVALUATORS.get(spec.kind)
            if evaluator is None:
                outcome, evidence, *ask = UNKNOWN, ASK_DOCTOR
            else:
                outcome, evidence, *ask = evaluator(self.facts, spec.params)
            clinician_only = spec.kind in CLINICIAN_ONLY or spec.kind not in EVALUATORS or bool(ask)
            answer = ""
            if outcome == UNKNOWN and not clinician_only:
                answer = "consent" if evidence.startswith("You chose not to use") else ANSWERED_IN.get(spec.kind, "")
            found = self.results[spec.key] = CriterionResult(spec.kind, spec.label, outcome, evidence,
                                                             clinician_only=clinician_only, answer=answer)
        return found


def _location(member: _Member, trial: TrialSpec) -> tuple[str, str, str, int]:
    """(label, outcome, evidence, tier): tier 0 a site in the member's region, 1 in their country, 2 neither.

    A member who gave their state or region is asked about a site there: one elsewhere in their
    country is not near (a site in Iowa is not near someone in New York), so it comes out unknown,
    with where the sites are. Without a region, the country is all that can be said.
    """
    facts = member.facts
    label = REGION_LABEL if member.region else COUNTRY_LABEL
    if "profile" not in facts.used or not facts.country:
        return label, UNKNOWN, _profile_missing(facts, "your country"), 2
    if not trial.locations:
        return label, UNKNOWN, "This record lists no study sites. Ask the study team where it runs.", 2
    here = trial.sites.get(member.country)
    if here:
        if member.region:
            near = [loc for loc in here if normal_region(member.country, loc.get("state")) == member.region]
            if near:
                places = join_words(sorted({loc.get("city") or loc.get("facility") or loc["state"] for loc in near}))
                return label, MET, f"There is a listed site in your state or region: {near[0]['state']} ({places}).", 0
            places = join_words(sorted({loc.get("state") or loc.get("city") or "" for loc in here} - {""})[:5])
            return label, UNKNOWN, (f"Sites in your country, none in {facts.region.strip()}"
                                    f"{': the listed ones are in ' + places if places else ''}. Ask the study team "
                                    "whether travel is possible."), 1
        places = join_words(sorted({loc.get("city") or loc.get("state") or loc.get("facility") or "" for loc in here}
                                   - {""})[:5])
        where = f" ({places})" if places else ""
        return label, MET, (f"There is a listed site in {here[0]['country']}{where}. Add your state or region to "
                            "your health profile to see whether one is near you."), 1
    return label, UNKNOWN, (f"No listed site in {facts.country.strip()} (sites in: "
                            f"{trial.site_countries or 'not listed'}). Ask the study team whether travel is possible."), 2


REGION_LABEL = describe("location", {"within": "region"})
COUNTRY_LABEL = describe("location", {})


_MOST = 999  # criteria met or unknown counted per study: three digits (real studies have under 100)


def rank_key(group: int, status: int, tier: int, met: int, unknown: int, nct_id: str) -> int:
    """The ordering (group, status, site tier, most met first, fewest unknown, NCT number) as one integer.

    Its decimal digits are the fields in order, so comparing keys compares the tuples. Stored with
    each match, it lets one study be re-matched on its own: a position in the list would move with
    every study before it. 17 digits: inside a signed 64-bit column.
    """
    key = (group * 10 + status) * 10 + tier
    key = key * 1000 + _MOST - min(met, _MOST)
    key = key * 1000 + min(unknown, _MOST)
    return key * 100_000_000 + int(nct_id[3:])  # NCT and eight digits (models.trials.NCT_ID)


def _evaluate(member: _Member, trial: TrialSpec) -> MatchOutcome:
    known = member.results  # most criteria repeat across trials: look them up before calling
    results = [known.get(spec.key) or member.result(spec) for spec in trial.evaluated]
    label, outcome, evidence, tier = _location(member, trial)
    place = member.places.get(evidence)
    if place is None:
        place = member.places[evidence] = CriterionResult("location", label, outcome, evidence)
    results.append(place)
    met = unknown = 0
    not_met = member_could_answer = False
    for r in results:
        if r.outcome == MET:
            met += 1
        elif r.outcome == NOT_MET:
            not_met = True
        else:
            unknown += 1
            member_could_answer = member_could_answer or not r.clinician_only
    grouping = PROBABLY_NOT if not_met else WORTH_ASKING if member_could_answer else MAY_FIT
    key = rank_key(GROUP_ORDER[grouping], STATUS_ORDER.get(trial.status, 9), tier, met, unknown, trial.nct_id)
    return MatchOutcome(trial.nct_id, grouping, tuple(results), tier, evidence if outcome == MET else "", key,
                        trial.bullets)


def evaluate(facts: MemberFacts, trial: TrialSpec) -> MatchOutcome:
    """Every criterion of one trial against the member's facts, grouped and with a sort key."""
    return _evaluate(_Member(facts), trial)


def match_all(facts: MemberFacts, trials: Iterable[TrialSpec]) -> list[MatchOutcome]:
    """Rank every suggestible trial (recruiting or not yet recruiting) for one member."""
    member = _Member(facts)
    outcomes = [_evaluate(member, t) for t in trials if t.status in SUGGESTED_STATUSES]
    outcomes.sort(key=lambda o: o.rank)
    return outcomes
