"""tf.train optimizers: each update matches a NumPy transcription of its formula over several steps, slots
and update ops carry TF1's names, the global step counts, and bad input fails clearly."""
import numpy as np
import pytest

import tlboard as tf

W0 = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]])
C = np.array([[1.0, 2.0], [0.5, 3.0], [1.5, 0.2]])
D = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.6]])
STEPS = 4


def quadratic_problem(dtype=np.float64):
    """loss = sum(C * W^2) + sum(D * W), whose gradient 2*C*W + D depends on the current W."""
    W = tf.Variable(W0.astype(dtype), name="W")
    loss = tf.reduce_sum(W * W * C.astype(dtype)) + tf.reduce_sum(W * D.astype(dtype))
    return W, loss


def grad_of(w):
    return 2 * C * w + D


def f32(x):
    """A Python-float hyper-parameter as TF1 sees it: converted to a float32 tensor, then cast to float64."""
    return float(np.float32(x))


def run_steps(opt, dtype=np.float64, steps=STEPS, slot_names=()):
    """Runs `steps` minimize steps; returns [W after each step] and {slot: [value after each step]}."""
    W, loss = quadratic_problem(dtype)
    train = opt.minimize(loss)
    ws, slots = [], {n: [] for n in slot_names}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(train)
            ws.append(sess.run(W))
            for n in slot_names:
                slots[n].append(sess.run(opt.get_slot(W, n)))
    return W, ws, slots


def test_gradient_descent_matches_formula():
    W, ws, _ = run_steps(tf.train.GradientDescentOptimizer(0.05))
    w = W0.copy()
    for got in ws:
        w = w - f32(0.05) * grad_of(w)
        np.testing.assert_allclose(got, w, rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_formula(nesterov):
    opt = tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=nesterov)
    W, ws, slots = run_steps(opt, slot_names=["momentum"])
    assert opt.get_slot(W, "momentum").op.name == "W/Momentum"
    assert opt.get_slot_names() == ["momentum"]
    w, acc = W0.copy(), np.zeros_like(W0)
    for got, got_acc in zip(ws, slots["momentum"]):
        g = grad_of(w)
        lr, mu = f32(0.05), f32(0.9)
        acc = mu * acc + g
        w = w - (lr * g + lr * mu * acc if nesterov else lr * acc)
        np.testing.assert_allclose(got_acc, acc, rtol=1e-12)
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_adam_matches_formula_and_names():
    opt = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.95, epsilon=1e-6)
    W, ws, slots = run_steps(opt, slot_names=["m", "v"])
    assert opt.get_slot(W, "m").op.name == "W/Adam"
    assert opt.get_slot(W, "v").op.name == "W/Adam_1"
    assert opt.get_slot_names() == ["m", "v"]
    names = sorted(v.op.name for v in opt.variables())
    assert names == ["W/Adam", "W/Adam_1", "beta1_power", "beta2_power"]
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    b1, b2 = f32(0.8), f32(0.95)
    b1p, b2p = np.float32(1.0), np.float32(1.0)  # beta1^t, beta2^t: float32 variables, as in TF1
    for got, got_m, got_v in zip(ws, slots["m"], slots["v"]):
        g = grad_of(w)
        b1p, b2p = b1p * np.float32(0.8), b2p * np.float32(0.95)
        lr_t = f32(0.1) * np.sqrt(1 - float(b2p)) / (1 - float(b1p))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr_t * m / (np.sqrt(v) + f32(1e-6))
        np.testing.assert_allclose(got_m, m, rtol=1e-12)
        np.testing.assert_allclose(got_v, v, rtol=1e-12)
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_adam_beta_powers_advance_once_per_step():
    opt = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.95)
    W, loss = quadratic_problem()
    train = opt.minimize(loss)
    b1p = [v for v in opt.variables() if v.op.name == "beta1_power"][0]
    b2p = [v for v in opt.variables() if v.op.name == "beta2_power"][0]
    assert not b1p.trainable and b1p not in tf.trainable_variables()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(b1p) == pytest.approx(0.8)
        for t in range(1, 4):
            sess.run(train)
            assert sess.run(b1p) == pytest.approx(0.8 ** (t + 1))
            assert sess.run(b2p) == pytest.approx(0.95 ** (t + 1))


@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_matches_formula_and_names(centered):
    opt = tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5, epsilon=1e-6, centered=centered)
    slot_names = ["rms", "momentum"] + (["mg"] if centered else [])
    W, ws, slots = run_steps(opt, slot_names=slot_names)
    assert opt.get_slot(W, "rms").op.name == "W/RMSProp"
    if centered:
        assert opt.get_slot(W, "mg").op.name == "W/RMSProp_1"
        assert opt.get_slot(W, "momentum").op.name == "W/RMSProp_2"
    else:
        assert opt.get_slot(W, "momentum").op.name == "W/RMSProp_1"
    assert opt.get_slot_names() == sorted(slot_names)
    w, ms, mom, mg = W0.copy(), np.ones_like(W0), np.zeros_like(W0), np.zeros_like(W0)
    for i, got in enumerate(ws):
        g = grad_of(w)
        rho = f32(0.8)
        ms = rho * ms + (1 - rho) * g * g
        mg = rho * mg + (1 - rho) * g
        denom = ms - mg * mg if centered else ms
        mom = 0.5 * mom + f32(0.01) * g / np.sqrt(denom + f32(1e-6))
        w = w - mom
        np.testing.assert_allclose(slots["rms"][i], ms, rtol=1e-12)
        np.testing.assert_allclose(slots["momentum"][i], mom, rtol=1e-12)
        if centered:
            np.testing.assert_allclose(slots["mg"][i], mg, rtol=1e-12)
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_rmsprop_defaults_are_tf1s():
    opt = tf.train.RMSPropOptimizer(0.01)
    W, ws, _ = run_steps(opt, steps=2)
    w, ms, mom = W0.copy(), np.ones_like(W0), np.zeros_like(W0)
    for got in ws:
        g = grad_of(w)
        rho = f32(0.9)
        ms = rho * ms + (1 - rho) * g * g
        mom = 0.0 * mom + f32(0.01) * g / np.sqrt(ms + f32(1e-10))
        w = w - mom
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_adagrad_matches_formula():
    opt = tf.train.AdagradOptimizer(0.2)
    W, ws, slots = run_steps(opt, slot_names=["accumulator"])
    assert opt.get_slot(W, "accumulator").op.name == "W/Adagrad"
    w, acc = W0.copy(), np.full_like(W0, 0.1)  # the slot is created in the variable's dtype
    for got, got_acc in zip(ws, slots["accumulator"]):
        g = grad_of(w)
        acc = acc + g * g
        w = w - f32(0.2) * g / np.sqrt(acc)
        np.testing.assert_allclose(got_acc, acc, rtol=1e-12)
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_adagrad_rejects_non_positive_accumulator():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


@pytest.mark.parametrize("make_opt", [
    lambda: tf.train.GradientDescentOptimizer(0.05),
    lambda: tf.train.MomentumOptimizer(0.05, 0.9),
    lambda: tf.train.AdamOptimizer(0.05),
    lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
    lambda: tf.train.RMSPropOptimizer(0.01, centered=True),
    lambda: tf.train.AdagradOptimizer(0.1),
], ids=["sgd", "momentum", "adam", "rmsprop", "rmsprop_centered", "adagrad"])
def test_float32_stays_float32_and_updates_in_place(make_opt):
    opt = make_opt()
    W, loss = quadratic_problem(np.float32)
    train = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        live = sess._vars[W.op]
        slots = {n: sess._vars[opt.get_slot(W, n).op] for n in opt.get_slot_names()}
        start_loss = sess.run(loss)
        for _ in range(5):
            sess.run(train)
        assert sess._vars[W.op] is live  # updated in place, never replaced
        assert all(sess._vars[opt.get_slot(W, n).op] is a for n, a in slots.items())
        assert live.dtype == np.float32 and all(a.dtype == np.float32 for a in slots.values())
        assert sess.run(loss) < start_loss


def test_global_step_increments_and_train_op_names():
    W, loss = quadratic_problem()
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step)
    assert train.name == "GradientDescent" and train.type == "AssignAdd"
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("GradientDescent/update_W/ApplyGradientDescent").type == \
        "ApplyGradientDescent"
    assert graph.get_operation_by_name("GradientDescent/update").type == "NoOp"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(1, 4):
            sess.run(train)
            assert sess.run(step) == i
        assert tf.train.global_step(sess, step) == 3


def test_without_global_step_the_train_op_is_the_group():
    W, loss = quadratic_problem()
    train = tf.train.AdamOptimizer().minimize(loss)
    assert train.name == "Adam" and train.type == "NoOp"
    second = tf.train.AdamOptimizer(name="Adam").minimize(loss)
    assert second.name == "Adam_1"
    assert sorted(v.op.name for v in tf.global_variables() if "power" in v.op.name) == [
        "beta1_power", "beta1_power_1", "beta2_power", "beta2_power_1"]


def test_global_step_helpers():
    assert tf.train.get_global_step() is None
    step = tf.train.create_global_step()
    assert step.op.name == "global_step" and step.dtype.base_dtype == tf.int64
    assert step in tf.get_collection(tf.GraphKeys.GLOBAL_STEP)
    assert step not in tf.trainable_variables()
    assert tf.train.get_global_step() is step
    assert tf.train.get_or_create_global_step() is step
    with pytest.raises(ValueError, match="already exists"):
        tf.train.create_global_step()


def test_learning_rate_tensor_is_read_every_step():
    W, loss = quadratic_problem()
    lr = tf.placeholder(tf.float32, [], name="lr")
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.0})
        np.testing.assert_array_equal(sess.run(W), W0)
        sess.run(train, {lr: 0.1})
        np.testing.assert_allclose(sess.run(W), W0 - 0.1 * grad_of(W0), rtol=1e-6)


def test_compute_then_apply_gradients_with_var_list():
    W, loss = quadratic_problem()
    frozen = tf.Variable(np.ones(2), name="frozen")
    total = loss + tf.reduce_sum(frozen * frozen)
    opt = tf.train.GradientDescentOptimizer(0.1)
    pairs = opt.compute_gradients(total, var_list=[W])
    assert [v for _, v in pairs] == [W]
    scaled = [(g * 0.5, v) for g, v in pairs]
    train = opt.apply_gradients(scaled)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(W), W0 - 0.5 * f32(0.1) * grad_of(W0), rtol=1e-12)
        np.testing.assert_array_equal(sess.run(frozen), np.ones(2))


def test_unconnected_variable_gets_none_and_is_skipped():
    W, loss = quadratic_problem()
    other = tf.Variable(np.ones(2), name="other")
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    pairs = opt.compute_gradients(loss)
    assert {v.op.name: g is None for g, v in pairs} == {"W": False, "other": True}
    opt.apply_gradients(pairs)
    assert opt.get_slot(other, "momentum") is None


def test_no_gradient_at_all_is_a_clear_error():
    tf.Variable(np.ones(2), name="v")
    unrelated = tf.constant(3.0) * tf.constant(2.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        tf.train.GradientDescentOptimizer(0.1).minimize(unrelated)
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).minimize(unrelated, var_list=[])


def test_integer_loss_is_refused():
    tf.Variable(np.ones(2), name="v")
    with pytest.raises(ValueError, match="Invalid type int32"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(3))


def test_gate_graph_gives_same_result():
    W, ws, _ = run_steps(_Gated(0.05))
    w = W0.copy()
    for got in ws:
        w = w - f32(0.05) * grad_of(w)
        np.testing.assert_allclose(got, w, rtol=1e-12)


class _Gated(tf.train.GradientDescentOptimizer):
    def minimize(self, loss, **kw):
        return super().minimize(loss, gate_gradients=tf.train.Optimizer.GATE_GRAPH, **kw)


def test_uninitialized_slot_fails_with_its_name():
    W, loss = quadratic_problem()
    train = tf.train.AdamOptimizer().minimize(loss)
    with tf.Session() as sess:
        sess.run(W.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            sess.run(train)


def test_apply_op_static_shape_checks():
    W = tf.Variable(np.zeros((3, 2), np.float32), name="W")
    with pytest.raises(ValueError, match=r"Shapes must be equal.*\[3,2\] and \[4,2\].*ApplyGradientDescent"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant(np.zeros((4, 2), np.float32)), W)])
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        tf.train.GradientDescentOptimizer([0.1, 0.2]).apply_gradients([(tf.constant(np.ones((3, 2), np.float32)), W)])


def test_apply_op_unknown_shapes_infer_var_shape_and_check_at_run_time():
    W = tf.Variable(np.zeros((3, 2), np.float32), name="W")
    g = tf.placeholder(tf.float32, [None, None])
    train = tf.train.GradientDescentOptimizer(1.0).apply_gradients([(g, W)])
    update = tf.get_default_graph().get_operation_by_name("GradientDescent/update_W/ApplyGradientDescent")
    assert update.outputs[0].shape.as_list() == [3, 2]
    unknown_rank = tf.placeholder(tf.float32)
    tf.train.GradientDescentOptimizer(1.0).apply_gradients([(unknown_rank, W)])
    update2 = tf.get_default_graph().get_operation_by_name("GradientDescent_1/update_W/ApplyGradientDescent")
    assert update2.outputs[0].shape.as_list() == [3, 2]
    with tf.Session() as sess:
        sess.run(W.initializer)
        sess.run(train, {g: np.ones((3, 2))})
        np.testing.assert_array_equal(sess.run(W), -np.ones((3, 2)))
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"same shape\[3, 2\] \[1, 2\]"):
            sess.run(train, {g: np.ones((1, 2))})  # would broadcast silently without the check
        np.testing.assert_array_equal(sess.run(W), -np.ones((3, 2)))  # nothing changed


def test_gradient_dtype_must_match_variable():
    W = tf.Variable(np.zeros(2, np.float32), name="W")
    with pytest.raises(ValueError, match="has dtype float64 but variable W has dtype float32"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant(np.ones(2)), W)])


def test_bad_grads_and_vars_are_refused():
    with pytest.raises(TypeError, match="Argument is not a tf.Variable"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(tf.constant([1.0]), tf.constant([1.0]))])
    with pytest.raises(TypeError, match="pairs"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([tf.constant([1.0])])


def test_float64_variable_with_float32_hyperparameters():
    W, ws, _ = run_steps(tf.train.AdamOptimizer(0.1), steps=1)
    assert ws[0].dtype == np.float64


def reference_update(kind, var, slots, g):
    """One update step in float64, written from the formulas (TF1's definitions)."""
    lr, mu, b1, b2, eps, rho = 0.01, 0.9, 0.8, 0.95, 1e-3, 0.7
    if kind == "sgd":
        return var - lr * g, []
    if kind in ("momentum", "nesterov"):
        acc = mu * slots[0] + g
        step = lr * g + lr * mu * acc if kind == "nesterov" else lr * acc
        return var - step, [acc]
    if kind in ("adam", "adam_nesterov"):
        b1p, b2p = b1 ** 3, b2 ** 3
        lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
        m = b1 * slots[0] + (1 - b1) * g
        v = b2 * slots[1] + (1 - b2) * g * g
        num = b1 * m + (1 - b1) * g if kind == "adam_nesterov" else m
        return var - lr_t * num / (np.sqrt(v) + eps), [m, v]
    if kind == "rmsprop":
        ms = rho * slots[0] + (1 - rho) * g * g
        mom = mu * slots[1] + lr * g / np.sqrt(ms + eps)
        return var - mom, [ms, mom]
    if kind == "rmsprop_centered":
        mg = rho * slots[0] + (1 - rho) * g
        ms = rho * slots[1] + (1 - rho) * g * g
        mom = mu * slots[2] + lr * g / np.sqrt(ms - mg * mg + eps)
        return var - mom, [mg, ms, mom]
    if kind == "adagrad":
        acc = slots[0] + g * g
        return var - lr * g / np.sqrt(acc), [acc]
    raise AssertionError(kind)


def run_kernel(kind, var, slots, g, cache):
    from tlboard.engine.backends import numpy_backend as nb
    lr, mu, b1, b2, eps, rho = 0.01, 0.9, 0.8, 0.95, 1e-3, 0.7
    if kind == "sgd":
        return nb.apply_gradient_descent(var, lr, g, cache=cache)
    if kind in ("momentum", "nesterov"):
        return nb.apply_momentum(var, slots[0], lr, g, mu, use_nesterov=kind == "nesterov", cache=cache)
    if kind in ("adam", "adam_nesterov"):
        return nb.apply_adam(var, *slots, b1 ** 3, b2 ** 3, lr, b1, b2, eps, g,
                             use_nesterov=kind == "adam_nesterov", cache=cache)
    if kind == "rmsprop":
        return nb.apply_rms_prop(var, *slots, lr, rho, mu, eps, g, cache=cache)
    if kind == "rmsprop_centered":
        return nb.apply_centered_rms_prop(var, *slots, lr, rho, mu, eps, g, cache=cache)
    return nb.apply_adagrad(var, slots[0], lr, g, cache=cache)


N_SLOTS = {"sgd": 0, "momentum": 1, "nesterov": 1, "adam": 2, "adam_nesterov": 2, "rmsprop": 2,
           "rmsprop_centered": 3, "adagrad": 1}


@pytest.mark.parametrize("kind", list(N_SLOTS))
@pytest.mark.parametrize("size", [7, 5003, 140001], ids=["small", "one_block", "blocks"])
def test_update_kernels_match_formulas(kind, size):
    """Every kernel path (one block, several cache-sized blocks with a partial last one) matches the
    formula, in place, in float32 and float64, without writing the gradient."""
    rng = np.random.default_rng(size)
    for dtype in (np.float32, np.float64):
        var = rng.normal(size=size).astype(dtype)
        slots = [rng.uniform(0.5, 1.5, size).astype(dtype) for _ in range(N_SLOTS[kind])]
        if kind == "rmsprop_centered":
            slots[0] *= 0.1  # keep ms - mg^2 positive
        g = rng.normal(size=size).astype(dtype)
        g_before = g.copy()
        want_var, want_slots = reference_update(kind, var.astype(np.float64), [s.astype(np.float64) for s in slots],
                                                g.astype(np.float64))
        live, live_slots = var, list(slots)
        out = run_kernel(kind, var, slots, g, cache={})
        assert out is live and all(a is b for a, b in zip(slots, live_slots))
        rtol = 2e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(var, want_var, rtol=rtol, atol=rtol)
        for got, want in zip(slots, want_slots):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
        np.testing.assert_array_equal(g, g_before)


@pytest.mark.parametrize("kind", ["sgd", "adam", "rmsprop_centered"])
def test_update_kernels_on_strided_inputs(kind):
    """A strided gradient, and even a non-contiguous variable, are updated correctly (the latter in place)."""
    rng = np.random.default_rng(1)
    shape = (300, 250)
    var = np.asfortranarray(rng.normal(size=shape))
    slots = [np.asfortranarray(rng.uniform(0.5, 1.5, shape)) for _ in range(N_SLOTS[kind])]
    if kind == "rmsprop_centered":
        slots[0] *= 0.1
    g = rng.normal(size=shape[::-1]).T
    want_var, want_slots = reference_update(kind, var.copy(), [s.copy() for s in slots], g)
    out = run_kernel(kind, var, slots, g, cache={})
    assert out is var
    np.testing.assert_allclose(var, want_var, rtol=1e-12, atol=1e-12)
    for got, want in zip(slots, want_slots):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_update_kernel_reuses_its_scratch_buffer():
    from tlboard.engine.backends import numpy_backend as nb
    var, m, v, g = (np.ones(100000, np.float32) for _ in range(4))
    cache = {}
    nb.apply_adam(var, m, v, 0.9, 0.999, 0.01, 0.9, 0.999, 1e-8, g, cache=cache)
    first = cache["scratch"]
    nb.apply_adam(var, m, v, 0.81, 0.998, 0.01, 0.9, 0.999, 1e-8, g, cache=cache)
    assert cache["scratch"] is first and first.size <= 65536
