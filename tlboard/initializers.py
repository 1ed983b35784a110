"""`tf.initializers`: TF1's initializer namespace (`tf.initializers.glorot_uniform()`, ...)."""
from tlboard.engine.initializers import (
    Constant as constant,
)
from tlboard.engine.initializers import (
    GlorotNormal as glorot_normal,
)
from tlboard.engine.initializers import (
    GlorotUniform as glorot_uniform,
)
from tlboard.engine.initializers import (
    Initializer,
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
)
from tlboard.engine.initializers import (
    Ones as ones,
)
from tlboard.engine.initializers import (
    RandomNormal as random_normal,
)
from tlboard.engine.initializers import (
    RandomUniform as random_uniform,
)
from tlboard.engine.initializers import (
    TruncatedNormal as truncated_normal,
)
from tlboard.engine.initializers import (
    VarianceScaling as variance_scaling,
)
from tlboard.engine.initializers import (
    Zeros as zeros,
)
from tlboard.engine.variables import (
    global_variables_initializer as global_variables,
)
from tlboard.engine.variables import (
    local_variables_initializer as local_variables,
)
from tlboard.engine.variables import (
    variables_initializer as variables,
)

__all__ = ["Initializer", "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal",
           "lecun_uniform", "ones", "random_normal", "random_uniform", "truncated_normal", "variance_scaling",
           "zeros", "global_variables", "local_variables", "variables"]
