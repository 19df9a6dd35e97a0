"""Golden model of the integer adder."""

from __future__ import annotations

import numpy as np

from .formats import IntFormat


def int_add(fmt: IntFormat, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b`` of two ``fmt`` codes with the carry kept: ``bits + 1`` result bits, as a code
    (two's complement when signed)."""
    from .codec import int_value

    return (int_value(fmt, a) + int_value(fmt, b)) & ((1 << (fmt.bits + 1)) - 1)
