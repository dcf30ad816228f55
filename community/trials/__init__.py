"""Clinical-trial suggestions: consent, a ClinicalTrials.gov catalogue, explainable matching, interest."""

from community.trials import importer  # noqa: F401 - registers the shipped-trials loader for `flask seed`
