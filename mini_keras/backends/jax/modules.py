"""Pure JAX functions and Flax modules as layers (``keras.layers.JaxLayer`` / ``FlaxLayer``):
the JAX side, pytrees and random keys."""

from __future__ import annotations

import jax

from mini_keras.backends.jax.core import _key


def tree_flatten(tree):
    """``jax.tree_util.tree_flatten``, keeping ``None`` leaves."""
    return jax.tree_util.tree_flatten(tree, is_leaf=lambda x: x is None)


def tree_unflatten(treedef, leaves):
    """``jax.tree_util.tree_unflatten``."""
    return jax.tree_util.tree_unflatten(treedef, list(leaves))


def rng_key(seed):
    """A ``jax.random`` key (raw ``uint32[2]`` form, as ``jax.random.PRNGKey``) from ``seed``."""
    return jax.random.key_data(_key(seed))
