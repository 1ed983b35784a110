"""Window geometry shared by every backend's convolution and pooling kernels (TF's SAME/VALID rules, NHWC).

`ksize`, `strides` and `dilations` are NHWC 4-lists ([1, h, w, 1]), (h, w) pairs or ints. SAME pads
`total = max((out - 1) * stride + eff_k - in, 0)`: `total // 2` before, the rest after, as TF does.
"""
from __future__ import annotations

import numpy as np


def pair(values, name: str) -> tuple[int, int]:
    """(rows, cols) from an NHWC 4-list ([1, h, w, 1]), a pair, or an int."""
    if isinstance(values, int | np.integer):
        return int(values), int(values)
    values = [int(v) for v in values]
    if len(values) == 4:
        return values[1], values[2]
    if len(values) == 2:
        return values[0], values[1]
    raise ValueError(f"{name} must have 1, 2 or 4 entries, got {values}")


def output_size(size: int, k: int, stride: int, dilation: int, padding) -> tuple[int, int]:
    """(output size, padding before) along one spatial axis for TF's SAME or VALID padding."""
    eff = (k - 1) * dilation + 1
    padding = padding.decode() if isinstance(padding, bytes) else str(padding).upper()
    if padding == "SAME":
        out = -(-size // stride)
        return out, max((out - 1) * stride + eff - size, 0) // 2
    if padding == "VALID":
        return max(-(-(size - eff + 1) // stride), 0), 0
    raise ValueError(f"Unsupported padding {padding!r}: expected 'SAME' or 'VALID'")
