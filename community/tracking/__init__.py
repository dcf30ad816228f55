"""Private lupus tracking: daily check-ins, flares, treatments, labs, charts and exports."""

from community.tracking import catalogue  # noqa: F401 - registers the catalogue loaders for `flask seed`
