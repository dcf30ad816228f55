"""Forums: categories, topics, replies, reactions, following, notifications and search."""
