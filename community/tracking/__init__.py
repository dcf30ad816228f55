"""Private lupus tracking: daily check-ins, flares, treatments, labs, charts and exports."""
