"""Lupus medicines by the names registries and members write, and the classes studies name.

One vocabulary for both sides of matching: the text reader finds these names in a study's
eligibility bullets, and the matcher finds them in the names of the member's treatments.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Canonical name → other names (brands, abbreviations, spellings). Short abbreviations are
# matched as whole words only.
DRUGS: dict[str, tuple[str, ...]] = {
    "hydroxychloroquine": ("hydroxychloroquine", "hydroxycloroquine", "plaquenil", "hcq"),
    "chloroquine": ("chloroquine",),
    "quinacrine": ("quinacrine", "mepacrine"),
    "prednisone": ("prednisone",),
    "prednisolone": ("prednisolone",),
    "methylprednisolone": ("methylprednisolone", "methyl-prednisolone", "solu-medrol", "medrol"),
    "dexamethasone": ("dexamethasone",),
    "hydrocortisone": ("hydrocortisone",),
    "methotrexate": ("methotrexate", "methotrextate", "mtx"),
    "azathioprine": ("azathioprine", "imuran", "aza"),
    "mycophenolate": ("mycophenolate", "mycophenolic acid", "cellcept", "myfortic", "mmf", "empa", "mpa"),
    "cyclophosphamide": ("cyclophosphamide", "cytoxan", "endoxan", "cyc", "ctx", "ivcy"),
    "chlorambucil": ("chlorambucil",),
    "tacrolimus": ("tacrolimus", "prograf", "fk506"),
    "ciclosporin": ("ciclosporin", "cyclosporine", "cyclosporin", "cysa", "csa"),
    "voclosporin": ("voclosporin", "lupkynis"),
    "leflunomide": ("leflunomide", "arava"),
    "mizoribine": ("mizoribine",),
    "sirolimus": ("sirolimus", "rapamycin"),
    "belimumab": ("belimumab", "benlysta", "beliumab", "baileyoumab"),
    "rituximab": ("rituximab", "rituxan", "mabthera", "rtx"),
    "obinutuzumab": ("obinutuzumab", "gazyva"),
    "ocrelizumab": ("ocrelizumab",),
    "ofatumumab": ("ofatumumab",),
    "epratuzumab": ("epratuzumab",),
    "atacicept": ("atacicept",),
    "telitacicept": ("telitacicept",),
    "ianalumab": ("ianalumab",),
    "inebilizumab": ("inebilizumab",),
    "anifrolumab": ("anifrolumab", "saphnelo"),
    "abatacept": ("abatacept", "orencia"),
    "tocilizumab": ("tocilizumab",),
    "infliximab": ("infliximab",),
    "adalimumab": ("adalimumab",),
    "etanercept": ("etanercept",),
    "ustekinumab": ("ustekinumab",),
    "dapirolizumab": ("dapirolizumab",),
    "litifilimab": ("litifilimab",),
    "deucravacitinib": ("deucravacitinib",),
    # Product names too: CAR-T products are "...cabtagene autoleucel" or "-cel" for short.
    "car-t": ("car-t", "car t", "cart cell", "chimeric antigen receptor", "autoleucel", "obe-cel", "relma-cel",
              "cart19"),
    "ivig": ("ivig", "intravenous immunoglobulin", "iv immunoglobulin"),
    "plasmapheresis": ("plasmapheresis", "plasma exchange"),
    "thalidomide": ("thalidomide",),
}

B_CELL = ("rituximab", "belimumab", "obinutuzumab", "ocrelizumab", "ofatumumab", "epratuzumab", "atacicept",
          "telitacicept", "ianalumab", "inebilizumab")
GROUPS: dict[str, tuple[str, ...]] = {
    "b_cell": B_CELL,
    "anti_cd20": ("rituximab", "obinutuzumab", "ocrelizumab", "ofatumumab"),
    "biologics": B_CELL + ("anifrolumab", "abatacept", "tocilizumab", "infliximab", "adalimumab", "etanercept",
                           "ustekinumab", "dapirolizumab", "litifilimab"),
    "immunosuppressants": ("azathioprine", "mycophenolate", "methotrexate", "cyclophosphamide", "tacrolimus",
                           "ciclosporin", "voclosporin", "leflunomide", "mizoribine", "sirolimus"),
    "cytotoxic": ("cyclophosphamide", "chlorambucil"),
    "calcineurin_inhibitors": ("tacrolimus", "ciclosporin", "voclosporin"),
    "antimalarials": ("hydroxychloroquine", "chloroquine", "quinacrine"),
    "glucocorticoids": ("prednisone", "prednisolone", "methylprednisolone", "dexamethasone", "hydrocortisone"),
    "cell_gene_therapy": ("car-t",),
    "ivig": ("ivig",),
    "plasmapheresis": ("plasmapheresis",),
}
GROUP_WORDS = {
    "b_cell": "B-cell–targeted therapy", "anti_cd20": "anti-CD20 therapy", "biologics": "biologics",
    "immunosuppressants": "immunosuppressants", "cytotoxic": "cytotoxic drugs",
    "calcineurin_inhibitors": "calcineurin inhibitors", "antimalarials": "antimalarials",
    "glucocorticoids": "glucocorticoids (steroids)", "cell_gene_therapy": "CAR-T cell or gene therapy",
    "ivig": "intravenous immunoglobulin (IVIG)", "plasmapheresis": "plasmapheresis",
}
# Prednisone-equivalent milligrams per milligram of each glucocorticoid (standard equivalences:
# 5 mg prednisone = 5 mg prednisolone = 4 mg methylprednisolone = 0.75 mg dexamethasone = 20 mg hydrocortisone).
PREDNISONE_EQUIVALENT = {"prednisone": 1.0, "prednisolone": 1.0, "methylprednisolone": 1.25,
                         "dexamethasone": 6.67, "hydrocortisone": 0.25}
# Doses a day for tracking's frequency keys; the rest (as needed, pulses) say nothing about a daily dose.
DOSES_PER_DAY = {"once_daily": 1.0, "twice_daily": 2.0, "three_daily": 3.0, "every_other_day": 0.5}


def group_drugs(group: str) -> tuple[str, ...]:
    """The canonical drugs a class stands for (empty for an unknown class)."""
    return GROUPS.get(group, ())


@lru_cache(maxsize=256)
def _name_pattern(drug: str) -> re.Pattern:
    names = sorted(DRUGS.get(drug, (drug,)), key=len, reverse=True)
    # Whole words, so "aza" is not found in "azathioprine" twice nor "mpa" inside "impact".
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z0-9])")


def names_drug(text: str, drug: str) -> bool:
    """Whether ``text`` (any case) names this canonical drug by any of its names."""
    return _name_pattern(drug).search(text.lower()) is not None


def first_mention(text: str, drug: str) -> int:
    """Where ``text`` first names this drug (len(text) when it doesn't)."""
    match = _name_pattern(drug).search(text.lower())
    return match.start() if match else len(text)


def drugs_named(text: str) -> list[str]:
    """Every canonical drug ``text`` names, in the order of the vocabulary."""
    lower = text.lower()
    return [drug for drug in DRUGS if _name_pattern(drug).search(lower)]
