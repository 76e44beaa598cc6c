"""Backend contract, optional fused fast paths (Keras 3's backend hooks). A backend may leave any of
them out; callers ask ``mini_keras.backends.optional_hook(name)`` and run their generic code when
it returns None. Where a backend provides one, its signature is checked like a required function's.
A fused RNN kernel raises ``NotImplementedError`` for a configuration it does not compute
(``rnn_support.check_fused_supported``); the layer then runs its generic loop. RNN weights come in
Keras' layout: LSTM gates i, f, c, o; GRU gates z, r, h with ``reset_after=True`` and a ``(2, 3 *
units)`` bias.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def adam_update(variables, gradients, momentums, velocities, velocity_hats, step_size, beta_1,
                beta_2, epsilon):
    """One Adam step for many variables at once (the optimizers' fused path); return new values.

    For each variable ``w`` with gradient ``g`` (cast to ``w``'s dtype), in Keras 3's order:
    ``m += (g - m)(1 - beta_1)``; ``v += (g^2 - v)(1 - beta_2)``; with AMSGrad
    ``v_hat = max(v_hat, v)`` replaces ``v`` below; ``w -= (m * step_size) / (sqrt(v) + epsilon)``.

    ``variables``, ``momentums``, ``velocities`` and ``velocity_hats`` (None without AMSGrad) are
    lists of variable values as :func:`variable_read` returns them; ``step_size`` is a scalar
    tensor (``lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``). Returns
    ``(variables, momentums, velocities, velocity_hats)``: the new values. A backend may update
    its variables' storage in place and return those same objects (torch); the caller stores every
    returned value that is not the variable's own handle with :func:`variable_assign`. Optimizers
    call it only outside a ``StatelessScope``.
    """


def sgd_update(variables, gradients, momentums, learning_rate, momentum, nesterov):
    """One SGD step for many variables at once (the optimizers' fused path); return new values.

    For each variable ``w`` with gradient ``g`` (cast to ``w``'s dtype), in Keras 3's order:
    ``s = learning_rate * g``; without momentum (``momentums`` is None) ``w -= s``; else
    ``m = momentum * m - s`` and ``w += m`` (Nesterov: ``w += momentum * m - s``).

    Values, the return value ``(variables, momentums)`` and in-place updates as
    :func:`adam_update`; ``learning_rate`` is a scalar tensor.
    """


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """Run a Keras LSTM over a whole sequence; ``(last_output, outputs, [h, c])``.

    ``inputs`` (batch, timesteps, features) (``time_major``: timesteps first); ``kernel``
    (features, 4u), ``recurrent_kernel`` (u, 4u), ``bias`` (4u,) or None. ``mask`` is None or
    (batch, timesteps) bool: at a masked step the states and the output keep their previous
    values. ``go_backwards`` processes the steps in reverse; ``outputs`` are in processing order,
    shaped like ``inputs`` with ``units`` features when ``return_sequences`` (otherwise they may
    hold only the last step). Differentiable in every tensor argument.

    Raises:
        NotImplementedError: this backend has no fused kernel for the configuration (e.g. an
            activation other than tanh / sigmoid, ``unroll``, an unsupported mask); the caller
            falls back to a generic loop.
    """


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """Run a Keras GRU over a whole sequence; ``(last_output, outputs, [h])``.

    As :func:`lstm`, with ``kernel`` (features, 3u), ``recurrent_kernel`` (u, 3u) and ``bias``
    (2, 3u) when ``reset_after`` (else (3u,)) or None.

    Raises:
        NotImplementedError: no fused kernel for the configuration; fall back to a generic loop.
    """


# Framework-native training surfaces (Keras 3's torch and TensorFlow patterns), for backends whose
# framework has its own autodiff loop.

def no_grad_step(fn):
    """Return ``fn`` wrapped so it records no autodiff graph (the rest of a ``fit`` step runs
    under it; ``value_and_grad`` inside still differentiates)."""


def parameters(handles):
    """The framework tensors of the variable ``handles`` themselves, for a native optimizer
    (``torch.optim.Adam(model.parameters())``): they share storage with the variables."""


def zero_grad(handles, set_to_none=True):
    """Clear the gradients a native ``backward()`` accumulated on the variable ``handles``."""


def expose_native_variable(variable, handle):
    """Let the framework's own gradient tape take ``variable`` as a source (``handle`` is its
    native variable); called once when a Variable is created."""


# -- framework modules as layers (TorchModuleWrapper, JaxLayer, FlaxLayer) --------------------
# A backend whose framework has its own module/pytree system provides these; the interop layers
# (``layers/interop/``) raise a clear error naming the backend when they are missing.

def module_parameters(module):
    """Move the framework ``module`` to the backend's device and return its parameters as
    ``[(name, tensor, trainable), ...]`` in the module's own order (``named_parameters``)."""


def module_share_parameters(module, names, handles):
    """Make the parameters ``names`` of ``module`` share storage with the variable ``handles``
    (so updating a variable updates the module, and calling the module directly sees it)."""


def module_call(module, names, values, args, kwargs, training):
    """Run ``module(*args, **kwargs)`` with its parameters ``names`` replaced by ``values``
    (differentiable, e.g. ``torch.func.functional_call``), in train mode when ``training``."""


def module_state(module):
    """The module's whole state (parameters and buffers) as ``{name: numpy array}``."""


def module_load_state(module, state):
    """Load ``{name: array}`` (as written by :func:`module_state`) into ``module`` in place."""


def module_to_bytes(module):
    """The whole ``module`` (code references and state) pickled to bytes."""


def module_from_bytes(data):
    """Inverse of :func:`module_to_bytes` (unpickles: only for trusted files)."""


def tree_flatten(tree):
    """``(leaves, treedef)`` of a framework pytree (understands the framework's own
    registered containers, e.g. Flax's ``FrozenDict``); ``None`` leaves are kept."""


def tree_unflatten(treedef, leaves):
    """Inverse of :func:`tree_flatten`."""


def rng_key(seed):
    """The framework's random key made from a backend seed tensor of shape ``(2,)``."""
