"""Result dtypes agree across backends (docs/dtype_table.md is generated from the same code)."""

import importlib.util
import pathlib

import pytest

from mini_keras import backends

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("gen_dtype_table", ROOT / "scripts" / "gen_dtype_table.py")
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


@pytest.mark.parametrize("a", gen.DTYPES)
def test_add_result_dtype_agrees_across_backends(a):
    names = backends.available()
    for b in gen.DTYPES:
        results = {n: gen.result_dtype(n, a, b) for n in names}
        narrowed = {n: r.replace("64", "32") for n, r in results.items()}  # jax: x64 off
        assert len(set(narrowed.values())) == 1, (a, b, results)
        if "jax" in results and "numpy" in results:
            assert results["numpy"] == results[next(n for n in names if n != "jax")], (a, b)


def test_int_plus_low_precision_float_keeps_the_float(backend):
    bk = backends.get(backend)
    for f in ("float16", "bfloat16"):
        x = bk.cast(bk.convert_to_tensor([1, 2]), "int32")
        y = bk.cast(bk.convert_to_tensor([0.5, 1.5]), f)
        assert bk.dtype(bk.add(x, y)) == f


def test_generated_table_is_current():
    assert gen.main.__doc__
    expected = gen.render(backends.available())
    assert (ROOT / "docs" / "dtype_table.md").read_text() == expected
