"""The trial records shipped with the app, loaded by `flask seed` (named in the factory's seed list)."""

from __future__ import annotations

import json
from typing import Any

from community.trials.importer import SHIPPED_DIR, apply_curated, import_records, read_file
from community.trials.matching_runs import recompute_for_consenting_members


def load_shipped_trials() -> int:
    """The real lupus trial records shipped with the app, and their curated criteria."""
    records: list[tuple[str, Any]] = []
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        if path.name == "criteria.json":
            continue
        records += read_file(path)
    report = import_records(records)
    if report.problems:
        raise RuntimeError(f"shipped trial records are malformed: {report.problems}")
    curated = json.loads((SHIPPED_DIR / "criteria.json").read_text(encoding="utf-8"))
    curated.pop("_about", None)
    apply_curated(curated)
    recompute_for_consenting_members()
    return report.added
