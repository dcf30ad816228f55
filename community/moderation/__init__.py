"""Moderation: reports, the review queue, topic tools, member actions, appeals, watched words."""
