"""``mini_keras.dtype_policies``: Keras 3's DTypePolicy and its (de)serialization."""

from mini_keras.dtype_policies.dtype_policy import (
    VALID_POLICIES,
    DTypePolicy,
    FloatDTypePolicy,
    deserialize,
    dtype_policy,
    get,
    serialize,
    set_dtype_policy,
)

__all__ = [
    "VALID_POLICIES",
    "DTypePolicy",
    "FloatDTypePolicy",
    "deserialize",
    "dtype_policy",
    "get",
    "serialize",
    "set_dtype_policy",
]
