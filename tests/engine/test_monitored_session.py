"""tf.train.MonitoredTrainingSession and hooks: stopping, checkpoints and restarts, summaries read back by
stock TensorBoard, the hook protocol, NaN checks, logging, and the Coordinator."""
import logging
import os

import numpy as np
import pytest

import tlboard as tf


def quadratic_model(start=3.0):
    w = tf.Variable(np.float32(start), name="w")
    loss = w * w
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return w, loss, step, train


def test_stop_at_step_and_checkpoints(tmp_path):
    w, _, step, train = quadratic_model()
    hooks = [tf.train.StopAtStepHook(last_step=25)]
    runs = 0
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=hooks, save_checkpoint_steps=10,
                                           save_summaries_steps=None, log_step_count_steps=None) as sess:
        while not sess.should_stop():
            sess.run(train)
            runs += 1
    assert runs == 25
    names = sorted(f for f in os.listdir(tmp_path) if f.endswith(".npz"))
    assert names == ["model.ckpt-0.npz", "model.ckpt-10.npz", "model.ckpt-20.npz", "model.ckpt-25.npz"]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-25")
    assert (tmp_path / "graph.pbtxt").is_file()
    assert tf.train.load_variable(str(tmp_path), "w") == pytest.approx(3.0 * 0.8 ** 25, rel=1e-4)


def test_restart_resumes_from_the_latest_checkpoint(tmp_path):
    quadratic_model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=5,
                                           hooks=[tf.train.StopAtStepHook(num_steps=7)]) as sess:
        while not sess.should_stop():
            sess.run(tf.get_default_graph().get_operation_by_name("GradientDescent"))
    with tf.Graph().as_default():
        w, _, step, train = quadratic_model(start=100.0)  # the checkpoint wins over the initializer
        with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_steps=5,
                                               hooks=[tf.train.StopAtStepHook(num_steps=3)]) as sess:
            assert sess.run(step) == 7
            assert sess.run(w) == pytest.approx(3.0 * 0.8 ** 7, rel=1e-5)
            while not sess.should_stop():
                sess.run(train)
            assert sess.run(step) == 10
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-10")


def test_summaries_are_readable_by_tensorboard(tmp_path):
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    _, loss, _, train = quadratic_model()
    tf.summary.scalar("loss", loss)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_summaries_steps=5,
                                           log_step_count_steps=5, save_checkpoint_secs=None,
                                           hooks=[tf.train.StopAtStepHook(last_step=20)]) as sess:
        while not sess.should_stop():
            sess.run(train)
    acc = event_accumulator.EventAccumulator(str(tmp_path), size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    assert set(acc.Tags()["scalars"]) == {"loss", "global_step/sec"}
    loss_events = acc.Scalars("loss")
    assert [e.step for e in loss_events] == [1, 6, 11, 16]
    # The summary is computed before the step's update: at the run reaching step s, w = 3 * 0.8^(s-1).
    for e in loss_events:
        assert e.value == pytest.approx((3.0 * 0.8 ** (e.step - 1)) ** 2, rel=1e-4)
    assert all(e.value > 0 for e in acc.Scalars("global_step/sec"))
    assert not any(f.endswith(".npz") for f in os.listdir(tmp_path))  # checkpoints were switched off


def test_graph_is_finalized_once_the_session_exists():
    _, _, _, train = quadratic_model()
    with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)]) as sess:
        with pytest.raises(RuntimeError, match="finalized"):
            tf.constant(1.0)
        sess.run(train)
        assert sess.should_stop()


class RecordingHook(tf.train.SessionRunHook):
    def __init__(self, fetch, feed=None):
        self.calls, self.fetch, self.feed, self.seen = [], fetch, feed, []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")

    def before_run(self, run_context):
        self.calls.append("before_run")
        return tf.train.SessionRunArgs(self.fetch, feed_dict=self.feed)

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.seen.append(run_values.results)
        if len(self.seen) == 2:
            run_context.request_stop()

    def end(self, session):
        self.calls.append("end")


def test_hook_protocol_fetches_feeds_and_order():
    x = tf.placeholder(tf.float32, [])
    scale = tf.placeholder(tf.float32, [])
    y = x * scale
    hook = RecordingHook({"doubled": y * 2.0}, feed={scale: 10.0})
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run(y, {x: 1.0}) == 10.0  # the hook's feed reaches the caller's fetch too
        assert not sess.should_stop()
        assert sess.run([y], {x: 2.0}) == [20.0]
        assert sess.should_stop()
    assert hook.seen == [{"doubled": 20.0}, {"doubled": 40.0}]
    assert hook.calls == ["begin", "after_create_session", "before_run", "after_run", "before_run",
                          "after_run", "end"]


def test_hook_and_user_feeding_the_same_tensor_is_refused():
    x = tf.placeholder(tf.float32, [])
    y = x * 1.0
    with tf.train.MonitoredSession(hooks=[RecordingHook(None, feed={x: 1.0})]) as sess:
        with pytest.raises(RuntimeError, match="Same tensor is fed"):
            sess.run(y, {x: 2.0})


def test_out_of_range_ends_training_normally_other_errors_propagate():
    _, _, _, train = quadratic_model()
    hook = RecordingHook(None)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        sess.run(train)
        raise tf.errors.OutOfRangeError(None, None, "End of sequence")
    assert hook.calls[-1] == "end"
    tf.reset_default_graph()
    _, _, _, train = quadratic_model()
    hook = RecordingHook(None)
    with pytest.raises(ValueError, match="boom"):
        with tf.train.MonitoredSession(hooks=[hook]):
            raise ValueError("boom")
    assert "end" not in hook.calls


@pytest.mark.parametrize("fail", [True, False])
def test_nan_tensor_hook(fail):
    w = tf.Variable(np.float32(1.0), name="w")
    loss = tf.log(w - 2.0)  # NaN
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=fail)]) as sess:
        if fail:
            with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training"):
                sess.run(w)
        else:
            sess.run(w)
            assert sess.should_stop()


def test_logging_tensor_hook(caplog):
    w, loss, step, train = quadratic_model()
    hook = tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=3, at_end=True)
    with caplog.at_level(logging.INFO, logger="tlboard"):
        with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(last_step=7)]) as sess:
            while not sess.should_stop():
                sess.run(train)
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("loss = ")]
    assert len(logged) == 4  # iterations 0, 3, 6 and at the end
    assert logged[0] == f"loss = {np.float32(9.0)}"
    with pytest.raises(ValueError, match="exactly one of every_n_iter and every_n_secs"):
        tf.train.LoggingTensorHook({"loss": loss})


def test_hook_argument_checks():
    with pytest.raises(ValueError, match="One of num_steps or last_step"):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step"):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)
    with pytest.raises(ValueError, match="Exactly one of every_n_secs and every_n_steps"):
        tf.train.CheckpointSaverHook("/tmp", save_secs=1, save_steps=1)
    tf.Variable(1.0, name="v")
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook"):
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])


def test_scaffold_init_fn_and_feed():
    v = tf.Variable(np.float32(0.0), name="v")
    start = tf.placeholder(tf.float32, [])
    init = tf.assign(v, start).op
    calls = []
    scaffold = tf.train.Scaffold(init_op=init, init_feed_dict={start: 4.0},
                                 init_fn=lambda scaffold, sess: calls.append(sess.run(v)))
    with tf.train.SingularMonitoredSession(scaffold=scaffold) as sess:
        assert sess.run(v) == 4.0
        assert isinstance(sess.raw_session(), tf.Session)
    assert calls == [4.0]


def test_coordinator_reraises_reported_errors():
    coord = tf.train.Coordinator()
    assert not coord.should_stop()
    with coord.stop_on_exception():
        raise ValueError("from a thread")
    assert coord.should_stop()
    with pytest.raises(ValueError, match="from a thread"):
        coord.join()
    clean = tf.train.Coordinator()
    clean.request_stop(tf.errors.OutOfRangeError(None, None, "done"))
    clean.join()  # running out of input is a clean stop
    assert tf.train.start_queue_runners(coord=clean) == []


class StopAfterSecondSave(tf.train.CheckpointSaverListener):
    def __init__(self):
        self.events = []

    def before_save(self, session, global_step_value):
        self.events.append(("before", global_step_value))

    def after_save(self, session, global_step_value):
        self.events.append(("after", global_step_value))
        return len(self.events) >= 4  # the save at start, then one more: stop


def test_checkpoint_listener_can_stop_training(tmp_path):
    _, _, step, train = quadratic_model()
    listener = StopAfterSecondSave()
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=3, listeners=[listener])
    with tf.train.SingularMonitoredSession(hooks=[hook]) as sess:
        while not sess.should_stop():
            sess.run(train)
        assert sess.run(step) == 3
    assert listener.events == [("before", 0), ("after", 0), ("before", 3), ("after", 3)]


def test_second_or_step_timer(monkeypatch):
    timer = tf.train.SecondOrStepTimer(every_steps=4)
    assert timer.should_trigger_for_step(0)
    assert timer.update_last_triggered_step(0) == (None, None)
    assert [s for s in range(1, 10) if timer.should_trigger_for_step(s)] == [4, 5, 6, 7, 8, 9]
    clock = [100.0]
    monkeypatch.setattr("time.time", lambda: clock[0])
    timer = tf.train.SecondOrStepTimer(every_secs=10)
    timer.update_last_triggered_step(1)
    clock[0] = 105.0
    assert not timer.should_trigger_for_step(2)
    clock[0] = 110.0
    assert timer.should_trigger_for_step(3)
    assert timer.update_last_triggered_step(3) == (10.0, 2)
