"""PyTorch backend: fused optimizer updates, in place with ``torch._foreach_*`` ops.

One ``_foreach`` call applies an elementwise op to every variable (a single multi-tensor kernel
on CUDA), instead of one op per variable per term. The ops follow Keras 3's formulas term by
term, so the numbers equal those of the optimizers' per-variable path.
"""

from __future__ import annotations

import torch

from mini_keras.backends.torch.core import convert_to_tensor


@torch.no_grad()
def adam_update(variables, gradients, momentums, velocities, velocity_hats, step_size, beta_1,
                beta_2, epsilon):
    """One Adam step for every variable, in place; see the contract. Returns the same tensors."""
    variables, momentums, velocities = list(variables), list(momentums), list(velocities)
    grads = [convert_to_tensor(g).to(w.dtype) for g, w in zip(gradients, variables)]
    step_size = convert_to_tensor(step_size)

    delta = torch._foreach_sub(grads, momentums)            # m += (g - m)(1 - b1)
    torch._foreach_mul_(delta, 1 - beta_1)
    torch._foreach_add_(momentums, delta)

    delta = torch._foreach_mul(grads, grads)                # v += (g^2 - v)(1 - b2)
    torch._foreach_sub_(delta, velocities)
    torch._foreach_mul_(delta, 1 - beta_2)
    torch._foreach_add_(velocities, delta)

    v_used = velocities
    if velocity_hats is not None:                           # AMSGrad: v_hat = max(v_hat, v)
        velocity_hats = list(velocity_hats)
        torch._foreach_maximum_(velocity_hats, velocities)
        v_used = velocity_hats

    denominator = torch._foreach_sqrt(v_used)               # sqrt(v) + eps
    torch._foreach_add_(denominator, epsilon)
    update = torch._foreach_mul(momentums, step_size)       # w -= (m * step) / (sqrt(v) + eps)
    torch._foreach_div_(update, denominator)
    torch._foreach_sub_(variables, update)
    return variables, momentums, velocities, velocity_hats


@torch.no_grad()
def sgd_update(variables, gradients, momentums, learning_rate, momentum, nesterov):
    """One SGD step for every variable, in place; see the contract. Returns the same tensors."""
    variables = list(variables)
    grads = [convert_to_tensor(g).to(w.dtype) for g, w in zip(gradients, variables)]
    step = torch._foreach_mul(grads, convert_to_tensor(learning_rate))    # s = lr * g
    if momentums is None:
        torch._foreach_sub_(variables, step)                              # w -= s
        return variables, None
    momentums = list(momentums)
    torch._foreach_mul_(momentums, momentum)                              # m = momentum * m - s
    torch._foreach_sub_(momentums, step)
    if nesterov:                                                          # w += momentum * m - s
        update = torch._foreach_mul(momentums, momentum)
        torch._foreach_sub_(update, step)
        torch._foreach_add_(variables, update)
    else:                                                                 # w += m
        torch._foreach_add_(variables, momentums)
    return variables, momentums
