"""tf.logging, tf.app (run and flags), tf.Print and tf.print."""
import logging
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tlboard as tf
from tlboard import flags as flags_module
from tlboard import logging as tflog

# --- tf.logging


@pytest.fixture
def tf_logger():
    """The "tensorflow" logger with its level and handlers restored after the test."""
    logger = logging.getLogger("tensorflow")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_levels_are_pythons():
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR, tf.logging.FATAL) == \
        (10, 20, 30, 40, 50)


def test_default_verbosity_is_warn_and_set_verbosity_filters(tf_logger, caplog):
    tf_logger.setLevel(logging.NOTSET)
    assert tf.logging.get_verbosity() == tf.logging.WARN
    tf.logging.info("hidden info")
    tf.logging.warn("shown %s", "warn")
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == 20
    tf.logging.debug("hidden debug")
    tf.logging.info("shown info %d", 3)
    tf.logging.set_verbosity(tf.logging.ERROR)
    tf.logging.warning("hidden warning")
    tf.logging.error("shown error")
    tf.logging.fatal("shown fatal")
    tf.logging.log(tf.logging.ERROR, "shown log %s", "x")
    got = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert got == [("tensorflow", "WARNING", "shown warn"), ("tensorflow", "INFO", "shown info 3"),
                   ("tensorflow", "ERROR", "shown error"), ("tensorflow", "CRITICAL", "shown fatal"),
                   ("tensorflow", "ERROR", "shown log x")]
    assert all(r.filename == "test_logging_app.py" for r in caplog.records)  # the caller, not our module


def test_format_without_configured_logging(tf_logger, monkeypatch, capsys):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(tflog, "_logger", None)
    tf_logger.handlers[:] = []
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.logging.info("step %d: loss %.2f", 10, 0.5)
    tf.logging.warning("careful")
    assert capsys.readouterr().err == "INFO:tensorflow:step 10: loss 0.50\nWARNING:tensorflow:careful\n"


def test_no_handler_added_when_logging_is_configured(tf_logger, monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [logging.NullHandler()])
    monkeypatch.setattr(tflog, "_logger", None)
    tf_logger.handlers[:] = []
    tflog.get_logger()
    assert tf_logger.handlers == []


def test_log_every_n_and_first_n(tf_logger, caplog):
    tf.logging.set_verbosity(tf.logging.INFO)
    for i in range(7):
        tf.logging.log_every_n(tf.logging.INFO, "every %d", 3, i)
    for i in range(5):
        tf.logging.log_first_n(tf.logging.INFO, "first %d", 2, i)
    assert [r.getMessage() for r in caplog.records] == ["every 0", "every 3", "every 6", "first 0", "first 1"]


# --- flags


@pytest.fixture
def fv():
    """A fresh flag registry with one flag of each kind."""
    values = flags_module.FlagValues()
    f = tf.app.flags
    f.DEFINE_string("name", "model", "a string", flag_values=values)
    f.DEFINE_integer("steps", 100, "an integer", lower_bound=0, flag_values=values)
    f.DEFINE_float("lr", 0.01, "a float", flag_values=values)
    f.DEFINE_boolean("debug", False, "a boolean", flag_values=values)
    f.DEFINE_bool("shuffle", True, "another boolean", flag_values=values)
    f.DEFINE_list("layers", "64,32", "a list", flag_values=values)
    f.DEFINE_enum("mode", "train", ["train", "eval"], "an enum", flag_values=values)
    return values


def test_flag_defaults(fv):
    fv.mark_as_parsed()
    assert fv.flag_values_dict() == {"name": "model", "steps": 100, "lr": 0.01, "debug": False, "shuffle": True,
                                     "layers": ["64", "32"], "mode": "train"}


def test_flags_parse_each_type(fv):
    rest = fv(["prog", "--name=cnn", "--steps", "5", "--lr=-1e-3", "--debug", "--noshuffle", "--layers=8,4,2",
               "--mode", "eval", "data.csv"])
    assert rest == ["prog", "data.csv"]
    assert (fv.name, fv.steps, fv.lr, fv.debug, fv.shuffle, fv.layers, fv.mode) == \
        ("cnn", 5, -0.001, True, False, ["8", "4", "2"], "eval")
    assert isinstance(fv.steps, int) and isinstance(fv.lr, float)
    fv(["prog", "--debug=false", "--shuffle=1", "--layers="])
    assert (fv.debug, fv.shuffle, fv.layers) == (False, True, [])


def test_boolean_flag_does_not_take_the_next_argument(fv):
    assert fv(["prog", "--debug", "false"]) == ["prog", "false"]
    assert fv.debug is True


@pytest.mark.parametrize("argv, message", [
    (["--steps=ten"], "--steps: expected an integer, got 'ten'"),
    (["--steps=-1"], "--steps: must be >= 0"),
    (["--lr=fast"], "--lr: expected a float, got 'fast'"),
    (["--debug=maybe"], "--debug: expected a boolean"),
    (["--mode=test"], r"--mode: value should be one of <train\|eval>"),
    (["--steps"], "--steps: expected one argument"),
])
def test_bad_flag_values(fv, argv, message):
    with pytest.raises(tf.app.flags.IllegalFlagValueError, match=message):
        fv(["prog", *argv])


def test_unknown_flags(fv):
    with pytest.raises(tf.app.flags.UnrecognizedFlagError, match="Unknown command line flag 'epochs'"):
        fv(["prog", "--epochs=3"])
    assert fv(["prog", "--epochs=3", "--steps=2"], known_only=True) == ["prog", "--epochs=3"]
    assert fv.steps == 2


def test_duplicate_and_unknown_attribute(fv):
    with pytest.raises(tf.app.flags.DuplicateFlagError):
        tf.app.flags.DEFINE_string("name", "x", "again", flag_values=fv)
    with pytest.raises(AttributeError):
        fv.nonexistent  # noqa: B018


def test_flags_parse_lazily_from_sys_argv(fv, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["prog", "--steps=7", "--unknown", "x"])
    assert not fv.is_parsed()
    assert fv.steps == 7 and fv.is_parsed()
    fv.steps = 9  # assignment overrides the parsed value
    assert fv.steps == 9


def test_global_flags_object():
    assert isinstance(tf.app.flags.FLAGS, tf.app.flags.FlagValues)
    assert tf.app.flags.FLAGS is flags_module.FLAGS


APP_SCRIPT = textwrap.dedent("""
    import sys
    import tlboard as tf
    tf.app.flags.DEFINE_integer("epochs", 2, "epochs")
    tf.app.flags.DEFINE_boolean("verbose", False, "talk")
    FLAGS = tf.app.flags.FLAGS

    def main(argv):
        print("argv", argv[1:], "epochs", FLAGS.epochs, "verbose", FLAGS.verbose)
        return FLAGS.epochs

    if __name__ == "__main__":
        tf.app.run()
""")


def _run_script(tmp_path, *args):
    script = tmp_path / "train.py"
    script.write_text(APP_SCRIPT)
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120)


def test_app_run_passes_remaining_argv_and_exits_with_mains_value(tmp_path):
    r = _run_script(tmp_path, "--epochs=5", "extra", "--verbose", "--other=1")
    assert r.returncode == 5, r.stderr
    assert r.stdout.strip() == "argv ['extra', '--other=1'] epochs 5 verbose True"


def test_app_run_bad_flag_value(tmp_path):
    r = _run_script(tmp_path, "--epochs=many")
    assert r.returncode == 1
    assert "FATAL Flags parsing error" in r.stderr and "--epochs: expected an integer, got 'many'" in r.stderr


def test_app_run_in_process(monkeypatch):
    seen = []
    fv = flags_module.FlagValues()
    tf.app.flags.DEFINE_string("data", "a", "where", flag_values=fv)
    monkeypatch.setattr(flags_module, "FLAGS", fv)
    with pytest.raises(SystemExit) as e:
        tf.app.run(main=lambda argv: seen.append((argv, fv.data)), argv=["p", "--data=b", "rest"])
    assert e.value.code is None and seen == [(["p", "rest"], "b")]
    with pytest.raises(SystemExit) as e:
        tf.app.run(main=lambda argv: 3, argv=["p"])
    assert e.value.code == 3


# --- tf.Print and tf.print


def test_Print_output_and_passthrough(capsys):
    x = tf.constant([1.0, 2.5, 3.0, 4.0])
    m = tf.constant([[1, 2], [3, 4]])
    y = tf.Print(x, [x, m, tf.constant(7), tf.constant([True, False])], message="vals: ")
    assert y.shape.as_list() == [4] and y.dtype == tf.float32 and y.op.type == "Print"
    with tf.Session() as s:
        out = s.run(y * 2)
        assert out.tolist() == [2.0, 5.0, 6.0, 8.0]
    assert capsys.readouterr().err == "vals: [1 2.5 3...][[1 2][3...]...][7][1 0]\n"


def test_Print_summarize_and_first_n(capsys):
    x = tf.placeholder(tf.float32, [None])
    y = tf.Print(x, [x], "x=", first_n=2, summarize=5)
    z = tf.Print(x, [x], summarize=-1)
    with tf.Session() as s:
        for i in range(4):
            s.run(y, {x: np.arange(i, i + 6, dtype=np.float32)})
        s.run(z, {x: [0.1, 0.25]})
    assert capsys.readouterr().err == "x=[0 1 2 3 4...]\nx=[1 2 3 4 5...]\n[0.1 0.25]\n"


def test_Print_gradient_passes_through():
    x = tf.constant([1.0, 2.0, 3.0])
    other = tf.constant([5.0, 6.0])
    y = tf.Print(x, [x, other])
    gx, gother = tf.gradients(tf.reduce_sum(y * y), [x, other])
    assert gother is None
    with tf.Session() as s:
        assert s.run(gx).tolist() == [2.0, 4.0, 6.0]


def test_Print_runs_each_time_it_is_evaluated(capsys):
    y = tf.Print(tf.constant(1.0), [tf.constant(2.0)], "c")  # constant inputs, but never folded away
    with tf.Session() as s:
        s.run(y)
        s.run(y)
    assert capsys.readouterr().err == "c[2]\nc[2]\n"


def test_print_with_control_dependencies(capsys):
    v = tf.Variable([1, 2, 3])
    p = tf.print("v is", v, {"sum": tf.reduce_sum(v)}, [1, "a"], tf.constant("text"), tf.constant(["s", "t"]))
    with tf.control_dependencies([p]):
        out = v * 2
    with tf.Session() as s:
        s.run(v.initializer)
        assert s.run(out).tolist() == [2, 4, 6]
    assert capsys.readouterr().err == "v is [1 2 3] {'sum': 6} [1, a] text [\"s\" \"t\"]\n"


def test_print_summarize_nesting_streams_sep_end(capsys):
    grid = tf.reshape(tf.range(36), [6, 6])
    with tf.Session() as s:
        s.run(tf.print(tf.range(10)))
        s.run(tf.print(grid, summarize=1))
        s.run(tf.print(tf.range(5), summarize=None, output_stream=sys.stdout))
        s.run(tf.print("a", tf.constant([0.5, 1.0]), sep="|", end="!\n"))
        s.run(tf.print(tf.zeros([2, 1, 2])))
    captured = capsys.readouterr()
    assert captured.out == "[0 1 2 3 4]\n"
    assert captured.err == ("[0 1 2 ... 7 8 9]\n"
                            "[[0 ... 5]\n ...\n [30 ... 35]]\n"
                            "a|[0.5 1]!\n"
                            "[[[0 0]]\n\n [[0 0]]]\n")


def test_print_to_file_and_bad_stream(tmp_path):
    path = tmp_path / "log.txt"
    with tf.Session() as s:
        s.run(tf.print("x", tf.constant(3), output_stream=f"file://{path}"))
    assert path.read_text() == "x 3\n"
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print("x", output_stream=42)


def test_print_ops_in_graph_def():
    tf.Print(tf.constant(1.0), [tf.constant([1, 2])], "m")
    tf.print(tf.constant(1.0))
    types = [n.op for n in tf.get_default_graph().as_graph_def().node]
    assert {"Print", "StringFormat", "PrintV2"} <= set(types)
