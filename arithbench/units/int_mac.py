"""Catalog entries: INT16 pair FMA into INT32 (VNNI style) and the INT8 MAC."""

import numpy as np

from ..models.formats import IntFormat
from ..models.intmac import int8_mac, int16_fma
from ..errors import UsageError
from ..params import CLOCKED, Param
from ..rtl.int_mac import IntDotAcc
from ..unit import UnitConfig, VectorPlan, register
from ..vectors import crossed, int_corners, mixed, sampled

INT32 = IntFormat(32)
#: Accumulator values int8_mac is checked against for every operand pair.
ACC_CORNERS = np.array(sorted({0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x7FFFC000, 0x80003FFF, 0x7FFFFF80,
                               0x8000007F, 0x0000FFFF, 0xFFFF0000, 0x55555555, 0xAAAAAAAA, 0x00003FFF,
                               0xFFFFC001, 0x12345678}), dtype=np.uint64)
SAT = Param("sat", "bool", False, "saturate the INT32 accumulator (VPDPWSSDS) instead of wrapping (VPDPWSSD)",
            choices=("wrap", "sat"))


#: The largest spill interval: the counter is 31 bits wide.
MAX_BOUND = 2**31 - 1


def _check_bound(value):
    if not 0 <= value <= MAX_BOUND:
        raise UsageError(f"int16_fma: parameter bound must be 0 (never) to 2**31 - 1 accumulations, not {value}")


@register
class Int16FmaUnit(UnitConfig):
    name = "int16_fma"
    doc = "y = c + a0*b0 + a1*b1: INT16 pairs into an INT32 accumulator (AVX-512 VNNI VPDPWSSD[S])."
    role = "mac"
    shown = ({},)
    params = (SAT, CLOCKED, Param("bound", "int", 0, "clocked: move the partial sum out every N accumulations "
                                  "(0: never)", check=_check_bound, hint="0 (never) to 2**31 - 1", quiet_default=True))

    def check(self):
        if self.bound and not self.clocked:
            raise UsageError("int16_fma: bound moves partial sums out of the clocked unit; add -p clocked=true")

    def compute(self, v):
        y, ovf = int16_fma(v["a0"], v["b0"], v["a1"], v["b1"], v["c"], sat=self.sat)
        return {"y": y, "ovf": ovf}

    def circuit(self):
        return IntDotAcc(16, 2, self.sat)

    def make_vectors(self, plan: VectorPlan):
        widths = {"a0": 16, "b0": 16, "a1": 16, "b1": 16, "c": 32}
        corners = {n: int_corners(w) for n, w in widths.items()}
        return mixed(corners, widths, sampled(self.name, widths, plan.count), plan.seed)

    def default_count(self):
        return 1_000_000

    def macs(self):
        return 2

    def port_formats(self):
        return {**{n: IntFormat(16) for n in ("a0", "b0", "a1", "b1")}, "c": INT32, "y": INT32}

    def exact(self, v):
        return v["c"] + v["a0"] * v["b0"] + v["a1"] * v["b1"]

    def ops(self):
        return [("int_mul", 16), ("int_mul", 16), ("int_add", 32), ("int_add", 32)]


@register
class Int8MacUnit(UnitConfig):
    name = "int8_mac"
    doc = "y = c + a*b: INT8 operands into an INT32 accumulator; every operand pair with 16 accumulator corners."
    role = "mac"
    shown = ({},)
    params = (SAT, CLOCKED)

    def compute(self, v):
        y, ovf = int8_mac(v["a"], v["b"], v["c"], sat=self.sat)
        return {"y": y, "ovf": ovf}

    def circuit(self):
        return IntDotAcc(8, 1, self.sat)

    def make_vectors(self, plan: VectorPlan):
        """``count`` vectors in all, the full grid (every operand pair with each of
        :data:`ACC_CORNERS`) among them once ``count`` reaches its size, then uniform random
        ones; fewer than the grid: corner codes and random codes mixed (:func:`mixed`)."""
        widths = {"a": 8, "b": 8, "c": 32}
        everything = np.arange(256, dtype=np.uint64)
        count, grid = sampled(self.name, widths, plan.count), 65536 * len(ACC_CORNERS)
        if count < grid:
            corners = {"a": int_corners(8), "b": int_corners(8), "c": ACC_CORNERS}
            return mixed(corners, widths, count, plan.seed)
        return crossed({"a": everything, "b": everything, "c": ACC_CORNERS}, widths, count - grid, plan.seed)

    def default_count(self):
        return 65536 * len(ACC_CORNERS) + 200_000

    def port_formats(self):
        return {"a": IntFormat(8), "b": IntFormat(8), "c": INT32, "y": INT32}

    def exact(self, v):
        return v["c"] + v["a"] * v["b"]

    def ops(self):
        return [("int_mul", 8), ("int_add", 32)]
