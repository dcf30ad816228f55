"""Site-wide search: forum posts (forum.py) and research news."""
