"""End-to-end error: data quantized into a unit's formats against exact arithmetic on the data,
checked against independent references (ml_dtypes, NumPy integer dot products)."""

import ml_dtypes
import numpy as np
import pytest

from arithbench.catalog import configure, units
from arithbench.reports import comparison, end_to_end
from arithbench.reports.end_to_end import Data, errors
from arithbench.reports.error import sample
from arithbench.reports.unit_error import unit_error
from arithbench.unit import ROLES

NORMAL = Data("normal")


def test_int8_multiplier_has_end_to_end_error_where_its_arithmetic_has_none():
    config = configure("int_mul", {"width": "8"})
    arithmetic, _ = unit_error(config, "normal", 10_000, 1)
    err, _ = errors(config, NORMAL)
    assert arithmetic["mean_rel"] == 0
    assert np.mean(err) > 1e-3  # per-tensor scale: small products lose most of their bits


def test_fp8_products_match_ml_dtypes_rounding_of_the_quantized_operands():
    err, _ = errors(configure("fp_mul", {"fmt": "e4m3"}), NORMAL, seed=3)
    x, y = sample("normal", end_to_end.N_PRODUCTS, 3), sample("normal", end_to_end.N_PRODUCTS, 4)
    f8 = ml_dtypes.float8_e4m3fn
    qx, qy = x.astype(f8).astype(np.float64), y.astype(f8).astype(np.float64)
    product = (qx * qy).astype(f8).astype(np.float64)  # exact in float64, one rounding to e4m3
    assert np.array_equal(err, np.abs(product - x * y) / np.abs(x * y))


def test_int8_mac_dot_products_match_an_integer_dot_product_with_per_vector_scales():
    err, overflowed = errors(configure("int8_mac"), NORMAL, seed=5)
    x = sample("normal", end_to_end.TRIALS * end_to_end.LENGTH, 5).reshape(end_to_end.TRIALS, -1)
    y = sample("normal", end_to_end.TRIALS * end_to_end.LENGTH, 6).reshape(end_to_end.TRIALS, -1)
    sx, sy = np.abs(x).max(axis=1) / 127, np.abs(y).max(axis=1) / 127
    dot = np.einsum("ij,ij->i", np.rint(x / sx[:, None]).astype(np.int64), np.rint(y / sy[:, None]).astype(np.int64))
    expected = np.abs(dot * sx * sy - np.sum(x * y, axis=1)) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    assert not overflowed.any()
    np.testing.assert_allclose(err, expected, rtol=1e-9, atol=1e-15)


def test_int16_operands_leave_the_accumulator_headroom_and_beat_int8():
    """int16 codes reach 2,896 (256 * 2,896**2 fits INT32), so no dot product overflows, and the
    int16 MAC is more precise than the int8 one, as deployed INT16 is."""
    assert end_to_end.headroom(configure("int16_fma").port_formats()["a0"], configure("int16_fma").port_formats()["y"]) \
        == 2896 and 256 * 2896**2 <= 2**31 - 1 < 256 * 2897**2
    assert end_to_end.headroom(configure("int8_mac").port_formats()["a"], configure("int8_mac").port_formats()["y"]) == 127
    err16, overflowed = errors(configure("int16_fma"), NORMAL)
    err8, _ = errors(configure("int8_mac"), NORMAL)
    assert not overflowed.any()
    assert np.mean(err16) * 10 < np.mean(err8)


def test_every_unit_with_a_role_has_finite_error_and_a_class():
    for name, spec in units().items():
        if spec.role is None:
            continue
        config = configure(name)
        err, _ = errors(config, NORMAL)
        assert len(err) and np.all(np.isfinite(err)), name
        assert end_to_end.comparison_class(config), name
        assert end_to_end.bits_per_element(config) > 0, name


def test_macs_compare_only_into_the_same_accumulator():
    into = {acc: end_to_end.comparison_class(configure("fp8_mac", {"acc": acc})) for acc in ("fp32", "fp16")}
    assert into["fp32"] != into["fp16"]
    assert end_to_end.comparison_class(configure("int8_mac")) == end_to_end.comparison_class(configure("int16_fma"))


def test_bits_per_element_count_the_shared_scale():
    assert end_to_end.bits_per_element(configure("bfp_dot", {"k": "16", "p": "4"})) == 4.5
    assert end_to_end.bits_per_element(configure("mx_dot", {"elem": "e2m1", "k": "32"})) == 4.25
    assert end_to_end.bits_per_element(configure("int16_fma")) == 16


def test_block_costs_compare_per_multiply_accumulate():
    bfp, mx = configure("bfp_dot", {"k": "16"}), configure("mx_dot", {"k": "32"})
    assert (bfp.macs(), mx.macs(), configure("int16_fma").macs(), configure("fp_mul").macs()) == (16, 32, 2, 1)
    rows = comparison.rows(
        [{"unit": c.module_name, "class": "block dot products", "data": "normal", "mean_err": 0.01,
          "bits_per_element": 4.5} for c in (bfp, mx)],
        [{"unit": bfp.module_name, "macs_per_op": 16, "area_um2": 6400.0, "energy_pj": {"normal": 8.0}},
         {"unit": mx.module_name, "macs_per_op": 32, "area_um2": 6400.0, "energy_pj": {"normal": 8.0}}])
    per_mac = {r["unit"]: (r["area_per_mac_um2"], r["energy_per_mac_pj"]) for r in rows}
    assert per_mac == {bfp.module_name: (400.0, 0.5), mx.module_name: (200.0, 0.25)}


def test_user_data_is_drawn_from_the_values_given():
    values = np.array([-2.0, 0.5, 3.0])
    drawn = Data("mine", values).draw((1000,), 1)
    assert set(np.unique(drawn)) == set(values)
    assert Data("mine", values).digest() != Data("mine", values[::-1]).digest()


@pytest.mark.parametrize("role", ROLES)
def test_measure_names_the_figure(role):
    config = next(configure(n) for n, s in units().items() if s.role == role)
    assert end_to_end.measure(config)
