"""tlboard.summaries."""
