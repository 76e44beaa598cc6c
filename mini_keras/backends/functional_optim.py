"""Fused optimizer updates as pure functions of backend tensors, shared by jax and tensorflow.

Both frameworks have immutable values (JAX arrays; TF tensors assigned back to ``tf.Variable``s),
so their ``adam_update``/``sgd_update`` are the same math written with contract ops: ``b`` is
the backend module, bound by :func:`bind`. The formulas are Keras 3's, term for term (see
``optimizers/basic.py``).
"""

from __future__ import annotations

import types


def _adam_update(b, variables, gradients, momentums, velocities, velocity_hats, step_size,
                beta_1, beta_2, epsilon):
    """One Adam step for every variable; returns ``(new_w, new_m, new_v, new_v_hat)``."""
    new_w, new_m, new_v = [], [], []
    new_v_hat = None if velocity_hats is None else []
    for i, (w, g, m, v) in enumerate(zip(variables, gradients, momentums, velocities)):
        w, m, v = b.convert_to_tensor(w), b.convert_to_tensor(m), b.convert_to_tensor(v)
        g = b.cast(g, b.dtype(w))
        m = m + (g - m) * (1 - beta_1)
        v = v + (b.square(g) - v) * (1 - beta_2)
        v_used = v
        if velocity_hats is not None:
            v_used = b.maximum(b.convert_to_tensor(velocity_hats[i]), v)
            new_v_hat.append(v_used)
        update = (m * b.cast(step_size, b.dtype(w))) / (b.sqrt(v_used) + epsilon)
        new_w.append(w - update)
        new_m.append(m)
        new_v.append(v)
    return new_w, new_m, new_v, new_v_hat


def _sgd_update(b, variables, gradients, momentums, learning_rate, momentum, nesterov):
    """One SGD step for every variable; returns ``(new_w, new_m)``."""
    new_w, new_m = [], None if momentums is None else []
    for i, (w, g) in enumerate(zip(variables, gradients)):
        w = b.convert_to_tensor(w)
        step = b.cast(learning_rate, b.dtype(w)) * b.cast(g, b.dtype(w))
        if momentums is None:
            new_w.append(w - step)
            continue
        m = momentum * b.convert_to_tensor(momentums[i]) - step
        new_m.append(m)
        new_w.append(w + (momentum * m - step) if nesterov else w + m)
    return new_w, new_m


def bind(b) -> types.SimpleNamespace:
    """Return the optional hooks ``adam_update`` and ``sgd_update`` computed with backend ``b``
    (as attributes of a namespace, which ``contract.export`` collects like a module)."""

    def adam_update(variables, gradients, momentums, velocities, velocity_hats, step_size,
                    beta_1, beta_2, epsilon):
        """One Adam step for every variable; see the contract. Returns new values."""
        return _adam_update(b, variables, gradients, momentums, velocities, velocity_hats,
                            step_size, beta_1, beta_2, epsilon)

    def sgd_update(variables, gradients, momentums, learning_rate, momentum, nesterov):
        """One SGD step for every variable; see the contract. Returns new values."""
        return _sgd_update(b, variables, gradients, momentums, learning_rate, momentum, nesterov)

    return types.SimpleNamespace(adam_update=adam_update, sgd_update=sgd_update)
