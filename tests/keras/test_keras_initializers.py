"""Keras initializers: Keras's defaults over the engine's TF1 initializers."""
import numpy as np
import pytest

import tlboard as tf
from tlboard.engine import initializers as engine_init
from tlboard.engine.keras import backend as K
from tlboard.engine.keras import initializers as KI


def _value(init, shape, dtype=None):
    tf.reset_default_graph()
    t = init(shape, dtype=dtype)
    with tf.Session() as sess:
        return sess.run(t)


def test_keras_classes_build_on_the_engine_ones():
    assert KI.Initializer is engine_init.Initializer
    for name in ("Zeros", "Ones", "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling"):
        assert issubclass(getattr(KI, name), getattr(engine_init, name))


@pytest.mark.parametrize("init, check", [
    (KI.RandomNormal(seed=1), lambda v: abs(v.mean()) < 0.01 and abs(v.std() - 0.05) < 0.005),
    (KI.RandomUniform(seed=1), lambda v: v.min() >= -0.05 and v.max() < 0.05 and v.max() - v.min() > 0.09),
    (KI.TruncatedNormal(seed=1), lambda v: np.abs(v).max() <= 0.1 and 0.035 < v.std() < 0.05),
])
def test_random_initializers_use_keras_defaults(init, check):
    assert check(_value(init, [200, 50]))


def test_dtype_is_floatx_at_call_time():
    init = KI.RandomNormal(seed=2)
    assert _value(init, [2, 2]).dtype == np.float32
    K.set_floatx("float64")
    try:
        assert _value(init, [2, 2]).dtype == np.float64
        assert _value(KI.Zeros(), [2]).dtype == np.float64
    finally:
        K.set_floatx("float32")
    assert _value(KI.Ones(), [3], dtype=tf.float64).tolist() == [1.0, 1.0, 1.0]


def test_configs_have_no_dtype_and_round_trip():
    assert KI.Zeros().get_config() == {}
    assert KI.RandomUniform(seed=3).get_config() == {"minval": -0.05, "maxval": 0.05, "seed": 3}
    config = KI.he_normal(seed=4).get_config()
    assert config == {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": 4}
    again = KI.get({"class_name": "VarianceScaling", "config": config})
    assert type(again) is KI.VarianceScaling and again.get_config() == config


def test_variance_scaling_normal_is_truncated_with_fan_in_spread():
    v = _value(KI.he_normal(seed=5), [400, 100])
    stddev = np.sqrt(2.0 / 400)
    assert np.abs(v).max() <= 2 * stddev / 0.87962566103423978 + 1e-6
    assert abs(v.std() - stddev) < 0.1 * stddev


def test_get_by_name_and_constant_broadcasts():
    assert type(KI.get("glorot_uniform")) is KI.VarianceScaling
    assert type(KI.get("Identity")) is KI.Identity
    np.testing.assert_array_equal(_value(KI.Constant([0.5, -4.0]), [3, 2]), [[0.5, -4.0]] * 3)
    with pytest.raises(ValueError, match="Unknown initializer: bogus"):
        KI.get("bogus")
