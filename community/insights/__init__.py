"""Community insights: what contributing members report, aggregated and never small enough to identify anyone."""
