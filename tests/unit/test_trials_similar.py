"""Which studies are alike: the same lupus diagnosis and the same kind of treatment."""

from community.trials.similar import CELL_THERAPY, kind_of

LN = ["Lupus Nephritis"]
SLE = ["Systemic Lupus Erythematosus"]


def drug(name: str, description: str = "") -> dict:
    return {"type": "DRUG", "name": name, "description": description}


def test_car_t_studies_are_alike_whatever_their_product_is_called():
    kysa = kind_of(LN, "KYSA-3: A Study of Anti-CD19 CAR T Therapy", [drug("KYV-101 anti-CD19 CAR-T cell therapy")])
    autograph = kind_of(SLE, "A Study of Rapcabtagene Autoleucel", [drug("rapcabtagene autoleucel")])
    carlysle = kind_of(SLE, "Obe-cel in Severe SLE", [drug("Obecabtagene autoleucel (obe-cel)")])
    assert kysa.treatments == autograph.treatments == carlysle.treatments == {CELL_THERAPY}
    assert kysa.is_like(autograph) and autograph.is_like(carlysle)


def test_the_chemotherapy_before_car_t_cells_does_not_make_it_like_a_cyclophosphamide_study():
    car_t = kind_of(SLE, "CD19 CAR T cells in SLE", [drug("CC-97540"), drug("Fludarabine"), drug("Cyclophosphamide")])
    cyclophosphamide = kind_of(LN, "Cyclophosphamide for lupus nephritis", [drug("Cyclophosphamide")])
    assert car_t.treatments == {CELL_THERAPY}
    assert not car_t.is_like(cyclophosphamide) and not cyclophosphamide.is_like(car_t)


def test_a_product_named_only_in_its_description_is_still_found():
    descartes = kind_of(SLE, "Descartes-08 for Patients With SLE",
                        [drug("Descartes-08", "an autologous mRNA CAR-T cell therapy")])
    assert descartes.treatments == {CELL_THERAPY}


def test_steroids_beside_a_study_drug_say_nothing_about_its_kind():
    obinutuzumab = kind_of(LN, "Obinutuzumab in lupus nephritis", [drug("Obinutuzumab"), drug("Prednisone")])
    steroid_only = kind_of(LN, "Prednisone tapering", [drug("Prednisone")])
    assert "glucocorticoids" not in obinutuzumab.treatments
    assert not obinutuzumab.is_like(steroid_only)
    belimumab = kind_of(LN, "Belimumab in lupus nephritis", [drug("Belimumab")])
    assert obinutuzumab.is_like(belimumab)  # both B-cell–targeted


def test_a_different_diagnosis_is_not_alike():
    skin = kind_of(["Cutaneous Lupus Erythematosus"], "CAR-T for skin lupus", [drug("CAR-T cells")])
    kidney = kind_of(LN, "CAR-T for lupus nephritis", [drug("CAR-T cells")])
    assert not skin.is_like(kidney)


def test_a_study_whose_treatment_is_unknown_is_like_any_study_of_its_diagnosis():
    unknown = kind_of(LN, "A new study", [drug("XYZ-123")])
    assert not unknown.treatments
    assert unknown.is_like(kind_of(SLE, "Anifrolumab", [drug("Anifrolumab")]))
    assert not unknown.is_like(kind_of(["Cutaneous Lupus"], "Anifrolumab", [drug("Anifrolumab")]))
