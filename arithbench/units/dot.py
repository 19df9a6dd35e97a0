"""Catalog entry: the k-term dot-product unit (see :mod:`arithbench.models.dot` for its definition)."""

import numpy as np

from ..errors import UsageError
from ..models.block import join_codes, mx_quantize, nvfp4_quantize, split_codes
from ..models.codec import ROUNDINGS, decode, encode, int_value
from ..models.dot import ACCUMULATORS, INT_ELEMENTS, MX_ELEMENTS, SCALES, element, exact_width, terms
from ..models.dot_fast import dot
from ..models.formats import LOOKUP_FORMATS, IntFormat, float_format
from ..models.rounding import Mode
from ..params import CLOCKED, RBITS, Param
from ..rtl.dot import Dot
from ..unit import UnitConfig, VectorPlan, register
from ..vectors import float_corners, int_corners

#: The widest exact sum arithbench builds; wider operand pairs take ``sum=window``.
MAX_EXACT_BITS = 128
#: Accumulator values every element combination meets in the exhaustive plan.
ACC_VALUES = (0.0, -0.0, 1.0, -1.5, 0.375, -7.0, 1e4, 3e-5, np.inf, -np.inf, np.nan)
#: Scale code pairs of the exhaustive plan: unit scales, far apart, NaN (MX: E8M0; NVFP4: e4m3).
SCALE_PAIRS = {"mx": ((127, 127), (120, 140), (0, 254), (255, 127)),
               "nvfp4": ((0x38, 0x38), (0x08, 0x7e), (0x00, 0x38), (0x7f, 0x38), (0xb8, 0x40))}


def _check_element(name: str) -> None:
    if name in INT_ELEMENTS or name in LOOKUP_FORMATS:
        return
    try:
        element(name)
    except ValueError as exc:
        raise UsageError(f"dot: {exc}: use int4, int8, nf4 or a signed float format such as e2m1, e4m3, e5m2, "
                         "e4m3fnuz, binary8p3, fp16 or bf16") from None


def _format(name: str):
    """The codec's format of a float or lookup element."""
    return LOOKUP_FORMATS.get(name) or float_format(name)


ELEMENT_HINT = ("int4, int8, nf4 (QLoRA's table) or a signed float format of at most 16 bits (e2m1 .. e5m2, fnuz, "
                "binary8pP, fp16, bf16)")


def _default_acc(values: dict) -> str:
    integers = values["a"] in INT_ELEMENTS and values["b"] in INT_ELEMENTS
    return "int32" if integers and values["scale"] == "none" else "fp32"


def _default_sat(values: dict) -> bool:
    return False if values["acc"] == "int32" else float_format(values["acc"]).saturates_by_default


@register
class DotUnit(UnitConfig):
    name = "dot"
    doc = ("y = round_acc(c + sum_i sa*sb*a_i*b_i): k-term dot product, mixed element formats, MX or NVFP4 scales, "
           "the internal sum exact or kept to a window of W bits.")
    role = "block"
    shown = ({"a": "e2m1", "k": "16", "scale": "nvfp4"},)
    params = (
        Param("a", "text", "e4m3", "format of the elements of a", check=_check_element, hint=ELEMENT_HINT),
        Param("b", "text", None, "format of the elements of b (default: a)", default_from="a", check=_check_element,
              hint=ELEMENT_HINT),
        Param("k", "int", 4, "terms per operation", hint="1 to 64"),
        Param("scale", "choice", "none", "block scales: none; mx (one E8M0 scale per operand, k divides 32); nvfp4 "
              "(one e4m3 scale per operand, e2m1 elements, k divides 16)", choices=tuple(SCALES), quiet_default=True),
        Param("acc", "choice", "int32 for integer elements without scales, else fp32",
              "accumulator format of c and y", choices=ACCUMULATORS, default_rule=_default_acc),
        Param("sum", "choice", "exact", "internal sum: exact, or window (W bits below the largest term kept)",
              choices=("exact", "window"), quiet_default=True),
        Param("window", "int", 0, "bits the window keeps (sum=window; default 24 there, 0 for the exact sum)",
              hint="1 to the exact sum's width", default_rule=lambda values: 24 if values["sum"] == "window" else 0,
              only_with=("sum", "window"), quiet_default=True),
        Param("align", "choice", "trunc", "how terms are cut to the window: trunc (drop the bits) or rne",
              choices=("trunc", "rne"), only_with=("sum", "window"), quiet_default=True),
        Param("round", "choice", Mode.RNE, "rounding into acc (sr: stochastic, rbits random bits on port r)",
              choices=ROUNDINGS, quiet_default=True),
        RBITS,
        Param("sat", "bool", "false (IEEE accumulators overflow to inf; int32 wraps)",
              "saturate overflow to +-max", choices=("nosat", "sat"), default_rule=_default_sat),
        CLOCKED,
    )

    def check(self):
        name, k = self.name, self.k
        ints = [f for f in (self.a, self.b) if f in INT_ELEMENTS]
        if self.acc == "int32":
            if len(ints) < 2 or self.scale != "none":
                raise UsageError(f"{name}: acc=int32 takes integer elements (int4, int8) without scales, not "
                                 f"a={self.a} b={self.b} scale={self.scale}: use acc=fp32, bf16 or fp16")
            if self.sum != "exact" or self.round != Mode.RNE:
                raise UsageError(f"{name}: an int32 accumulator sums exactly and never rounds: leave sum and round out")
        _, block = SCALES[self.scale]
        if not 1 <= k <= 64 or block % k and self.scale != "none":
            allowed = "1 to 64" if self.scale == "none" else \
                f"a divisor of {block} (one scale per operand serves a block of {block}: the unit takes one " \
                "block or an equal part of one)"
            raise UsageError(f"{name}: k must be {allowed} with scale={self.scale}, not {k}")
        if self.scale == "mx" and not {self.a, self.b} <= set(MX_ELEMENTS):
            raise UsageError(f"{name}: scale=mx takes MX elements ({', '.join(MX_ELEMENTS)}; int8 is MXINT8), "
                             f"not a={self.a} b={self.b}")
        if self.scale == "nvfp4" and (self.a, self.b) != ("e2m1", "e2m1"):
            raise UsageError(f"{name}: scale=nvfp4 takes e2m1 elements, not a={self.a} b={self.b}")
        width = self.exact_width
        if self.sum == "window" and not 1 <= self.window <= width:
            raise UsageError(f"{name}: window must be 1 to {width} bits (the exact sum of these {k} products is "
                             f"{width} bits wide), not {self.window}")
        if self.sum == "exact" and self.acc != "int32" and width > MAX_EXACT_BITS:
            raise UsageError(f"{name}: an exact sum of {k} {self.a} x {self.b} products needs {width} bits, more "
                             f"than the {MAX_EXACT_BITS} arithbench builds: use -p sum=window -p window=W")

    @property
    def exact_width(self) -> int:
        return exact_width(element(self.a, self.scale), element(self.b, self.scale), self.k, self.scale)

    @property
    def widths(self) -> tuple[int, int]:
        return element(self.a, self.scale).bits, element(self.b, self.scale).bits

    @property
    def acc_bits(self) -> int:
        return 32 if self.acc == "int32" else float_format(self.acc).bits

    def compute(self, v):
        wa, wb = self.widths
        r = self.rounding
        y = dot(split_codes(v["a"], wa, self.k), split_codes(v["b"], wb, self.k), v["c"], a_fmt=self.a,
                b_fmt=self.b, acc=self.acc, scale=self.scale, sa=v.get("sa"), sb=v.get("sb"),
                window=self.window if self.sum == "window" else None, align=self.align, rounding=r, sat=self.sat,
                random=r.random(v))
        return {"y": y.astype(np.uint64)}

    def circuit(self):
        return Dot(self.a, self.b, self.k, self.scale, self.acc, self.window if self.sum == "window" else None,
                   self.align, self.rounding, self.sat)

    # -- vectors ----------------------------------------------------------------------------

    def default_count(self):
        return None if self.k * sum(self.widths) <= 16 else 100_000

    def make_vectors(self, plan: VectorPlan):
        inputs = self._exhaustive() if plan.count is None else self._random(plan.count, plan.seed)
        return self.rounding.with_random_bits(inputs, plan.count is None, plan.seed)

    def _acc_codes(self, values) -> np.ndarray:
        if self.acc == "int32":
            return np.asarray(values, np.int64).astype(np.uint64) & np.uint64(0xFFFFFFFF)
        return encode(float_format(self.acc), np.asarray(values, np.float64)).astype(np.uint64)

    def _exhaustive(self):
        """Every combination of the ``2k`` element codes, crossed with accumulator values and,
        with scales, with :data:`SCALE_PAIRS`."""
        wa, wb = self.widths
        bits = self.k * (wa + wb)
        if bits > 16:
            raise UsageError(f"dot: exhaustive covers every element combination only when k*(bits(a) + bits(b)) "
                             f"<= 16, here {bits}: give --vectors N")
        if self.acc == "int32":
            accs = np.array(sorted({0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFF00, 0x800000FF, 12345}),
                            np.uint64)
        else:
            accs = np.unique(self._acc_codes(ACC_VALUES))
        a, b = (g.ravel() for g in np.meshgrid(np.arange(1 << (self.k * wa), dtype=np.uint64),
                                               np.arange(1 << (self.k * wb), dtype=np.uint64), indexing="ij"))
        scales = np.array(SCALE_PAIRS.get(self.scale, ((0, 0),)), np.uint64)
        grid = np.meshgrid(np.arange(len(scales)), np.arange(len(accs)), np.arange(len(a)), indexing="ij")
        s, c, e = (g.ravel() for g in grid)
        out = {"a": a[e], "b": b[e], "c": accs[c]}
        if self.scale != "none":
            out.update(sa=scales[s, 0], sb=scales[s, 1])
        return out

    def _elements(self, name: str, values: np.ndarray) -> np.ndarray:
        """Values to element codes (integers rounded and clipped, floats RNE, saturating)."""
        if name in INT_ELEMENTS:
            fmt = INT_ELEMENTS[name]
            scaled = values * (64 if self.scale == "mx" and name == "int8" else 1)
            return np.clip(np.rint(scaled), fmt.min_value, fmt.max_value).astype(np.int64) & ((1 << fmt.bits) - 1)
        return encode(_format(name), values, Mode.RNE, True)

    def _corners(self, name: str) -> np.ndarray:
        if name in LOOKUP_FORMATS:
            return np.arange(1 << LOOKUP_FORMATS[name].bits, dtype=np.uint64)
        return int_corners(INT_ELEMENTS[name].bits) if name in INT_ELEMENTS else float_corners(float_format(name))

    def _random(self, n: int, seed: int) -> dict:
        """Five kinds of vectors, a fifth each: values from N(0,1) spread over a few binades;
        element codes that are corner patterns or uniform; terms whose alignment lands at the
        window's edge (``c`` W - 1, W and W + 1 binades above or below the largest product, and
        products as far apart); cancelling pairs of products, with ``c`` cancelling the rest; and
        signed zeros (nine in ten of the products zero, of the row's sign nine times in ten: a
        zero a times a positive b, or in half of them a positive a times a zero b; ``c`` a zero of
        the row's sign in half of them), for the signs of zero sums."""
        rng = np.random.default_rng(seed)
        k, (wa, wb) = self.k, self.widths
        kinds = rng.integers(0, 5, n)
        spread = 2.0 ** rng.integers(-3, 4, (n, 1))
        x = rng.standard_normal((n, k)) * spread * 2.0 ** rng.integers(-2, 3, (n, k)) * (kinds[:, None] != 2)
        y = rng.standard_normal((n, k)) * spread
        edge = self.window if self.sum == "window" else (24 if self.acc == "int32" else
                                                         float_format(self.acc).man_bits + 1)
        # Window edges: products 2**-(W-1 .. W+1) below the first one.
        offsets = edge + rng.integers(-2, 2, (n, k))
        offsets[:, 0] = 0
        x = np.where(kinds[:, None] == 2, rng.choice([-1.0, 1.0], (n, k)) * 2.0 ** -(offsets // 2), x)
        y = np.where(kinds[:, None] == 2, rng.choice([-1.0, 1.0], (n, k)) * 2.0 ** -(offsets - offsets // 2), y)
        ca, cb = self._elements(self.a, x), self._elements(self.b, y)
        # Cancelling pairs: element 2j+1 is element 2j with a's sign flipped.
        cancel = kinds == 3
        if k > 1:
            pairs = np.arange(0, k - 1, 2)
            flip = np.int64(1 << (wa - 1))
            ca[np.ix_(cancel, pairs + 1)] = self._negated(self.a, ca[np.ix_(cancel, pairs)], flip)
            cb[np.ix_(cancel, pairs + 1)] = cb[np.ix_(cancel, pairs)]
        raw = kinds == 1
        for codes, name, w in ((ca, self.a, wa), (cb, self.b, wb)):
            corners = self._corners(name)
            pick = np.where(rng.random((n, k)) < 0.5, corners[rng.integers(0, len(corners), (n, k))],
                            rng.integers(0, 1 << w, (n, k)))
            codes[raw] = pick[raw].astype(np.int64)
        # Signed zeros: a's elements zeros, nine in ten of their row's sign, times positive b.
        row_negative = rng.random(n) < 0.5
        zeros = (kinds[:, None] == 4) & (rng.random((n, k)) < 0.9)
        negative = np.where(rng.random((n, k)) < 0.9, row_negative[:, None], ~row_negative[:, None])
        # Half of those zeros are b's instead, times a positive a: a zero product flags either side.
        in_b = zeros & (rng.random((n, k)) < 0.5)
        ca[zeros & ~in_b] = self._signed_zeros(self.a, negative[zeros & ~in_b])
        ca[in_b] = self._positive(self.a, ca[in_b])
        cb[kinds == 4] = self._positive(self.b, cb[kinds == 4])
        cb[in_b] = self._signed_zeros(self.b, negative[in_b])
        out = {"a": join_codes(ca, wa), "b": join_codes(cb, wb)}
        scales = self._scales(n, kinds, rng)
        out.update(scales)
        out["c"] = self._accumulators(out, kinds, row_negative, edge, rng)
        return out

    def _signed_zeros(self, name: str, negative: np.ndarray) -> np.ndarray:
        """Codes of +0, or -0 where ``negative`` and the format has -0."""
        if name in LOOKUP_FORMATS:
            return np.full(len(negative), encode(LOOKUP_FORMATS[name], np.zeros(1))[0], np.int64)
        if name in INT_ELEMENTS or not float_format(name).has_negative_zero:
            return np.zeros(len(negative), np.int64)
        return negative.astype(np.int64) * float_format(name).sign_mask

    def _positive(self, name: str, codes: np.ndarray) -> np.ndarray:
        """Codes of the magnitudes (integers: as they are; nf4: its nearest value, the table is
        not symmetric)."""
        if name in INT_ELEMENTS:
            return codes
        if name in LOOKUP_FORMATS:
            return self._elements(name, np.abs(decode(LOOKUP_FORMATS[name], codes)))
        return codes & ~float_format(name).sign_mask

    def _negated(self, name: str, codes: np.ndarray, flip: np.int64) -> np.ndarray:
        """Codes of minus the values (nf4: the nearest value to it, exact for +-1 only)."""
        if name in INT_ELEMENTS:
            bits = INT_ELEMENTS[name].bits
            return (-codes) & ((1 << bits) - 1)
        if name in LOOKUP_FORMATS:
            return self._elements(name, -decode(LOOKUP_FORMATS[name], codes))
        return codes ^ flip

    def _scales(self, n: int, kinds: np.ndarray, rng) -> dict:
        if self.scale == "none":
            return {}
        if self.scale == "mx":
            sensible = 127 + rng.integers(-8, 9, (2, n))
            corners = np.array([0, 1, 126, 127, 128, 253, 254, 255])
        else:
            sensible = encode(float_format("e4m3"), 2.0 ** rng.uniform(-6, 6, (2, n))).astype(np.int64)
            corners = np.array([0x00, 0x01, 0x08, 0x38, 0x7e, 0x7f, 0x80, 0xb8, 0xfe, 0xff])
        raw = np.where(rng.random((2, n)) < 0.5, corners[rng.integers(0, len(corners), (2, n))],
                       rng.integers(0, 256, (2, n)))
        codes = np.where(kinds == 1, raw, sensible).astype(np.uint64)
        return {"sa": codes[0], "sb": codes[1]}

    def _accumulators(self, v: dict, kinds: np.ndarray, row_negative: np.ndarray, edge: int, rng) -> np.ndarray:
        """``c``: per the vectors' own kind (see :meth:`_random`); for the edge
        kind, a power of two times a random significand placed ``edge - 1``, ``edge`` or
        ``edge + 1`` binades above or below the sum of the products; for cancellation, minus that
        sum; for the signed zeros, a zero of the row's sign in half of them."""
        n = len(kinds)
        zero = {"c": np.zeros(n, np.uint64)}
        if self.acc == "int32":
            products = self.compute({**{k: v[k] for k in v}, **zero})["y"]
            total = (products.astype(np.int64) ^ 0x80000000) - 0x80000000
            corners = np.array([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFF00, 0x800000FF], np.int64)
            c = np.select([kinds == 1, kinds == 3], [corners[rng.integers(0, len(corners), n)], -total],
                          rng.integers(-(1 << 20), 1 << 20, n))
            return self._acc_codes(c)
        acc = float_format(self.acc)
        plain = {**v, **zero}
        with np.errstate(invalid="ignore", over="ignore"):
            total = self._value(plain)
        finite = np.isfinite(total) & (total != 0)
        _, e = np.frexp(np.where(finite, total, 1.0))
        shift = rng.choice([-1, 1], n) * (edge + rng.integers(-1, 2, n))
        edge_values = rng.choice([-1.0, 1.0], n) * (1 + rng.random(n)) * np.ldexp(1.0, (e - 1 + shift).astype(np.int32))
        corners = float_corners(acc)
        values = np.select([kinds == 2, kinds == 3], [edge_values, -np.where(finite, total, 0.0)],
                           rng.standard_normal(n) * 4)
        codes = self._acc_codes(values)
        zero = (kinds == 4) & (rng.random(n) < 0.5)
        codes = np.where(zero, row_negative.astype(np.uint64) << np.uint64(acc.bits - 1), codes)
        return np.where(kinds == 1, corners[rng.integers(0, len(corners), n)], codes).astype(np.uint64)

    def _value(self, v: dict) -> np.ndarray:
        """The sum of the terms, as the exact-sum model rounds it into fp32 (for placing ``c``)."""
        wa, wb = self.widths
        y = dot(split_codes(v["a"], wa, self.k), split_codes(v["b"], wb, self.k),
                np.zeros(len(v["a"]), np.int64), a_fmt=self.a, b_fmt=self.b, acc="fp32", scale=self.scale,
                sa=v.get("sa"), sb=v.get("sb"))
        return decode(float_format("fp32"), y)

    def block_inputs(self, x: np.ndarray, y: np.ndarray) -> dict:
        """Rows of ``x`` and ``y`` (``(n, k)`` values) as the unit's inputs with ``c = 0``: each
        row one block, quantized as its scale type says (MX: the OCP scale rule, RNE elements;
        NVFP4: :func:`nvfp4_quantize`; none: the elements rounded RNE, saturating, integers
        included, so that ``y`` estimates the dot product of the rows themselves)."""
        (wa, wb), n = self.widths, len(x)
        out = {"c": self._acc_codes(np.zeros(n))}
        for side, values, name, w in (("a", x, self.a, wa), ("b", y, self.b, wb)):
            if self.scale == "mx":
                scales, codes = mx_quantize(values.ravel(), name, self.k)
            elif self.scale == "nvfp4":
                scales, codes = nvfp4_quantize(values.ravel(), self.k)
            else:
                scales, codes = None, self._elements(name, values)
            out[side] = join_codes(np.asarray(codes).reshape(n, self.k), w)
            if scales is not None:
                out[f"s{side}"] = np.asarray(scales).astype(np.uint64)
        return out

    def exact(self, v: dict) -> np.ndarray:
        """``c + sum t_i`` of the decoded terms, summed in float64 (NaN and infinities where the
        unit gives them): the reference of the unit's one rounding. ``c`` comes decoded, the
        element and scale ports as codes."""
        wa, wb = self.widths
        a, b = split_codes(v["a"], wa, self.k), split_codes(v["b"], wb, self.k)
        c = np.asarray(v["c"], np.float64)
        if self.acc == "int32":
            ints = [INT_ELEMENTS[f] for f in (self.a, self.b)]
            return c + (int_value(ints[0], a) * int_value(ints[1], b)).sum(axis=1)
        zero = np.zeros(len(c), np.int64)
        t = terms(a, b, zero, a_fmt=self.a, b_fmt=self.b, acc=self.acc, scale=self.scale, sa=v.get("sa"),
                  sb=v.get("sb"))
        with np.errstate(over="ignore", invalid="ignore"):
            values = np.where(t.finite, np.where(t.negative, -1.0, 1.0) * np.ldexp(t.sig.astype(np.float64),
                                                                                  t.exp.astype(np.int32)), 0.0)
            total = values.sum(axis=1) + c
        total = np.where(t.inf, np.where(t.inf_negative, -np.inf, np.inf), total)
        return np.where(t.nan, np.nan, total)

    # -- description ------------------------------------------------------------------------

    def macs(self):
        return self.k

    def port_formats(self):
        acc = IntFormat(32) if self.acc == "int32" else float_format(self.acc)
        return {"c": acc, "y": acc}

    def ops(self):
        """Per term: a significand multiply and an add into the sum (the window's or the exact
        one); NVFP4's scale product and its multiply into the sum; the rounding's operations."""
        a, b = element(self.a, self.scale), element(self.b, self.scale)
        sig = max(a.sig_bits, b.sig_bits)
        width = self.window + 2 if self.sum == "window" else self.exact_width
        scales = [("int_mul", 4), ("int_mul", width)] if self.scale == "nvfp4" else []  # e4m3 x e4m3, sum x scale
        return [("int_mul", sig), ("int_add", width)] * self.k + scales + self.rounding.ops()
