"""fp_mul test vectors and Berkeley SoftFloat (softfloatpy) results for them: the oracle
shared by tests/models/test_softfloat_oracle.py (the model) and tests/sim/test_softfloat_rtl.py
(the RTL). See the former for what the vectors cover."""

from __future__ import annotations

import functools

import numpy as np

from arithbench.models.formats import float_format

import softfloatpy as sf

MODES = {
    "rne": sf.RoundingMode.NEAR_EVEN,
    "rtz": sf.RoundingMode.MIN_MAG,
    "rna": sf.RoundingMode.NEAR_MAX_MAG,
    "rup": sf.RoundingMode.MAX,
    "rdn": sf.RoundingMode.MIN,
}

#: format name -> (SoftFloat class, SoftFloat multiply, big-endian code dtype, NumPy float type)
SOFTFLOAT = {
    "fp16": (sf.Float16, sf.f16_mul, ">u2", np.float16),
    "fp32": (sf.Float32, sf.f32_mul, ">u4", np.float32),
}

SEED = 20240917
RANDOM_PAIRS = 200_000  # uniform random code pairs per format (each run in all five modes)
BIASED_PAIRS = 100_000  # products in or near the subnormal and overflow ranges
TIE_PAIRS = 20_000  # constructed exact ties
SHOWN = 8  # mismatches quoted in a failure message


# -- SoftFloat side ---------------------------------------------------------------------------
class _Operands:
    """The operands of one vector set as SoftFloat objects, converted once for all modes."""

    def __init__(self, name: str, a: np.ndarray, b: np.ndarray):
        cls, self.mul, self.dtype, _ = SOFTFLOAT[name]
        w = np.dtype(self.dtype).itemsize
        make = cls.from_bytes
        ba, bb = a.astype(self.dtype).tobytes(), b.astype(self.dtype).tobytes()
        self.a = [make(ba[i:i + w]) for i in range(0, len(ba), w)]
        self.b = [make(bb[i:i + w]) for i in range(0, len(bb), w)]

    def products(self, mode: str) -> np.ndarray:
        saved = sf.get_rounding_mode()
        sf.set_rounding_mode(MODES[mode])
        try:
            mul = self.mul
            raw = b"".join([mul(x, y).to_bytes() for x, y in zip(self.a, self.b)])
        finally:
            sf.set_rounding_mode(saved)
        return np.frombuffer(raw, self.dtype).astype(np.int64)


def is_nan(name: str, codes: np.ndarray) -> np.ndarray:
    """NaN codes by their bits alone (all-ones exponent, non-zero mantissa)."""
    fmt = float_format(name)
    codes = np.asarray(codes, np.int64)
    return ((codes >> fmt.man_bits) & fmt.exp_max_code == fmt.exp_max_code) & (codes & fmt.man_max_code != 0)


def as_float(name: str, codes: np.ndarray) -> np.ndarray:
    """Codes to float64 through NumPy's own float16/float32 (independent of the model's decode)."""
    ftype = SOFTFLOAT[name][3]
    native = np.uint16 if ftype is np.float16 else np.uint32
    return np.asarray(codes).astype(native).view(ftype).astype(np.float64)


# -- vectors ----------------------------------------------------------------------------------
def _code(name: str, negative: bool, biased_exp: int, mantissa: int) -> int:
    fmt = float_format(name)
    return (int(negative) << (fmt.bits - 1)) | (biased_exp << fmt.man_bits) | mantissa


def patterns(name: str) -> np.ndarray:
    """Special-case codes, both signs; their cross product is the pattern test."""
    fmt = float_format(name)
    m, bias, top = fmt.man_bits, fmt.bias, fmt.exp_max_code
    one = 1 << m
    carry_a, carry_b = _carry_tie_significands(m)
    # Significands (with the hidden bit): 1, 1+ulp, 1+3ulp (x 1.5 give exact ties with odd and
    # even LSB), 1.5, 1.5+ulp, 2-2ulp (x 1.5: ties in the upper binade), 2-ulp, the pair whose
    # product is 2 - ulp/2 (a tie that carries into the next binade, or past max finite).
    sigs = {one, one + 1, one + 3, one | (one >> 1), (one | (one >> 1)) + 1, 2 * one - 2, 2 * one - 1,
            carry_a, carry_b, one | (one >> 2) | 1}
    # Unbiased exponents: the smallest normal binades, the one that turns x min-normal into
    # half the min subnormal (-m-1) and its neighbours, around 1, and the top binades, so that
    # products cross the overflow and underflow boundaries (emin+emin, emin+(-m-1), emax+1, ...).
    exps = {fmt.emin, fmt.emin + 1, -m - 2, -m - 1, -m, -2, -1, 0, 1, 2, m, fmt.emax - 1, fmt.emax}
    exps = {e for e in exps if fmt.emin <= e <= fmt.emax}
    mags = {(e + bias) << m | (s - one) for e in exps for s in sigs}
    # Subnormals: min, 2, 3, half-way, max and max-1; zero; max finite and its neighbour.
    mags |= {0, 1, 2, 3, one >> 1, (one >> 1) + 1, one - 1, one - 2, one, fmt.max_code, fmt.max_code - 1}
    # inf, canonical quiet NaN, signalling NaN, quiet NaN with payload, all-ones NaN.
    mags |= {top << m, fmt.nan_code, (top << m) | 1, fmt.nan_code | 1, (top << m) | fmt.man_max_code}
    codes = sorted(mags) + [c | fmt.sign_mask for c in sorted(mags)]
    return np.array(codes, dtype=np.int64)


@functools.cache
def _carry_tie_significands(m: int) -> tuple[int, int]:
    """Normal significands ``sa * sb == 2**(2m+1) - 2**(m-1)``: the product is ``2 - ulp/2``
    (in units of the operands' ulp squared), an exact tie whose round-up carries to 2."""
    target = (1 << (2 * m + 1)) - (1 << (m - 1))
    sa = np.arange(1 << m, 1 << (m + 1), dtype=np.int64)
    hits = sa[(target % sa == 0) & (target // sa >= (1 << m)) & (target // sa < (1 << (m + 1)))]
    assert len(hits), f"no carry-tie factorisation for m={m}"
    return int(hits[0]), int(target // hits[0])


def cross(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.meshgrid(codes, codes, indexing="ij")
    return a.ravel(), b.ravel()


def uniform_pairs(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    bits = float_format(name).bits
    return rng.integers(0, 1 << bits, RANDOM_PAIRS), rng.integers(0, 1 << bits, RANDOM_PAIRS)


def biased_pairs(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random signs and mantissas; exponent sums aimed at the subnormal range, the underflow
    to zero, the subnormal/normal boundary and the overflow boundary. A quarter of the ``a``
    operands are subnormal (paired with large ``b``)."""
    fmt = float_format(name)
    m, bias = fmt.man_bits, fmt.bias
    rng = np.random.default_rng(seed)
    n = BIASED_PAIRS
    low = rng.integers(fmt.emin - m - 3, fmt.emin + 2, n)  # result exponent near/below emin
    high = rng.integers(fmt.emax - 2, fmt.emax + 2, n)  # near/above emax
    target = np.where(rng.random(n) < 0.5, low, high)
    lo_a = np.maximum(fmt.emin, target - fmt.emax)
    hi_a = np.minimum(fmt.emax, target - fmt.emin)
    ea = lo_a + (rng.random(n) * (hi_a - lo_a + 1)).astype(np.int64)
    eb = np.clip(target - ea, fmt.emin, fmt.emax)
    man_a, man_b = rng.integers(0, 1 << m, n), rng.integers(0, 1 << m, n)
    a = ((ea + bias) << m) | man_a
    b = ((eb + bias) << m) | man_b
    # Subnormal a: its value is below 2**emin, so pair it with a b that lifts the product back
    # to around the min normal (or lets it fall further).
    sub = rng.random(n) < 0.25
    sub_man = rng.integers(1, 1 << m, n)
    lift = rng.integers(0, m + 3, n)  # b's exponent: the product's binade is emin - k + lift
    a = np.where(sub, sub_man, a)
    b = np.where(sub, ((np.minimum(lift, fmt.emax) + bias) << m) | man_b, b)
    sign_a = rng.integers(0, 2, n) << (fmt.bits - 1)
    sign_b = rng.integers(0, 2, n) << (fmt.bits - 1)
    return a | sign_a, b | sign_b


def tie_pairs(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Operand pairs whose exact product lies exactly half-way between two neighbouring
    results: normal results (both LSB parities, carries into the next binade, at max finite),
    subnormal results (down to half the min subnormal), subnormal operands included.

    With integer significands ``sa, sb`` (operand value ``s * 2**E``), the product ``P = sa*sb``
    has ``s`` bits below the result's LSB; it is a tie iff ``P mod 2**s == 2**(s-1)``. Pick
    ``sa = u * 2**t`` (``u`` odd, ``t < s``); then exactly the ``sb`` congruent to ``2**(s-1-t)``
    modulo ``2**(s-t)`` qualify (``u * 2**(s-1) == 2**(s-1)`` modulo ``2**s`` for odd ``u``).
    ``s`` and the leading bit of ``P`` then fix the exponent sum.
    """
    fmt = float_format(name)
    m, emin, emax = fmt.man_bits, fmt.emin, fmt.emax
    rng = np.random.default_rng(seed)
    out_a, out_b = [], []
    while len(out_a) < TIE_PAIRS:
        # sa: normal (3/4) or subnormal (1/4), with t trailing zeros.
        sub_a = rng.random() < 0.25
        hi = m if sub_a else m + 1
        t = int(rng.integers(0, hi))
        sa = int(rng.integers(1 << t, 1 << hi)) if sub_a else int(rng.integers(1 << m, 1 << (m + 1)))
        sa = ((sa >> t) | 1) << t
        if not (sa < (1 << m) if sub_a else (1 << m) <= sa < (1 << (m + 1))):
            continue
        # s: m or m+1 (normal results) half the time, else anything up to 2m+2 (subnormal).
        normal = rng.random() < 0.5
        s = int(rng.integers(m, m + 2)) if normal else int(rng.integers(t + 1, 2 * m + 3))
        if s <= t:
            continue
        mod, r = 1 << (s - t), 1 << (s - 1 - t)
        # sb in [1, 2**(m+1)) in r's class: subnormal if below 2**m.
        count = ((1 << (m + 1)) - 1 - r) // mod + 1 if r < (1 << (m + 1)) else 0
        if count <= 0:
            continue
        sb = r + mod * int(rng.integers(0, count))
        sub_b = sb < (1 << m)
        p = sa * sb
        lead = p.bit_length() - 1
        if normal and s != lead - m:
            continue
        # Operand quantum exponents Ea = e - m (e = emin for subnormals).
        if s == lead - m:  # normal result: its binade lead + Ea + Eb in [emin, emax]
            lo_sum, hi_sum = emin - lead, emax - lead
        elif s > lead - m:  # subnormal result: quantum 2**(emin - m) = 2**(Ea + Eb + s)
            lo_sum = hi_sum = emin - m - s
        else:
            continue
        total = int(rng.integers(lo_sum, hi_sum + 1))
        ea_range = (emin - m, emin - m) if sub_a else (emin - m, emax - m)
        eb_range = (emin - m, emin - m) if sub_b else (emin - m, emax - m)
        lo_ea, hi_ea = max(ea_range[0], total - eb_range[1]), min(ea_range[1], total - eb_range[0])
        if lo_ea > hi_ea:
            continue
        qa = int(rng.integers(lo_ea, hi_ea + 1))
        qb = total - qa
        ca = sa if sub_a else _code(name, False, qa + m + fmt.bias, sa - (1 << m))
        cb = sb if sub_b else _code(name, False, qb + m + fmt.bias, sb - (1 << m))
        signs = rng.integers(0, 2, 2) << (fmt.bits - 1)
        out_a.append(ca | int(signs[0]))
        out_b.append(cb | int(signs[1]))
    # Ties that carry, which random significands almost never give: the carry pair (product
    # 2 - ulp/2) at 1, at the min normal and at emax (max + ulp/2: overflows in rne and rna);
    # 2**-1 x (2 - ulp) * 2**emin = max subnormal + half its quantum (carries to min normal).
    ca, cb = _carry_tie_significands(m)
    one = 1 << m
    special = [((0, ca - one), (0, cb - one)), ((emin, ca - one), (0, cb - one)),
               ((emax, ca - one), (0, cb - one)), ((-1, 0), (emin, one - 1))]
    for (ea, ma), (eb, mb) in special:
        for sign_a, sign_b in ((0, 0), (0, 1), (1, 0), (1, 1)):
            out_a.append(_code(name, bool(sign_a), ea + fmt.bias, ma))
            out_b.append(_code(name, bool(sign_b), eb + fmt.bias, mb))
    return np.array(out_a, np.int64), np.array(out_b, np.int64)


VECTORS = {"patterns": lambda name, seed: cross(patterns(name)), "ties": tie_pairs,
           "uniform": uniform_pairs, "biased": biased_pairs}


@functools.cache
def vectors(name: str, kind: str) -> tuple[np.ndarray, np.ndarray, _Operands]:
    a, b = VECTORS[kind](name, SEED + list(VECTORS).index(kind))
    a.flags.writeable = b.flags.writeable = False
    return a, b, _Operands(name, a, b)


@functools.cache
def softfloat(name: str, kind: str, mode: str) -> np.ndarray:
    return vectors(name, kind)[2].products(mode)


# -- comparison -------------------------------------------------------------------------------
def compare(name: str, mode: str, a: np.ndarray, b: np.ndarray, ours: np.ndarray, ref: np.ndarray) -> list[str]:
    """Mismatch lines (the first few) between the model's and SoftFloat's codes, and the count."""
    fmt = float_format(name)
    ours = np.asarray(ours, np.int64)
    ref_nan, our_nan = is_nan(name, ref), is_nan(name, ours)
    bad = np.where(ref_nan, ours != fmt.nan_code, ours != ref)
    where = np.flatnonzero(bad)
    digits = fmt.bits // 4
    lines = [f"{len(where)} of {len(a)} {name} {mode} products differ from SoftFloat"
             + (" (SoftFloat NaN, model not canonical NaN)" if (ref_nan & bad).any() else "")]
    for i in where[:SHOWN]:
        lines.append(f"  a={int(a[i]):#0{digits + 2}x} b={int(b[i]):#0{digits + 2}x} mode={mode} "
                     f"model={int(ours[i]):#0{digits + 2}x}{' (NaN)' if our_nan[i] else ''} "
                     f"softfloat={int(ref[i]):#0{digits + 2}x}{' (NaN)' if ref_nan[i] else ''}")
    return lines if len(where) else []


