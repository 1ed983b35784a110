"""`tf.keras.callbacks`: hooks `fit` calls around epochs and batches: History, progress bar,
EarlyStopping, ModelCheckpoint, LambdaCallback, LearningRateScheduler, TerminateOnNaN and TensorBoard."""
from __future__ import annotations

import math
import os
import sys

import numpy as np

from . import backend as K
from .progbar import Progbar


class Callback:
    """Base class: override the `on_*` hooks; `self.model` and `self.params` are set by `fit`."""

    def __init__(self):
        self.model = None
        self.params: dict = {}
        self.validation_data = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self.model = model

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...


class CallbackList:
    """Dispatches each hook to every callback in order."""

    def __init__(self, callbacks=None):
        self.callbacks = list(callbacks or [])

    def __iter__(self):
        return iter(self.callbacks)

    def set_params(self, params: dict) -> None:
        for c in self.callbacks:
            c.set_params(params)

    def set_model(self, model) -> None:
        for c in self.callbacks:
            c.set_model(model)

    def _each(self, hook: str, *args) -> None:
        for c in self.callbacks:
            getattr(c, hook)(*args)

    def on_epoch_begin(self, epoch, logs=None):
        self._each("on_epoch_begin", epoch, logs if logs is not None else {})

    def on_epoch_end(self, epoch, logs=None):
        self._each("on_epoch_end", epoch, logs if logs is not None else {})

    def on_batch_begin(self, batch, logs=None):
        self._each("on_batch_begin", batch, logs if logs is not None else {})

    def on_batch_end(self, batch, logs=None):
        self._each("on_batch_end", batch, logs if logs is not None else {})

    def on_train_begin(self, logs=None):
        self._each("on_train_begin", logs if logs is not None else {})

    def on_train_end(self, logs=None):
        self._each("on_train_end", logs if logs is not None else {})


class History(Callback):
    """Records each epoch's logs: `history.history['loss']` is the list of epoch losses."""

    def on_train_begin(self, logs=None):
        self.epoch: list[int] = []
        self.history: dict[str, list] = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and a progress bar per epoch (what verbose=1 shows)."""

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self.verbose = self.params.get("verbose", 1)
        self.epochs = self.params["epochs"]
        if self.verbose:
            self.stream.write(f"Epoch {epoch + 1}/{self.epochs}\n")
        self.progbar = Progbar(self.params["samples"], verbose=self.verbose, stream=self.stream)
        self.seen = 0

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += logs.get("size", 0)
        if self.seen < self.params["samples"]:  # the epoch's last line is drawn by on_epoch_end
            self.progbar.update(self.seen, [(k, logs[k]) for k in self.params["metrics"] if k in logs])

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        # the final line shows the epoch averages (and validation results) computed by fit
        self.progbar.finish([(k, logs[k]) for k in self.params["metrics"] if k in logs])


class EarlyStopping(Callback):
    """Stops training when `monitor` has not improved by `min_delta` for `patience` epochs."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping mode {mode!r} is unknown; use 'auto', 'min' or 'max'.")
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        maximize = mode == "max" or (mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure")))
        self._better = (lambda a, b: a > b) if maximize else (lambda a, b: a < b)
        self.min_delta = abs(min_delta) if maximize else -abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = self.baseline if self.baseline is not None else None
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            sys.stderr.write(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                             f"Available metrics are: {','.join(logs or {})}\n")
            return
        if self.best is None or self._better(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


class ModelCheckpoint(Callback):
    """Saves the weights (our .npz format) after epochs, optionally only when `monitor` improves.
    `filepath` may hold `{epoch:02d}` and log keys, e.g. 'weights.{epoch:02d}-{val_loss:.2f}.npz'."""

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = True, mode: str = "auto", period: int = 1):
        super().__init__()
        self.filepath, self.monitor, self.verbose = filepath, monitor, verbose
        self.save_best_only, self.period = save_best_only, period
        maximize = mode == "max" or (mode == "auto" and "acc" in monitor)
        self._better = (lambda a, b: a > b) if maximize else (lambda a, b: a < b)
        self.best = None
        self._since = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._since += 1
        if self._since < self.period:
            return
        self._since = 0
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None or (self.best is not None and not self._better(current, self.best)):
                return
            self.best = current
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1:05d}: saving model to {path}")
        self.model.save_weights(path)


class LambdaCallback(Callback):
    """A callback from plain functions: on_epoch_end=lambda epoch, logs: ..., etc."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        nothing2 = lambda a, b: None  # noqa: E731
        nothing1 = lambda a: None  # noqa: E731
        self.on_epoch_begin = on_epoch_begin or nothing2
        self.on_epoch_end = on_epoch_end or nothing2
        self.on_batch_begin = on_batch_begin or nothing2
        self.on_batch_end = on_batch_end or nothing2
        self.on_train_begin = on_train_begin or nothing1
        self.on_train_end = on_train_end or nothing1


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to `schedule(epoch)` (or `schedule(epoch, lr)`) each epoch."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        if not hasattr(opt, "lr"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        try:
            lr = self.schedule(epoch, float(K.get_value(opt.lr)))
        except TypeError:
            lr = self.schedule(epoch)
        K.set_value(opt.lr, lr)


class TerminateOnNaN(Callback):
    """Stops training when a batch loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class TensorBoard(Callback):
    """Writes TensorBoard event files to `log_dir`: the graph, each epoch's logs as scalars (`loss`, `acc`,
    `val_loss`, ... at step = epoch), and weight histograms every `histogram_freq` epochs.
    `update_freq='batch'` (or N samples) also writes `batch_loss`, `batch_acc`... at step = samples seen."""

    def __init__(self, log_dir: str = "./logs", histogram_freq: int = 0, batch_size: int = 32,
                 write_graph: bool = True, write_grads: bool = False, write_images: bool = False,
                 update_freq="epoch", **kwargs):
        super().__init__()
        if histogram_freq < 0:
            raise ValueError(f"histogram_freq must be >= 0, got {histogram_freq}")
        if update_freq not in ("epoch", "batch") and not isinstance(update_freq, int):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a number of samples, got {update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.writer = None
        self._samples_seen = 0
        self._samples_at_last_write = 0

    def set_model(self, model) -> None:
        from tlboard.summaries.writer import FileWriter
        super().set_model(model)
        if self.writer is not None:
            self.writer.close()
        graph = model.outputs[0].graph if self.write_graph else None
        self.writer = FileWriter(self.log_dir, graph=graph)

    def _write_scalars(self, logs: dict, step: int, prefix: str = "") -> None:
        from tlboard.summaries.summary_pb import scalar_pb
        for name, value in logs.items():
            if name in ("batch", "size"):
                continue
            self.writer.add_summary(scalar_pb(prefix + name, float(value)), step)

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            return
        logs = logs or {}
        self._samples_seen += logs.get("size", 1)
        if self._samples_seen - self._samples_at_last_write >= self.update_freq:
            self._write_scalars(logs, self._samples_seen, prefix="batch_")
            self._samples_at_last_write = self._samples_seen

    def on_epoch_end(self, epoch, logs=None):
        self._write_scalars(logs or {}, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            from tlboard.summaries.summary_pb import histogram_pb
            weights = self.model.weights
            for w, value in zip(weights, K.batch_get_value(weights)):
                self.writer.add_summary(histogram_pb(w.name.replace(":", "_"), np.asarray(value)), epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
