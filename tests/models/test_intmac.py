"""INT16 FMA and INT8 MAC against an independent int64 statement of the VNNI semantics."""

import numpy as np

from arithbench.models.intmac import int8_mac, int16_fma


def _vnni(a0, b0, a1, b1, c, saturate):
    """VPDPWSSD[S] written from the instruction text: signed words, dword accumulator."""
    s16 = lambda x: x.astype(np.uint16).view(np.int16).astype(np.int64)  # noqa: E731
    s32 = c.astype(np.uint32).view(np.int32).astype(np.int64)
    total = s32 + s16(a0) * s16(b0) + s16(a1) * s16(b1)
    if saturate:
        total = np.minimum(np.maximum(total, np.iinfo(np.int32).min), np.iinfo(np.int32).max)
    wrapped = ((total + 2**31) % 2**32) - 2**31
    return wrapped.astype(np.int32).view(np.uint32).astype(np.uint64)


def test_int16_fma_matches_vnni_on_ten_million_vectors():
    rng = np.random.default_rng(11)
    checked = 0
    extremes16 = np.array([0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x8001, 0x7FFE], dtype=np.uint64)
    extremes32 = np.array([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFF0000, 0x80010000], dtype=np.uint64)
    for chunk in range(10):
        n = 1_000_000
        ops = [rng.integers(0, 1 << 16, n, dtype=np.uint64) for _ in range(4)]
        c = rng.integers(0, 1 << 32, n, dtype=np.uint64)
        if chunk % 2:  # structured half: extremes mixed in
            ops = [np.where(rng.random(n) < 0.7, extremes16[rng.integers(0, 7, n)], o) for o in ops]
            c = np.where(rng.random(n) < 0.7, extremes32[rng.integers(0, 7, n)], c)
        for sat in (False, True):
            y, ovf = int16_fma(*ops, c, sat=sat)
            assert np.array_equal(y, _vnni(*ops, c, sat))
        checked += n
    assert checked >= 10**7


def test_overflow_flag_and_wrap_saturate_agree_without_overflow():
    a = np.array([0x8000, 0x8000, 0x0001], dtype=np.uint64)
    c = np.array([0x7FFFFFFF, 0xFFFFFFFF, 0x00000005], dtype=np.uint64)  # 2**31 - 1 fits exactly
    wrap, ovf_w = int16_fma(a, a, a, a, c, sat=False)
    sat, ovf_s = int16_fma(a, a, a, a, c, sat=True)
    assert ovf_w.tolist() == ovf_s.tolist() == [1, 0, 0]
    assert sat[0] == 0x7FFFFFFF and wrap[0] != sat[0]
    assert wrap[1:].tolist() == sat[1:].tolist() == [0x7FFFFFFF, 7]
    y, ovf = int8_mac(np.array([0x80]), np.array([0x80]), np.array([0x7FFFFFFF]), sat=True)
    assert y.tolist() == [0x7FFFFFFF] and ovf.tolist() == [1]
