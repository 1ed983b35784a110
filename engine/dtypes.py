"""Tensor element types, named and numbered as TensorFlow names them."""
from __future__ import annotations

import numpy as np


class DType:
    """The element type of a tensor (`tf.float32`, ...); `_ref` variants mark TF1 variable references."""

    __slots__ = ("name", "_np", "enum", "_is_ref")

    def __init__(self, name: str, np_type, enum: int, is_ref: bool = False):
        self.name = name
        self._np = np_type
        self.enum = enum
        self._is_ref = is_ref

    @property
    def as_numpy_dtype(self):
        """The NumPy scalar type of this dtype."""
        return self._np

    @property
    def base_dtype(self) -> DType:
        """The value type: `float32` for `float32_ref`."""
        return _BY_ENUM[self.enum - 100] if self._is_ref else self

    @property
    def _as_ref(self) -> DType:
        return self if self._is_ref else _BY_ENUM[self.enum + 100]

    @property
    def is_ref_dtype(self) -> bool:
        return self._is_ref

    @property
    def as_datatype_enum(self) -> int:
        """The `DataType` enum value written into GraphDefs."""
        return self.enum

    @property
    def is_floating(self) -> bool:
        return self.base_dtype.name in ("float16", "float32", "float64")

    @property
    def is_integer(self) -> bool:
        return self.base_dtype.name in ("int8", "int16", "int32", "int64", "uint8")

    @property
    def is_bool(self) -> bool:
        return self.base_dtype.name == "bool"

    @property
    def is_unsigned(self) -> bool:
        return self.base_dtype.name == "uint8"

    @property
    def size(self) -> int:
        return np.dtype(self._np).itemsize if self._np is not object else 8

    @property
    def min(self):
        b = self.base_dtype
        return np.finfo(b._np).min if b.is_floating else np.iinfo(b._np).min

    @property
    def max(self):
        b = self.base_dtype
        return np.finfo(b._np).max if b.is_floating else np.iinfo(b._np).max

    def is_compatible_with(self, other) -> bool:
        return self.base_dtype is as_dtype(other).base_dtype

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __reduce__(self):
        return (as_dtype, (self.name,))


# (name, numpy type, DataType enum) — enum values are TensorFlow's types.proto numbers.
_TABLE = [
    ("float32", np.float32, 1), ("float64", np.float64, 2), ("int32", np.int32, 3),
    ("uint8", np.uint8, 4), ("int16", np.int16, 5), ("int8", np.int8, 6), ("string", object, 7),
    ("int64", np.int64, 9), ("bool", np.bool_, 10), ("float16", np.float16, 19),
]
_BY_ENUM: dict[int, DType] = {}
_BY_NAME: dict[str, DType] = {}
for _name, _np_type, _enum in _TABLE:
    _BY_ENUM[_enum] = _BY_NAME[_name] = DType(_name, _np_type, _enum)
    _BY_ENUM[_enum + 100] = _BY_NAME[_name + "_ref"] = DType(_name + "_ref", _np_type, _enum + 100, True)

float16 = half = _BY_NAME["float16"]
float32 = _BY_NAME["float32"]
float64 = double = _BY_NAME["float64"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
bool_ = _BY_NAME["bool"]
string = _BY_NAME["string"]

_ALIASES = {"float": float32, "double": float64, "half": float16, "bool": bool_, "str": string}


def as_dtype(value) -> DType:
    """Converts a DType, name, NumPy dtype or Python type into a `DType`."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        if value in _BY_NAME:
            return _BY_NAME[value]
        if value in _ALIASES:
            return _ALIASES[value]
    if value is float:
        return float32
    if value is int:
        return int32
    if value is bool:
        return bool_
    if value is str or value is bytes:
        return string
    if isinstance(value, int) and value in _BY_ENUM:
        return _BY_ENUM[value]
    try:
        npd = np.dtype(value)
    except TypeError:
        raise TypeError(f"Cannot convert value {value!r} to a TensorFlow DType.") from None
    if npd.kind in "OSU":
        return string
    for d in _BY_NAME.values():
        if not d._is_ref and d._np is not object and np.dtype(d._np) == npd:
            return d
    raise TypeError(f"Cannot convert value {value!r} to a TensorFlow DType.")


def dtype_of_value(value) -> DType:
    """The dtype TF1 infers for a Python or NumPy value passed to `tf.constant`."""
    if isinstance(value, np.ndarray | np.generic):
        if value.dtype.kind in "OSU":
            return string
        return as_dtype(value.dtype)
    arr = np.asarray(value)
    if arr.dtype.kind in "OSU":
        return string
    if arr.dtype == np.float64:
        return float32  # Python floats become float32, as in TF
    if arr.dtype == np.int64:
        return int32 if arr.size == 0 or (np.abs(arr) < 2**31).all() else int64
    return as_dtype(arr.dtype)
