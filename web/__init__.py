"""tlboard.web."""
