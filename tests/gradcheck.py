"""Finite-difference gradient checker shared by the engine tests.

Usage (tests/conftest.py puts tests/ on sys.path, so this imports from any test folder):

    import numpy as np
    import tlboard as tf
    from gradcheck import check_gradients

    def test_mul_broadcast_gradient():
        rng = np.random.default_rng(0)
        check_gradients(lambda x, y: x * y, [rng.normal(size=(3, 4)), rng.normal(size=(4,))])

    # Several outputs, an integer input that is fed but not differentiated, unknown static shapes:
    check_gradients(lambda p, i: tf.gather(p, i), [rng.normal(size=(5, 2)), np.array([0, 3, 3])],
                    shapes="unknown_dims")

`build_fn(*placeholders)` builds the op under test and returns a tensor or a list of tensors. The checker
builds it in a fresh float64 graph (float inputs are fed as float64, others keep their dtype), forms the
scalar `L = sum_i reduce_sum(y_i * w_i)` with fixed random weights `w_i`, and compares `tf.gradients(L, x)`
with central differences `(L(x + eps) - L(x - eps)) / (2 eps)` for every element of every float input.
On a mismatch it raises AssertionError naming the input, the worst element and both values.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

import tlboard as tf

__all__ = ["check_gradients", "numeric_gradients"]


def _placeholder_shape(shape: tuple, mode: str):
    if mode == "known":
        return list(shape)
    if mode == "unknown_dims":
        return [None] * len(shape)
    if mode == "unknown_batch":
        return [None] + list(shape[1:]) if shape else []
    if mode == "unknown_rank":
        return None
    raise ValueError(f"shapes must be 'known', 'unknown_dims', 'unknown_batch' or 'unknown_rank', got {mode!r}")


def _as_inputs(input_arrays) -> list[np.ndarray]:
    out = []
    for a in input_arrays:
        a = np.asarray(a)
        out.append(np.array(a, dtype=np.float64, order="C") if a.dtype.kind == "f" else a)
    return out


def _is_differentiable(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


def check_gradients(build_fn: Callable, input_arrays: Sequence, *, eps: float = 1e-6, rtol: float = 1e-5,
                    atol: float = 1e-6, shapes: str = "known", wrt: Sequence[int] | None = None,
                    seed: int = 1234) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Asserts tf.gradients of `build_fn` matches central finite differences in float64.

    shapes: how the placeholders' static shapes are declared: "known", "unknown_dims" (rank known, dims
    None), "unknown_batch" (first dim None) or "unknown_rank". wrt: indices of the inputs to check
    (default: every float input). Returns (symbolic, numeric) gradients for further checks.
    """
    arrays = _as_inputs(input_arrays)
    wrt = [i for i, a in enumerate(arrays) if _is_differentiable(a)] if wrt is None else list(wrt)
    for i in wrt:
        if not _is_differentiable(arrays[i]):
            raise ValueError(f"input {i} has dtype {arrays[i].dtype}; only float inputs can be checked")
    rng = np.random.default_rng(seed)
    graph = tf.Graph()
    with graph.as_default():
        phs = [tf.placeholder(tf.as_dtype(a.dtype), shape=_placeholder_shape(a.shape, shapes), name=f"x{i}")
               for i, a in enumerate(arrays)]
        outs = build_fn(*phs)
        outs = list(outs) if isinstance(outs, list | tuple) else [outs]
        for o in outs:
            if o.dtype.base_dtype not in (tf.float64, tf.float32):
                raise ValueError(f"output {o.name} has dtype {o.dtype.name}; the checker needs float outputs")
        sess = tf.Session(graph=graph)
        feed = dict(zip(phs, arrays))
        values = sess.run(outs, feed)
        weights = [tf.constant(rng.normal(size=np.shape(v)), dtype=o.dtype.base_dtype) for v, o in zip(values, outs)]
        loss = tf.add_n([tf.reduce_sum(tf.multiply(o, w)) for o, w in zip(outs, weights)])
        loss = tf.cast(loss, tf.float64)
        sym_tensors = tf.gradients(loss, [phs[i] for i in wrt])
        fetch = [g for g in sym_tensors if g is not None]
        fetched = iter(sess.run(fetch, feed)) if fetch else iter(())
        symbolic = [np.zeros_like(arrays[i]) if g is None else np.asarray(next(fetched), dtype=np.float64)
                    for g, i in zip(sym_tensors, wrt)]
        numeric = numeric_gradients(lambda fd: sess.run(loss, fd), phs, arrays, wrt, eps)
        sess.close()
    for i, s, n in zip(wrt, symbolic, numeric):
        if s.shape != arrays[i].shape:
            raise AssertionError(f"gradient for input {i} has shape {s.shape}, input has shape {arrays[i].shape}")
        bad = ~np.isclose(s, n, rtol=rtol, atol=atol)
        if bad.any():
            err = np.abs(s - n)
            worst = np.unravel_index(int(np.argmax(np.where(bad, err, -1))), s.shape)
            raise AssertionError(
                f"gradient mismatch for input {i} at {tuple(int(j) for j in worst)}: symbolic {s[worst]!r}, "
                f"numeric {n[worst]!r} ({int(bad.sum())} of {s.size} elements off)\nsymbolic:\n{s}\nnumeric:\n{n}")
    return symbolic, numeric


def numeric_gradients(loss_fn: Callable, placeholders, arrays: list[np.ndarray], wrt: Sequence[int],
                      eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of the scalar `loss_fn(feed_dict)` with respect to the inputs listed in `wrt`."""
    grads = []
    for i in wrt:
        base = arrays[i]
        g = np.zeros_like(base, dtype=np.float64)
        flat = g.reshape(-1)
        for j in range(base.size):
            pert = np.array(base, order="C")  # C order, so reshape(-1) below is a view
            pf = pert.reshape(-1)
            orig = pf[j]
            pf[j] = orig + eps
            up = float(loss_fn(_feed(placeholders, arrays, i, pert)))
            pf[j] = orig - eps
            down = float(loss_fn(_feed(placeholders, arrays, i, pert)))
            flat[j] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def _feed(placeholders, arrays, i, replacement) -> dict:
    feed = dict(zip(placeholders, arrays))
    feed[placeholders[i]] = replacement
    return feed
