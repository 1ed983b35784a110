"""`tf.keras` submodules import by path, as scripts written for TensorFlow do, and are the same objects."""
import importlib

import tlboard as tf


def test_keras_submodules_import_by_path_and_match_the_attribute_namespace():
    from tlboard.keras.layers import Dense
    from tlboard.keras.models import Sequential
    assert Sequential is tf.keras.models.Sequential is tf.keras.Sequential
    assert Dense is tf.keras.layers.Dense
    for name in ("backend", "callbacks", "initializers", "optimizers", "regularizers", "utils"):
        assert importlib.import_module(f"tlboard.keras.{name}") is getattr(tf.keras, name)
    model = Sequential([Dense(3, input_dim=2)])
    assert isinstance(model.layers[0], tf.keras.layers.Dense)
