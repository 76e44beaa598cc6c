"""Whole-sequence LSTM/GRU on PyTorch's fused kernels (``torch._VF.lstm`` / ``torch._VF.gru``,
what ``torch.nn.LSTM``/``GRU`` run: cuDNN on GPU, one ATen loop with the input projection
hoisted on CPU).

Keras' weights are converted at call time (views and one small reorder, differentiable), so the
layer keeps its Keras layout and autograd flows back to its variables. A right-padded mask runs
as a packed sequence; any other configuration raises ``NotImplementedError`` and the layer uses
its generic loop.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from mini_keras.backends.rnn_support import check_fused_supported
from mini_keras.backends.torch.core import convert_to_tensor


def _lengths(mask, steps):
    """None for an all-true mask, the lengths of a right-padded one; else NotImplementedError."""
    mask = convert_to_tensor(mask).bool()
    lengths = mask.sum(1)
    if bool((lengths == steps).all()):
        return mask, None
    right_padded = torch.arange(steps, device=mask.device)[None, :] < lengths[:, None]
    if not torch.equal(mask, right_padded) or bool((lengths == 0).any()):
        raise NotImplementedError("fused RNN: only right-padded masks without empty sequences")
    return mask, lengths


def _run(kernel_fn, inputs, states, weights, mask, go_backwards, time_major):
    """Run ``kernel_fn`` (``_VF.lstm``/``_VF.gru``); return (outputs (batch, time, u), states)."""
    x = convert_to_tensor(inputs)
    if time_major:
        x = x.transpose(0, 1)
    steps = x.shape[1]
    lengths = None
    if mask is not None:
        mask, lengths = _lengths(mask, steps)
        if lengths is not None and go_backwards:
            # Reversed, a right-padded sequence starts with its padding: not a packed sequence.
            raise NotImplementedError("fused RNN: go_backwards with a padding mask")
    if go_backwards:
        x = x.flip(1)
    hx = [convert_to_tensor(s).unsqueeze(0) for s in states]
    hx = tuple(hx) if len(hx) > 1 else hx[0]
    has_biases = len(weights) == 4
    train = torch.is_grad_enabled()  # only decides whether cuDNN keeps what backward needs
    if lengths is None:
        outputs, *new_states = kernel_fn(x, hx, weights, has_biases, 1, 0.0, train, False, True)
        return outputs, [s[0] for s in new_states]
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    order = packed.sorted_indices
    hx = (tuple(h.index_select(1, order) for h in hx) if isinstance(hx, tuple)
          else hx.index_select(1, order))
    data, *new_states = kernel_fn(packed.data, packed.batch_sizes, hx, weights, has_biases, 1,
                                  0.0, train, False)
    new_states = [s[0].index_select(0, packed.unsorted_indices) for s in new_states]
    outputs, _ = pad_packed_sequence(
        PackedSequence(data, packed.batch_sizes, order, packed.unsorted_indices),
        batch_first=True, total_length=steps)
    # Keras: a masked step repeats the previous output, i.e. the last valid one.
    outputs = torch.where(mask[..., None], outputs, new_states[0][:, None, :])
    return outputs, new_states


def _finish(outputs, new_states, time_major):
    last_output = new_states[0]
    return last_output, (outputs.transpose(0, 1) if time_major else outputs), new_states


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """Keras LSTM through ``torch._VF.lstm``; ``(last_output, outputs, [h, c])``.

    Keras' gate order i, f, c, o is torch's i, f, g, o: the weights only need transposing,
    with Keras' bias as ``bias_ih`` and zeros as ``bias_hh``.
    """
    check_fused_supported("lstm", activation, recurrent_activation, unroll)
    kernel, recurrent_kernel = convert_to_tensor(kernel), convert_to_tensor(recurrent_kernel)
    weights = [kernel.t(), recurrent_kernel.t()]
    if bias is not None:
        bias = convert_to_tensor(bias)
        weights += [bias, torch.zeros_like(bias)]
    outputs, new_states = _run(torch._VF.lstm, inputs, [initial_state_h, initial_state_c],
                               weights, mask, go_backwards, time_major)
    return _finish(outputs, new_states, time_major)


def _gates_zrh_to_rzn(w):
    """Reorder the last axis from Keras' (z, r, h) blocks to torch's (r, z, n)."""
    z, r, h = w.chunk(3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """Keras GRU (``reset_after=True``: torch's formula) through ``torch._VF.gru``;
    ``(last_output, outputs, [h])``."""
    check_fused_supported("gru", activation, recurrent_activation, unroll)
    if not reset_after:
        raise NotImplementedError("gru: the fused kernel computes reset_after=True only")
    weights = [_gates_zrh_to_rzn(convert_to_tensor(kernel)).t(),
               _gates_zrh_to_rzn(convert_to_tensor(recurrent_kernel)).t()]
    if bias is not None:
        bias = _gates_zrh_to_rzn(convert_to_tensor(bias))
        weights += [bias[0], bias[1]]
    outputs, new_states = _run(torch._VF.gru, inputs, [initial_state], weights, mask,
                               go_backwards, time_major)
    return _finish(outputs, new_states, time_major)
