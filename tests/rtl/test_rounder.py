"""The RTL rounder (``round_and_pack``) against the model's (``codec.pack``), written apart from
each other, on random exact values ``(-1)**sign * sig * 2**exp`` in an in-process Amaranth
simulation: every format family (OCP with and without inf, IEEE, P3109, finite, bf16) and every
rounding mode, both overflow policies; some vectors flagged NaN or inf (the raw float's special
values, which override the value)."""

import zlib

import numpy as np
import pytest
from amaranth.hdl import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from arithbench.models.codec import ROUNDINGS, pack
from arithbench.models.formats import float_format
from arithbench.models.rounding import Rounding
from arithbench.rtl.float_logic import EXP_WIDTH, random_bits, random_ports, round_and_pack

SIG_BITS, RBITS, VECTORS = 24, 8, 384
FORMATS = ("e4m3", "e5m2", "fp16", "bf16", "binary8p3", "binary8p1", "e2m1", "e3m2")


class Rounder(wiring.Component):
    def __init__(self, fmt, rounding: Rounding, sat):
        self.fmt, self.rounding, self.sat = fmt, rounding, sat
        ports = {"sign": In(1), "sig": In(SIG_BITS), "exp": In(signed(EXP_WIDTH)), "nan": In(1), "inf": In(1),
                 "y": Out(fmt.bits)}
        super().__init__({**ports, **random_ports(rounding)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.y.eq(round_and_pack(m, self.fmt, sign=self.sign, sig=self.sig, exp=self.exp,
                                             rounding=self.rounding, sat=self.sat, name="rp",
                                             random=random_bits(self, self.rounding),
                                             nan=self.nan, inf=self.inf))
        return m


def vectors(fmt, seed):
    """Signs, significands (zeros, single bits, random widths) and exponents that put the value
    anywhere from below the subnormal range to past the largest finite value."""
    rng = np.random.default_rng(seed)
    width = rng.integers(1, SIG_BITS + 1, VECTORS)
    sig = rng.integers(0, 1 << SIG_BITS, VECTORS) >> (SIG_BITS - width)
    sig[::16] = 0
    sig[1::16] = 1 << rng.integers(0, SIG_BITS, len(sig[1::16]))
    top = rng.integers(fmt.emin - fmt.man_bits - 3, fmt.emax + 3, VECTORS)  # exponent of the leading bit
    exp = top - np.maximum(np.frexp(sig.astype(np.float64))[1] - 1, 0)
    special = rng.integers(0, 16, VECTORS)  # 1: NaN, 2: inf, else the value
    return (rng.integers(0, 2, VECTORS), sig.astype(np.int64), exp.astype(np.int64), rng.integers(0, 1 << RBITS, VECTORS),
            special == 1, special == 2)


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("name", FORMATS)
def test_rtl_rounder_matches_the_model(name, rounding):
    fmt = float_format(name)
    for sat in (True, False) if fmt.has_inf or fmt.nan_code is not None else (True,):
        sign, sig, exp, random, nan, inf = vectors(fmt, zlib.crc32(f"{name} {rounding} {sat}".encode()))
        expected = pack(fmt, sign.astype(bool), sig, exp, rounding, sat,
                        random if rounding == "sr" else None, RBITS, nan=nan, inf=inf)
        dut = Rounder(fmt, Rounding.of(rounding, RBITS), sat)
        got = []

        async def bench(ctx):
            for i in range(VECTORS):
                ctx.set(dut.sign, int(sign[i]))
                ctx.set(dut.sig, int(sig[i]))
                ctx.set(dut.exp, int(exp[i]))
                ctx.set(dut.nan, int(nan[i]))
                ctx.set(dut.inf, int(inf[i]))
                if rounding == "sr":
                    ctx.set(dut.r, int(random[i]))
                got.append(ctx.get(dut.y))

        sim = Simulator(dut)
        sim.add_testbench(bench)
        sim.run()
        bad = [(int(sign[i]), hex(sig[i]), int(exp[i]), hex(got[i]), hex(expected[i]))
               for i in range(VECTORS) if got[i] != expected[i]]
        assert not bad, f"{name} {rounding} sat={sat}: (sign, sig, exp, rtl, model) {bad[:5]}"
