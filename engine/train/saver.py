"""`tf.train.Saver` and the checkpoint-state helpers (`latest_checkpoint`, `get_checkpoint_state`, ...).

Checkpoint format (tlboard's own; it is NOT TensorFlow's .index/.data format):

* A checkpoint is named by a *prefix* such as `runs/model.ckpt-100` (what `Saver.save` returns and
  `Saver.restore` takes). Its data is ONE file, `<prefix>.npz`: a NumPy .npz archive (a zip of .npy
  arrays, readable with `numpy.load`) holding one array per saved variable, keyed by the variable's
  checkpoint name - its op name (`dense/kernel`, `W`) or the key given in a `var_list` dict - plus the
  entry `__tlboard_checkpoint__` (an int array holding the format version, 1). Arrays keep their dtype
  and shape. The file is written to `<prefix>.npz.tmp` and renamed, so a crash never leaves half a file.
* The directory's state file (default name `checkpoint`) is a text file in the same text form TF uses:

      model_checkpoint_path: "model.ckpt-200"
      all_model_checkpoint_paths: "model.ckpt-100"
      all_model_checkpoint_paths: "model.ckpt-200"

  one `all_model_checkpoint_paths` line per kept checkpoint, oldest first, the latest in
  `model_checkpoint_path`. Paths of checkpoints inside the directory are written relative to it (so the
  directory can be moved); others are written as given. `latest_checkpoint(dir)` reads it.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from ..graph import get_default_graph
from ..ops import array_ops, control_flow_ops, state_ops
from ..ops.state_ops import Uninitialized
from ..variables import Variable, global_variables

FORMAT_KEY = "__tlboard_checkpoint__"
FORMAT_VERSION = 1
SUFFIX = ".npz"


class Saver:
    """Saves and restores variables: `save(sess, prefix, global_step)` / `restore(sess, prefix)`."""

    def __init__(self, var_list=None, reshape: bool = False, sharded: bool = False, max_to_keep: int | None = 5,
                 keep_checkpoint_every_n_hours: float = 10000.0, name: str | None = None,
                 restore_sequentially: bool = False, saver_def=None, builder=None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: int = 2, pad_step_number: bool = False,
                 save_relative_paths: bool = False, filename: str | None = None):
        self._vars = _named_variables(var_list)
        if not self._vars and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = max_to_keep
        self._keep_every_s = keep_checkpoint_every_n_hours * 3600.0
        self._next_keep_time = time.time() + self._keep_every_s
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._last: list[tuple[str, float]] = []  # (prefix, time saved), oldest first
        graph = next(iter(self._vars.values())).graph if self._vars else get_default_graph()
        self._graph = graph
        # One assign-from-placeholder per variable, built once: restore is a single Session.run.
        self._feeds = {}
        with graph.name_scope(name or "save"):
            assigns = []
            for ckpt_name, var in self._vars.items():
                ph = array_ops.placeholder(var.dtype.base_dtype, shape=var.shape, name="restore_value")
                self._feeds[ckpt_name] = ph
                assigns.append(state_ops.assign(var, ph, name="Assign"))
            self._restore_op = control_flow_ops.group(*assigns, name="restore_all")

    # --- saving
    def save(self, sess, save_path: str, global_step=None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> str:
        """Writes `<save_path>[-<step>].npz` and updates the directory's state file; returns the prefix."""
        if latest_filename is None:
            latest_filename = "checkpoint"
        elif os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = os.fspath(save_path)
        if global_step is not None:
            step = global_step if isinstance(global_step, int | np.integer) else sess.run(global_step)
            step = int(step)
            prefix = f"{save_path}-{step:08d}" if self._pad_step_number else f"{save_path}-{step}"
        else:
            prefix = save_path
        save_dir = os.path.dirname(prefix) or "."
        if not os.path.isdir(save_dir):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        names = list(self._vars)
        values = sess.run([self._vars[n]._ref() for n in names]) if names else []
        arrays = {FORMAT_KEY: np.array([FORMAT_VERSION], dtype=np.int32)}
        for n, v in zip(names, values):
            if isinstance(v, Uninitialized):
                raise FailedPreconditionError(None, None, f"Attempting to use uninitialized value {v.name} "
                                                          f"(while saving checkpoint {prefix})")
            arrays[n] = np.asarray(v)
        tmp = prefix + SUFFIX + ".tmp"
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, prefix + SUFFIX)
        self._remember(prefix)
        if write_state:
            update_checkpoint_state(save_dir, prefix, [p for p, _ in self._last], latest_filename)
        return prefix

    def _remember(self, prefix: str) -> None:
        """Adds `prefix` to the kept checkpoints, deleting the oldest beyond max_to_keep."""
        self._last = [(p, t) for p, t in self._last if p != prefix]
        self._last.append((prefix, time.time()))
        if not self._max_to_keep:
            return
        while len(self._last) > self._max_to_keep:
            old, saved_at = self._last.pop(0)
            if saved_at > self._next_keep_time:  # keep_checkpoint_every_n_hours: leave it on disk
                self._next_keep_time += self._keep_every_s
                continue
            _delete_checkpoint(old)

    @property
    def last_checkpoints(self) -> list[str]:
        """The prefixes of the checkpoints still kept, oldest first."""
        return [p for p, _ in self._last]

    def set_last_checkpoints(self, last_checkpoints: list[str]) -> None:
        """Replaces the list of kept checkpoints (e.g. after a restart)."""
        self._last = [(p, time.time()) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time) -> None:
        self._last = [(p, float(t)) for p, t in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths: list[str]) -> None:
        """Takes over the existing checkpoints among `checkpoint_paths` as the kept ones."""
        self._last = [(p, os.path.getmtime(p + SUFFIX)) for p in checkpoint_paths if checkpoint_exists(p)]

    # --- restoring
    def restore(self, sess, save_path: str) -> None:
        """Sets every variable of this Saver from the checkpoint `save_path` (a prefix)."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        arrays = _read_checkpoint(save_path)
        feed = {}
        for ckpt_name, var in self._vars.items():
            if ckpt_name not in arrays:
                raise NotFoundError(None, None, f"Key {ckpt_name} not found in checkpoint {save_path} "
                                                f"(it holds: {', '.join(sorted(arrays)) or 'nothing'})")
            value = arrays[ckpt_name]
            want_dtype = var.dtype.base_dtype.as_numpy_dtype
            if value.dtype != np.dtype(want_dtype):
                raise InvalidArgumentError(None, None, f"tensor_name = {ckpt_name}; expected dtype "
                                                       f"{var.dtype.base_dtype.name} does not equal original "
                                                       f"dtype {value.dtype.name} in checkpoint {save_path}")
            if not var.shape.is_compatible_with(value.shape):
                raise InvalidArgumentError(None, None, f"Restoring from checkpoint failed: variable {ckpt_name} "
                                                       f"has shape {var.shape.bracket()} in the graph but "
                                                       f"{list(value.shape)} in checkpoint {save_path}")
            feed[self._feeds[ckpt_name]] = value
        if feed:
            sess.run(self._restore_op, feed)

    def build(self) -> None:
        """Kept for TF1 compatibility: the save/restore ops are built in the constructor."""

    def as_saver_def(self):
        raise NotImplementedError("tlboard checkpoints have no SaverDef")


def _named_variables(var_list) -> dict[str, Variable]:
    if var_list is None:
        var_list = global_variables()
    if isinstance(var_list, dict):
        items = list(var_list.items())
    else:
        items = []
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"Variable to save is not a Variable: {v}")
            items.append((v.op.name, v))
    named: dict[str, Variable] = {}
    for n, v in items:
        if not isinstance(v, Variable):
            raise TypeError(f"Variable to save is not a Variable: {v}")
        if n in named:
            raise ValueError(f"At least two variables have the same name: {n}")
        named[n] = v
    return named


def _read_checkpoint(prefix: str) -> dict[str, np.ndarray]:
    path = os.fspath(prefix)
    if not path.endswith(SUFFIX):
        path += SUFFIX
    if not os.path.isfile(path):
        raise NotFoundError(None, None, f"Failed to find any matching files for {prefix} (no file {path})")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError) as e:
        raise InvalidArgumentError(None, None, f"Unable to read checkpoint {path}: {e}") from None
    if FORMAT_KEY not in arrays:
        raise InvalidArgumentError(None, None, f"{path} is not a tlboard checkpoint (no {FORMAT_KEY} entry)")
    arrays.pop(FORMAT_KEY)
    return arrays


def _delete_checkpoint(prefix: str) -> None:
    for path in (prefix + SUFFIX, prefix + ".meta"):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


# --- the checkpoint state file

@dataclass
class CheckpointState:
    """What the `checkpoint` file says: the latest checkpoint and all kept ones (paths as written)."""

    model_checkpoint_path: str = ""
    all_model_checkpoint_paths: list[str] = field(default_factory=list)


_STATE_LINE = re.compile(r'^\s*(\w+)\s*:\s*"((?:[^"\\]|\\.)*)"\s*$')


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def _relative_to(save_dir: str, path: str) -> str:
    if os.path.abspath(os.path.dirname(path) or ".") == os.path.abspath(save_dir):
        return os.path.basename(path)
    return path


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str, all_model_checkpoint_paths=None,
                            latest_filename: str | None = None) -> None:
    """Writes the state file of `save_dir` naming `model_checkpoint_path` as the latest checkpoint."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths = [p for p in paths if p != model_checkpoint_path] + [model_checkpoint_path]
    lines = [f"model_checkpoint_path: {_quote(_relative_to(save_dir, model_checkpoint_path))}"]
    lines += [f"all_model_checkpoint_paths: {_quote(_relative_to(save_dir, p))}" for p in paths]
    target = os.path.join(save_dir, latest_filename or "checkpoint")
    tmp = target + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, target)


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """The parsed state file of `checkpoint_dir` (relative paths joined to the directory), or None."""
    path = os.path.join(checkpoint_dir, latest_filename or "checkpoint")
    if not os.path.isfile(path):
        return None
    state = CheckpointState()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            m = _STATE_LINE.match(line)
            if m is None:
                raise ValueError(f"Unparsable line {n} in checkpoint state file {path}: {line.rstrip()!r}")
            key, value = m.group(1), _unquote(m.group(2))
            if not os.path.isabs(value):
                value = os.path.join(checkpoint_dir, value)
            if key == "model_checkpoint_path":
                state.model_checkpoint_path = value
            elif key == "all_model_checkpoint_paths":
                state.all_model_checkpoint_paths.append(value)
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {path}: no model_checkpoint_path")
    return state


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint in `checkpoint_dir`, or None when there is none (or it is gone)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not checkpoint_exists(state.model_checkpoint_path):
        return None
    return state.model_checkpoint_path


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """True when the checkpoint's data file exists."""
    return os.path.isfile(os.fspath(checkpoint_prefix) + SUFFIX)


def list_variables(ckpt_dir_or_file: str) -> list[tuple[str, list[int]]]:
    """[(name, shape)] of the arrays in a checkpoint (a prefix or a directory with a state file)."""
    arrays = _read_checkpoint(_resolve(ckpt_dir_or_file))
    return [(n, list(a.shape)) for n, a in sorted(arrays.items())]


def load_variable(ckpt_dir_or_file: str, name: str) -> np.ndarray:
    """One saved array of a checkpoint, by name."""
    arrays = _read_checkpoint(_resolve(ckpt_dir_or_file))
    if name.endswith(":0"):
        name = name[:-2]
    if name not in arrays:
        raise NotFoundError(None, None, f"Key {name} not found in checkpoint {ckpt_dir_or_file}")
    return arrays[name]


def _resolve(ckpt_dir_or_file: str) -> str:
    if os.path.isdir(ckpt_dir_or_file):
        latest = latest_checkpoint(ckpt_dir_or_file)
        if latest is None:
            raise NotFoundError(None, None, f"No checkpoint found in directory {ckpt_dir_or_file}")
        return latest
    return ckpt_dir_or_file
