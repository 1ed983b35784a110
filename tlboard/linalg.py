"""`tf.linalg`: linear-algebra ops under their `tf.linalg` names."""
# ruff: noqa: F401
from tlboard.engine.ops.array_ops import eye
from tlboard.engine.ops.array_ops import matrix_diag as diag
from tlboard.engine.ops.array_ops import matrix_diag_part as diag_part
from tlboard.engine.ops.array_ops import matrix_set_diag as set_diag
from tlboard.engine.ops.array_ops import matrix_transpose as transpose
from tlboard.engine.ops.math_ops import einsum, matmul, norm, tensordot, trace
