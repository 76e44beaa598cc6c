"""The distribution API itself (meshes, layouts, layout maps, scopes): no devices needed.

Meshes get explicit device *names*, so nothing here asks a framework for its devices.
"""

import importlib
import types

import pytest

from mini_keras import backends, distribution, layers
from mini_keras.distribution import api

FOUR = ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]


@pytest.fixture(autouse=True)
def no_global_distribution():
    distribution.set_distribution(None)
    yield
    distribution.set_distribution(None)


def _mesh_2x2():
    return distribution.DeviceMesh((2, 2), ("batch", "model"), devices=FOUR)


def test_device_mesh_shape_and_axis_names_must_agree():
    with pytest.raises(ValueError, match=r"shape \(2, 2\) has 2 axes but axis_names"):
        distribution.DeviceMesh((2, 2), ("batch",), devices=FOUR)
    with pytest.raises(ValueError, match="axis_names must be unique"):
        distribution.DeviceMesh((2, 2), ("batch", "batch"), devices=FOUR)
    with pytest.raises(ValueError, match=r"needs 8 devices but only 4 are available"):
        distribution.DeviceMesh((8,), ("batch",), devices=FOUR)
    with pytest.raises(ValueError, match=r"needs exactly 2 devices, received 4"):
        distribution.DeviceMesh((2,), ("batch",), devices=FOUR)
    mesh = _mesh_2x2()
    assert mesh.shape == (2, 2) and mesh.devices == FOUR and mesh.axis_size("model") == 2


def test_tensor_layout_rejects_an_axis_the_mesh_lacks():
    mesh = _mesh_2x2()
    with pytest.raises(ValueError, match=r"axis 'data' is not in the mesh's axis names"):
        distribution.TensorLayout((None, "data"), mesh)
    layout = distribution.TensorLayout((None, "model"), mesh)
    layout.check_shape((8, 4), "kernel")
    with pytest.raises(ValueError, match=r"kernel: dimension of size 5 is not divisible by the 2"):
        layout.check_shape((8, 5), "kernel")
    with pytest.raises(ValueError, match=r"has 2 axes but the tensor has shape \(8,\)"):
        layout.check_shape((8,), "bias")


def test_layout_map_matches_paths_by_regex():
    layout_map = distribution.LayoutMap(_mesh_2x2())
    layout_map["dense.*kernel"] = (None, "model")
    layout_map["conv2d/bias"] = distribution.TensorLayout(("model",))
    assert layout_map["dense_3/kernel"].axes == (None, "model")
    assert layout_map["adam/dense_kernel_momentum"].axes == (None, "model")  # its slots too
    assert layout_map["conv2d/bias"].axes == ("model",)  # an exact key
    assert layout_map["dense_3/bias"] is None  # no match: replicated
    assert layout_map["conv2d/bias"].device_mesh is layout_map.device_mesh
    assert list(layout_map.keys()) == ["dense.*kernel", "conv2d/bias"] and len(layout_map) == 2
    assert "dense.*kernel" in layout_map
    with pytest.raises(ValueError, match=r"LayoutMap keys \['conv2d/bias'\] match no variable"):
        layout_map.check_all_used(["dense/kernel", "dense/bias"])
    layout_map.check_all_used(["dense/kernel", "conv2d/bias"])


def test_layout_map_path_matching_several_keys_is_an_error():
    layout_map = distribution.LayoutMap(_mesh_2x2())
    layout_map["dense.*kernel"] = (None, "model")
    layout_map[".*kernel"] = ("model", None)
    with pytest.raises(ValueError, match=r"'dense/kernel' matches several keys"):
        layout_map["dense/kernel"]
    assert layout_map["conv/kernel"].axes == ("model", None)


def test_model_parallel_variable_layouts_and_batch_checks():
    layout_map = distribution.LayoutMap(_mesh_2x2())
    layout_map["dense.*kernel"] = (None, "model")
    dist = distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    kernel = types.SimpleNamespace(path="dense/kernel", shape=(8, 4))
    bias = types.SimpleNamespace(path="dense/bias", shape=(4,))
    assert dist.get_variable_layout(kernel).axes == (None, "model")
    assert dist.get_variable_layout(bias).axes == (None,)
    assert dist.num_replicas == 2
    assert dist.get_data_layout((6, 3)).axes == ("batch", None)
    with pytest.raises(ValueError, match=r"variable 'dense/kernel'.*size 5"):
        dist.get_variable_layout(types.SimpleNamespace(path="dense/kernel", shape=(8, 5)))
    with pytest.raises(ValueError, match="needs a layout_map"):
        distribution.ModelParallel()
    with pytest.raises(ValueError, match="batch_dim_name 'data' is not an axis"):
        distribution.ModelParallel(layout_map=layout_map, batch_dim_name="data")
    data_parallel = distribution.DataParallel(devices=FOUR)
    data_parallel.check_batch(32, 128, "fit()")
    with pytest.raises(ValueError, match=r"fit\(\): batch_size=30 is not divisible by the 4"):
        data_parallel.check_batch(30, 120, "fit()")
    with pytest.raises(ValueError, match=r"the last batch \(130 samples % batch_size 32 = 2\)"):
        data_parallel.check_batch(32, 130, "evaluate()")
    with pytest.raises(ValueError, match="DataParallel needs a 1-D DeviceMesh"):
        distribution.DataParallel(device_mesh=_mesh_2x2())


def test_set_distribution_needs_a_distribution():
    with pytest.raises(TypeError, match="set_distribution expects a Distribution.*received str"):
        distribution.set_distribution("data_parallel")
    assert distribution.distribution() is None


def test_scopes_nest_and_override_the_global_distribution():
    outer = distribution.DataParallel(devices=FOUR)
    inner = distribution.DataParallel(devices=FOUR[:2])
    glob = distribution.DataParallel(devices=FOUR[:1])
    distribution.set_distribution(glob)
    assert distribution.distribution() is glob
    with outer.scope() as entered:
        assert entered is outer and distribution.distribution() is outer
        with inner.scope():
            assert distribution.distribution() is inner
        assert distribution.distribution() is outer
    assert distribution.distribution() is glob
    distribution.set_distribution(None)
    assert distribution.distribution() is None


@pytest.mark.parametrize("name", backends.names())
def test_every_backend_distribution_lib_has_every_function(name):
    if name not in backends.available():
        pytest.skip(f"backend {name!r} not installed")
    lib = importlib.import_module(f"mini_keras.backends.{name}.distribution_lib")
    missing = [fn for fn in api.BACKEND_LIB_FUNCTIONS if not callable(getattr(lib, fn, None))]
    assert not missing, f"mini_keras.backends.{name}.distribution_lib lacks {missing}"
    assert api.backend_lib(name) is lib


def test_numpy_backend_refuses_a_distribution():
    with backends.backend_scope("numpy"):
        dist = distribution.DataParallel()  # numpy's one device, "cpu:0"
        assert dist.device_mesh.devices == ["cpu:0"]
        with dist.scope(), pytest.raises(ValueError, match=r"numpy backend .* cannot place "
                                                           r"variable '.*kernel'.*DataParallel"):
            layers.Dense(2).build((None, 3))
        with pytest.raises(ValueError, match="numpy backend has only the device 'cpu:0'"):
            distribution.list_devices("gpu")
