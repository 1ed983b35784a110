"""GPU support checks that run anywhere (no GPU, no CuPy needed): availability probing, tf.test / tf.config
answers, soft placement, and the session's placement rules driven through a stand-in "device" backend."""
from __future__ import annotations

import inspect
import subprocess
import sys
import types

import numpy as np
import pytest

import tlboard as tf
from tlboard.engine import backends, device_lib
from tlboard.engine import session as session_mod
from tlboard.engine.backends import cupy_backend, numpy_backend


@pytest.fixture
def no_gpu(monkeypatch):
    """Makes the process see no usable GPU, whatever the machine has."""
    monkeypatch.setattr(cupy_backend, "is_available", lambda: False)
    monkeypatch.setattr(session_mod, "gpu_available", lambda: False)


def test_importing_tlboard_never_needs_cupy(tmp_path):
    code = (
        "import sys; sys.modules['cupy'] = None\n"  # any `import cupy` now raises ImportError
        "import tlboard as tf\n"
        "from tlboard.engine.backends import cupy_backend, gpu_available\n"
        "assert cupy_backend.cupy is None and cupy_backend.xp is None\n"
        "assert cupy_backend.is_available() is False and gpu_available() is False\n"
        "assert tf.test.is_gpu_available() is False and tf.test.is_built_with_cuda() is False\n"
        "assert tf.test.gpu_device_name() == ''\n"
        "assert [d.device_type for d in tf.config.list_physical_devices()] == ['CPU']\n"
        "try:\n"
        "    cupy_backend.asarray([1.0])\n"
        "except RuntimeError as e:\n"
        "    assert 'tlboard[gpu]' in str(e)\n"
        "else:\n"
        "    raise AssertionError('asarray without CuPy must fail clearly')\n"
        "print('ok')\n"
    )
    # Run outside the checkout, so `tlboard` is the installed package and not the bare tlboard/ folder.
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def _fake_cupy(count=None, error: Exception | None = None):
    def get_device_count():
        if error is not None:
            raise error
        return count
    runtime = types.SimpleNamespace(getDeviceCount=get_device_count)
    return types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=runtime))


@pytest.mark.parametrize("fake, expected", [
    (_fake_cupy(error=RuntimeError("cudaErrorInsufficientDriver")), False),
    (_fake_cupy(count=0), False),
    (_fake_cupy(count=2), True),
    (None, False),
])
def test_is_available_reflects_the_driver_and_never_raises(monkeypatch, fake, expected):
    monkeypatch.setattr(cupy_backend, "cupy", fake)
    cupy_backend.is_available.cache_clear()
    try:
        assert cupy_backend.is_available() is expected
    finally:
        cupy_backend.is_available.cache_clear()


def test_no_gpu_answers(no_gpu):
    assert tf.test.is_gpu_available() is False
    assert tf.test.is_gpu_available(cuda_only=True) is False
    assert tf.test.gpu_device_name() == ""
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.experimental.list_physical_devices("GPU") == []
    cpus = tf.config.list_physical_devices("CPU")
    assert [(d.name, d.device_type) for d in cpus] == [("/physical_device:CPU:0", "CPU")]
    devices = device_lib.list_local_devices()
    assert [(d.name, d.device_type) for d in devices] == [("/device:CPU:0", "CPU")]
    assert devices[0].memory_limit > 0


def test_gpu_answers_from_device_properties(monkeypatch):
    h200 = {"index": 0, "name": "NVIDIA H200", "memory": 150 * 2**30, "compute_capability": (9, 0),
            "pci_bus_id": "0000:1a:00.0"}
    monkeypatch.setattr(device_lib, "gpu_properties", lambda: [h200])
    assert tf.test.is_gpu_available()
    assert tf.test.is_gpu_available(cuda_only=True, min_cuda_compute_capability=(8, 0))
    assert not tf.test.is_gpu_available(min_cuda_compute_capability=(9, 1))
    assert tf.test.gpu_device_name() == "/device:GPU:0"
    gpu = device_lib.list_local_devices()[1]
    assert (gpu.name, gpu.device_type, gpu.memory_limit) == ("/device:GPU:0", "GPU", 150 * 2**30)
    assert "NVIDIA H200" in gpu.physical_device_desc and "compute capability: 9.0" in gpu.physical_device_desc
    phys = tf.config.experimental.list_physical_devices("GPU")
    assert [(d.name, d.device_type) for d in phys] == [("/physical_device:GPU:0", "GPU")]
    tf.config.experimental.set_memory_growth(phys[0], True)  # accepted
    assert tf.config.list_logical_devices("gpu")[0].name == "/device:GPU:0"


def test_soft_placement_runs_a_gpu_graph_on_the_cpu(no_gpu):
    with tf.device("/gpu:0"):
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        b = tf.placeholder(tf.float32, [2, 2])
        c = tf.matmul(a, b)
        v = tf.Variable(np.ones(2, np.float32), name="v")
        total = tf.reduce_sum(tf.add(c, v))
    config = tf.ConfigProto(allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(total, {b: [[1.0, 0.0], [0.0, 2.0]]})
    assert got == pytest.approx(1 + 4 + 3 + 8 + 4)


def test_without_soft_placement_a_gpu_op_fails_naming_it(no_gpu):
    x = tf.placeholder(tf.float32, [])
    with tf.device("/device:GPU:0"):
        c = tf.add(x, x, name="my_sum")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="my_sum") as info:
            sess.run(c, {x: 1.0})
    assert "GPU:0" in str(info.value) and "allow_soft_placement" in str(info.value)


def test_device_count_gpu_zero_keeps_env_placement_on_the_cpu(no_gpu, monkeypatch):
    monkeypatch.setenv("TLBOARD_DEVICE", "gpu")
    x = tf.placeholder(tf.float32, [])
    c = tf.add(x, 2.0, name="plain")
    with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
        assert sess.run(c, {x: 1.0}) == pytest.approx(3.0)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Const|plain"):
        sess.run(c, {x: 1.0})


# --- the session's placement rules, through a stand-in device whose arrays are a distinct type

class DeviceArray(np.ndarray):
    """A "device" array: host code must copy it out with .get(), as with CuPy."""

    def get(self):
        return np.array(self, copy=True).view(np.ndarray)


class _DeviceXP:
    """NumPy whose array constructors keep the device type (as cupy.array does)."""

    def __getattr__(self, attr):
        return getattr(np, attr)

    def array(self, obj, dtype=None, copy=True):
        return np.array(obj, dtype=dtype, copy=copy).view(DeviceArray)


def _fake_device_backend(log: list):
    mod = types.ModuleType("fake_device_backend")
    mod.name, mod.device_type, mod.xp = "fake", "GPU", _DeviceXP()

    def asarray(x, dtype=None):
        if isinstance(x, DeviceArray) and (dtype is None or x.dtype == dtype):
            return x
        arr = np.array(x, dtype=dtype, copy=True)
        log.append(("to_device", arr.dtype.name))
        return arr.view(DeviceArray)

    def to_numpy(x):
        log.append(("to_host", np.asarray(x).dtype.name))
        return x.get() if isinstance(x, DeviceArray) else np.asarray(x)

    mod.asarray, mod.to_numpy = asarray, to_numpy
    mod.is_device_array = lambda x: isinstance(x, DeviceArray)
    mod.is_available = lambda: True
    mod.make_rng = numpy_backend.make_rng
    return mod


@pytest.fixture
def fake_gpu(monkeypatch):
    log: list = []
    monkeypatch.setitem(backends._loaded, "GPU", _fake_device_backend(log))
    monkeypatch.setattr(session_mod, "gpu_available", lambda: True)
    return log


def test_variables_live_on_the_device_and_updates_created_elsewhere_reach_them(fake_gpu):
    with tf.device("/gpu:0"):
        w = tf.Variable(np.zeros(3, np.float32), name="w")
    step = tf.assign_add(w, tf.constant([1.0, 2.0, 3.0]))  # created outside the device scope
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(step)
        sess.run(step)
        got = sess.run(w)
        stored = sess._vars[w.op]
        placed = {step[6].type: step[1].b.device_type for plan in sess._plans.values()
                  for step in plan.steps if step[6] is not None}
    assert placed["AssignAdd"] == "GPU"  # colocated with its variable, as TF does
    assert "Const" not in placed  # folded when the plan was compiled (and copied to the device once)
    np.testing.assert_array_equal(got, [2.0, 4.0, 6.0])
    assert type(got) is np.ndarray  # fetches come back as host arrays
    assert isinstance(stored, DeviceArray)


def test_non_float_tensors_stay_on_the_host(fake_gpu):
    with tf.device("/gpu:0"):
        x = tf.placeholder(tf.float32, [None, 6])
        flat = tf.reshape(x, [3, -1])  # int32 shape Const: a host-side op
        sums = tf.reduce_sum(flat, axis=1)
        n = tf.cast(tf.shape(x), tf.float32)  # float -> int32 (host) -> float (device)
        ids = tf.placeholder(tf.int32, [2])
        ids_f = tf.cast(ids, tf.float32)
    feed = {x: np.arange(12, dtype=np.float32).reshape(2, 6), ids: [4, 5]}
    with tf.Session() as sess:
        s, nv, idv = sess.run([sums, n, ids_f], feed)
    np.testing.assert_array_equal(s, [0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9 + 10 + 11])
    np.testing.assert_array_equal(nv, [2.0, 6.0])
    np.testing.assert_array_equal(idv, [4.0, 5.0])
    moved_to_device = {dtype for kind, dtype in fake_gpu if kind == "to_device"}
    assert moved_to_device and moved_to_device <= {"float32"}, fake_gpu


def test_a_float_value_crosses_to_the_device_once_per_run(fake_gpu):
    x = tf.placeholder(tf.float32, [4])
    with tf.device("/gpu:0"):
        a = tf.add(x, x)
        b = tf.multiply(x, a)
    with tf.Session() as sess:
        got = sess.run(b, {x: np.array([1, 2, 3, 4], np.float32)})
    np.testing.assert_array_equal(got, [2, 8, 18, 32])
    assert fake_gpu.count(("to_device", "float32")) == 1


# --- the GPU backend mirrors the NumPy backend's kernels

def _public_functions(mod) -> dict:
    found = {}
    for n, f in vars(mod).items():
        f = inspect.unwrap(f) if callable(f) else f  # lru_cache-wrapped functions count too
        if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == mod.__name__:
            found[n] = f
    return found


def test_gpu_backend_mirrors_every_numpy_kernel_with_the_same_signature():
    cpu, gpu = _public_functions(numpy_backend), _public_functions(cupy_backend)
    missing = sorted(set(cpu) - set(gpu))
    assert not missing, f"cupy_backend lacks {missing}"
    for fn_name, fn in cpu.items():
        want = [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]
        have = [(p.name, p.kind) for p in inspect.signature(gpu[fn_name]).parameters.values()]
        assert have == want, f"{fn_name}: cupy_backend{have} != numpy_backend{want}"


@pytest.mark.parametrize("size, k, stride, dilation, padding, expected", [
    (28, 5, 1, 1, "SAME", (28, 2)),
    (28, 2, 2, 1, "SAME", (14, 0)),
    (7, 3, 2, 1, "SAME", (4, 1)),
    (8, 3, 2, 1, "SAME", (4, 0)),  # total padding 1 goes after
    (28, 5, 1, 1, "VALID", (24, 0)),
    (7, 3, 2, 1, "VALID", (3, 0)),
    (10, 3, 1, 2, "VALID", (6, 0)),  # dilated kernel spans 5
    (10, 3, 1, 2, b"SAME", (10, 2)),
])
def test_output_size_follows_tf_padding_rules(size, k, stride, dilation, padding, expected):
    assert cupy_backend.output_size(size, k, stride, dilation, padding) == expected


def test_output_size_rejects_unknown_padding():
    with pytest.raises(ValueError, match="EXPLICIT"):
        cupy_backend.output_size(8, 3, 1, 1, "EXPLICIT")
