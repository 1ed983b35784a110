"""tf.train.Saver: round trips, the checkpoint state file, max_to_keep, and clear errors."""
import os

import numpy as np
import pytest

import tlboard as tf

KERNEL = np.arange(6, dtype=np.float32).reshape(2, 3)
BIAS = np.array([0.5, -1.0, 2.0], dtype=np.float64)


def make_vars():
    kernel = tf.Variable(KERNEL, name="dense/kernel")
    bias = tf.Variable(BIAS, name="bias")
    step = tf.Variable(np.int64(7), name="step", trainable=False)
    return kernel, bias, step


def test_round_trip_into_a_fresh_graph(tmp_path):
    kernel, bias, step = make_vars()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert prefix == str(tmp_path / "model.ckpt")
    assert os.path.isfile(prefix + ".npz")

    with tf.Graph().as_default():
        kernel2, bias2, step2 = (tf.Variable(np.zeros((2, 3), np.float32), name="dense/kernel"),
                                 tf.Variable(np.zeros(3), name="bias"),
                                 tf.Variable(np.int64(0), name="step"))
        with tf.Session() as sess:  # nothing initialized: restore alone sets every variable
            tf.train.Saver().restore(sess, prefix)
            got_k, got_b, got_s = sess.run([kernel2, bias2, step2])
    np.testing.assert_array_equal(got_k, KERNEL)
    assert got_k.dtype == np.float32
    np.testing.assert_array_equal(got_b, BIAS)
    assert got_s == 7


def test_file_is_a_plain_npz_keyed_by_variable_name(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with np.load(prefix + ".npz") as z:
        assert sorted(z.files) == ["__tlboard_checkpoint__", "bias", "dense/kernel", "step"]
        np.testing.assert_array_equal(z["dense/kernel"], KERNEL)
    assert tf.train.list_variables(prefix) == [("bias", [3]), ("dense/kernel", [2, 3]), ("step", [])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "bias"), BIAS)


def test_global_step_suffix_state_file_and_latest_checkpoint(tmp_path):
    _, _, step = make_vars()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert tf.train.latest_checkpoint(str(tmp_path)) is None
        p1 = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=100)
        p2 = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)  # a tensor: its value
    assert p1.endswith("model.ckpt-100") and p2.endswith("model.ckpt-7")
    state_text = (tmp_path / "checkpoint").read_text().splitlines()
    assert state_text == ['model_checkpoint_path: "model.ckpt-7"',
                          'all_model_checkpoint_paths: "model.ckpt-100"',
                          'all_model_checkpoint_paths: "model.ckpt-7"']
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-7")
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.all_model_checkpoint_paths == [p1, p2]
    assert tf.train.checkpoint_exists(p1)


def test_max_to_keep_deletes_the_oldest(tmp_path):
    make_vars()
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(5):
            saver.save(sess, str(tmp_path / "m"), global_step=i)
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "m-3.npz", "m-4.npz"]
    assert saver.last_checkpoints == [str(tmp_path / "m-3"), str(tmp_path / "m-4")]
    assert tf.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths == saver.last_checkpoints


def test_max_to_keep_none_keeps_everything(tmp_path):
    make_vars()
    saver = tf.train.Saver(max_to_keep=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(4):
            saver.save(sess, str(tmp_path / "m"), global_step=i)
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".npz")]) == 4


def test_var_list_dict_renames_and_subset(tmp_path):
    kernel, bias, _ = make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver({"w": kernel}).save(sess, str(tmp_path / "m"))
        assert [n for n, _ in tf.train.list_variables(prefix)] == ["w"]
        sess.run(kernel.assign(np.zeros((2, 3), np.float32)))
        sess.run(bias.assign(np.zeros(3)))
        tf.train.Saver({"w": kernel}).restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(kernel), KERNEL)
        np.testing.assert_array_equal(sess.run(bias), np.zeros(3))  # not in the saver: untouched


def test_missing_checkpoint_is_not_found(tmp_path):
    make_vars()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
            tf.train.Saver().restore(sess, str(tmp_path / "nope"))
        with pytest.raises(ValueError, match="None"):
            tf.train.Saver().restore(sess, None)


def test_missing_variable_is_named(tmp_path):
    kernel, _, _ = make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver([kernel]).save(sess, str(tmp_path / "m"))
        with pytest.raises(tf.errors.NotFoundError, match="Key bias not found in checkpoint"):
            tf.train.Saver().restore(sess, prefix)


def test_shape_mismatch_names_both_shapes(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        tf.Variable(np.zeros((3, 3), np.float32), name="dense/kernel")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"dense/kernel has shape \[3,3\].*\[2, 3\]"):
                tf.train.Saver().restore(sess, prefix)


def test_dtype_mismatch_is_refused(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        tf.Variable(np.zeros(3, np.float32), name="bias")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="expected dtype float32 does not equal"):
                tf.train.Saver().restore(sess, prefix)


def test_saving_uninitialized_variable_fails_and_writes_nothing(tmp_path):
    make_vars()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            tf.train.Saver().save(sess, str(tmp_path / "m"))
    assert os.listdir(tmp_path) == []


def test_bad_saver_arguments(tmp_path):
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    kernel, _, _ = make_vars()
    with pytest.raises(ValueError, match="same name"):
        tf.train.Saver([kernel, kernel])
    with pytest.raises(TypeError, match="not a Variable"):
        tf.train.Saver([tf.constant(1.0)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="Parent directory"):
            tf.train.Saver().save(sess, str(tmp_path / "missing_dir" / "m"))


def test_not_a_tlboard_checkpoint(tmp_path):
    make_vars()
    np.savez(tmp_path / "foreign.npz", bias=np.zeros(3))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a tlboard checkpoint"):
            tf.train.Saver().restore(sess, str(tmp_path / "foreign"))


def test_latest_checkpoint_is_none_when_file_gone(tmp_path):
    make_vars()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "m"))
    os.remove(prefix + ".npz")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_restored_optimizer_state_continues_training_identically(tmp_path):
    x = tf.constant(np.array([[1.0, 2.0], [3.0, -1.0]], np.float32))
    w = tf.Variable(np.array([[0.5], [-0.5]], np.float32), name="w")
    loss = tf.reduce_sum(tf.matmul(x, w) * tf.matmul(x, w))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        prefix = saver.save(sess, str(tmp_path / "m"), global_step=step)
        for _ in range(3):
            sess.run(train)
        straight = sess.run(w)
    assert prefix.endswith("m-3")
    with tf.Session() as sess:  # same graph, fresh session: slots and beta powers come from the file
        saver.restore(sess, prefix)
        assert sess.run(step) == 3
        for _ in range(3):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(w), straight)
