"""`tf.train.MonitoredSession` and `MonitoredTrainingSession`: a session that initializes or restores the
model (through a `Scaffold`), finalizes the graph, and runs hooks around every `run` call.

    with tf.train.MonitoredTrainingSession(checkpoint_dir="runs/a",
                                           hooks=[tf.train.StopAtStepHook(last_step=1000)]) as sess:
        while not sess.should_stop():
            sess.run(train_op)

Single process only: `master`, `is_chief=False` and the distributed options are accepted and ignored.
"""
from __future__ import annotations

from ..errors import OutOfRangeError
from ..graph import GraphKeys, get_default_graph
from ..session import Session
from ..variables import global_variables, global_variables_initializer, local_variables_initializer
from .coordinator import Coordinator
from .hooks import (
    CheckpointSaverHook,
    SessionRunArgs,
    SessionRunContext,
    SessionRunValues,
    StepCounterHook,
    SummarySaverHook,
)
from .saver import Saver, latest_checkpoint


class Scaffold:
    """The ops a monitored session needs (init, local init, summary op, saver), defaulted by `finalize()`."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None, saver=None,
                 copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            init_op = init_op or copy_from_scaffold.init_op
            init_feed_dict = init_feed_dict or copy_from_scaffold.init_feed_dict
            init_fn = init_fn or copy_from_scaffold._user_init_fn
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._user_init_fn = init_fn
        self._ready_op = ready_op
        self._local_init_op = local_init_op
        self._summary_op = summary_op
        self._saver = saver
        self._finalized = False

    def finalize(self) -> Scaffold:
        """Creates the missing ops, then finalizes the default graph (no more ops may be added)."""
        if self._finalized:
            return self
        graph = get_default_graph()
        if self._init_op is None:
            self._init_op = global_variables_initializer()
        if self._local_init_op is None:
            self._local_init_op = local_variables_initializer()
        if self._summary_op is None:
            from tlboard.summaries.summary_ops import merge_all
            self._summary_op = merge_all()
        if self._saver is None:
            savers = graph.get_collection(GraphKeys.SAVERS)
            if len(savers) > 1:
                raise RuntimeError("More than one item in the collection savers. Please pass the one to use.")
            self._saver = savers[0] if savers else (Saver() if global_variables() else None)
            if self._saver is not None and not savers:
                graph.add_to_collection(GraphKeys.SAVERS, self._saver)
        graph.finalize()
        self._finalized = True
        return self

    @property
    def init_op(self):
        return self._init_op

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @property
    def init_fn(self):
        if self._user_init_fn is None:
            return None
        return lambda sess: self._user_init_fn(self, sess)

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def local_init_op(self):
        return self._local_init_op

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def saver(self):
        return self._saver

    @property
    def finalized(self) -> bool:
        return self._finalized


class ChiefSessionCreator:
    """Creates the session: restores the latest checkpoint of `checkpoint_dir` when there is one, else
    runs the scaffold's init op (and init_fn); then the local init op."""

    def __init__(self, scaffold: Scaffold | None = None, master: str = "", config=None,
                 checkpoint_dir: str | None = None, checkpoint_filename_with_path: str | None = None):
        self._scaffold = scaffold or Scaffold()
        self._config = config
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_path = checkpoint_filename_with_path

    def create_session(self) -> Session:
        """A new, initialized (or restored) Session on the default graph."""
        scaffold = self._scaffold.finalize()
        sess = Session(config=self._config, graph=get_default_graph())
        path = self._checkpoint_path
        if path is None and self._checkpoint_dir:
            path = latest_checkpoint(self._checkpoint_dir)
        if path is not None and scaffold.saver is not None:
            scaffold.saver.restore(sess, path)
        else:
            sess.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn is not None:
                scaffold.init_fn(sess)
        if scaffold.local_init_op is not None:
            sess.run(scaffold.local_init_op)
        return sess


WorkerSessionCreator = ChiefSessionCreator  # single process: a worker initializes like the chief


class MonitoredSession:
    """A session-like object that calls hooks around `run` and stops when a hook asks it to."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs: int = 120):
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._creator = session_creator or ChiefSessionCreator()
        self._sess = self._creator.create_session()
        self._coord = Coordinator()
        for h in self._hooks:
            h.after_create_session(self._sess, self._coord)
        self._stop_requested = False
        self._closed = False

    @property
    def graph(self):
        return self._sess.graph

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` plus what the hooks ask for; returns the values of `fetches` only."""
        if self._closed:
            raise RuntimeError("Run called on a closed MonitoredSession.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._sess)
        feeds = dict(feed_dict or {})
        hook_fetches = {}
        for h in self._hooks:
            request = h.before_run(context)
            if request is None:
                continue
            if request.fetches is not None:
                hook_fetches[h] = request.fetches
            for key, value in (request.feed_dict or {}).items():
                if key in feeds:
                    owner = "user" if feed_dict and key in feed_dict else "another hook"
                    raise RuntimeError(f"Same tensor is fed by a SessionRunHook and {owner}: {key}")
                feeds[key] = value
        results = self._sess.run({"caller": fetches, "hooks": hook_fetches}, feed_dict=feeds or None,
                                 options=options, run_metadata=run_metadata)
        for h in self._hooks:
            h.after_run(context, SessionRunValues(results["hooks"].get(h), options, run_metadata))
        self._stop_requested = self._stop_requested or context.stop_requested or self._coord.should_stop()
        return results["caller"]

    def should_stop(self) -> bool:
        """True once a hook requested a stop, or the session is closed."""
        return self._closed or self._stop_requested

    def close(self) -> None:
        """Calls the hooks' `end` and closes the session."""
        self._close(run_hooks=True)

    def _close(self, run_hooks: bool) -> None:
        if self._closed:
            return
        try:
            if run_hooks:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            self._closed = True
            self._coord.request_stop()
            self._sess.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # Running out of input ends training normally, as in TF1.
        normal = exc_type is None or issubclass(exc_type, OutOfRangeError | StopIteration)
        self._close(run_hooks=normal)
        return exc_type is not None and normal


class SingularMonitoredSession(MonitoredSession):
    """A MonitoredSession whose chief session creator is built from the given scaffold and options."""

    def __init__(self, hooks=None, scaffold=None, master: str = "", config=None, checkpoint_dir=None,
                 stop_grace_period_secs: int = 120, checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, stop_grace_period_secs)

    def raw_session(self) -> Session:
        """The underlying tf.Session."""
        return self._sess


USE_DEFAULT = object()


def MonitoredTrainingSession(master: str = "", is_chief: bool = True, checkpoint_dir=None, scaffold=None,  # noqa: N802
                             hooks=None, chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT,
                             save_summaries_steps=USE_DEFAULT, save_summaries_secs=USE_DEFAULT, config=None,
                             stop_grace_period_secs: int = 120, log_step_count_steps: int = 100,
                             max_wait_secs: int = 7200, save_checkpoint_steps=USE_DEFAULT,
                             summary_dir=None) -> MonitoredSession:
    """A MonitoredSession with TF1's default hooks: checkpoints every 600 s (or `save_checkpoint_steps`),
    summaries every 100 steps (or `save_summaries_secs`) and a step counter, all under `checkpoint_dir`."""
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    if save_checkpoint_secs is USE_DEFAULT and save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_secs, save_checkpoint_steps = 600, None
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    all_hooks = list(hooks or [])
    if is_chief:
        all_hooks.extend(chief_only_hooks or [])
        summary_dir = summary_dir or checkpoint_dir
        if summary_dir:
            if log_step_count_steps and log_step_count_steps > 0:
                all_hooks.append(StepCounterHook(output_dir=summary_dir, every_n_steps=log_step_count_steps))
            if (save_summaries_steps and save_summaries_steps > 0) or (save_summaries_secs and save_summaries_secs > 0):
                all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=save_summaries_steps,
                                                  save_secs=save_summaries_secs, output_dir=summary_dir))
        if checkpoint_dir and ((save_checkpoint_secs and save_checkpoint_secs > 0)
                               or (save_checkpoint_steps and save_checkpoint_steps > 0)):
            all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_secs=save_checkpoint_secs,
                                                 save_steps=save_checkpoint_steps, scaffold=scaffold))
    creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config, checkpoint_dir=checkpoint_dir)
    return MonitoredSession(session_creator=creator, hooks=all_hooks, stop_grace_period_secs=stop_grace_period_secs)
