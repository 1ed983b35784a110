"""tf.py_func / tf.numpy_function, tf.case, tf.Assert and the tf.assert_* checks, tf.check_numerics."""
import sys
from pathlib import Path

import numpy as np
import pytest

import tlboard as tf
from tlboard.engine.backends import cupy_backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gpu"))
import cuda_emulator  # noqa: E402

# --- tf.py_func


def test_py_func_calls_python_on_numpy_arrays_each_run():
    x = tf.placeholder(tf.float32, [None], name="x")
    seen = []

    def double(a):
        seen.append(type(a))
        return a * 2

    y = tf.py_func(double, [x], tf.float32)
    assert y.op.type == "PyFunc" and y.dtype == tf.float32
    assert y.shape.ndims is None  # output shapes are unknown, as in TF1
    with tf.Session() as sess:
        out = sess.run(y, {x: [1.0, 2.5]})
        np.testing.assert_array_equal(out, [2.0, 5.0])
        assert out.dtype == np.float32
        np.testing.assert_array_equal(sess.run(y, {x: [3.0]}), [6.0])
    assert seen == [np.ndarray, np.ndarray]


def test_py_func_with_a_list_of_dtypes_returns_a_list_and_converts_within_a_kind():
    x = tf.constant([1.0, 2.0, 4.0])
    outs = tf.py_func(lambda a: (a.astype(np.float64).sum(), np.int64(a.size), a > 1.5), [x],
                      [tf.float32, tf.int32, tf.bool])
    assert isinstance(outs, list) and [t.dtype for t in outs] == [tf.float32, tf.int32, tf.bool]
    single = tf.py_func(lambda a: [a[:1]], [x], [tf.float32])
    assert isinstance(single, list) and len(single) == 1
    with tf.Session() as sess:
        total, count, big = sess.run(outs)
        (first,) = sess.run(single)
    assert total == 7.0 and np.asarray(total).dtype == np.float32
    assert count == 3 and np.asarray(count).dtype == np.int32
    np.testing.assert_array_equal(big, [False, True, True])
    np.testing.assert_array_equal(first, [1.0])


def test_py_func_takes_several_inputs_of_different_dtypes_and_strings():
    a = tf.constant([[1, 2], [3, 4]], dtype=tf.int64)
    b = tf.constant(0.5, dtype=tf.float64)
    s = tf.constant("tag")
    y = tf.py_func(lambda a, b, s: (a * b).astype(np.float64), [a, b, s], tf.float64)
    label = tf.py_func(lambda s, a: s + b"-" + str(a.sum()).encode(), [s, a], tf.string)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [[0.5, 1.0], [1.5, 2.0]])
        assert sess.run(label) == b"tag-10"


def test_stateful_py_func_runs_every_time_even_on_constant_inputs():
    calls = []

    def count(a):
        calls.append(1)
        return np.int32(len(calls))

    y = tf.py_func(count, [tf.constant(1)], tf.int32)
    with tf.Session() as sess:
        assert [int(sess.run(y)) for _ in range(3)] == [1, 2, 3]
    assert tf.numpy_function(count, [tf.constant(1)], tf.int32).op.type == "PyFunc"
    stateless = tf.py_func(lambda a: a + 1, [tf.constant(1)], tf.int32, stateful=False)
    assert stateless.op.type == "PyFuncStateless"
    with tf.Session() as sess:
        assert sess.run(stateless) == 2


def test_py_func_without_outputs_is_an_op_run_for_its_side_effects():
    log = []
    x = tf.placeholder(tf.int32, [])
    op = tf.py_func(lambda v: log.append(int(v)), [x], [])
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        sess.run(op, {x: 7})
    assert log == [7]


@pytest.mark.parametrize("exc, error", [
    (ValueError("bad value"), tf.errors.InvalidArgumentError),
    (TypeError("bad type"), tf.errors.InvalidArgumentError),
    (ZeroDivisionError("division by zero"), tf.errors.UnknownError),
    (RuntimeError("boom"), tf.errors.UnknownError),
    (StopIteration(), tf.errors.OutOfRangeError),
    (NotImplementedError("later"), tf.errors.UnimplementedError),
])
def test_py_func_errors_surface_as_tf_errors(exc, error):
    def fail(a):
        raise exc

    y = tf.py_func(fail, [tf.constant(1.0)], tf.float32, name="failing")
    with tf.Session() as sess, pytest.raises(error) as info:
        sess.run(y)
    assert type(info.value) is error
    assert type(exc).__name__ in str(info.value) and str(exc) in str(info.value)
    assert info.value.op is y.op and "failing" in str(info.value)


def test_py_func_result_count_and_dtype_mismatches_are_invalid_arguments():
    x = tf.constant([1.0, 2.0])
    too_many = tf.py_func(lambda a: (a, a), [x], tf.float32)
    wrong_kind = tf.py_func(lambda a: a, [x], tf.int32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="returns 2 values, but expects to see 1 values"):
            sess.run(too_many)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="0-th value returned by .* is float, but expects int32"):
            sess.run(wrong_kind)


@pytest.mark.skipif(not cuda_emulator.available(), reason="needs g++ to emulate the CUDA kernels on the host")
def test_py_func_and_checks_on_the_gpu_placement_get_host_arrays(monkeypatch):
    cuda_emulator.emulate(monkeypatch)
    copied = []  # the types of the values copied to the host through the backend, in order
    to_numpy = cupy_backend.to_numpy
    monkeypatch.setattr(cupy_backend, "to_numpy", lambda v: copied.append(type(v)) or to_numpy(v))
    seen = []

    def scale(a, n):
        seen.append((type(a), type(n), list(copied)))
        return a * n

    with tf.device("/gpu:0"):
        x = tf.placeholder(tf.float32, [3])
        h = x * 2.0  # computed on the device
        y = tf.py_func(scale, [h, tf.constant(3, tf.int32)], tf.float32)
        z = tf.check_numerics(y + 1.0, "z")
        check = tf.assert_less(h, 100.0)
    with tf.Session() as sess:
        with tf.control_dependencies([check]):
            out = sess.run(z, {x: [1.0, 2.0, 3.0]})
        np.testing.assert_array_equal(out, [7.0, 13.0, 19.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="z : Tensor had Inf values"):
            sess.run(z, {x: [1.0, np.inf, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[x \(mul:0\) = \] \[2 400 6\]"):
            sess.run(check, {x: [1.0, 200.0, 3.0]})
    # The device value of h was copied to the host before the function got it as a NumPy array.
    assert seen[0][:2] == (np.ndarray, np.ndarray) and cuda_emulator.DeviceArray in seen[0][2]


def test_py_func_has_no_gradient():
    x = tf.Variable([1.0, 2.0])
    y = tf.py_func(np.square, [x], tf.float32)
    assert tf.gradients(tf.reduce_sum(y), [x]) == [None]


# --- tf.case


def _case_graph(**kwargs):
    x = tf.placeholder(tf.int32, [], name="x")
    pairs = [(tf.less(x, 0), lambda: tf.constant(-1)), (tf.equal(x, 0), lambda: tf.constant(0)),
             (tf.less(x, 10), lambda: x * 10)]
    return x, tf.case(pairs, **kwargs)


def test_case_takes_the_first_true_predicate_else_the_default():
    x, y = _case_graph(default=lambda: tf.constant(99))
    with tf.Session() as sess:
        assert [int(sess.run(y, {x: v})) for v in (-5, 0, 3, 10, 50)] == [-1, 0, 30, 99, 99]


def test_case_runs_only_the_taken_fn():
    p = tf.placeholder(tf.bool, [])
    q = tf.placeholder(tf.bool, [])
    count = tf.Variable(0)

    def counted():
        with tf.control_dependencies([tf.assign_add(count, 1)]):
            return tf.constant(1.0)

    y = tf.case([(p, counted), (q, lambda: tf.constant(2.0))], default=lambda: tf.constant(3.0))
    with tf.Session() as sess:
        sess.run(count.initializer)
        assert sess.run(y, {p: False, q: True}) == 2.0
        assert sess.run(y, {p: False, q: False}) == 3.0
        assert sess.run(count) == 0
        assert sess.run(y, {p: True, q: True}) == 1.0  # not exclusive: the first true one wins
        assert sess.run(count) == 1


def test_case_without_default_fails_when_no_predicate_holds():
    x, y = _case_graph()
    with tf.Session() as sess:
        assert sess.run(y, {x: 3}) == 30  # the last pair is the fallback
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[Input error: None of conditions evaluated as True:\] "
                                 r"\[0 0 0\]"):
            sess.run(y, {x: 50})


def test_exclusive_case_rejects_two_true_predicates():
    x, y = _case_graph(default=lambda: tf.constant(99), exclusive=True)
    with tf.Session() as sess:
        assert sess.run(y, {x: 5}) == 50
        assert sess.run(y, {x: 50}) == 99
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"assertion failed: \[Input error: exclusive=True: more than 1 conditions "
                                 r"\(Less:0, Equal:0, Less_1:0\) evaluated as True:\] \[1 0 1\]"):
            sess.run(y, {x: -1})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"evaluated as True:\] \[0 1 1\]"):
            sess.run(y, {x: 0})


def test_case_returns_lists_and_accepts_a_dict():
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.case({p: lambda: [tf.constant(1), tf.constant(2.0)]}, default=lambda: [tf.constant(3), tf.constant(4.0)])
    assert isinstance(y, list) and len(y) == 2
    with tf.Session() as sess:
        assert sess.run(y, {p: True}) == [1, 2.0]
        assert sess.run(y, {p: False}) == [3, 4.0]
    with pytest.raises(TypeError):
        tf.case([(p, 1)])


# --- tf.Assert and the assert_* helpers


def test_assert_passes_or_fails_with_tf1s_message_format():
    x = tf.placeholder(tf.float32, [None], name="x")
    check = tf.Assert(tf.reduce_all(x > 0), ["x must be positive:", x, "count", tf.size(x)])
    assert isinstance(check, tf.Operation) and check.type == "Assert" and check.outputs == []
    with tf.Session() as sess:
        sess.run(check, {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(check, {x: [1.0, -2.0, 3.0, 4.0, 5.0]})
    assert str(info.value).startswith("assertion failed: [x must be positive:] [1 -2 3...] [count] [5]")
    assert info.value.op is check


def test_assert_summarize_controls_how_many_elements_are_shown():
    x = tf.constant(np.arange(6, dtype=np.int32).reshape(2, 3))
    check = tf.Assert(False, [x], summarize=4)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"assertion failed: \[\[0 1 2\]\[3\.\.\.\]\.\.\.\]"):
        sess.run(check)


def test_assert_is_stateful_and_reruns_on_every_run():
    flag = tf.placeholder_with_default(True, [])
    check = tf.Assert(flag, ["flag"])
    with tf.Session() as sess:
        sess.run(check)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(check, {flag: False})
        sess.run(check)


BINARY = [
    (tf.assert_equal, "==", "element-wise:", [1, 2], [1, 2], [1, 3]),
    (tf.assert_none_equal, "!=", "for every single element:", [1, 2], [2, 1], [1, 5]),
    (tf.assert_less, "<", "element-wise:", [1, 2], [2, 3], [2, 2]),
    (tf.assert_less_equal, "<=", "element-wise:", [1, 2], [1, 3], [2, 1]),
    (tf.assert_greater, ">", "element-wise:", [2, 3], [1, 2], [2, 2]),
    (tf.assert_greater_equal, ">=", "element-wise:", [2, 3], [2, 2], [3, 3]),
]


@pytest.mark.parametrize("fn, sym, tail, x_val, y_ok, y_bad", BINARY, ids=[b[0].__name__ for b in BINARY])
def test_binary_asserts(fn, sym, tail, x_val, y_ok, y_bad):
    x = tf.placeholder(tf.int32, [2], name="x")
    y = tf.placeholder(tf.int32, [2], name="y")
    check = fn(x, y, message="shapes differ")
    with tf.Session() as sess:
        sess.run(check, {x: x_val, y: y_ok})
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(check, {x: x_val, y: y_bad})
    expected = (f"assertion failed: [shapes differ] [Condition x {sym} y did not hold {tail}] [x (x:0) = ] "
                f"[{x_val[0]} {x_val[1]}] [y (y:0) = ] [{y_bad[0]} {y_bad[1]}]")
    assert str(info.value).startswith(expected)


def test_binary_assert_without_message_starts_with_an_empty_entry_and_converts_python_values():
    x = tf.placeholder(tf.float32, [None], name="x")
    check = tf.assert_less(x, 3)
    with tf.Session() as sess:
        sess.run(check, {x: [1.0, 2.5]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"^assertion failed: \[\] \[Condition x < y did not hold element-wise:\] "
                                 r"\[x \(x:0\) = \] \[1 4\] \[y \(assert_less/y:0\) = \] \[3\]"):
            sess.run(check, {x: [1.0, 4.0]})


def test_assert_equal_of_differing_constants_fails_while_building():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x == y did not hold"):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    ok = tf.assert_equal(tf.constant([1, 2]), [1, 2])
    with tf.Session() as sess:
        sess.run(ok)


@pytest.mark.parametrize("fn, sym, ok, bad", [
    (tf.assert_positive, ">", [1.0, 2.0], [1.0, 0.0]),
    (tf.assert_negative, "<", [-1.0, -2.0], [-1.0, 0.0]),
    (tf.assert_non_negative, ">=", [0.0, 2.0], [0.0, -1.0]),
    (tf.assert_non_positive, "<=", [0.0, -2.0], [0.0, 1.0]),
])
def test_sign_asserts(fn, sym, ok, bad):
    x = tf.placeholder(tf.float32, [2], name="x")
    check = fn(x)
    with tf.Session() as sess:
        sess.run(check, {x: ok})
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(check, {x: bad})
    expected = (f"assertion failed: [] [Condition x {sym} 0 did not hold element-wise:] [x (x:0) = ] "
                f"[{bad[0]:g} {bad[1]:g}]")
    assert str(info.value).startswith(expected)


def test_assert_rank_is_checked_statically_when_the_rank_is_known():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    ok = tf.assert_rank(x, 2)
    assert ok.type == "NoOp"
    with pytest.raises(ValueError, match=r"must have rank 3.  Received rank 2, shape \(\?, 3\)"):
        tf.assert_rank(x, 3, message="need 3-D")
    with pytest.raises(ValueError, match="^need 3-D.  Tensor x:0 must have rank 3"):
        tf.assert_rank(x, 3, message="need 3-D")


def test_assert_rank_checks_an_unknown_rank_when_run():
    x = tf.placeholder(tf.float32, None, name="x")
    check = tf.assert_rank(x, 2)
    assert check.type == "Assert"
    with tf.Session() as sess:
        sess.run(check, {x: np.zeros((2, 3))})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"\[Tensor x:0 must have rank\] \[2\] \[Received shape: \] \[4\]"):
            sess.run(check, {x: np.zeros(4)})


def test_static_type_and_scalar_asserts():
    f = tf.constant([1.0])
    i = tf.constant(3)
    assert tf.assert_type(f, tf.float32).type == "NoOp"
    with pytest.raises(TypeError, match="must be of type <dtype: 'int32'>"):
        tf.assert_type(f, tf.int32)
    assert tf.assert_integer(i).type == "NoOp"
    with pytest.raises(TypeError, match='Expected "x" to be integer type'):
        tf.assert_integer(f)
    assert tf.assert_scalar(i) is i
    with pytest.raises(ValueError, match=r"Expected scalar shape for Const:0, saw shape: \(1,\)"):
        tf.assert_scalar(f)
    with pytest.raises(ValueError, match="Expected scalar shape"):
        tf.assert_scalar(tf.placeholder(tf.float32))  # an unknown rank is not known to be a scalar


def test_a_failing_assertion_in_control_dependencies_stops_the_training_step():
    x = tf.placeholder(tf.float32, [None], name="x")
    w = tf.Variable(1.0)
    loss = tf.reduce_mean(tf.square(x * w - 2.0))
    with tf.control_dependencies([tf.assert_non_negative(x), tf.assert_rank(x, 1)]):
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(train, {x: [1.0, 2.0]})
        after_good = sess.run(w)
        assert after_good != 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="Condition x >= 0"):
            sess.run(train, {x: [1.0, -2.0]})
        assert sess.run(w) == after_good  # the update did not run


# --- tf.check_numerics


def test_check_numerics_passes_finite_values_and_names_nan_and_inf():
    x = tf.placeholder(tf.float32, [None])
    y = tf.check_numerics(x, "x is bad")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, -2.0]}), [1.0, -2.0])
        for values, what in (([1.0, np.nan], "NaN"), ([np.inf, 0.0], "Inf"), ([-np.inf, np.nan], "Inf and NaN")):
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(y, {x: values})
            assert str(info.value).startswith(f"x is bad : Tensor had {what} values")
    with pytest.raises(TypeError):
        tf.check_numerics(tf.constant([1, 2]), "ints")


def test_check_numerics_gradient_passes_through_and_checks_the_gradient():
    x = tf.placeholder(tf.float64, [3])
    y = tf.check_numerics(x * x, "square")
    (g,) = tf.gradients(tf.reduce_sum(y * 3.0), [x])
    assert "CheckNumerics" in {op.type for op in tf.get_default_graph().get_operations()
                               if op.name.startswith("gradients/")}
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: [1.0, 2.0, -3.0]}), [6.0, 12.0, -18.0])
    w = tf.placeholder(tf.float64, [])
    (gw,) = tf.gradients(tf.sqrt(tf.check_numerics(w, "root")), [w])  # d sqrt(w) / dw is Inf at 0
    with tf.Session() as sess, np.errstate(divide="ignore"), pytest.raises(
            tf.errors.InvalidArgumentError,
            match=r"^Not a number \(NaN\) or infinity \(Inf\) values detected in gradient. root : Tensor had Inf"):
        sess.run(gw, {w: 0.0})


def test_add_check_numerics_ops_checks_every_float_tensor():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.log(x, name="log")
    checks = tf.add_check_numerics_ops()
    assert {op.type for op in checks.control_inputs} == {"CheckNumerics"}
    with tf.Session() as sess:
        sess.run([y, checks], {x: [1.0, 2.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="log:0 : Tensor had Inf values"):
            sess.run([y, checks], {x: [1.0, 0.0]})


# --- tf.debugging


def test_debugging_namespace_exports_the_checks():
    for name in ("Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
                 "assert_greater_equal", "assert_positive", "assert_negative", "assert_non_negative",
                 "assert_non_positive", "assert_rank", "assert_type", "assert_integer", "assert_scalar",
                 "check_numerics"):
        assert getattr(tf.debugging, name) is getattr(tf, name)
    x = tf.constant([1.0, np.nan, np.inf])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.debugging.is_nan(x)), [False, True, False])
        np.testing.assert_array_equal(sess.run(tf.debugging.is_inf(x)), [False, False, True])
        np.testing.assert_array_equal(sess.run(tf.debugging.is_finite(x)), [True, False, False])
