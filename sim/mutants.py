"""Faulty versions of a unit's generated Verilog, one fault each, for mutation testing.

Amaranth's Verilog (written by Yosys) holds one operation per ``assign``, which makes faults
easy to place at the operator level: an AND turned into an OR, an add into a subtract or a
carry-less XOR, an operand dropped (a rounding increment lost), a comparison loosened, a
constant off by one (an exponent bias, a shift amount, a special code), a signal bit stuck at
0 or 1, a multiplexer's inputs swapped, an inversion dropped. Sites are drawn by a seeded
round robin over these kinds, so a small sample still covers every kind the design has.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

#: Binary operator replacements per kind; ``drop`` keeps the left operand alone.
BINARY = {
    "and-or": {"&": "|", "|": "&"},
    "xor": {"^": "|"},
    "add-sub": {"+": "-", "-": "+"},
    "carry-cut": {"+": "^"},
    "drop-operand": {"+": None, "-": None},
    "compare": {"<": "<=", ">": ">=", "<=": "<", ">=": ">", "==": "!=", "!=": "=="},
}
KINDS = (*BINARY, "constant", "stuck-0", "stuck-1", "mux-swap", "invert-drop")

_ASSIGN = re.compile(r"^(\s*assign\s+)(\\\S+ |[A-Za-z_]\w*)(\s*=\s*)(.+);$")
_STATEMENT = re.compile(r"^(\s*)(\\\S+ |[A-Za-z_]\w*)(\s*=\s*)(.+);$")  # inside always blocks
_BINARY = re.compile(r"^(?P<a>.+?) (?P<op><=|>=|==|!=|<<|>>>|>>|&|\||\^|\+|-|\*|<|>) (?P<b>.+)$")
_TERNARY = re.compile(r"^(?P<c>.+?) \? (?P<x>.+?) : (?P<y>.+)$")
_UNARY = re.compile(r"^(?P<op>~|!) (?P<x>.+)$")
_CONSTANT = re.compile(r"(\d+)'h([0-9a-fA-F]+)")
_NAME = re.compile(r"\\\S+ |(?<![\w'$\\])[A-Za-z_]\w*")
_PORT = re.compile(r"^\s*\.[\w$\\]+\s*\(")
_DECL = re.compile(r"^\s*(?:wire|reg|input|output)\s+(?:\[(\d+):0\]\s+)?(\\\S+ |[A-Za-z_]\w*)")


@dataclass(frozen=True)
class Mutant:
    """One fault: line ``line`` (1-based) of the unit's Verilog reads ``after``, not ``before``."""

    id: int
    kind: str
    line: int
    before: str
    after: str

    def apply(self, verilog: str) -> str:
        lines = verilog.split("\n")
        assert lines[self.line - 1] == self.before
        lines[self.line - 1] = self.after
        return "\n".join(lines)

    def describe(self) -> str:
        return f"line {self.line}: `{self.before.strip()}` -> `{self.after.strip()}`"


def _widths(lines: list[str]) -> dict[str, int]:
    widths = {}
    for text in lines:
        match = _DECL.match(text)
        if match:
            widths[match[2].strip()] = int(match[1]) + 1 if match[1] else 1
    return widths


def _names(text: str) -> set[str]:
    return {name.strip() for name in _NAME.findall(text)}


def _live(lines: list[str]) -> set[str]:
    """Signals the outputs depend on. Yosys leaves unused wires in Amaranth's Verilog; a fault
    there could never show, so no mutant goes there. Inside an ``always`` block every assigned
    signal counts as depending on every name in the block (a safe over-approximation)."""
    uses: dict[str, set[str]] = {}
    outputs = set()
    block: list[str] | None = None
    for text in lines:
        decl = _DECL.match(text)
        if decl and text.lstrip().startswith("output"):
            outputs.add(decl[2].strip())
        if _PORT.match(text):  # a submodule instance's connection: counted as used
            outputs |= _names(text[text.index("("):])
        if text.startswith("  always"):
            block = []
        elif block is not None and text == "  end":
            names = _names("\n".join(block))
            for assigned in (m[2].strip() for t in block if (m := _STATEMENT.match(t))):
                uses.setdefault(assigned, set()).update(names)
            block = None
        elif block is not None:
            block.append(text)
        elif match := _ASSIGN.match(text):
            uses.setdefault(match[2].strip(), set()).update(_names(match[4]))
    live, todo = set(), list(outputs)
    while todo:
        name = todo.pop()
        if name not in live:
            live.add(name)
            todo.extend(uses.get(name, ()))
    return live


def _sites(verilog: str) -> dict[str, list[tuple[int, str]]]:
    """Every place each kind of fault can go: kind -> [(line index, replacement line)]."""
    lines = verilog.split("\n")
    sites: dict[str, list[tuple[int, str]]] = {kind: [] for kind in KINDS}
    starts = [i for i, text in enumerate(lines) if text.startswith("module ")] + [len(lines)]
    for first, end in zip(starts, starts[1:]):  # names are per module: liveness too
        _module_sites(lines, first, end, sites)
    return sites


def _module_sites(lines: list[str], first: int, end: int, sites: dict[str, list[tuple[int, str]]]) -> None:
    widths, live = _widths(lines[first:end]), _live(lines[first:end])
    for i in range(first, end):
        text = lines[i]
        match = _ASSIGN.match(text) or _STATEMENT.match(text)
        if match is None or text.lstrip().startswith(("reg ", "wire ", "(*")):
            continue
        head, lhs, eq, rhs = match.groups()
        if lhs.strip() not in live:
            continue

        def put(kind, new_rhs, _i=i, _pre=head + lhs + eq):
            sites[kind].append((_i, f"{_pre}{new_rhs};"))

        ternary, binary, unary = _TERNARY.match(rhs), _BINARY.match(rhs), _UNARY.match(rhs)
        if ternary:
            put("mux-swap", f"{ternary['c']} ? {ternary['y']} : {ternary['x']}")
        elif binary:
            for kind, table in BINARY.items():
                if binary["op"] in table:
                    new_op = table[binary["op"]]
                    put(kind, binary["a"] if new_op is None else f"{binary['a']} {new_op} {binary['b']}")
        elif unary:
            put("invert-drop", unary["x"] if unary["op"] == "~" else f"| {unary['x']}")
        for const in _CONSTANT.finditer(rhs):
            bits, value = int(const[1]), int(const[2], 16)
            new = (value + 1) % (1 << bits) if value == 0 or i % 2 else value - 1
            put("constant", rhs[:const.start()] + f"{bits}'h{new:x}" + rhs[const.end():])
        width = widths.get(lhs.strip())
        if head.strip() == "assign" and width is not None:
            # A signed expression stays signed (an unsigned mask would change its extension).
            mask = (lambda v: f"$signed({width}'h{v:x})") if "$signed(" in rhs else (lambda v: f"{width}'h{v:x}")
            for bit in range(width):
                put("stuck-0", f"({rhs}) & {mask(((1 << width) - 1) ^ (1 << bit))}")
                put("stuck-1", f"({rhs}) | {mask(1 << bit)}")


def mutants(verilog: str, count: int, seed: int) -> list[Mutant]:
    """Up to ``count`` distinct single-fault mutants: a seeded round robin over the kinds of
    fault the design has room for, each kind's sites drawn without replacement."""
    rng = random.Random(seed)
    lines = verilog.split("\n")
    pools = {kind: rng.sample(found, len(found)) for kind, found in _sites(verilog).items() if found}
    order = sorted(pools)
    rng.shuffle(order)
    chosen, seen = [], set()
    while len(chosen) < count and any(pools.values()):
        for kind in order:
            if not pools[kind] or len(chosen) >= count:
                continue
            i, new = pools[kind].pop()
            if (i, new) in seen or new == lines[i]:
                continue
            seen.add((i, new))
            chosen.append(Mutant(len(chosen) + 1, kind, i + 1, lines[i], new))
    return chosen
