"""Which studies are like another: about the same lupus diagnosis, testing the same kind of treatment.

Pure: a study's registry conditions, title and interventions in, its kind out. Used to offer
recruiting studies beside one a member came for that isn't recruiting (or may not be).
"""

from __future__ import annotations

from dataclasses import dataclass

from community.trials import drugs
from community.trials.importer import lupus_diagnoses

CELL_THERAPY = "cell_gene_therapy"
# Steroids are allowed beside almost every lupus study: they never say what one is testing.
BACKGROUND = frozenset(drugs.group_drugs("glucocorticoids"))


@dataclass(frozen=True)
class StudyKind:
    diagnoses: frozenset[str]
    treatments: frozenset[str]  # drug classes (drugs.GROUPS keys), or a drug's own name when it has none

    def is_like(self, other: StudyKind) -> bool:
        """Same diagnosis, and the same kind of treatment when this study's kind is known."""
        return bool(self.diagnoses & other.diagnoses) and \
            (not self.treatments or bool(self.treatments & other.treatments))


def kind_of(conditions: list[str], title: str, interventions: list[dict]) -> StudyKind:
    """A study's kind from its registry conditions, brief title and interventions."""
    named = _named([title] + [i.get("name", "") for i in interventions])
    if not named:  # some records name the product only in its description ("Descartes-08")
        named = _named([i.get("description", "") for i in interventions])
    if "car-t" in named:
        # CAR-T studies also name the chemotherapy given before the cells: it isn't what they test.
        treatments = frozenset({CELL_THERAPY})
    else:
        treatments = frozenset(kind for drug in named - BACKGROUND
                               for kind in ([g for g, members in drugs.GROUPS.items() if drug in members] or [drug]))
    return StudyKind(frozenset(lupus_diagnoses(conditions)), treatments)


def _named(texts: list[str]) -> set[str]:
    return {drug for text in texts if text for drug in drugs.drugs_named(text)}
