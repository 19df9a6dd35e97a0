"""What the low-bit options cost in hardware, beside what they do to the error.

Each row pairs one costed configuration with rows of the low-bit study
(:mod:`arithbench.reports.lowbit_error`) that use the same arithmetic:

* ``scale rule``: the block quantizer (``block_quant``, bf16 inputs) making MXFP4 (e2m1
  elements, one E8M0 scale per 32) by each E8M0 rule, and NVFP4 (one e4m3 scale per 16, the
  fp32 tensor scale applied outside the unit) by each rounding of its scale; the error is the
  study's output error of y = W x with the weights, and with the activations, quantized that way.
* ``dequantizer``: the W4A16 and W6A16 kernels' path, element codes times an fp16 group scale
  rounded to fp16 (``dequant``, eight elements per operation); the error is the weights' in
  groups of 128 with fp16 scales.
* ``dot product``: W4A8 against W8A8 as a k = 32 ``dot`` unit: int4 x int8 and int8 x int8 into
  int32, e2m1 x e4m3 and e4m3 x e4m3 into fp32 through a 24-bit window (the same window for both,
  so that only the operands differ); the per-group and per-channel scales of the deployments are
  applied outside the unit. The error is the deployment's.

Costs per element (quantizer, dequantizer) or per multiply-accumulate (dot product): the unit's
area and Liberty energy divided by its ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import configure
from ..unit import UnitConfig
from .costs import figure


@dataclass(frozen=True)
class Option:
    """One costed configuration and the study rows it stands beside: (data, format, group,
    scale) keys of :mod:`lowbit_error` rows (rounding rne)."""

    group: str
    name: str
    unit: str
    params: tuple[tuple[str, str], ...]
    errors: tuple[tuple[str, str, str, str], ...]

    @property
    def config(self) -> UnitConfig:
        return configure(self.unit, dict(self.params))


def _quantizer(name: str, params: dict, scale: str, group: int) -> Option:
    return Option("scale rule", name, "block_quant", tuple(params.items()),
                  tuple((d, "e2m1", str(group), scale) for d in ("weights", "activations")))


def _dequantizer(elem: str) -> Option:
    return Option("dequantizer", f"{elem} x fp16 to fp16", "dequant",
                  (("elem", elem), ("scale", "fp16"), ("out", "fp16"), ("k", "8")),
                  (("weights", elem, "128", "fp16"),))


def _dot(name: str, a: str, b: str, deployment: str, fmt: str, group: str, scale: str) -> Option:
    params = {"a": a, "b": b, "k": "32"}
    if a not in ("int4", "int8"):
        params.update(acc="fp32", sum="window", window="24")
    return Option("dot product", name, "dot", tuple(params.items()), ((deployment, fmt, group, scale),))


OPTIONS = (
    _quantizer("MXFP4, floor (OCP)", {"fmt": "bf16", "elem": "e2m1", "k": "32", "rule": "floor"}, "e8m0", 32),
    _quantizer("MXFP4, ceil (= rceil)", {"fmt": "bf16", "elem": "e2m1", "k": "32", "rule": "ceil"}, "e8m0 ceil", 32),
    _quantizer("MXFP4, even (torchao)", {"fmt": "bf16", "elem": "e2m1", "k": "32", "rule": "even"}, "e8m0 even", 32),
    _quantizer("NVFP4, rne (torchao)", {"fmt": "bf16", "scale": "nvfp4", "k": "16", "tensor": "false",
                                        "rule": "rne"}, "e4m3", 16),
    _quantizer("NVFP4, rup (cuDNN)", {"fmt": "bf16", "scale": "nvfp4", "k": "16", "tensor": "false",
                                      "rule": "rup"}, "e4m3 rup", 16),
    _dequantizer("nf4"), _dequantizer("e2m1"), _dequantizer("e3m2"),
    _dot("W8A8 int8 x int8", "int8", "int8", "W8A8", "int8 / int8", "channel / channel", "fp32 / fp32"),
    _dot("W4A8 int4 x int8", "int4", "int8", "W4A8", "int4 / int8", "128 / channel", "fp16 / fp32"),
    _dot("W8A8 e4m3 x e4m3", "e4m3", "e4m3", "W8A8", "e4m3 / e4m3", "channel / channel", "fp32 / fp32"),
    _dot("W4A8 e2m1 x e4m3", "e2m1", "e4m3", "W4A8", "e2m1 / e4m3", "128 / channel", "fp16 / fp32"),
)

COLUMNS = ("group", "option", "unit", "area_um2", "area_per_element_um2", "energy_per_element_pj", "energy_data",
           "delay_ns", "error", "error_basis")


def configs() -> list[UnitConfig]:
    """The configurations the section costs."""
    return [o.config for o in OPTIONS]


def _error(study: list[dict], key: tuple[str, str, str, str]) -> float | None:
    return next((r["out_err"] for r in study if (r["data"], r["format"], r["group"], r["scale"], r["rounding"])
                 == (*key, "rne")), None)


def rows(study: list[dict], costs: dict[str, dict]) -> list[dict]:
    """One row per option (and per study row it pairs with): its unit's costs per element or
    multiply-accumulate (``costs`` by module name, :func:`arithbench.reports.costs.unit_costs`)
    beside the study's output error."""
    out = []
    for option in OPTIONS:
        config = option.config
        c, k = costs[config.module_name], config.k
        energy = c.get("energy_pj") or {}
        data = "normal" if "normal" in energy else next(iter(energy), None)
        for key in option.errors:
            out.append({"group": option.group, "option": option.name, "unit": config.module_name,
                        "area_um2": c.get("area_um2"), "delay_ns": c.get("delay_ns"),
                        "area_per_element_um2": None if c.get("area_um2") is None else c["area_um2"] / k,
                        "energy_per_element_pj": None if data is None else figure(c, ("energy_pj", data)) / k,
                        "energy_data": data or "-", "error": _error(study, key),
                        "error_basis": f"{key[0]}: {key[1]}, group {key[2]}, {key[3]} scales"})
    return out


def _row(rows_: list[dict], option: str) -> dict | None:
    return next((r for r in rows_ if r["option"] == option), None)


def finding(rows_: list[dict]) -> str | None:
    """W4A8 against W8A8 per multiply-accumulate on the same dot unit, integer and float, with
    the deployments' output errors; None without their areas."""
    from .wording import against

    parts = []
    for kind, narrow, wide in (("integer", "W4A8 int4 x int8", "W8A8 int8 x int8"),
                               ("float", "W4A8 e2m1 x e4m3", "W8A8 e4m3 x e4m3")):
        n, w = _row(rows_, narrow), _row(rows_, wide)
        if n is None or w is None or n["area_per_element_um2"] is None or w["area_per_element_um2"] is None:
            continue
        text = (f"{kind}, {narrow.split(' ', 1)[1]}'s area per multiply-accumulate is "
                f"{against(n['area_per_element_um2'], w['area_per_element_um2'])} {wide.split(' ', 1)[1]}'s "
                f"({n['area_per_element_um2']:,.0f} vs {w['area_per_element_um2']:,.0f} um^2)")
        if n["error"] is not None and w["error"] is not None:
            text += (f", with an output error {against(n['error'], w['error'])} W8A8's ({n['error']:.3g} vs "
                     f"{w['error']:.3g})")
        parts.append(text)
    if not parts:
        return None
    return "On a k = 32 dot unit, W4A8 against W8A8: " + "; ".join(parts) + "."
