"""FarmHash ``Fingerprint64`` in pure Python: the hash behind TensorFlow's
``tf.strings.to_hash_bucket_fast``, which Keras 3's ``Hashing`` and multi-OOV lookups use.

Computing it here gives the same bins as Keras on every backend, without TensorFlow.
"""

from __future__ import annotations

import struct

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _u64(data: bytes, i: int) -> int:
    return struct.unpack_from("<Q", data, i)[0]


def _u32(data: bytes, i: int) -> int:
    return struct.unpack_from("<I", data, i)[0]


def _rot(v: int, shift: int) -> int:
    return ((v >> shift) | (v << (64 - shift))) & _MASK


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _mix16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _len0to16(s: bytes, n: int) -> int:
    if n >= 8:
        mul = _K2 + n * 2
        a = (_u64(s, 0) + _K2) & _MASK
        b = _u64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _mix16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _mix16((n + (_u32(s, 0) << 3)) & _MASK, _u32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _len17to32(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_u64(s, 0) * _K1) & _MASK
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _MASK
    d = (_u64(s, n - 16) * _K2) & _MASK
    return _mix16((_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK,
                  (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)


def _len33to64(s: bytes, n: int) -> int:
    mul = _K2 + n * 2
    a = (_u64(s, 0) * _K2) & _MASK
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _MASK
    d = (_u64(s, n - 16) * _K2) & _MASK
    y = (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK
    z = _mix16(y, (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_u64(s, 16) * mul) & _MASK
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _MASK
    h = ((z + _u64(s, n - 24)) * mul) & _MASK
    return _mix16((_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
                  (e + _rot((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = struct.unpack_from("<4Q", s, i)
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(data: bytes) -> int:
    """FarmHash ``Fingerprint64`` of ``data`` (an unsigned 64-bit int), as TensorFlow's."""
    n = len(data)
    if n <= 16:
        return _len0to16(data, n)
    if n <= 32:
        return _len17to32(data, n)
    if n <= 64:
        return _len33to64(data, n)
    seed = 81
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v0 = v1 = w0 = w1 = 0
    x = (seed * _K2 + _u64(data, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v0 + _u64(data, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rot((y + v1 + _u64(data, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w1
        y = (y + v0 + _u64(data, i + 40)) & _MASK
        z = (_rot((z + w0) & _MASK, 33) * _K1) & _MASK
        v0, v1 = _weak32(data, i, (v1 * _K1) & _MASK, (x + w0) & _MASK)
        w0, w1 = _weak32(data, i + 32, (z + w1) & _MASK, (y + _u64(data, i + 16)) & _MASK)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    i = last64
    w0 = (w0 + ((n - 1) & 63)) & _MASK
    v0 = (v0 + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    x = (_rot((x + y + v0 + _u64(data, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v1 + _u64(data, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w1 * 9) & _MASK
    y = (y + v0 * 9 + _u64(data, i + 40)) & _MASK
    z = (_rot((z + w0) & _MASK, 33) * mul) & _MASK
    v0, v1 = _weak32(data, i, (v1 * mul) & _MASK, (x + w0) & _MASK)
    w0, w1 = _weak32(data, i + 32, (z + w1) & _MASK, (y + _u64(data, i + 16)) & _MASK)
    z, x = x, z
    return _mix16((_mix16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK,
                  (_mix16(v1, w1, mul) + x) & _MASK, mul)


def hash_bucket(values, num_buckets: int) -> list[int]:
    """``Fingerprint64(value) % num_buckets`` for each str/bytes value (tf's
    ``to_hash_bucket_fast``); ``str`` is encoded as UTF-8."""
    out = []
    for value in values:
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        out.append(fingerprint64(data) % num_buckets)
    return out
