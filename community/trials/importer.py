"""Reading ClinicalTrials.gov API v2 study records into the trial catalogue.

Accepts one study, a list of studies, or an API page ``{"studies": [...],
"nextPageToken": ...}``. Every record is checked in full before anything is
written, and written inside its own savepoint, so a bad record is reported
(by position and reason) and skipped while the rest are imported.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from community.db import db, utcnow
from community.errors import ValidationFailed
from community.models.trials import NCT_ID, Trial, TrialCriterion
from community.trials.curation import clean_params
from community.trials.reading.store import read_trial

log = logging.getLogger(__name__)

REGISTRY_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
STATUSES = {"RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION",
            "COMPLETED", "TERMINATED", "WITHDRAWN", "SUSPENDED", "AVAILABLE", "NO_LONGER_AVAILABLE",
            "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN"}
PHASES = {"EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"}
SEXES = {"ALL", "FEMALE", "MALE"}
AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(years?|months?|weeks?|days?|hours?|minutes?)\s*$", re.IGNORECASE)
AGE_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25,
                  "hour": 1 / 8766, "minute": 1 / 525960}
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "trials"
LIMITS = {"acronym": 120, "lead_sponsor": 300, "minimum_age": 30, "maximum_age": 30}
MAX_TEXT = 50_000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CUT_NOTE = "\n\n[The registry's text is longer than Lupus Commons keeps; read the rest on the registry record.]"


class MalformedStudy(ValueError):
    """A record that can't be read; the message says why, in words an admin can act on."""


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    trial_ids: list[int] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated


# -- reading documents --------------------------------------------------------------------
def records_in(document: Any, source: str = "") -> list[tuple[str, Any]]:
    """(position, record) for every study in a single record, a list or an API page."""
    prefix = f"{source}: " if source else ""
    if isinstance(document, dict) and "studies" in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            raise MalformedStudy(f"{prefix}'studies' is not a list")
        return [(f"{prefix}studies[{i}]", s) for i, s in enumerate(studies)]
    if isinstance(document, list):
        return [(f"{prefix}record {i + 1}", s) for i, s in enumerate(document)]
    if isinstance(document, dict):
        return [(f"{prefix}record 1", document)]
    raise MalformedStudy(f"{prefix}not a study, a list of studies or an API page")


def _module(protocol: dict, name: str) -> dict:
    value = protocol.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedStudy(f"{name} is not an object")
    return value


def _text(value: Any, what: str, *, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedStudy(f"{what} is not text")
    value = value.replace("\x00", "").strip()
    if len(value) > limit:
        raise MalformedStudy(f"{what} is longer than {limit} characters")
    return value


def _eligibility_text(value: Any) -> str:
    """The registry's eligibility text, kept whatever it holds: a study is never refused for its criteria text.

    Control characters go (they can't be shown), and text past ``MAX_TEXT`` is cut with a note saying so;
    anything the reader can't read is shown verbatim and read into no criteria.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value)[:MAX_TEXT] if isinstance(value, list | dict) else str(value)
    value = CONTROL.sub("", value).strip()
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT] + CUT_NOTE
    return value


def _texts(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedStudy(f"{what} is not a list of text")
    return [v.strip() for v in value if v.strip()]


def parse_age(value: Any, what: str) -> tuple[str, float | None]:
    """"18 Years" → ("18 Years", 18.0); missing or "N/A" → ("", None)."""
    text = _text(value, what, limit=30)
    if not text or text.upper() in ("N/A", "NA"):
        return "", None
    match = AGE.match(text)
    if not match:
        raise MalformedStudy(f"{what} {text!r} is not an age like '18 Years'")
    unit = match.group(2).lower().rstrip("s")
    return text, round(float(match.group(1)) * AGE_UNIT_YEARS[unit], 3)


def _locations(value: Any) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedStudy("locations is not a list")
    out = []
    for i, loc in enumerate(value):
        if not isinstance(loc, dict):
            raise MalformedStudy(f"location {i + 1} is not an object")
        item = {k: _text(loc.get(k), f"location {i + 1} {k}", limit=300)
                for k in ("facility", "status", "city", "state", "zip", "country")}
        point = loc.get("geoPoint")
        if point is not None:
            lat, lon = (point or {}).get("lat"), (point or {}).get("lon")
            if not (isinstance(lat, int | float) and isinstance(lon, int | float)
                    and -90 <= lat <= 90 and -180 <= lon <= 180):
                raise MalformedStudy(f"location {i + 1} has impossible coordinates")
            item["lat"], item["lon"] = float(lat), float(lon)
        out.append({k: v for k, v in item.items() if v not in ("", None)})
    return out


def _contacts(value: Any) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
        raise MalformedStudy("centralContacts is not a list of contacts")
    return [{k: _text(c.get(k), f"contact {k}", limit=300) for k in ("name", "role", "phone", "email")
             if c.get(k)} for c in value]


def parse_study(record: Any) -> dict[str, Any]:
    """One v2 record → the Trial's column values; MalformedStudy says what is wrong."""
    if not isinstance(record, dict):
        raise MalformedStudy("not a study record (expected an object)")
    protocol = record.get("protocolSection")
    if not isinstance(protocol, dict):
        raise MalformedStudy("no protocolSection")
    ident = _module(protocol, "identificationModule")
    nct_id = ident.get("nctId")
    if not isinstance(nct_id, str) or not NCT_ID.match(nct_id.strip()):
        raise MalformedStudy(f"nctId {nct_id!r} is not an NCT number like NCT01234567")
    title = _text(ident.get("briefTitle"), "briefTitle", limit=2000)
    if not title:
        raise MalformedStudy(f"{nct_id}: no briefTitle")
    status = _module(protocol, "statusModule")
    overall = _text(status.get("overallStatus"), "overallStatus", limit=40).upper()
    if overall and overall not in STATUSES:
        raise MalformedStudy(f"{nct_id}: unknown overallStatus {overall!r}")
    updated = status.get("lastUpdatePostDateStruct") or {}
    last_update = _text(updated.get("date") if isinstance(updated, dict) else None, "lastUpdatePostDate", limit=10)
    if last_update and not REGISTRY_DATE.match(last_update):
        raise MalformedStudy(f"{nct_id}: lastUpdatePostDate {last_update!r} is not a date")
    sponsors = _module(protocol, "sponsorCollaboratorsModule")
    lead = sponsors.get("leadSponsor") or {}
    collaborators = sponsors.get("collaborators") or []
    if not isinstance(lead, dict) or not isinstance(collaborators, list):
        raise MalformedStudy(f"{nct_id}: sponsorCollaboratorsModule is malformed")
    design = _module(protocol, "designModule")
    phases = [p.upper() for p in _texts(design.get("phases"), "phases")]
    if set(phases) - PHASES:
        raise MalformedStudy(f"{nct_id}: unknown phase {sorted(set(phases) - PHASES)[0]!r}")
    arms = _module(protocol, "armsInterventionsModule")
    interventions = arms.get("interventions") or []
    if not isinstance(interventions, list) or not all(isinstance(i, dict) for i in interventions):
        raise MalformedStudy(f"{nct_id}: interventions is not a list")
    eligibility = _module(protocol, "eligibilityModule")
    min_text, min_years = parse_age(eligibility.get("minimumAge"), "minimumAge")
    max_text, max_years = parse_age(eligibility.get("maximumAge"), "maximumAge")
    if min_years is not None and max_years is not None and min_years > max_years:
        raise MalformedStudy(f"{nct_id}: minimumAge is above maximumAge")
    sex = _text(eligibility.get("sex"), "sex", limit=10).upper()
    if sex and sex not in SEXES:
        raise MalformedStudy(f"{nct_id}: unknown sex {sex!r}")
    healthy = eligibility.get("healthyVolunteers")
    if isinstance(healthy, str):  # some mirrors say "No"/"Yes"
        healthy = {"yes": True, "no": False, "accepts healthy volunteers": True}.get(healthy.strip().lower())
    elif healthy is not None and not isinstance(healthy, bool):
        raise MalformedStudy(f"{nct_id}: healthyVolunteers is not true or false")
    contacts = _module(protocol, "contactsLocationsModule")
    provenance = record.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise MalformedStudy(f"{nct_id}: provenance is not an object")
    values = {
        "nct_id": nct_id.strip(),
        "brief_title": title,
        "official_title": _text(ident.get("officialTitle"), "officialTitle", limit=4000),
        "acronym": _text(ident.get("acronym"), "acronym", limit=LIMITS["acronym"]),
        "overall_status": overall,
        "phases": phases,
        "conditions": _texts(_module(protocol, "conditionsModule").get("conditions"), "conditions"),
        "interventions": [{k: _text(i.get(k), f"intervention {k}", limit=2000) for k in ("type", "name", "description")
                           if i.get(k)} for i in interventions],
        "lead_sponsor": _text(lead.get("name"), "leadSponsor", limit=LIMITS["lead_sponsor"]),
        "collaborators": [_text(c.get("name") if isinstance(c, dict) else c, "collaborator", limit=300)
                          for c in collaborators],
        "brief_summary": _text(_module(protocol, "descriptionModule").get("briefSummary"), "briefSummary"),
        "minimum_age": min_text, "minimum_age_years": min_years,
        "maximum_age": max_text, "maximum_age_years": max_years,
        "sex": sex,
        "healthy_volunteers": healthy,
        "eligibility_text": _eligibility_text(eligibility.get("eligibilityCriteria")),
        "eligibility_is_summary": bool(provenance.get("eligibilityCriteriaIsSummary")),
        "locations": _locations(contacts.get("locations")),
        "central_contacts": _contacts(contacts.get("centralContacts")),
        "last_update_date": last_update,
        "source_urls": [u for u in _texts(provenance.get("sourceUrls"), "sourceUrls")
                        if u.startswith(("https://", "http://"))],
        "checked_on": _text(provenance.get("checkedOn"), "checkedOn", limit=10),
        "left_out": _texts(provenance.get("leftOut"), "leftOut"),
    }
    return values


# -- registry-derived criteria ---------------------------------------------------------------
def derived_criteria(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Criteria the registry fields state directly: age range, sex, lupus condition."""
    out: list[dict[str, Any]] = []
    left_out = set(values.get("left_out") or ())
    lo, hi = values.get("minimum_age_years"), values.get("maximum_age_years")
    if lo is not None or hi is not None or {"minimumAge", "maximumAge"} & left_out:
        out.append({"kind": "age", "params": {
            "min": lo, "max": hi, "min_confirmed": "minimumAge" not in left_out,
            "max_confirmed": "maximumAge" not in left_out}})
    if values.get("sex") in ("FEMALE", "MALE"):
        out.append({"kind": "sex", "params": {"sex": values["sex"]}})
    wanted = lupus_diagnoses(values.get("conditions") or [])
    if wanted:
        out.append({"kind": "condition", "params": {"diagnoses": wanted}})
    return out


def lupus_diagnoses(conditions: list[str]) -> list[str]:
    """The member diagnoses ("sle", "nephritis", "cutaneous") a study's registry conditions are about."""
    text = " | ".join(conditions).lower()
    wanted = []
    if "systemic" in text or "sle" in re.findall(r"[a-z]+", text):
        wanted += ["sle", "nephritis"]
    elif "nephritis" in text:
        wanted.append("nephritis")
    if "cutaneous" in text or "discoid" in text:
        wanted.append("cutaneous")
    return wanted


# -- writing -------------------------------------------------------------------------------------
def upsert(values: dict[str, Any], existing: Trial | None) -> Trial:
    """Write one parsed study, its registry-derived criteria and what its eligibility text says (no commit)."""
    if existing is not None and existing.reader_version and \
            all(getattr(existing, k) == v for k, v in values.items()):
        return existing  # unchanged: stored matches stay current
    text_changed = existing is None or not existing.reader_version or \
        existing.eligibility_text != values["eligibility_text"]
    trial = existing or Trial(nct_id=values["nct_id"])
    for key, value in values.items():
        setattr(trial, key, value)
    trial.updated_at = utcnow()
    if existing is None:
        db.session.add(trial)
        db.session.flush()
    else:
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.trial_id == trial.id,
                                                        TrialCriterion.source == "registry"))
    for position, criterion in enumerate(derived_criteria(values)):
        db.session.add(TrialCriterion(trial_id=trial.id, position=position, source="registry",
                                      kind=criterion["kind"], params=criterion["params"]))
    if text_changed:
        read_trial(trial)
    db.session.flush()
    return trial


def import_records(records: Iterable[tuple[str, Any]], *,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check and write each record in its own savepoint, then commit once; bad ones are reported."""
    report = ImportReport()
    parsed: list[tuple[str, dict]] = []
    for position, record in records:
        try:
            parsed.append((position, parse_study(record)))
        except MalformedStudy as problem:
            report.problems.append((position, str(problem)))
            if progress:
                progress(1)
    ids = [values["nct_id"] for _, values in parsed]
    existing = {t.nct_id: t for t in db.session.scalars(select(Trial).where(Trial.nct_id.in_(ids)))} if ids else {}
    for position, values in parsed:
        try:
            with db.session.begin_nested():
                trial = upsert(values, existing.get(values["nct_id"]))
        except SQLAlchemyError as error:
            log.warning("trial record %s was not written: %s", position, type(error).__name__)
            report.problems.append((position, "could not be stored (the database refused it)"))
        else:
            if values["nct_id"] in existing:
                report.updated += 1
            else:
                report.added += 1
                existing[values["nct_id"]] = trial
            report.trial_ids.append(trial.id)
        if progress:
            progress(1)
    db.session.commit()
    return report


def read_file(path: Path | str) -> list[tuple[str, Any]]:
    """The records in one JSON file; a file that isn't JSON is reported as one problem."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise MalformedStudy(f"{path.name}: not readable JSON ({type(error).__name__})") from None
    return records_in(document, path.name)


def apply_curated(curated: dict[str, list[dict]]) -> int:
    """Give shipped trials their curated criteria, unless an admin has already curated them."""
    trials = {t.nct_id: t for t in db.session.scalars(select(Trial).where(Trial.nct_id.in_(list(curated))))}
    has_curated = set(db.session.scalars(
        select(TrialCriterion.trial_id).where(TrialCriterion.source == "curated",
                                              TrialCriterion.trial_id.in_([t.id for t in trials.values()]))))
    added = 0
    for nct_id, items in curated.items():
        trial = trials.get(nct_id)
        if trial is None or trial.id in has_curated:
            continue
        for position, item in enumerate(items, start=100):
            params = {k: v for k, v in item.items() if k != "kind"}
            try:
                params = clean_params(item["kind"], params, shipped=True)
            except ValidationFailed as problem:
                raise RuntimeError(f"shipped criterion for {nct_id} is invalid: {problem.message}") from None
            db.session.add(TrialCriterion(trial_id=trial.id, position=position, source="curated",
                                          kind=item["kind"], params=params))
            added += 1
        trial.updated_at = utcnow()
    db.session.commit()
    return added
