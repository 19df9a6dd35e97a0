"""Integer multiply-accumulate models: INT16 pair FMA into INT32 (AVX-512 VNNI semantics) and
the INT8 MAC.

``int16_fma``: ``y = c + a0*b0 + a1*b1`` on signed INT16 operands into a signed INT32
accumulator, exactly as VPDPWSSD (wrap modulo 2**32) or VPDPWSSDS (saturate to
[-2**31, 2**31 - 1]); ``ovf`` is 1 when the exact sum is outside the INT32 range (in both
modes). ``int8_mac``: ``y = c + a*b`` on signed INT8 operands, same accumulator rules.
"""

from __future__ import annotations

import numpy as np

from .codec import int_value
from .formats import IntFormat

INT8, INT16, INT32 = IntFormat(8), IntFormat(16), IntFormat(32)
LOW, HIGH = -(1 << 31), (1 << 31) - 1


def accumulate(exact: np.ndarray, sat: bool) -> tuple[np.ndarray, np.ndarray]:
    """Exact int64 sums to (INT32 result code, overflow flag)."""
    overflow = (exact < LOW) | (exact > HIGH)
    result = np.clip(exact, LOW, HIGH) if sat else exact
    return (result & 0xFFFFFFFF).astype(np.uint64), overflow.astype(np.uint64)


def int16_fma(a0, b0, a1, b1, c, *, sat: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(y, ovf) codes of ``c + a0*b0 + a1*b1``; all arguments are unsigned codes."""
    v = [int_value(INT16, x) for x in (a0, b0, a1, b1)]
    exact = int_value(INT32, c) + v[0] * v[1] + v[2] * v[3]
    return accumulate(exact, sat)


def int8_mac(a, b, c, *, sat: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(y, ovf) codes of ``c + a*b``."""
    exact = int_value(INT32, c) + int_value(INT8, a) * int_value(INT8, b)
    return accumulate(exact, sat)
