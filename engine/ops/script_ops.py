"""tf.py_func: a graph op that calls a Python function on NumPy arrays."""
__all__: list[str] = []
