"""Private conversations between members, with reporting and blocking."""
