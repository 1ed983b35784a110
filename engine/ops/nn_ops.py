"""nn_ops: declarations come from its author."""

__all__: list[str] = []
