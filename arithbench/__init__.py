"""arithbench: a bit-accurate hardware arithmetic simulator.

The public API (:mod:`arithbench.api`): ``quantize``, ``dequantize``, ``quantize_scaled`` (codes
and scales per tensor, channel or group: NVFP4, MX, int4, nf4, ...), ``configure`` -> a unit
with ``model``, ``verilog``, ``generate``, ``verify``, ``prove``, ``vectors``, ``mutate``,
``bench``, ``error`` and ``cost``; ``error`` (the error studies), ``report``, ``sweep`` and
``claims``, as the commands of the same names; the errors they raise
(``ArithbenchError``: ``UsageError`` for bad input, ``ToolError`` when a tool fails,
``MismatchError`` when arithbench's own RTL disagrees with its model). Loaded on first use, so
that ``import arithbench`` stays light.
"""

__version__ = "0.1.0"

ERRORS = ("ArithbenchError", "UsageError", "ToolError", "MismatchError")
CALLS = ("quantize", "dequantize", "quantize_scaled", "configure", "error", "report", "sweep", "claims")
__all__ = [*CALLS, *ERRORS, "__version__"]


def __getattr__(name: str):
    if name in CALLS:
        from . import api

        return getattr(api, name)
    if name in ERRORS:
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'arithbench' has no attribute {name!r}")
