"""tlboard.dashboard."""
