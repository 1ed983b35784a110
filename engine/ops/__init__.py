"""Op declarations, one module per family; importing this package registers them all."""
from . import (  # noqa: F401
    array_ops,
    check_ops,
    control_flow_ops,
    image_ops,
    logging_ops,
    math_ops,
    nn_ops,
    random_ops,
    script_ops,
    state_ops,
)
