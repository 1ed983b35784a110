"""`tf.keras`, also importable by path: `from tlboard.keras.layers import Dense` works as with TensorFlow.

The implementation lives in tlboard.engine.keras; its public submodules are registered under this name too
(the same module objects, so classes stay identical whichever path imported them).
"""
import sys
from types import ModuleType

from tlboard.engine import keras as _impl

for _name, _value in vars(_impl).items():
    if not _name.startswith("_") or _name == "__version__":
        globals()[_name] = _value
        if isinstance(_value, ModuleType) and _value.__name__.startswith(_impl.__name__ + "."):
            sys.modules[f"{__name__}.{_name}"] = _value
