"""numpy backend: fused optimizer updates (one call for every variable, no autodiff tape).

New values are written into fresh arrays (temporaries are reused with ``out=``), never into the
old ones: a numpy variable's handle may be an array the caller still holds (``assign`` keeps the
array it is given), so mutating it would change the caller's data.
"""

from __future__ import annotations

import numpy as np

from mini_keras.backends.numpy.autodiff import data


def adam_update(variables, gradients, momentums, velocities, velocity_hats, step_size, beta_1,
                beta_2, epsilon):
    """One Adam step for every variable; see the contract. Returns new arrays."""
    step_size = np.asarray(data(step_size))
    new_w, new_m, new_v = [], [], []
    new_v_hat = None if velocity_hats is None else []
    for i, (w, g, m, v) in enumerate(zip(variables, gradients, momentums, velocities)):
        g = np.asarray(data(g), dtype=w.dtype)
        m_next = np.subtract(g, m)                      # m + (g - m)(1 - b1)
        m_next *= 1 - beta_1
        m_next += m
        v_next = np.square(g)                           # v + (g^2 - v)(1 - b2)
        v_next -= v
        v_next *= 1 - beta_2
        v_next += v
        v_used = v_next
        if velocity_hats is not None:
            v_used = np.maximum(velocity_hats[i], v_next)
            new_v_hat.append(v_used)
        denominator = np.sqrt(v_used)                   # sqrt(v) + eps
        denominator += epsilon
        update = np.multiply(m_next, step_size.astype(w.dtype, copy=False))
        update /= denominator                           # (m * step_size) / (sqrt(v) + eps)
        new_w.append(np.subtract(w, update, out=update))
        new_m.append(m_next)
        new_v.append(v_next)
    return new_w, new_m, new_v, new_v_hat


def sgd_update(variables, gradients, momentums, learning_rate, momentum, nesterov):
    """One SGD step for every variable; see the contract. Returns new arrays."""
    learning_rate = np.asarray(data(learning_rate))
    new_w, new_m = [], None if momentums is None else []
    for i, (w, g) in enumerate(zip(variables, gradients)):
        step = np.multiply(learning_rate.astype(w.dtype, copy=False),
                           np.asarray(data(g), dtype=w.dtype))     # s = lr * g
        if momentums is None:
            new_w.append(np.subtract(w, step, out=step))          # w -= s
            continue
        m_next = np.multiply(momentums[i], momentum)              # m = momentum * m - s
        m_next -= step
        new_m.append(m_next)
        if nesterov:                                              # w += momentum * m - s
            update = np.multiply(m_next, momentum)
            update -= step
            new_w.append(np.add(w, update, out=update))
        else:                                                     # w += m
            new_w.append(np.add(w, m_next))
    return new_w, new_m
