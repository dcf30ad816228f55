"""Clinical-trial suggestions: consent, a ClinicalTrials.gov catalogue, explainable matching, interest."""
