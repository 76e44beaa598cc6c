"""Backend contract, reshaping, joining, indexing and slicing.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""


def expand_dims(x, axis):
    """Insert a size-1 dimension at ``axis``."""


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""


def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis."""


def stack(x, axis=0):
    """Join a sequence of tensors along a new axis."""


def split(x, indices_or_sections, axis=0):
    """Split into a list of tensors (equal sections, or at the given indices)."""


def broadcast_to(x, shape):
    """Broadcast to ``shape``."""


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` = ((before, after), ...) per axis; modes constant/reflect/symmetric."""


def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x``."""


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and integer/bool index arrays."""


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` (floatx by default); not differentiable in ``x``."""


def sort(x, axis=-1):
    """Sort ascending along ``axis``."""


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32)."""


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at integer coordinates ``indices`` (shape (N, k))."""


def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices`` (ints or an int
    tensor, one per axis; may be traced under jit). Differentiable in ``inputs``."""


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block starting at ``start_indices`` replaced by ``updates`` (same
    rank). Differentiable in ``inputs`` (zero gradient inside the block) and ``updates``."""
