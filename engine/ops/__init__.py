"""Op declarations, one module per family; importing this package registers them all."""
from . import (  # noqa: F401
    array_ops,
    control_flow_ops,
    logging_ops,
    math_ops,
    nn_ops,
    random_ops,
    state_ops,
)
