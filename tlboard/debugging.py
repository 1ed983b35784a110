"""`tf.debugging`: assertions and numeric checks under their tf.debugging names."""
# ruff: noqa: F401
from tlboard.engine.ops.check_ops import (
    Assert,
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_integer,
    assert_less,
    assert_less_equal,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_rank,
    assert_scalar,
    assert_type,
    check_numerics,
)
from tlboard.engine.ops.math_ops import is_finite, is_inf, is_nan
