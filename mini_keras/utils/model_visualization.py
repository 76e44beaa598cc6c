"""``keras.utils.model_to_dot`` / ``plot_model``: a model's layer graph drawn with pydot and
graphviz (``pip install pydot``; the ``dot`` program comes from the Debian package
``graphviz``)."""

from __future__ import annotations

import itertools
import os
import shutil

from mini_keras import tree


def _pydot():
    try:
        import pydot
    except ImportError as error:
        raise ImportError("You must install pydot (`pip install pydot`, or the `plot` extra "
                          "of mini_keras) for `plot_model`/`model_to_dot` to work.") from error
    return pydot


def _check_graphviz() -> None:
    if shutil.which("dot") is None:
        raise ImportError("You must install graphviz (its `dot` program: `apt-get install "
                          "graphviz` on Debian/Ubuntu, see https://graphviz.org/download/) for "
                          "`plot_model` to work.")


def _shape_text(tensors) -> str:
    shapes = [str(tuple(t.shape)) for t in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable) -> str:
    class_name = type(layer).__name__
    lines = [f"{layer.name} ({class_name})" if show_layer_names else class_name]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"Activation: {getattr(activation, '__name__', activation)}")
    nodes = getattr(layer, "_inbound_nodes", [])
    if show_shapes and nodes:
        node = nodes[0]
        inputs = node.input_tensors or [t for t in _flat(node.outputs)]
        lines.append(f"Input shape: {_shape_text(inputs)}")
        lines.append(f"Output shape: {_shape_text(_flat(node.outputs))}")
    if show_dtype and nodes:
        lines.append(f"Output dtype: {_flat(nodes[0].outputs)[0].dtype}")
    if show_trainable and layer.weights:
        lines.append(f"Trainable: {layer.trainable}")
    return "\\n".join(lines)


def _flat(structure) -> list:
    return tree.flatten(structure)


def _edges(model) -> list:
    """``(source layer, target layer)`` pairs of the model's graph."""
    layers = list(model.layers)
    by_output = {id(out): layer for layer in layers
                 for out in _flat(getattr(layer, "output", None) or [])}
    edges = []
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", []):
            for tensor in node.input_tensors:
                source = tensor.node.layer if tensor.node is not None else by_output.get(
                    id(tensor))
                if source is not None and source in layers and (source, layer) not in edges:
                    edges.append((source, layer))
    if not edges and len(layers) > 1:  # a Sequential without a recorded graph: a chain
        edges = list(itertools.pairwise(layers))
    return edges


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, splines: str = "ortho", **kwargs):
    """Return a ``pydot.Dot`` (a ``pydot.Cluster`` with ``subgraph=True``) of the model's layers
    and the connections between them; the arguments are Keras 3's.

    Raises:
        ImportError: pydot is not installed.
        ValueError: an unknown keyword, or an unbuilt model.
        NotImplementedError: ``expand_nested=True`` on a model holding a nested model.
    """
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if expand_nested and any(hasattr(layer, "layers") for layer in model.layers):
        raise NotImplementedError("model_to_dot(expand_nested=True): drawing nested models "
                                  "inside their parent is not supported yet.")
    pydot = _pydot()
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name, label=model.name)
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    for layer in model.layers:
        dot.add_node(pydot.Node(str(id(layer)), label=_label(
            layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
            show_trainable)))
    for source, target in _edges(model):
        dot.add_edge(pydot.Edge(str(id(source)), str(id(target))))
    return dot


def plot_model(model, to_file="model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False,
               dpi: int = 200, show_layer_activations: bool = False, show_trainable: bool = False,
               splines: str = "ortho", **kwargs):
    """Draw the model's graph to ``to_file`` (format from its extension, png by default).

    Returns an ``IPython.display.Image`` (``SVG`` for svg) of it when IPython is installed
    (nothing for pdf).

    Raises:
        ImportError: pydot or graphviz's ``dot`` is missing (the message says what to install).
    """
    _pydot()
    _check_graphviz()
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines, **kwargs)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        if extension == "svg":  # IPython's Image cannot embed svg (Keras 3 fails here)
            return display.SVG(filename=to_file)
        return display.Image(filename=to_file)
    return None
