"""tlboard.engine."""
