"""``keras.utils.FeatureSpace``: one object that preprocesses a dict of structured features.

Each feature is a :class:`Feature` (a dtype, a preprocessing layer and an output mode); crosses
hash pairs of features together. ``adapt`` learns each preprocessor's state from the data;
calling the space on a dict of arrays returns the encoded features, concatenated (sorted by
name, crosses last, as Keras 3) or as a dict. The preprocessors are our preprocessing layers,
so strings stay on the host; inside ``tf.data`` (``dataset.map(lambda x, y: (space(x), y))``,
whatever the model's backend) the whole computation runs as one ``tf.numpy_function``.
"""

from __future__ import annotations

import sys

import numpy as np

from mini_keras import layers, ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.variable import unique_name
from mini_keras.layers.layer import Layer
from mini_keras.layers.preprocessing.host import _is_tf_graph_tensor, host_array, is_tf_object

__all__ = ["Cross", "Feature", "FeatureSpace"]

_FEATURE_MODES = ("int", "one_hot", "float")


def _serialize(obj):
    from mini_keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _deserialize(config):
    from mini_keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config) if isinstance(config, dict) \
        else config


class Cross:
    """A crossing of features (``FeatureSpace.cross``): hashed into ``crossing_dim`` bins."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        """``"a_X_b"`` for the features ``a`` and ``b``."""
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """A feature: its input ``dtype``, its ``preprocessor`` layer and its ``output_mode``
    (``"int"``, ``"one_hot"`` or ``"float"``)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in _FEATURE_MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot', 'float'}}. Received: output_mode={output_mode}")
        self.dtype = dtype
        self.preprocessor = _deserialize(preprocessor)
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "preprocessor": _serialize(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _name(name, kind):
    return name or unique_name(kind)


class FeatureSpace(Layer):
    """Preprocess a dict of structured features in one step (Keras 3's ``FeatureSpace``).

    Args:
        features: ``{name: feature}``, where a feature is a :class:`Feature` (from the class
            methods: ``FeatureSpace.float_normalized()``...) or one of the strings ``"float"``,
            ``"float_normalized"``, ``"float_rescaled"``, ``"float_discretized"``,
            ``"integer_categorical"``, ``"string_categorical"``, ``"integer_hashed"``,
            ``"string_hashed"``.
        output_mode: ``"concat"`` (one float matrix) or ``"dict"``.
        crosses: feature-name tuples (or :class:`Cross`) to hash together.
        crossing_dim: bins of each cross given as a tuple.
        hashing_dim: bins of the string-named hashed features.
        num_discretization_bins: bins of ``"float_discretized"``.
        name: the name.

    Example:
        >>> space = FeatureSpace({"age": "float_normalized", "city": "string_categorical"})
        >>> space.adapt({"age": [20., 40.], "city": ["a", "b"]})
        >>> space({"age": [30.], "city": ["b"]}).shape
        (1, 4)
    """

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim, self.hashing_dim = crossing_dim, hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {n: self._standardize_feature(n, f) for n, f in features.items()}
        self.crosses = [self._standardize_cross(c, set(features)) for c in (crosses or [])]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{{'dict', 'concat'}}. Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {n: layers.Input(shape=(1,), dtype=f.dtype, name=n)
                       for n, f in self.features.items()}
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        self.crossers = {c.name: layers.HashedCrossing(c.crossing_dim, name=c.name)
                         for c in self.crosses}
        self.one_hot_encoders: dict = {}
        self.encoded_features = None
        self.concat = None
        self._is_adapted = False
        self._sublayers_built = False

    # -- the feature kinds (Keras 3's class methods) ----------------------------------------
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        """A :class:`Cross` of ``feature_names`` into ``crossing_dim`` bins."""
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        """A :class:`Feature` with a preprocessing layer of your choice."""
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        """A float feature passed through unchanged."""
        name = _name(name, "float")
        return Feature("float32", layers.Identity(dtype="float32", name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        """A float feature times ``scale`` plus ``offset``."""
        name = _name(name, "float_rescaled")
        return Feature("float32", layers.Rescaling(scale=scale, offset=offset,
                                                   name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name=None):
        """A float feature standardized with the mean and variance ``adapt`` learns."""
        name = _name(name, "float_normalized")
        return Feature("float32", layers.Normalization(axis=-1, name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        """A float feature bucketed into ``num_bins`` quantile bins (or ``bin_boundaries``)."""
        name = _name(name, "float_discretized")
        return Feature("float32", layers.Discretization(num_bins=num_bins,
                                                        bin_boundaries=bin_boundaries,
                                                        name=f"{name}_preprocessor"),
                       output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None):
        """An integer category, indexed by the vocabulary ``adapt`` learns."""
        name = _name(name, "integer_categorical")
        return Feature("int32", layers.IntegerLookup(name=f"{name}_preprocessor",
                                                     max_tokens=max_tokens,
                                                     num_oov_indices=num_oov_indices),
                       output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None):
        """A string category, indexed by the vocabulary ``adapt`` learns."""
        name = _name(name, "string_categorical")
        return Feature("string", layers.StringLookup(name=f"{name}_preprocessor",
                                                     max_tokens=max_tokens,
                                                     num_oov_indices=num_oov_indices),
                       output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        """A string category hashed into ``num_bins`` bins."""
        name = _name(name, "string_hashed")
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        """An integer category hashed into ``num_bins`` bins."""
        name = _name(name, "integer_hashed")
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    def _standardize_feature(self, name, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize(feature)
        makers = {"float": lambda: self.float(name=name),
                  "float_normalized": lambda: self.float_normalized(name=name),
                  "float_rescaled": lambda: self.float_rescaled(name=name),
                  "float_discretized": lambda: self.float_discretized(
                      name=name, num_bins=self.num_discretization_bins),
                  "integer_categorical": lambda: self.integer_categorical(name=name),
                  "string_categorical": lambda: self.string_categorical(name=name),
                  "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
                  "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name)}
        if feature not in makers:
            raise ValueError(f"Invalid feature type: {feature!r} (feature '{name}'); expected a "
                             f"Feature or one of {sorted(makers)}.")
        return makers[feature]()

    def _standardize_cross(self, cross, known) -> Cross:
        cross = _deserialize(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                             "(dimensionality of the crossing space) should be specified as "
                             "well.")
        unknown = [k for k in cross if k not in known]
        if unknown:
            raise ValueError("All features referenced in the `crosses` argument should be "
                             f"present in the `features` dict. Received unknown features: "
                             f"{unknown} in {tuple(cross)}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    # -- adapt ------------------------------------------------------------------------------
    def _list_adaptable_preprocessors(self) -> list:
        names = []
        for name in self.features:
            preprocessor = self.preprocessors[name]
            if isinstance(preprocessor, layers.Normalization) and \
                    getattr(preprocessor, "input_mean", None) is not None:
                continue
            if isinstance(preprocessor, layers.TextVectorization) and \
                    getattr(preprocessor, "_has_input_vocabulary", False):
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Learn every adaptable preprocessor's state from ``dataset``: a ``tf.data.Dataset``
        of feature dicts (batched or not) or a dict of arrays/lists."""
        batches = _feature_batches(dataset)
        for name in self._list_adaptable_preprocessors():
            self.preprocessors[name].adapt(_column(batch[name]) for batch in batches)
        self._is_adapted = True
        self.get_encoded_features()  # builds the encoders and the concatenation
        self.built = True
        self._sublayers_built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it.")
            self._is_adapted = True

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # -- the symbolic graph -----------------------------------------------------------------
    def get_inputs(self) -> dict:
        """``{name: keras.Input((1,), dtype)}``: the inputs of an inference model."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features of :meth:`get_inputs`, symbolic (a model's input)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            self.encoded_features = self._encode(self.inputs)
        return self.encoded_features

    def _encode(self, data):
        """Preprocess, cross, one-hot encode and merge ``data`` ({name: (batch, 1)})."""
        processed = {n: self.preprocessors[n](data[n]) for n in self.features}
        crossed = {c.name: self.crossers[c.name]([processed[n] for n in c.feature_names])
                   for c in self.crosses}
        names = sorted(processed) + sorted(crossed)
        specs = {**self.features, **self.crosses_by_name}
        merged = {}
        for name in names:
            value = processed[name] if name in processed else crossed[name]
            if specs[name].output_mode == "one_hot":
                value = self._one_hot(name, value)
            merged[name] = value
        if self.output_mode == "dict":
            return merged
        for name, value in merged.items():
            dtype = value.dtype if isinstance(value, KerasTensor) else ops.dtype(value)
            if "int" in str(dtype) or "str" in str(dtype):
                raise ValueError(f"Cannot concatenate features because feature '{name}' has not "
                                 f"been encoded (it has dtype {dtype}). Consider using "
                                 "`output_mode='dict'`.")
        if self.concat is None:
            self.concat = layers.Concatenate(axis=-1)
        return self.concat([merged[n] for n in names])

    def _one_hot(self, name, value):
        encoder = self.one_hot_encoders.get(name)
        if encoder is None:
            dtype = str(value.dtype if isinstance(value, KerasTensor) else ops.dtype(value))
            if "int" not in dtype:
                raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its "
                                 "preprocessor should return an integer dtype. Instead it "
                                 f"returns a {dtype} dtype.")
            preprocessor = self.preprocessors.get(name) or self.crossers.get(name)
            encoder = layers.CategoryEncoding(num_tokens=_cardinality(name, preprocessor),
                                              output_mode="multi_hot")
            self.one_hot_encoders[name] = encoder
        return encoder(value)

    # -- calling on data --------------------------------------------------------------------
    def __call__(self, data):
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError("A FeatureSpace can only be called with a dict. Received: "  # noqa: TRY004 (Keras 3 raises ValueError)
                             f"data={data} (of type {type(data)})")
        missing = sorted(set(self.features) - set(data))
        if missing:
            raise ValueError(f"FeatureSpace '{self.name}': the data lacks the features "
                             f"{missing}; expected the keys {sorted(self.features)}.")
        if any(is_tf_object(v) and _is_tf_graph_tensor(v) for v in data.values()):
            return self._call_in_tf_graph(data)
        arrays = {n: host_array(data[n]) for n in self.features}
        scalar = all(a.ndim == 0 for a in arrays.values())
        out = self._encode({n: _column(a) for n, a in arrays.items()})
        if scalar:  # one example in, one example out (Keras re-batches, then squeezes)
            out = ({k: ops.squeeze(v, axis=0) for k, v in out.items()}
                   if isinstance(out, dict) else ops.squeeze(out, axis=0))
        return out

    def _call_in_tf_graph(self, data):
        tf = sys.modules["tensorflow"]
        names = sorted(self.features)
        spec = self.get_encoded_features()
        keys = sorted(spec) if isinstance(spec, dict) else None
        specs = [spec[k] for k in keys] if keys else [spec]
        ranks = {data[n].shape.rank for n in names}

        def run(*arrays):
            out = self._encode({n: _column(np.asarray(a)) for n, a in zip(names, arrays)})
            values = [out[k] for k in keys] if keys else [out]
            return [np.asarray(ops.convert_to_numpy(v)).astype(s.dtype)
                    for v, s in zip(values, specs)]

        results = tf.numpy_function(run, [data[n] for n in names],
                                    [tf.as_dtype(s.dtype) for s in specs], stateful=False)
        for result, s in zip(results, specs):
            result.set_shape((None,) + tuple(s.shape[1:]))
        if ranks == {0}:
            results = [tf.squeeze(r, axis=0) for r in results]
        return dict(zip(keys, results)) if keys else results[0]

    # -- config and saving ------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"features": {n: _serialize(f) for n, f in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [_serialize(c) for c in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self) -> dict:
        """Each preprocessor's input shape (a loaded space is usable without ``adapt``: the
        preprocessors' state comes back with the file's weights)."""
        return {name: {"input_shape": [None, 1]} for name in self.features}

    def build_from_config(self, config) -> None:
        """Build the preprocessors from :meth:`get_build_config` and mark the space adapted."""
        for name, build in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built and hasattr(preprocessor, "_maybe_build"):
                preprocessor._maybe_build(tuple(build["input_shape"]))
        self._is_adapted = True
        self.built = True

    def save(self, filepath):
        """Save the space (config and every preprocessor's state) to a ``.keras`` file;
        ``keras.models.load_model`` reloads it."""
        from mini_keras.saving.saving_lib import save_model
        save_model(self, filepath)


def _cardinality(name, preprocessor) -> int:
    if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, layers.CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, layers.Discretization):
        return len(preprocessor.bin_boundaries) + 1
    if isinstance(preprocessor, (layers.HashedCrossing, layers.Hashing)):
        return preprocessor.num_bins
    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a "
                     "standard feature and the dimensionality of its output space is not known, "
                     "thus it cannot be one-hot encoded. Try using `output_mode='int'`.")


def _column(array) -> np.ndarray:
    """A feature's values as a ``(batch, 1)`` column (scalars and vectors are expanded)."""
    array = host_array(array)
    if array.ndim == 0:
        return array.reshape(1, 1)
    return array[:, None] if array.ndim == 1 else array


def _feature_batches(dataset) -> list:
    """The batches of feature dicts that ``adapt`` reads (an unbatched dataset in 32s)."""
    if isinstance(dataset, dict):
        return [{k: host_array(v) for k, v in dataset.items()}]
    if is_tf_object(dataset) and hasattr(dataset, "as_numpy_iterator"):
        items = list(dataset.as_numpy_iterator())
        if items and isinstance(items[0], tuple):
            items = [item[0] for item in items]
        if items and all(np.ndim(v) == 0 for v in items[0].values()):
            items = [{k: np.asarray([it[k] for it in items[i:i + 32]]) for k in items[0]}
                     for i in range(0, len(items), 32)]
        return items
    raise ValueError("`adapt()` can only be called on a tf.data.Dataset or a dict of "
                     f"arrays/lists. Received instead: {dataset} (of type {type(dataset)})")


