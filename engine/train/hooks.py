"""Session-run hooks for `MonitoredSession`: the hook protocol (`SessionRunHook`, `SessionRunArgs`,
`SessionRunContext`, `SessionRunValues`) and TF1's standard hooks (stop at a step, NaN check, tensor logging,
checkpoint saving, summary saving, step counting)."""
from __future__ import annotations

import logging
import os
import time
from collections import namedtuple

import numpy as np

from .training_util import get_global_step

logger = logging.getLogger("tlboard")


class SessionRunHook:
    """Base class: override any of begin / after_create_session / before_run / after_run / end."""

    def begin(self) -> None:
        """Called once before the session is created; the graph may still be changed here."""

    def after_create_session(self, session, coord) -> None:
        """Called once the session exists (variables initialized or restored)."""

    def before_run(self, run_context):
        """Returns SessionRunArgs to add fetches/feeds to the coming `run`, or None."""
        return None

    def after_run(self, run_context, run_values) -> None:
        """Sees the results of the fetches this hook asked for (`run_values.results`)."""

    def end(self, session) -> None:
        """Called when the monitored session closes normally."""


class SessionRunArgs(namedtuple("SessionRunArgs", ["fetches", "feed_dict", "options"])):
    """What a hook adds to a `run`: fetches (any nesting), an optional feed_dict and run options."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


SessionRunValues = namedtuple("SessionRunValues", ["results", "options", "run_metadata"])


class SessionRunContext:
    """The `run` call being made (original args, the session); hooks may ask the loop to stop."""

    def __init__(self, original_args: SessionRunArgs, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self) -> SessionRunArgs:
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        """Makes `should_stop()` true after this run."""
        self._stop_requested = True


class SecondOrStepTimer:
    """Triggers every `every_secs` seconds or every `every_steps` steps (exactly one of them)."""

    def __init__(self, every_secs=None, every_steps=None):
        if (every_secs is None) == (every_steps is None):
            raise ValueError("Exactly one of every_n_secs and every_n_steps should be provided.")
        self._every_secs = every_secs
        self._every_steps = every_steps
        self._last_time: float | None = None
        self._last_step: int | None = None

    def should_trigger_for_step(self, step: int) -> bool:
        """True the first time, and then once enough steps or seconds have passed since the last trigger."""
        if self._last_step is None:
            return True
        if self._last_step == step:
            return False
        if self._every_secs is not None:
            return time.time() >= self._last_time + self._every_secs
        return step >= self._last_step + self._every_steps

    def update_last_triggered_step(self, step: int):
        """Records a trigger at `step`; returns (seconds, steps) since the previous one, or (None, None)."""
        now = time.time()
        elapsed = (None, None) if self._last_time is None else (now - self._last_time, step - self._last_step)
        self._last_time, self._last_step = now, step
        return elapsed

    def last_triggered_step(self) -> int | None:
        return self._last_step


def _require_global_step(hook_name: str):
    step = get_global_step()
    if step is None:
        raise RuntimeError(f"Global step should be created to use {hook_name}.")
    return step


class StopAtStepHook(SessionRunHook):
    """Requests a stop once the global step reaches `last_step` (or `num_steps` past where it started)."""

    def __init__(self, num_steps: int | None = None, last_step: int | None = None):
        if num_steps is None and last_step is None:
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and last_step is not None:
            raise ValueError("Only one of num_steps or last_step can be specified.")
        self._num_steps = num_steps
        self._last_step = last_step

    def begin(self) -> None:
        self._step_tensor = _require_global_step("StopAtStepHook")

    def after_create_session(self, session, coord) -> None:
        if self._last_step is None:
            self._last_step = int(session.run(self._step_tensor)) + self._num_steps

    def after_run(self, run_context, run_values) -> None:
        # Read the step after the run (a value fetched within it may predate the train op's increment).
        if int(run_context.session.run(self._step_tensor)) >= self._last_step:
            run_context.request_stop()


class NanLossDuringTrainingError(RuntimeError):
    def __str__(self) -> str:
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Fails (or stops) when `loss_tensor` becomes NaN."""

    def __init__(self, loss_tensor, fail_on_nan_loss: bool = True):
        self._loss_tensor = loss_tensor
        self._fail_on_nan_loss = fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values) -> None:
        if np.isnan(run_values.results).any():
            if self._fail_on_nan_loss:
                raise NanLossDuringTrainingError
            logger.error("Model diverged with loss = NaN.")
            run_context.request_stop()


class LoggingTensorHook(SessionRunHook):
    """Logs the values of `tensors` (a dict tag -> tensor, or a list) every N steps or seconds, and/or at end."""

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end: bool = False, formatter=None):
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_log_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and every_n_secs must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if not isinstance(tensors, dict):
            tensors = {_tag_of(t): t for t in tensors}
        self._tensors = tensors
        self._tags = sorted(tensors)
        self._formatter = formatter
        self._log_at_end = at_end
        self._timer = None if only_log_at_end else SecondOrStepTimer(every_n_secs, every_n_iter)
        self._iter = 0

    def begin(self) -> None:
        from ..graph import get_default_graph
        graph = get_default_graph()
        self._fetches = {tag: graph.as_graph_element(t) if isinstance(t, str) else t
                         for tag, t in self._tensors.items()}

    def before_run(self, run_context):
        self._should_log = self._timer is not None and self._timer.should_trigger_for_step(self._iter)
        return SessionRunArgs(self._fetches) if self._should_log else None

    def after_run(self, run_context, run_values) -> None:
        if self._should_log:
            self._timer.update_last_triggered_step(self._iter)
            self._log(run_values.results)
        self._iter += 1

    def end(self, session) -> None:
        if self._log_at_end:
            self._log(session.run(self._fetches))

    def _log(self, values: dict) -> None:
        if self._formatter is not None:
            logger.info(self._formatter(values))
        else:
            logger.info(", ".join(f"{tag} = {values[tag]}" for tag in self._tags))


def _tag_of(t) -> str:
    return t if isinstance(t, str) else t.name


# One event writer per directory, shared by the hooks writing there (as TF's FileWriterCache does).
_writers: dict[str, object] = {}


def writer_for(logdir: str):
    """The FileWriter shared by everything in this process that writes summaries to `logdir`."""
    key = os.path.abspath(logdir)
    w = _writers.get(key)
    if w is None:
        from tlboard.summaries.writer import FileWriter

        from ..graph import get_default_graph
        w = _writers[key] = FileWriter(logdir, graph=get_default_graph())
    return w


class CheckpointSaverHook(SessionRunHook):
    """Saves `<checkpoint_dir>/model.ckpt-<step>` at the start, every N steps or seconds, and at the end."""

    def __init__(self, checkpoint_dir: str, save_secs=None, save_steps=None, saver=None,
                 checkpoint_basename: str = "model.ckpt", scaffold=None, listeners=None):
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._checkpoint_dir = checkpoint_dir
        self._save_path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._timer = SecondOrStepTimer(save_secs, save_steps)
        self._saver = saver
        self._scaffold = scaffold
        self._listeners = list(listeners or [])

    def begin(self) -> None:
        self._step_tensor = _require_global_step("CheckpointSaverHook")
        os.makedirs(self._checkpoint_dir, exist_ok=True)
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord) -> None:
        from tlboard.summaries.graph_def import write_graph
        write_graph(session.graph, self._checkpoint_dir, "graph.pbtxt")
        step = int(session.run(self._step_tensor))
        self._save(session, step)  # the state at the step training starts from
        self._timer.update_last_triggered_step(step)

    def after_run(self, run_context, run_values) -> None:
        step = int(run_context.session.run(self._step_tensor))
        if self._timer.should_trigger_for_step(step):
            self._timer.update_last_triggered_step(step)
            if self._save(run_context.session, step):
                run_context.request_stop()

    def end(self, session) -> None:
        step = int(session.run(self._step_tensor))
        if step != self._timer.last_triggered_step():
            self._save(session, step)
        for listener in self._listeners:
            listener.end(session, step)

    def _get_saver(self):
        if self._saver is None:
            self._saver = self._scaffold.saver if self._scaffold is not None else None
        if self._saver is None:
            from ..graph import GraphKeys, get_default_graph
            savers = get_default_graph().get_collection(GraphKeys.SAVERS)
            if len(savers) > 1:
                raise RuntimeError("More than one item in collection savers. Please indicate which one to use by "
                                   "passing it to the constructor.")
            self._saver = savers[0] if savers else None
        if self._saver is None:
            raise RuntimeError("CheckpointSaverHook needs a Saver: pass saver= or a finalized scaffold.")
        return self._saver

    def _save(self, session, step: int) -> bool:
        """Saves; True when a listener asks training to stop."""
        for listener in self._listeners:
            listener.before_save(session, step)
        self._get_saver().save(session, self._save_path, global_step=step)
        stop = False
        for listener in self._listeners:
            stop = bool(listener.after_save(session, step)) or stop
        return stop


class CheckpointSaverListener:
    """Callbacks around each save of a CheckpointSaverHook; `after_save` returning True stops training."""

    def begin(self) -> None:
        pass

    def before_save(self, session, global_step_value) -> None:
        pass

    def after_save(self, session, global_step_value):
        return None

    def end(self, session, global_step_value) -> None:
        pass


class SummarySaverHook(SessionRunHook):
    """Runs the summary op every N steps or seconds and writes its result to `output_dir`'s event file."""

    def __init__(self, save_steps=None, save_secs=None, output_dir=None, summary_writer=None, scaffold=None,
                 summary_op=None):
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        if output_dir is None and summary_writer is None:
            raise ValueError("One of output_dir or summary_writer must be provided.")
        self._summary_op = summary_op
        self._scaffold = scaffold
        self._output_dir = output_dir
        self._writer = summary_writer
        self._timer = SecondOrStepTimer(save_secs, save_steps)

    def begin(self) -> None:
        if self._writer is None:
            self._writer = writer_for(self._output_dir)
        self._step_tensor = _require_global_step("SummarySaverHook")
        self._next_step: int | None = None

    def _op(self):
        return self._summary_op if self._summary_op is not None else self._scaffold.summary_op

    def before_run(self, run_context):
        self._request = self._next_step is None or self._timer.should_trigger_for_step(self._next_step)
        if self._request and self._op() is not None:
            return SessionRunArgs({"summary": self._op()})
        return None

    def after_run(self, run_context, run_values) -> None:
        # Re-read the step: a value fetched in the same run may be from before or after the increment.
        step = int(run_context.session.run(self._step_tensor))
        if self._next_step is None:  # marks where this (possibly restarted) run begins, as TF does
            from tlboard.summaries.protos.event_pb2 import SessionLog
            self._writer.add_session_log(SessionLog(status=SessionLog.START), step)
        if self._request:
            self._timer.update_last_triggered_step(step)
            if run_values.results is not None:
                self._writer.add_summary(run_values.results["summary"], step)
        self._next_step = step + 1

    def end(self, session=None) -> None:
        if self._writer is not None:
            self._writer.flush()


class StepCounterHook(SessionRunHook):
    """Logs (and writes as summary `global_step/sec`) the training speed every N steps or seconds."""

    def __init__(self, every_n_steps=100, every_n_secs=None, output_dir=None, summary_writer=None):
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be provided.")
        self._timer = SecondOrStepTimer(every_n_secs, every_n_steps)
        self._output_dir = output_dir
        self._writer = summary_writer

    def begin(self) -> None:
        if self._writer is None and self._output_dir:
            self._writer = writer_for(self._output_dir)
        self._step_tensor = _require_global_step("StepCounterHook")

    def before_run(self, run_context):
        return SessionRunArgs(self._step_tensor)

    def after_run(self, run_context, run_values) -> None:
        step = int(run_values.results)
        if self._timer.should_trigger_for_step(step):
            secs, steps = self._timer.update_last_triggered_step(step)
            if secs and steps:
                rate = steps / secs
                logger.info("global_step/sec: %g", rate)
                if self._writer is not None:
                    from tlboard.summaries.summary_pb import scalar_pb
                    self._writer.add_summary(scalar_pb("global_step/sec", rate), step)
