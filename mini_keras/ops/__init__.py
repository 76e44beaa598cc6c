"""``mini_keras.ops``: the Keras 3 op namespace, dispatched to the current backend.

Every op here runs on whichever backend is current (the default backend, or the backend of the
layer/model whose code is running). Arguments may be Python scalars, numpy arrays, backend tensors
or :class:`~mini_keras.core.variable.Variable` objects.
"""

from mini_keras.ops.dispatch import make_op as _make

# -- tensors & conversion
convert_to_tensor = _make("convert_to_tensor")
convert_to_numpy = _make("convert_to_numpy")
is_tensor = _make("is_tensor")
shape = _make("shape")
dtype = _make("dtype")
cast = _make("cast")
stop_gradient = _make("stop_gradient")
# -- creation
zeros = _make("zeros")
ones = _make("ones")
full = _make("full")
arange = _make("arange")
eye = _make("eye")
# -- elementwise
add = _make("add")
subtract = _make("subtract")
multiply = _make("multiply")
divide = _make("divide")
power = _make("power")
maximum = _make("maximum")
minimum = _make("minimum")
negative = _make("negative")
abs = _make("abs")
sign = _make("sign")
exp = _make("exp")
log = _make("log")
log1p = _make("log1p")
expm1 = _make("expm1")
sqrt = _make("sqrt")
square = _make("square")
sin = _make("sin")
cos = _make("cos")
tanh = _make("tanh")
floor = _make("floor")
ceil = _make("ceil")
round = _make("round")
erf = _make("erf")
where = _make("where")
clip = _make("clip")
# -- comparison & logic
equal = _make("equal")
not_equal = _make("not_equal")
greater = _make("greater")
greater_equal = _make("greater_equal")
less = _make("less")
less_equal = _make("less_equal")
logical_and = _make("logical_and")
logical_or = _make("logical_or")
logical_not = _make("logical_not")
# -- reductions
sum = _make("sum")
mean = _make("mean")
max = _make("max")
min = _make("min")
prod = _make("prod")
var = _make("var")
argmax = _make("argmax")
argmin = _make("argmin")
any = _make("any")
all = _make("all")
cumsum = _make("cumsum")
logsumexp = _make("logsumexp")
# -- shapes & indexing
reshape = _make("reshape")
transpose = _make("transpose")
expand_dims = _make("expand_dims")
squeeze = _make("squeeze")
concatenate = _make("concatenate")
stack = _make("stack")
split = _make("split")
broadcast_to = _make("broadcast_to")
tile = _make("tile")
repeat = _make("repeat")
flip = _make("flip")
pad = _make("pad")
take = _make("take")
take_along_axis = _make("take_along_axis")
getitem = _make("getitem")
one_hot = _make("one_hot")
sort = _make("sort")
argsort = _make("argsort")
scatter_add = _make("scatter_add")
# -- linear algebra
matmul = _make("matmul")
einsum = _make("einsum")
# -- nn
relu = _make("relu")
sigmoid = _make("sigmoid")
softplus = _make("softplus")
softsign = _make("softsign")
silu = _make("silu")
gelu = _make("gelu")
elu = _make("elu")
selu = _make("selu")
leaky_relu = _make("leaky_relu")
softmax = _make("softmax")
log_softmax = _make("log_softmax")
categorical_crossentropy = _make("categorical_crossentropy")
sparse_categorical_crossentropy = _make("sparse_categorical_crossentropy")
binary_crossentropy = _make("binary_crossentropy")
conv = _make("conv")
depthwise_conv = _make("depthwise_conv")
conv_transpose = _make("conv_transpose")
max_pool = _make("max_pool")
average_pool = _make("average_pool")
# -- control flow & autodiff
scan = _make("scan")
value_and_grad = _make("value_and_grad")

from mini_keras.ops.composite import (  # noqa: F401 - re-exported via __all__
    dot,
    mean_squared_error,
    rsqrt,
    std,
    swish,
)
from mini_keras.ops.nn_ext import *
from mini_keras.ops.numpy_ext import *

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("dispatch", "composite",
                                                                      "nn_ext", "numpy_ext")]
