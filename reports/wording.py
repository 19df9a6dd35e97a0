"""Numbers compared in words, worded from the numbers: no "0% less", no "0.00x".

A ratio prints with three significant digits, trailing zeros kept (1.00x, not 1x), and as a
whole number from 100 up; two figures within :data:`SAME` of each other are said to be equal
within that margin.
"""

from __future__ import annotations

#: Figures closer than this (relative) are "the same": the cost flow's own noise is about this size.
SAME = 0.01


def ratio(r: float) -> str:
    """``r`` as a multiple: ``"0.00196x"``, ``"1.00x"``, ``"3.24x"``, ``"192x"``; never rounded to 0."""
    if r != r or r in (float("inf"), float("-inf")):
        return "unbounded"
    return f"{r:,.0f}x" if abs(r) >= 100 else f"{r:#.3g}x"


def against(a: float, b: float) -> str:
    """How ``a`` compares with ``b``, to go before "the other's": ``"within 1% of"``, ``"7.2%
    above"``, ``"35% below"``, ``"2.5x"`` (twice or more), ``"1/3.1 of"`` (half or less)."""
    if not b:
        return "unbounded against"
    r = a / b
    if abs(r - 1) < SAME:
        return f"within {SAME:.0%} of"
    if r >= 2:
        return ratio(r)
    if r <= 0.5:
        return f"1/{ratio(1 / r)[:-1]} of"
    change = abs(r - 1)
    return f"{100 * change:.2g}% {'above' if r > 1 else 'below'}"
