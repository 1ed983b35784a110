"""`tf.train`."""
# ruff: noqa: F401, F403
