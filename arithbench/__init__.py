"""arithbench: a bit-accurate hardware arithmetic simulator.

The public API (:mod:`arithbench.api`): ``quantize``, ``dequantize``, ``configure`` -> a unit
with ``model``, ``verilog``, ``verify`` and ``cost``. Loaded on first use, so that
``import arithbench`` stays light.
"""

__version__ = "0.1.0"

__all__ = ["quantize", "dequantize", "configure", "UsageError", "__version__"]


def __getattr__(name: str):
    if name in ("quantize", "dequantize", "configure"):
        from . import api

        return getattr(api, name)
    if name == "UsageError":
        from .errors import UsageError

        return UsageError
    raise AttributeError(f"module 'arithbench' has no attribute {name!r}")
