"""`Model`: a Network that trains. `compile` adds the targets, loss, metrics and (on first `fit`) the
optimizer's update ops to the graph; `fit`/`evaluate`/`predict` feed NumPy batches through Keras's session."""
from __future__ import annotations

import numpy as np

from tlboard.engine.ops import control_flow_ops, math_ops

from . import backend as K
from . import callbacks as _callbacks
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from .network import Network
from .progbar import Progbar


class Model(Network):
    """`Model(inputs, outputs)`: compile, fit, evaluate, predict, and save/load weights."""

    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, **kwargs) -> None:
        """Builds the training loss (plus regularization losses) and metrics for `optimizer` to minimize."""
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile`: {sorted(kwargs)}")
        if loss is None:
            raise ValueError("compile() needs a `loss`: a name ('categorical_crossentropy', 'mse', ...) or a "
                             "function loss(y_true, y_pred).")
        if not self.outputs:
            raise RuntimeError("The model has no outputs yet: give its first layer an `input_shape` (or "
                               "call it on a tensor) before compile().")
        if len(self.outputs) != 1:
            raise NotImplementedError("tlboard's Keras trains single-output models only.")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        loss_fn = _losses.get(loss)
        out = self.outputs[0]
        graph = out.graph
        out_layer = out._keras_history[0].name if hasattr(out, "_keras_history") else "output"
        with graph.as_default(), graph.name_scope(None):
            if target_tensors is not None:
                target = target_tensors[0] if isinstance(target_tensors, list | tuple) else target_tensors
            else:
                ndim = out.shape.ndims if out.shape.ndims is not None else 2
                target = K.placeholder(ndim=ndim, dtype=out.dtype.base_dtype, name=f"{out_layer}_target")
            with graph.name_scope("loss"):
                with graph.name_scope(f"{out_layer}_loss"):
                    output_loss = math_ops.reduce_mean(loss_fn(target, out))
                total = output_loss
                if loss_weights is not None:
                    w = loss_weights[0] if isinstance(loss_weights, list | tuple) else loss_weights
                    total = math_ops.multiply(total, float(w))
                extra = self.losses
                if extra:
                    total = math_ops.add(total, math_ops.add_n(extra))
            names, tensors = [], []
            for m in metrics or []:
                if m in ("accuracy", "acc"):
                    fn, name = _metrics.accuracy_for(loss_fn, out.shape.dims), "acc"
                else:
                    fn = _metrics.get(m)
                    name = getattr(fn, "name", None) or fn.__name__  # Keras 2: 'mae' -> 'mean_absolute_error'
                with graph.name_scope("metrics"), graph.name_scope(name):
                    tensors.append(math_ops.reduce_mean(fn(target, out)))
                names.append(name)
        self.targets = [target]
        self.total_loss = total
        self.metrics = list(metrics or [])
        self.metrics_names = ["loss"] + names
        self.metrics_tensors = tensors
        self._train_fetches = None
        self._test_fetches = [total] + tensors
        self.stop_training = False

    # --- the step functions
    def _train_step(self):
        if self._train_fetches is None:
            graph = self.total_loss.graph
            with graph.as_default():
                updates = self.optimizer.get_updates(self.total_loss, self._trainable_for_training())
                updates = list(updates) + list(self.updates)
                with graph.name_scope(None):
                    train_op = control_flow_ops.group(*updates, name="training/group_deps")
            self._train_fetches = [self.total_loss] + self.metrics_tensors + [train_op]
        return self._train_fetches

    def _trainable_for_training(self) -> list:
        weights = self.trainable_weights
        if not weights:
            raise ValueError("The model has no trainable weights to train.")
        return weights

    def _session(self):
        """Keras's session for this model's graph (whatever graph is the default now)."""
        with self.outputs[0].graph.as_default():
            return K.get_session()

    def _check_compiled(self) -> None:
        if not hasattr(self, "total_loss"):
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")

    def _phase_feed(self, training: bool) -> dict:
        phase = getattr(self.outputs[0].graph, "_keras_learning_phase", None)
        if not training or phase is None or isinstance(phase, bool):
            return {}  # the phase defaults to False (test)
        return {phase: True}

    # --- data
    def _inputs_arrays(self, x) -> list[np.ndarray]:
        if isinstance(x, dict):
            names = [t.op.name for t in self.inputs]
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"No data provided for input {missing[0]!r}. Need data for each key in: {names}")
            arrays = [x[n] for n in names]
        else:
            arrays = list(x) if isinstance(x, list | tuple) and len(self.inputs) > 1 else [x]
        if len(arrays) != len(self.inputs):
            raise ValueError(f"Error when checking model input: the list of arrays passed to your model is not "
                             f"the size the model expected. Expected to see {len(self.inputs)} array(s), but "
                             f"instead got {len(arrays)}.")
        return [self._conform(np.asarray(a), t, "input") for a, t in zip(arrays, self.inputs)]

    def _target_arrays(self, y) -> list[np.ndarray]:
        if y is None:
            raise ValueError("fit/evaluate need targets `y`.")
        return [self._conform(np.asarray(y), self.targets[0], "target")]

    @staticmethod
    def _conform(a: np.ndarray, t, what: str) -> np.ndarray:
        dims = t.shape.dims
        if dims is not None and a.ndim == len(dims) - 1 and dims[-1] in (1, None):
            a = a[..., None]  # (n,) labels against a (None, 1) output
        if dims is not None:
            if a.ndim != len(dims):
                raise ValueError(f"Error when checking {what}: expected {t.op.name} to have {len(dims)} "
                                 f"dimensions, but got array with shape {a.shape}")
            for want, got in zip(dims[1:], a.shape[1:]):
                if want is not None and want != got:
                    raise ValueError(f"Error when checking {what}: expected {t.op.name} to have shape "
                                     f"{tuple(dims[1:])} but got array with shape {a.shape[1:]}")
        return a

    @staticmethod
    def _check_lengths(arrays) -> int:
        lengths = {len(a) for a in arrays}
        if len(lengths) != 1:
            raise ValueError(f"All input and target arrays should have the same number of samples. Got array "
                             f"lengths: {sorted(lengths)}")
        return lengths.pop()

    def _feed(self, xs, ys, index, training: bool) -> dict:
        feed = {t: a[index] for t, a in zip(self.inputs, xs)}
        if ys is not None:
            feed.update({t: a[index] for t, a in zip(self.targets, ys)})
        feed.update(self._phase_feed(training))
        return feed

    # --- training
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose: int = 1, callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None, **kwargs):
        """Trains for `epochs` passes over (x, y) in mini-batches; returns a History."""
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
        if class_weight is not None or sample_weight is not None or steps_per_epoch is not None:
            raise NotImplementedError("class_weight, sample_weight and steps_per_epoch are not supported.")
        self._check_compiled()
        batch_size = int(batch_size or 32)
        xs, ys = self._inputs_arrays(x), self._target_arrays(y)
        n = self._check_lengths(xs + ys)
        val = None
        if validation_data is not None:
            if len(validation_data) not in (2, 3):
                raise ValueError("validation_data should be a tuple (x_val, y_val) or (x_val, y_val, weights).")
            val = (self._inputs_arrays(validation_data[0]), self._target_arrays(validation_data[1]))
        elif validation_split:
            if not 0.0 < validation_split < 1.0:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
            split = int(n * (1.0 - validation_split))
            val = ([a[split:] for a in xs], [a[split:] for a in ys])
            xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
            n = split
        fetches = self._train_step()
        sess = self._session()

        self.history = _callbacks.History()
        cbs = [*(callbacks or [])]
        if verbose:
            cbs.insert(0, _callbacks.ProgbarLogger())
        cbs.append(self.history)
        cb = _callbacks.CallbackList(cbs)
        out_names = list(self.metrics_names)
        cb.set_model(self)
        cb.set_params({"batch_size": batch_size, "epochs": epochs, "steps": None, "samples": n,
                       "verbose": verbose, "do_validation": val is not None,
                       "metrics": out_names + (["val_" + m for m in out_names] if val is not None else [])})
        self.stop_training = False
        cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            cb.on_epoch_begin(epoch)
            order = np.random.permutation(n) if shuffle else np.arange(n)
            sums = np.zeros(len(out_names))
            for b, start in enumerate(range(0, n, batch_size)):
                index = order[start:start + batch_size]
                logs = {"batch": b, "size": len(index)}
                cb.on_batch_begin(b, logs)
                outs = sess.run(fetches, self._feed(xs, ys, index, training=True))[:-1]
                for name, v in zip(out_names, outs):
                    logs[name] = float(v)
                sums += np.asarray(outs, dtype=np.float64) * len(index)
                cb.on_batch_end(b, logs)
                if self.stop_training:
                    break
            epoch_logs = {name: float(s / n) for name, s in zip(out_names, sums)}
            if val is not None:
                val_outs = self._test_loop(val[0], val[1], batch_size)
                epoch_logs.update({"val_" + name: v for name, v in zip(out_names, val_outs)})
            cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cb.on_train_end()
        return self.history

    def _test_loop(self, xs, ys, batch_size: int, verbose: int = 0) -> list[float]:
        sess = self._session()
        n = self._check_lengths(xs + ys)
        sums = np.zeros(len(self._test_fetches))
        bar = Progbar(n, verbose=verbose) if verbose else None
        for start in range(0, n, batch_size):
            index = np.arange(start, min(start + batch_size, n))
            outs = sess.run(self._test_fetches, self._feed(xs, ys, index, training=False))
            sums += np.asarray(outs, dtype=np.float64) * len(index)
            if bar is not None:
                bar.update(start + len(index))
        return [float(s / n) for s in sums]

    def evaluate(self, x=None, y=None, batch_size=None, verbose: int = 1, sample_weight=None, steps=None):
        """The loss (and metrics) on (x, y) at test time: a float, or [loss, metric...] with metrics."""
        self._check_compiled()
        if sample_weight is not None or steps is not None:
            raise NotImplementedError("sample_weight and steps are not supported.")
        xs, ys = self._inputs_arrays(x), self._target_arrays(y)
        outs = self._test_loop(xs, ys, int(batch_size or 32), verbose=verbose)
        return outs[0] if len(outs) == 1 else outs

    def predict(self, x, batch_size=None, verbose: int = 0, steps=None) -> np.ndarray:
        """The model's outputs for x, computed in batches at test time."""
        xs = self._inputs_arrays(x)
        n = self._check_lengths(xs)
        batch_size = int(batch_size or 32)
        sess = self._session()
        chunks = []
        for start in range(0, n, batch_size):
            index = np.arange(start, min(start + batch_size, n))
            chunks.append(sess.run(self.outputs, self._feed(xs, None, index, training=False)))
        if not chunks:
            return np.zeros((0,) + tuple(d or 0 for d in self.outputs[0].shape.dims[1:]), dtype=np.float32)
        outs = [np.concatenate([c[i] for c in chunks]) for i in range(len(self.outputs))]
        return outs[0] if len(outs) == 1 else outs

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One optimizer step on one batch; returns its loss (and metrics)."""
        self._check_compiled()
        xs, ys = self._inputs_arrays(x), self._target_arrays(y)
        n = self._check_lengths(xs + ys)
        fetches = self._train_step()
        outs = self._session().run(fetches, self._feed(xs, ys, np.arange(n), training=True))[:-1]
        outs = [float(v) for v in outs]
        return outs[0] if len(outs) == 1 else outs

    def test_on_batch(self, x, y, sample_weight=None):
        """Loss (and metrics) on one batch at test time."""
        self._check_compiled()
        xs, ys = self._inputs_arrays(x), self._target_arrays(y)
        outs = self._test_loop(xs, ys, max(1, self._check_lengths(xs + ys)))
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x) -> np.ndarray:
        xs = self._inputs_arrays(x)
        return self.predict(xs if len(xs) > 1 else xs[0], batch_size=max(1, self._check_lengths(xs)))

    # --- weights on disk
    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Saves every weight to an .npz file: one array per weight, keyed by its name ('dense_1/kernel:0'),
        plus `__order__`, the names in `model.weights` order (what `load_weights` follows)."""
        from .saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name: bool = False) -> None:
        """Loads weights saved by `save_weights`: in order (topological, as Keras does) or by layer name."""
        from .saving import load_weights
        load_weights(self, filepath, by_name=by_name)
