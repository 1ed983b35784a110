"""Sessions: `Session.run` compiles the subgraph a (fetches, feeds) signature needs into a cached plan,
then executes it as one Python call per op, releasing intermediates after their last use."""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping

import numpy as np

from . import errors, fusion
from .backends import get_backend, gpu_available
from .graph import Graph, Operation, Tensor, get_default_graph

# Ops whose output is their first input: the plan reuses the input's slot instead of running them.
_ALIAS_OPS = frozenset({"Identity", "StopGradient", "PlaceholderWithDefault", "Snapshot"})
_NOT_FOLDED = object()
# TF's own spellings of dtypes in kernel error messages.
_TF_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "half"}
# What kernels derived from a run's tensor values, for other kernels of the same run (KernelContext.derived).
_run_memo = threading.local()


class ConfigProto:
    """`tf.ConfigProto`: the session options tlboard honours (placement); others are accepted and kept."""

    def __init__(self, allow_soft_placement: bool = False, log_device_placement: bool = False,
                 device_count: dict | None = None, **kwargs):
        self.allow_soft_placement = allow_soft_placement
        self.log_device_placement = log_device_placement
        self.device_count = dict(device_count or {})
        self.gpu_options = kwargs.pop("gpu_options", None)
        self.extra = kwargs


class GPUOptions:
    """`tf.GPUOptions`: accepted for compatibility."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class KernelContext:
    """What a forward kernel sees: its op, attrs, the backend (`b`, `xp`) and the session's state."""

    __slots__ = ("op", "attrs", "b", "xp", "session", "vars", "cache", "stable_inputs", "_rng")

    def __init__(self, op: Operation, backend, session: BaseSession):
        self.op = op
        self.attrs = op.attrs
        self.b = backend
        self.xp = backend.xp
        self.session = session
        self.vars = session._vars
        self.cache: dict = {}
        self.stable_inputs: tuple[bool, ...] = ()  # set by the plan: inputs no op changes during a run
        self._rng = None

    def derived(self, i: int) -> dict | None:
        """A dict shared, for the current run only, by every kernel that reads this op's input `i`: a kernel
        leaves there what it derived from the value (a transform, say) for the tensor's next reader. None
        when the value may change within the run (a variable's buffer, or a view of one)."""
        memo = getattr(_run_memo, "by_tensor", None)
        if memo is None or i >= len(self.stable_inputs) or not self.stable_inputs[i]:
            return None
        return memo.setdefault(self.op.inputs[i], {})

    @property
    def rng(self):
        if self._rng is None:
            self._rng = self.session._rng_for(self.op, self.b)
        return self._rng


class _Plan:
    # overwriting: names of the ops whose kernels write over a dying input buffer (see _write_over_dying_inputs)
    # folded: names of the ops whose steps took another step in (see engine/fusion.py)
    __slots__ = ("steps", "n_slots", "feed_slots", "fetch_slots", "fetch_backends", "template", "overwriting",
                 "folded")


class _FetchStructure:
    """Flattens nested fetches (lists, tuples, namedtuples, dicts) and rebuilds results in that shape."""

    def __init__(self, graph: Graph, fetches):
        self.graph = graph
        self.elements: list = []
        self.index: dict = {}
        self.template = self._flatten(fetches)

    def _flatten(self, f):
        if f is None:
            raise TypeError(f"Fetch argument {f!r} has invalid type {type(f)}")
        if isinstance(f, Mapping):
            return (type(f), [(k, self._flatten(v)) for k, v in f.items()])
        if isinstance(f, tuple) and hasattr(f, "_fields"):
            return ("namedtuple", type(f), [self._flatten(v) for v in f])
        if isinstance(f, list | tuple):
            return (type(f), [self._flatten(v) for v in f])
        try:
            el = self.graph.as_graph_element(f)
        except (TypeError, ValueError, KeyError) as e:
            raise type(e)(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({e})") from None
        if el not in self.index:
            self.index[el] = len(self.elements)
            self.elements.append(el)
        return ("leaf", self.index[el])

    def build(self, values):
        return self._build(self.template, values)

    def _build(self, t, values):
        kind = t[0]
        if kind == "leaf":
            return values[t[1]]
        if kind == "namedtuple":
            return t[1](*[self._build(x, values) for x in t[2]])
        if isinstance(kind, type) and issubclass(kind, Mapping):
            out = {k: self._build(v, values) for k, v in t[1]}
            return out if kind is dict else kind(out)
        return kind(self._build(x, values) for x in t[1])


class BaseSession:
    def __init__(self, target: str = "", graph: Graph | None = None, config: ConfigProto | None = None):
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config or ConfigProto()
        self._vars: dict[Operation, object] = {}
        self._rngs: dict[Operation, object] = {}
        self._plans: dict = {}
        self._closed = False
        self._lock = threading.Lock()
        self._default_device = _default_device_type(self._config)

    # --- public API
    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return ""

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (any nesting of tensors/ops/names) given `feed_dict`; returns the same nesting."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        structure = _FetchStructure(self._graph, fetches)
        feeds = self._resolve_feeds(feed_dict)
        key = (tuple(structure.elements), tuple(feeds))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._compile(structure.elements, list(feeds))
            self._plans[key] = plan
        values = self._execute(plan, list(feeds.values()))
        return structure.build(values)

    def close(self) -> None:
        """Releases the session's variables and plans."""
        self._closed = True
        self._vars.clear()
        self._plans.clear()

    def as_default(self):
        """Context manager making this the default session (for `eval()` and `run()`)."""
        return _DefaultSession(self)

    def __enter__(self):
        self._ctx = self.as_default()
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        self.close()

    def list_devices(self):
        from .device_lib import list_local_devices
        return list_local_devices()

    # --- feeds
    def _resolve_feeds(self, feed_dict) -> dict[Tensor, np.ndarray]:
        feeds: dict[Tensor, np.ndarray] = {}
        if not feed_dict:
            return feeds
        for key, value in feed_dict.items():
            t = key
            if hasattr(t, "_as_graph_element"):
                t = t._as_graph_element()
            if isinstance(t, str):
                t = self._graph.get_tensor_by_name(t)
            if not isinstance(t, Tensor):
                raise TypeError(f"The value of a feed cannot be a tf.Tensor object. Acceptable feed keys are "
                                f"tensors and tensor names; got {key!r}.")
            if t.graph is not self._graph:
                raise ValueError(f"Tensor {t.name} is not an element of this graph.")
            feeds[t] = _convert_feed(t, value)
        return feeds

    # --- plan compilation
    def _device_type(self, op: Operation) -> str:
        dev = op.device or self._default_device
        if "GPU" in dev.upper():
            if gpu_available():
                return "GPU"
            if self._config.allow_soft_placement:
                return "CPU"
            raise errors.InvalidArgumentError(
                None, op, f"Cannot assign a device for operation {op.name}: Operation was explicitly assigned "
                          f"to {op.device or dev} but available devices are [ /device:CPU:0 ]. Make sure the "
                          "device specification refers to a valid device (or set allow_soft_placement).")
        return "CPU"

    def _placement(self, op: Operation, placed: dict) -> str:
        """The device type `op` runs on: ops updating a variable run where it lives (as TF colocates
        them); on a GPU, ops without any float tensor run on the host, where non-float tensors live."""
        dev = placed.get(op)
        if dev is None:
            if op.inputs and op.inputs[0].dtype.is_ref_dtype:
                dev = self._placement(op.inputs[0].op, placed)
            else:
                dev = self._device_type(op)
                if dev != "CPU" and not any(_device_resident(t) for t in (*op.inputs, *op.outputs)):
                    dev = "CPU"
            placed[op] = dev
        return dev

    def _compile(self, elements: list, fed: list[Tensor]) -> _Plan:
        fed_set = set(fed)
        roots: list[Operation] = []
        for el in elements:
            if isinstance(el, Tensor):
                if el not in fed_set:
                    roots.append(el.op)
            else:
                roots.append(el)
        needed: set[Operation] = set()
        stack = list(roots)
        while stack:
            op = stack.pop()
            if op in needed:
                continue
            needed.add(op)
            stack.extend(t.op for t in op.inputs if t not in fed_set)
            # A control dependency on an op whose outputs are all fed (a placeholder) is met by the feed.
            stack.extend(c for c in op.control_inputs if not c.outputs or not all(t in fed_set for t in c.outputs))
        order = sorted(needed, key=lambda o: o._id)

        slot_of: dict = {}
        slot_backend: list = []

        def new_slot(key, backend) -> int:
            slot_of[key] = len(slot_backend)
            slot_backend.append(backend)
            return slot_of[key]

        cpu = get_backend("CPU")
        plan = _Plan()
        plan.feed_slots = [new_slot(t, cpu) for t in fed]
        steps = []  # [fn, ctx, input slots, output slot(s), n_outputs]
        constants: dict[int, object] = {}  # slots whose value is fixed at compile time
        guards: dict[int, tuple] = {}  # step index -> ((pred slot, value that runs it), ...)
        placed: dict[Operation, str] = {}
        for op in order:
            if op.type == "Placeholder":
                t = op.outputs[0]
                raise errors.InvalidArgumentError(
                    None, op, f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                              f"{_tf_type_name(t.dtype)} and shape {t.shape.bracket()}\n\t [[node {op.name}]]")
            backend = get_backend(self._placement(op, placed))
            on_device = backend is not cpu
            in_slots = []
            for t in op.inputs:
                s = slot_of[t]
                home = backend if not on_device or _device_resident(t) else cpu
                if slot_backend[s] is not home:  # copy across the device boundary, once per run
                    key = (t, home)
                    if key not in slot_of:
                        moved = new_slot(key, home)
                        if s in constants:  # a constant crosses once, when the plan is compiled
                            constants[moved] = home.asarray(constants[s])
                        else:
                            steps.append([_transfer, home, (s,), moved, 1, None])
                    s = slot_of[key]
                in_slots.append(s)
            forward = op.op_def.forward
            if forward is None:
                raise errors.UnimplementedError(None, op, f"Op type {op.type} has no kernel")
            pure = not op.op_def.stateful and not op.control_inputs
            if pure and op.type in _ALIAS_OPS and len(op.outputs) == 1 \
                    and slot_backend[in_slots[0]] is (backend if _device_resident(op.outputs[0]) or not on_device
                                                      else cpu):
                slot_of[op.outputs[0]] = in_slots[0]  # W/read and friends: the same value, no step
                continue
            if on_device:
                homes = tuple(_device_resident(t) for t in op.outputs)
                forward = _device_kernel(forward, homes, backend)
                outs = [new_slot(t, backend if dev else cpu) for t, dev in zip(op.outputs, homes)]
            else:
                outs = [new_slot(t, backend) for t in op.outputs]
            n_out = len(outs)
            ctx = KernelContext(op, backend, self)
            if pure and all(i in constants for i in in_slots):
                # Constant folding: computed once here; every run starts from these values. An op that
                # fails is left in the plan, so its error surfaces from run() as usual.
                try:
                    value = forward(ctx, *[constants[i] for i in in_slots])
                except Exception:  # noqa: BLE001
                    value = _NOT_FOLDED
                if value is not _NOT_FOLDED:
                    for slot, v in zip(outs, (value,) if n_out == 1 else value):
                        constants[slot] = v
                    continue
            steps.append([forward, ctx, tuple(in_slots), outs[0] if n_out == 1 else tuple(outs), n_out, op])
            if op._guards:  # a tf.cond branch: the step runs only when its predicates hold
                guards[len(steps) - 1] = tuple((slot_of[p], want) for p, want in op._guards)
        plan.fetch_slots = []
        plan.fetch_backends = []
        for el in elements:
            if isinstance(el, Tensor):
                s = slot_of[el]
                plan.fetch_slots.append(s)
                plan.fetch_backends.append(slot_backend[s])
            else:
                plan.fetch_slots.append(None)
                plan.fetch_backends.append(None)
        keep = set(s for s in plan.fetch_slots if s is not None)
        volatile = _volatile_slots(steps)
        plan.folded, guards = fusion.fold_products_into_updates(steps, guards, keep, volatile, cpu)
        fused, guards = fusion.fuse_relu_grad_into_max_pool_grad(steps, guards, keep, volatile, cpu)
        plan.folded += fused
        # Free every slot right after its last reader (fetched slots stay to the end).
        last_use: dict[int, int] = {}
        for i, step in enumerate(steps):
            for s in step[2]:
                last_use[s] = i
            for s, _ in guards.get(i, ()):
                last_use[s] = i  # a guard's predicate stays alive until the last step it decides
        readers: dict[int, list] = {}  # slot -> the ops of the steps reading it (None: a device copy)
        for _, _, step_ins, _, _, step_op in steps:
            for s in step_ins:
                readers.setdefault(s, []).append(step_op)
        repeated = _reuse_shape_derived(steps, readers, constants, guards)
        plan.overwriting = _write_over_dying_inputs(steps, readers, last_use, keep | repeated, slot_backend, cpu,
                                                    set(plan.folded))
        _mark_stable_inputs(steps)
        frees: list[list[int]] = [[] for _ in steps]
        for s, i in last_use.items():
            if s not in keep:
                frees[i].append(s)
        for i, step in enumerate(steps):
            outs = (step[3],) if step[4] == 1 else step[3]
            frees[i].extend(s for s in outs if s not in last_use and s not in keep)
        plan.steps = [(fn, ctx, ins, outs, n, tuple(frees[i]), op, guards.get(i))
                      for i, (fn, ctx, ins, outs, n, op) in enumerate(steps)]
        plan.n_slots = len(slot_backend)
        plan.template = [None] * plan.n_slots
        for slot, v in constants.items():
            plan.template[slot] = v
        return plan

    # --- execution
    def _execute(self, plan: _Plan, feed_values: list):
        outer, _run_memo.by_tensor = getattr(_run_memo, "by_tensor", None), {}  # outer: a run inside a py_func
        try:
            return self._execute_steps(plan, feed_values)
        finally:
            _run_memo.by_tensor = outer

    def _execute_steps(self, plan: _Plan, feed_values: list):
        vals: list = plan.template.copy()
        for s, v in zip(plan.feed_slots, feed_values):
            vals[s] = v
        for fn, ctx, ins, outs, n, frees, op, guard in plan.steps:
            if guard is not None and not all(bool(vals[s]) is want for s, want in guard):
                for s in frees:  # an untaken tf.cond branch: outputs stay None
                    vals[s] = None
                continue
            try:
                r = fn(ctx, *[vals[i] for i in ins])
            except errors.OpError:
                raise
            except (ValueError, IndexError, TypeError, FloatingPointError, ZeroDivisionError) as e:
                raise errors.InvalidArgumentError(None, op, f"{e}\n\t [[node {op.name} ({op.type})]]") from e
            if n == 1:
                vals[outs] = r
            else:
                for s, v in zip(outs, r):
                    vals[s] = v
            for s in frees:
                vals[s] = None
        out = []
        for s, b in zip(plan.fetch_slots, plan.fetch_backends):
            if s is None:  # a fetched op
                out.append(None)
            elif vals[s] is None:
                raise errors.InvalidArgumentError(
                    None, None, f"Retval[{len(out)}] does not have value: the fetched tensor is in a tf.cond "
                                "branch that was not taken")
            else:
                out.append(_fetch_value(b, vals[s]))
        return out

    def _rng_for(self, op: Operation, backend):
        rng = self._rngs.get(op)
        if rng is None:
            rng = self._rngs[op] = backend.make_rng(op.attrs.get("seed"), op.attrs.get("seed2"))
        return rng


class Session(BaseSession):
    """`tf.Session(target='', graph=None, config=None)`: runs ops of one graph; a context manager."""


class InteractiveSession(BaseSession):
    """A Session that installs itself as the default on creation, for `eval()` in notebooks and shells."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: ConfigProto | None = None):
        super().__init__(target, graph, config)
        # Only the session becomes default; the graph stays as it was, so reset_default_graph() still works.
        self._default = _DefaultSession(self, with_graph=False)
        self._default.__enter__()

    def close(self) -> None:
        super().close()
        if self in _default_session_stack:
            _default_session_stack.remove(self)


def _transfer(backend, value):
    return None if value is None else backend.asarray(value)  # None: from an untaken tf.cond branch


def _device_resident(t: Tensor) -> bool:
    """Float tensors of GPU ops stay on the device; integer, bool and string ones live in host memory
    (TF keeps int32 on the host too), so shapes, axes and indices reach kernels as NumPy values."""
    return t.dtype.is_floating


def _reuse_shape_derived(steps: list, readers: dict, constants: dict, guards: dict) -> set[int]:
    """Steps whose inputs are constants, shapes only (registry `reads_shape_only`) or outputs of such steps
    compute the same value every run while those shapes hold: a gradient's `ones_like(loss)`, a mean's
    element count, the broadcast of 1/count. They are wrapped to reuse their last value (checked by the
    identity of value inputs and the shape and dtype of shape-only ones). Returns the slots they fill,
    which nothing may write over."""
    repeated: set[int] = set()
    for i, step in enumerate(steps):
        fn, ctx, ins, outs, n, op = step
        if op is None or op.op_def.stateful or op.control_inputs or i in guards:
            continue
        shape_only = op.op_def.reads_shape_only
        if not all(j in shape_only or s in constants or s in repeated for j, s in enumerate(ins)):
            continue
        out_slots = (outs,) if n == 1 else outs
        if any(r is None or r.op_def.stateful for s in out_slots for r in readers.get(s, ())):
            continue  # e.g. an Assign might keep the very array as a variable's buffer
        step[0] = _repeating(fn, shape_only)
        repeated.update(out_slots)
    return repeated


def _repeating(forward, shape_only: tuple):
    last_key: list = []
    last_out: list = []

    def run(k, *args):
        key = [_shape_key(a) if j in shape_only else a for j, a in enumerate(args)]
        if last_key and all(x is y or (j in shape_only and x == y)
                            for j, (x, y) in enumerate(zip(key, last_key[0]))):
            return last_out[0]
        out = forward(k, *args)
        last_key[:] = [key]
        last_out[:] = [out]
        return out
    return run


def _shape_key(value) -> tuple:
    try:
        return value.shape, value.dtype
    except AttributeError:  # a Python scalar or list
        return np.shape(value), type(value)


def _volatile_slots(steps: list) -> set[int]:
    """The slots whose value an op may change during a run: buffers a stateful op returned (a variable's, an
    assignment's) and what a non-`fresh` op made of them, which may be a view. Feeds, constants, copies
    across the device boundary and `fresh` outputs hold their values."""
    volatile: set[int] = set()
    for _, _, ins, outs, n, op in steps:
        if op is not None and (op.op_def.stateful or (not op.op_def.fresh and any(s in volatile for s in ins))):
            volatile.update((outs,) if n == 1 else outs)
    return volatile


def _mark_stable_inputs(steps: list) -> None:
    """Tells each kernel which inputs hold a value no op changes during a run (KernelContext.derived)."""
    volatile = _volatile_slots(steps)
    for _, ctx, ins, _, _, _ in steps:
        ctx.stable_inputs = tuple(s not in volatile for s in ins)


def _write_over_dying_inputs(steps: list, readers: dict, last_use: dict, keep: set, slot_backend: list,
                             cpu, rewritten: set[str]) -> list[str]:
    """Lets a CPU step write its output over an input buffer nobody reads afterwards (registry `overwrites`):
    one allocation and one pass over cold memory fewer, e.g. for `relu(conv + b)` and ReluGrad.

    The input must come from a `fresh` op's step of this run (never a feed, variable, constant or view),
    not be fetched, be read last by this step, and be read by no op that might return a view of it.
    Returns the names of the ops that were given a buffer to write over."""
    chosen: list[str] = []
    producer: dict[int, Operation] = {}
    for _, _, _, outs, n, op in steps:
        for s in ((outs,) if n == 1 else outs):
            producer[s] = op
    for i, step in enumerate(steps):
        fn, ctx, ins, outs, n, op = step
        if op is None or op.op_def.overwrites is None or ctx.b is not cpu or op.name in rewritten:
            continue  # a fused step's inputs are no longer its op's
        j = op.op_def.overwritable_input(op)
        if j is None:
            continue
        s = ins[j]
        maker = producer.get(s)
        if (maker is None or not maker.op_def.fresh or s in keep or last_use.get(s) != i or ins.count(s) != 1
                or slot_backend[s] is not cpu
                or any(r is not op and (r is None or not r.op_def.fresh) for r in readers[s])):
            continue
        step[0] = _overwriting(fn, j)
        chosen.append(op.name)
    return chosen


def _overwriting(forward, index: int):
    def run(k, *args):
        dst = args[index]
        return forward(k, *args, out=dst if type(dst) is np.ndarray else None)
    return run


def _device_kernel(forward, homes: tuple[bool, ...], backend):
    """Wraps a GPU op's kernel so each output lands where `homes` says (True: device, False: host)."""
    def run(k, *args):
        r = forward(k, *args)
        if len(homes) == 1:
            return _place(r, homes[0], backend)
        if not homes:
            return r
        return tuple(_place(v, dev, backend) for v, dev in zip(r, homes))
    return run


def _place(v, on_device: bool, backend):
    if on_device:  # a kernel that built its result with NumPy (e.g. from host inputs): copy it over
        return backend.asarray(v) if isinstance(v, np.ndarray | np.generic | float | int) else v
    return backend.to_numpy(v) if backend.is_device_array(v) else v


def _fetch_value(backend, v):
    v = np.array(backend.to_numpy(v)) if backend.device_type != "CPU" else v
    if isinstance(v, np.ndarray):
        return v[()] if v.ndim == 0 else v.copy()  # a copy: the value may alias a variable updated later
    return v


def _convert_feed(t: Tensor, value) -> np.ndarray:
    dtype = t.dtype.base_dtype
    if isinstance(value, Tensor):
        raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
                        "Python scalars, strings, lists, numpy ndarrays, or TensorHandles.")
    try:
        if dtype.name == "string":
            arr = np.asarray(value, dtype=object)
        else:
            arr = np.asarray(value, dtype=dtype.as_numpy_dtype)
    except (TypeError, ValueError) as e:
        raise ValueError(f"Cannot feed value {_short(value)} for Tensor '{t.name}' with dtype "
                         f"{dtype.name}: {e}") from None
    if not t.shape.is_compatible_with(arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape} for Tensor '{t.name}', which has shape "
                         f"'{t.shape}'")
    return arr


def _short(value) -> str:
    s = repr(value)
    return s if len(s) < 60 else s[:57] + "..."


def _tf_type_name(dtype) -> str:
    return _TF_TYPE_NAMES.get(dtype.base_dtype.name, dtype.base_dtype.name)


def _default_device_type(config: ConfigProto) -> str:
    env = os.environ.get("TLBOARD_DEVICE", "").strip().lower()
    if config.device_count.get("GPU", None) == 0:
        return "/device:CPU:0"
    if env in ("gpu", "cuda"):
        return "/device:GPU:0"
    return "/device:CPU:0"


# --- the default session stack

_default_session_stack: list[BaseSession] = []


class _DefaultSession:
    def __init__(self, sess: BaseSession, with_graph: bool = True):
        self.sess = sess
        self._graph_ctx = sess.graph.as_default() if with_graph else None

    def __enter__(self):
        _default_session_stack.append(self.sess)
        if self._graph_ctx is not None:
            self._graph_ctx.__enter__()
        return self.sess

    def __exit__(self, *exc):
        if self._graph_ctx is not None:
            self._graph_ctx.__exit__(*exc)
        if self.sess in _default_session_stack:
            _default_session_stack.remove(self.sess)


def get_default_session() -> BaseSession | None:
    """The innermost default session, or None."""
    return _default_session_stack[-1] if _default_session_stack else None


def _session_for(session, graph: Graph) -> BaseSession:
    sess = session or get_default_session()
    if sess is None:
        raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use `with "
                         "sess.as_default()` or pass an explicit session to `eval(session=sess)`")
    if sess.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph is different "
                         "from the session's graph.")
    return sess
