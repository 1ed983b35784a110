"""The TF1 API namespace behind `import tlboard as tf` (loaded lazily by tlboard/__init__.py)."""
# ruff: noqa: F401, F403, E402
# namespaces: tf.errors, tf.nn, tf.train, tf.summary, tf.keras, tf.losses, tf.initializers, tf.test, tf.config,
# tf.layers, tf.metrics, tf.logging, tf.app, tf.flags, tf.math, tf.random, tf.linalg, tf.image, tf.debugging
from tlboard import (
    app,
    config,
    debugging,
    errors,
    flags,
    image,
    initializers,
    keras,
    layers,
    linalg,
    logging,
    losses,
    math,
    metrics,
    nn,
    random,
    summary,
    test,
    train,
)
from tlboard.engine import ops as _ops  # registers every op
from tlboard.engine.dtypes import (
    DType,
    as_dtype,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
)
from tlboard.engine.dtypes import (
    bool_ as bool,
)
from tlboard.engine.errors import OpError
from tlboard.engine.gradients import gradients
from tlboard.engine.graph import (
    Graph,
    GraphKeys,
    Operation,
    Tensor,
    add_to_collection,
    add_to_collections,
    control_dependencies,
    convert_to_tensor,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    name_scope,
    reset_default_graph,
)
from tlboard.engine.ops.array_ops import *
from tlboard.engine.ops.check_ops import *
from tlboard.engine.ops.control_flow_ops import *
from tlboard.engine.ops.image_ops import random_crop
from tlboard.engine.ops.logging_ops import *
from tlboard.engine.ops.math_ops import *
from tlboard.engine.ops.nn_ops import *  # the few nn ops TF1 also exports at top level
from tlboard.engine.ops.random_ops import *
from tlboard.engine.ops.script_ops import *
from tlboard.engine.ops.state_ops import *
from tlboard.engine.session import ConfigProto, GPUOptions, InteractiveSession, Session, get_default_session
from tlboard.engine.shapes import Dimension, TensorShape
from tlboard.engine.variables import (
    AUTO_REUSE,
    Variable,
    VariableScope,
    all_variables,
    get_variable,
    get_variable_scope,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    is_variable_initialized,
    local_variables,
    local_variables_initializer,
    model_variables,
    report_uninitialized_variables,
    trainable_variables,
    variable_scope,
    variables_initializer,
)

newaxis = None


from tlboard.summaries.protos.attr_value_pb2 import AttrValue
from tlboard.summaries.protos.event_pb2 import Event, LogMessage, SessionLog
from tlboard.summaries.protos.graph_pb2 import GraphDef
from tlboard.summaries.protos.node_def_pb2 import NodeDef
from tlboard.summaries.protos.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tlboard.summaries.protos.tensor_pb2 import TensorProto
from tlboard.summaries.summary_writer import SummaryWriter
