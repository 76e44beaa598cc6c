"""Backend contract, activations, losses, convolutions and pooling.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def relu(x):
    """``max(x, 0)``."""


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""


def softsign(x):
    """``x / (1 + |x|)``."""


def silu(x):
    """``x * sigmoid(x)``."""


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``)."""


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""


def selu(x):
    """Scaled ELU with Keras' constants (alpha=1.67326324, scale=1.05070098)."""


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""


def softmax(x, axis=-1):
    """Softmax along ``axis``, computed stably."""


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis``, computed stably."""


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with one-hot/probability targets (probabilities clipped to
    ``[epsilon, 1 - epsilon]`` when not ``from_logits``). Returns shape ``output.shape`` minus ``axis``."""


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer targets; same clipping rule as the categorical one."""


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[epsilon, 1 - epsilon]``)."""


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1-D and 2-D at least). ``kernel``: spatial dims + (in_channels / groups,
    out_channels); ``padding`` "valid" or "same"; ``data_format`` "channels_last" (default) or
    "channels_first"; ``strides``/``dilation_rate`` int or tuple."""


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel``: spatial dims + (in_channels, depth_multiplier)."""


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel``: spatial dims + (out_channels, in_channels) as Keras."""


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling (1-D and 2-D at least); ``strides`` default to ``pool_size``."""


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding the average counts only real (unpadded) entries."""
