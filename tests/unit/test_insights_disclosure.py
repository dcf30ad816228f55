"""Disclosure control against an attacker who subtracts published numbers from each other."""

from __future__ import annotations

import itertools
import random

import pytest

from community.insights.disclosure import (
    AGE_BANDS,
    DIAGNOSES,
    FEW,
    HIDDEN,
    UNKNOWN_AGE,
    Cells,
    Disclosure,
    cohorts_for,
    published_cohorts,
)

RULE = Disclosure(minimum=11, step=5)
BANDS = [b for b, _ in AGE_BANDS] + [UNKNOWN_AGE]


def random_world(rng: random.Random) -> Cells:
    """Members with random diagnoses and age bands; some of them have the cell "x"."""
    cells = Cells()
    for uid in range(rng.randint(5, 120)):
        diagnoses = {dx for dx, _ in DIAGNOSES if rng.random() < rng.choice([0.1, 0.5, 0.9])}
        cohorts = cohorts_for(diagnoses, rng.choice(BANDS))
        if rng.random() < rng.choice([0.05, 0.5, 0.95]):
            cells.add(cohorts, "x", uid)
    return cells


def wider(cohort: str) -> list[str]:
    """Cohorts whose members include every member of ``cohort``."""
    dx, _, band = cohort.partition(":")
    return [] if cohort == "all" else ["all"] if not band else ["all", dx]


@pytest.mark.parametrize("seed", range(300))
def test_no_two_published_numbers_subtract_to_a_small_group(seed):
    cells = random_world(random.Random(seed))
    shown = {c: RULE.count(cells, c, "x") for c in published_cohorts()}
    for cohort, value in shown.items():
        raw = cells.raw(cohort, "x")
        if isinstance(value, int):
            assert raw >= 11 and abs(value - raw) <= 2 and value % 5 == 0
            for outer in wider(cohort):
                if isinstance(shown[outer], int):
                    assert not 0 < cells.raw(outer, "x") - raw < 11, (outer, cohort)
        else:
            assert value in (FEW, HIDDEN)
    for dx, _ in DIAGNOSES:  # every shown age band of a diagnosis, subtracted from it
        bands = [f"{dx}:{b}" for b, _ in AGE_BANDS]
        if isinstance(shown[dx], int) and all(isinstance(shown[b], int) for b in bands):
            rest = cells.raw(dx, "x") - sum(cells.raw(b, "x") for b in bands)
            assert not 0 < rest < 11
        for some in itertools.combinations(bands, 2):  # and bands against each other's sums
            if all(isinstance(shown[b], int) for b in some) and isinstance(shown[dx], int):
                assert not 0 < cells.raw(dx, "x") - sum(cells.raw(b, "x") for b in some) < 11


def test_the_differencing_case_that_complementary_suppression_exists_for():
    cells = Cells()
    for uid in range(12):
        cells.add(cohorts_for({"sle"}, "40-59"), "x", uid)
    for uid in range(12, 14):
        cells.add(cohorts_for({"cutaneous"}, "40-59"), "x", uid)
    assert RULE.count(cells, "all", "x") == 15
    assert RULE.count(cells, "sle", "x") == HIDDEN  # 14 - 12 would be the 2 cutaneous members
    assert RULE.count(cells, "cutaneous", "x") == FEW


@pytest.mark.parametrize(("n", "shown"), [(10, FEW), (11, 10), (12, 10), (13, 15), (17, 15), (18, 20)])
def test_counts_are_suppressed_below_eleven_and_rounded_to_five(n, shown):
    cells = Cells()
    for uid in range(n):
        cells.add(["all"], "x", uid, value=1.0)
    assert RULE.count(cells, "all", "x") == shown
    assert (RULE.mean(cells, "all", "x") is None) == (shown == FEW)


def test_a_narrower_cell_on_the_same_page_is_hidden_when_it_differs_by_a_few():
    cells = Cells()
    for uid in range(15):
        cells.add(["all"], "ever", uid)
        if uid < 13:
            cells.add(["all"], "now", uid)
    assert RULE.count(cells, "all", "now", within="ever") == HIDDEN
