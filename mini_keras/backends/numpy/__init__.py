"""The numpy backend: plain numpy for inference plus our own reverse-mode autodiff tape.

Every op accepts Python scalars, ndarrays and autodiff :class:`Tensor` s; without a Tensor input
it returns a bare ``np.ndarray``. The public surface is the contract in
:mod:`mini_keras.backends.contract`, re-exported here explicitly.
"""

# ruff: noqa: F401

from mini_keras.backends.numpy.autodiff import Tensor
from mini_keras.backends.numpy.core import (
    arange,
    cast,
    compile,
    convert_to_numpy,
    convert_to_tensor,
    device,
    dtype,
    eye,
    full,
    is_tensor,
    ones,
    random_normal,
    random_uniform,
    scan,
    shape,
    stop_gradient,
    value_and_grad,
    variable_assign,
    variable_create,
    variable_read,
    zeros,
)
from mini_keras.backends.numpy.math import (
    abs,
    add,
    all,
    any,
    argmax,
    argmin,
    ceil,
    clip,
    cos,
    cumsum,
    divide,
    equal,
    erf,
    exp,
    expm1,
    floor,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logsumexp,
    max,
    maximum,
    mean,
    min,
    minimum,
    multiply,
    negative,
    not_equal,
    power,
    prod,
    round,
    sign,
    sin,
    sqrt,
    square,
    subtract,
    sum,
    tanh,
    var,
    where,
)
from mini_keras.backends.numpy.nn import *
from mini_keras.backends.numpy.nn_ext import *
from mini_keras.backends.numpy.numpy_ext import *
from mini_keras.backends.numpy.optim import adam_update, sgd_update
from mini_keras.backends.numpy.rnn import gru, lstm
from mini_keras.backends.numpy.shapes import (
    argsort,
    broadcast_to,
    concatenate,
    einsum,
    expand_dims,
    flip,
    getitem,
    matmul,
    one_hot,
    pad,
    repeat,
    reshape,
    scatter_add,
    sort,
    split,
    squeeze,
    stack,
    take,
    take_along_axis,
    tile,
    transpose,
)
