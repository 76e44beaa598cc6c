"""PyTorch backend: fused optimizer updates, in place with ``torch._foreach_*`` ops.

One ``_foreach`` call applies an elementwise op to every variable (a single multi-tensor kernel
on CUDA), instead of one op per variable per term. The ops follow Keras 3's formulas term by
term; ``lerp_``/``addcdiv_`` fuse several of them into one pass, so the numbers equal the
per-variable path's up to rounding in the last bit.
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

    torch._foreach_lerp_(momentums, grads, 1 - beta_1)     # m += (g - m)(1 - b1)
    torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - beta_2)  # v likewise

    v_used = velocities
    if velocity_hats is not None:                           # AMSGrad: v_hat = max(v_hat, v)
        velocity_hats = list(velocity_hats)
        torch._foreach_maximum_(velocity_hats, velocities)
        v_used = velocity_hats

    denominator = torch._foreach_sqrt(v_used)               # sqrt(v) + eps
    torch._foreach_add_(denominator, epsilon)
    # w -= step * m / (sqrt(v) + eps): one fused pass (equal to the per-variable path up to
    # rounding in the last bit, like torch.optim.Adam's own foreach kernel)
    torch._foreach_addcdiv_(variables, momentums, denominator, -float(step_size))
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
