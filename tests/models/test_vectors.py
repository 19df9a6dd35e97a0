"""Vector plans: ``--vectors N`` gives N seeded vectors plus every pair of corner patterns for
two-operand units, exactly N for the others, and the seed changes them."""

import numpy as np
import pytest

from arithbench.catalog import configure, units
from arithbench.cli import main
from arithbench.errors import UsageError
from arithbench.models.formats import float_format
from arithbench.unit import VectorPlan
from arithbench.vectors import float_corners, float_pairs, int_corners, int_pairs, uniform_codes


def _count(inputs):
    return len(next(iter(inputs.values())))


@pytest.mark.parametrize("make,corners", [
    (lambda n, s: int_pairs(8, n, s), int_corners(8)),
    (lambda n, s: float_pairs(float_format("bf16"), n, s), float_corners(float_format("bf16"))),
])
@pytest.mark.parametrize("n", [1, 10, 200_000])
def test_pairs_are_every_corner_pair_then_n_seeded_random_ones(make, corners, n):
    pairs = len(corners) ** 2
    one, two = make(n, 1), make(n, 2)
    assert _count(one) == _count(two) == pairs + n
    seen = set(zip(one["a"][:pairs].tolist(), one["b"][:pairs].tolist()))
    assert seen == {(int(a), int(b)) for a in corners for b in corners}
    for port in ("a", "b"):
        np.testing.assert_array_equal(one[port][:pairs], two[port][:pairs])
    assert any((one[p][pairs:] != two[p][pairs:]).any() for p in ("a", "b"))


@pytest.mark.parametrize("name", sorted(units()))
def test_every_unit_plans_n_plus_its_corner_pairs_or_exactly_n_and_the_seed_matters(name):
    config = configure(name)
    one, two = (config.vectors(VectorPlan(10, seed)) for seed in (1, 2))
    corner_pairs = _count(config.vectors(VectorPlan(1, 1))) - 1
    assert _count(one) == _count(two) == 10 + corner_pairs
    assert any(not np.array_equal(one[p], two[p]) for p in one), "the seed changes nothing"


@pytest.mark.parametrize("name,params", [("int8_mac", {}), ("fp8_mac", {}), ("lmul_mac", {"fmt": "e5m2"}),
                                         ("fp8_mac", {"round": "sr"})])
def test_macs_give_exactly_the_count_on_both_sides_of_their_full_grid(name, params):
    config = configure(name, params)
    default = config.default_count()
    for n in (1_000, 900_000, default):  # below and above the full grid (983,040 or 1,048,576)
        assert _count(config.vectors(VectorPlan(n, 1))) == n


@pytest.mark.parametrize("name", ["int8_mac", "int16_fma", "fp8_mac", "lmul_mac"])
def test_a_mac_refuses_an_exhaustive_plan_instead_of_sampling_or_giving_none(name):
    with pytest.raises(UsageError, match=f"{name}: exhaustive testing needs 2\\*\\*\\d+ vectors"):
        configure(name).vectors(VectorPlan(None, 1))


def test_vector_files_with_other_seeds_differ(tmp_path, capsys):
    texts = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.vec"
        assert main(["vectors", "int_mul", "--vectors", "10", "--seed", seed, "-o", str(out)]) == 0
        texts.append(out.read_text().splitlines()[2:])
    captured = capsys.readouterr()
    pairs = len(int_corners(8)) ** 2
    assert f"wrote {tmp_path / 'seed1.vec'}: {pairs + 10:,} vectors" in captured.out
    assert f"note: {pairs + 10:,} vectors: the 10 asked for plus every pair of corner patterns" in captured.err
    assert len(texts[0]) == pairs + 10 and texts[0][:pairs] == texts[1][:pairs] and texts[0][pairs:] != texts[1][pairs:]


@pytest.mark.parametrize("width", [4, 16, 64, 80, 256])
def test_uniform_codes_fill_their_width_and_no_more(width):
    codes = uniform_codes(width, 4_000, 3)
    words = codes.reshape(len(codes), -1)
    top = width - 64 * (words.shape[1] - 1)
    assert words.shape[1] == -(-width // 64) and (codes.ndim == 1) == (width <= 64)
    assert int(words[:, -1].max()) < (1 << top) and int(words[:, -1].max()) >= (1 << top) * 3 // 4
    assert not np.array_equal(codes, uniform_codes(width, 4_000, 4))
