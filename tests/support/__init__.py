"""What the tests share: builders of rows (factories, forum, tracking, ...) and readers of what the app did (observe)."""
