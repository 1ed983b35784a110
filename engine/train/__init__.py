"""`tf.train`: optimizers and their update ops, the global step, learning-rate schedules and the Saver."""
from .adagrad import AdagradOptimizer
from .adam import AdamOptimizer
from .coordinator import Coordinator, start_queue_runners
from .gradient_descent import GradientDescentOptimizer
from .hooks import (
    CheckpointSaverHook,
    CheckpointSaverListener,
    LoggingTensorHook,
    NanLossDuringTrainingError,
    NanTensorHook,
    SecondOrStepTimer,
    SessionRunArgs,
    SessionRunContext,
    SessionRunHook,
    SessionRunValues,
    StepCounterHook,
    StopAtStepHook,
    SummarySaverHook,
)
from .learning_rate import (
    cosine_decay,
    exponential_decay,
    inverse_time_decay,
    natural_exp_decay,
    piecewise_constant,
    polynomial_decay,
)
from .momentum import MomentumOptimizer
from .monitored_session import (
    ChiefSessionCreator,
    MonitoredSession,
    MonitoredTrainingSession,
    Scaffold,
    SingularMonitoredSession,
    WorkerSessionCreator,
)
from .moving_averages import ExponentialMovingAverage
from .optimizer import Optimizer
from .rmsprop import RMSPropOptimizer
from .saver import (
    CheckpointState,
    Saver,
    checkpoint_exists,
    get_checkpoint_state,
    latest_checkpoint,
    list_variables,
    load_variable,
    update_checkpoint_state,
)
from .training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)

__all__ = [
    "AdagradOptimizer", "AdamOptimizer", "ExponentialMovingAverage", "GradientDescentOptimizer",
    "MomentumOptimizer", "Optimizer",
    "RMSPropOptimizer", "assert_global_step", "create_global_step", "get_global_step",
    "get_or_create_global_step", "global_step",
    "CheckpointState", "Saver", "checkpoint_exists", "get_checkpoint_state", "latest_checkpoint", "list_variables",
    "load_variable", "update_checkpoint_state",
    "cosine_decay", "exponential_decay", "inverse_time_decay", "natural_exp_decay", "piecewise_constant",
    "polynomial_decay",
    "Coordinator", "start_queue_runners",
    "CheckpointSaverHook", "CheckpointSaverListener", "LoggingTensorHook", "NanLossDuringTrainingError",
    "NanTensorHook", "SecondOrStepTimer", "SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues",
    "StepCounterHook", "StopAtStepHook", "SummarySaverHook",
    "ChiefSessionCreator", "MonitoredSession", "MonitoredTrainingSession", "Scaffold", "SingularMonitoredSession",
    "WorkerSessionCreator",
]
