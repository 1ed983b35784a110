"""TF1 naming: default op names, uniquification, name scopes, variable scopes, collections, control deps."""
import pytest

import tlboard as tf


def test_default_names_and_uniquification():
    a = tf.placeholder(tf.float32)
    b = tf.placeholder(tf.float32)
    x = tf.placeholder(tf.float32, name="x")
    x1 = tf.placeholder(tf.float32, name="x")
    assert [a.name, b.name, x.name, x1.name] == ["Placeholder:0", "Placeholder_1:0", "x:0", "x_1:0"]
    assert (a + b).name == "add:0" and (a * b).name == "mul:0" and (a + b).name == "add_1:0"
    m = tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2]))
    assert m.op.name == "MatMul" and m.name == "MatMul:0"
    assert tf.constant(1).op.name == "Const" and tf.constant(1).op.name == "Const_1"


def test_uniquification_is_case_insensitive():
    a = tf.constant(1, name="foo")
    b = tf.constant(1, name="Foo")
    c = tf.constant(1, name="foo_1")
    assert [a.op.name, b.op.name, c.op.name] == ["foo", "Foo_1", "foo_1_1"]


def test_name_scopes_nesting_reentry_and_reset():
    with tf.name_scope("outer") as outer:
        assert outer == "outer/"
        with tf.name_scope("inner"):
            c = tf.constant(1, name="c")
        d = tf.constant(2)
    with tf.name_scope("outer"):
        e = tf.constant(3, name="c")
    with tf.name_scope(outer):  # "outer/": re-enters exactly
        f = tf.constant(4, name="c")
        with tf.name_scope(None):
            g = tf.constant(5, name="top")
    with tf.name_scope("outer/"):
        h = tf.constant(6, name="c")
    names = [t.op.name for t in (c, d, e, f, g, h)]
    assert names == ["outer/inner/c", "outer/Const", "outer_1/c", "outer/c", "top", "outer/c_1"]


def test_op_names_equal_to_a_scope_are_uniquified():
    with tf.name_scope("layer"):
        pass
    t = tf.constant(1, name="layer")
    assert t.op.name == "layer_1"


def test_name_scope_default_name_and_invalid_names():
    with tf.name_scope(None, "Default") as s:
        assert s == "Default/"
    with pytest.raises(ValueError):
        tf.constant(1, name="bad name!")
    with pytest.raises(ValueError):
        with tf.name_scope("bad scope!"):
            pass


def test_name_given_with_trailing_slash_is_used_verbatim():
    with tf.name_scope("blk") as scope:
        t = tf.identity(tf.constant(1.0), name=scope)
    assert t.op.name == "blk"


def test_get_by_name():
    g = tf.get_default_graph()
    t = tf.constant(1.0, name="k")
    assert g.get_tensor_by_name("k:0") is t and g.get_operation_by_name("k") is t.op
    with pytest.raises(KeyError, match="does not exist"):
        g.get_tensor_by_name("nope:0")
    with pytest.raises(ValueError, match="looks like an \\(invalid\\) Operation name"):
        g.get_tensor_by_name("k")


def test_variable_scope_and_get_variable_names_reuse_and_errors():
    with tf.variable_scope("net"):
        w = tf.get_variable("w", [2])
        with tf.variable_scope("sub"):
            v = tf.get_variable("v", [1])
        y = tf.identity(w, name="y")
    assert w.name == "net/w:0" and v.name == "net/sub/v:0" and y.name == "net/y:0"
    with pytest.raises(ValueError, match="Variable net/w already exists, disallowed"):
        with tf.variable_scope("net"):
            tf.get_variable("w", [2])
    with tf.variable_scope("net", reuse=True):
        assert tf.get_variable("w", [2]) is w
        with pytest.raises(ValueError, match="Variable net/z does not exist"):
            tf.get_variable("z", [2])
    with tf.variable_scope("net", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("w") is w
        z = tf.get_variable("z", [3])
    assert z.name == "net/z:0"
    with tf.variable_scope("net") as scope:
        scope.reuse_variables()
        assert tf.get_variable("z") is z
    with pytest.raises(ValueError, match="Trying to share variable net/w, but specified shape"):
        with tf.variable_scope("net", reuse=True):
            tf.get_variable("w", [5])
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("noshape")


def test_variable_scope_reentry_opens_new_name_scope_but_same_variable_prefix():
    with tf.variable_scope("vs"):
        a = tf.constant(1, name="c")
    with tf.variable_scope("vs", reuse=tf.AUTO_REUSE):
        b = tf.constant(1, name="c")
        w = tf.get_variable("w", [1])
    assert a.op.name == "vs/c" and b.op.name == "vs_1/c" and w.name == "vs/w:0"


def test_variables_names():
    v = tf.Variable(1.0)
    u = tf.Variable(2.0, name="u")
    with tf.name_scope("s"):
        t = tf.Variable(3.0)
    assert [v.name, u.name, t.name] == ["Variable:0", "u:0", "s/Variable:0"]
    ops = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"Variable", "Variable/Assign", "Variable/read", "Variable/initial_value"} <= ops


def test_collections():
    v = tf.Variable(1.0)
    frozen = tf.Variable(2.0, trainable=False)
    local = tf.Variable(3.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [v, frozen]
    assert tf.trainable_variables() == [v, local]  # trainable=True adds TRAINABLE_VARIABLES, as in TF1
    assert tf.local_variables() == [local]
    tf.add_to_collection("mine", 1)
    tf.add_to_collections(["mine", "yours"], 2)
    assert tf.get_collection("mine") == [1, 2] and tf.get_collection("yours") == [2]
    ref = tf.get_collection_ref("mine")
    ref.append(3)
    assert tf.get_collection("mine") == [1, 2, 3]
    with tf.variable_scope("scoped"):
        s = tf.get_variable("s", [1])
    assert tf.global_variables(scope="scoped") == [s]


def test_control_dependencies_and_group():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    with tf.control_dependencies([a, b.op]):
        c = tf.constant(3.0)
        with tf.control_dependencies(None):
            d = tf.constant(4.0)
    assert set(c.op.control_inputs) == {a.op, b.op} and d.op.control_inputs == []
    g = tf.group(a, b, name="both")
    assert g.type == "NoOp" and g.name == "both" and set(g.control_inputs) == {a.op, b.op}
    assert tf.group(a).name == "group_deps"


def test_graph_isolation_and_reset():
    g = tf.Graph()
    with g.as_default():
        t = tf.constant(1.0)
        assert tf.get_default_graph() is g
    assert t.graph is g and tf.get_default_graph() is not g
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(t, tf.constant(1.0))
    with g.as_default(), pytest.raises(AssertionError):
        tf.reset_default_graph()
