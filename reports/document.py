"""A report as a list of blocks, rendered to Markdown and to self-contained HTML.

Both renderings come from the same blocks and the same number formatting, so REPORT.md and
index.html say the same thing.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path


def fmt_value(v) -> str:
    """How every number appears in a report: 4 significant digits, whole numbers from 10,000 to
    a billion with thousands separators (no exponents there), "-" for a figure that does not apply.
    A folded cell, ``(summary, lines)``, reads as the summary and its lines."""
    if v is None:
        return "-"
    if isinstance(v, tuple):
        summary, lines = v
        return f"{summary}. " + " / ".join(lines)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.0f}" if 1e4 <= abs(v) < 1e9 else f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


#: Column titles where the key alone says too little; other keys show with spaces for "_".
TITLES = {
    "area_um2": "area (um^2)", "delay_ns": "delay (ns)", "fmax_mhz": "fmax (MHz)", "leakage_nw": "leakage (nW)",
    "energy_pj_normal": "energy (pJ/op), N(0,1), Liberty", "energy_table_pj": "energy (pJ/op), operation table",
    "energy_table_ops": "operations priced", "energy_activity_pj_uniform": "energy (pJ/op), activity, uniform codes",
    "energy_activity_pj_normal": "energy (pJ/op), activity, N(0,1)", "mean_rel": "mean rel. error",
    "max_rel": "max rel. error", "mean_ulp": "mean error (ulp)", "frac_exact": "fraction exact",
    "sim_s": "simulation (s)", "wall_s": "wall (s)", "vectors_per_s": "vectors/s", "mean_err": "mean error",
    "max_err": "max error", "median_err": "median error", "p90_err": "90th percentile error",
    "frac_overflowed": "share overflowed", "quant_err_plain": "quantization error",
    "quant_err_reordered": "quantization error, reordered", "dot_err_plain": "dot error",
    "dot_err_reordered": "dot error, reordered", "err_normal": "error, N(0,1)", "err_student_t3": "error, Student t3",
    "area_per_mac_um2": "area (um^2/MAC)", "energy_per_mac_pj": "energy (pJ/MAC), Liberty",
    "macs_per_op": "MACs per op",
    "q10_err": "10th percentile error", "q90_err": "90th percentile error",
    "quant_err": "quantization error", "exact": "exact sum", "spill": "spill every (products)",
}


def column_title(column: str) -> str:
    if column not in TITLES and column.startswith("err_"):
        return f"error, {column[4:]}"  # a user's data set, by file name
    return TITLES.get(column, column.replace("_", " "))


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Text:
    text: str


@dataclass
class Table:
    rows: list[dict]
    columns: tuple[str, ...]
    source: str  # where the numbers come from


@dataclass
class Image:
    path: Path  # a PNG, embedded in the HTML
    caption: str


Block = Heading | Text | Table | Image


def to_markdown(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {b.text}\n")
        elif isinstance(b, Text):
            out.append(f"{b.text}\n")
        elif isinstance(b, Table):
            out.append("| " + " | ".join(column_title(c) for c in b.columns) + " |")
            out.append("|" + "---|" * len(b.columns))
            for r in b.rows:
                out.append("| " + " | ".join(fmt_value(r[c]) for c in b.columns) + " |")
            out.append(f"\n_Source: {b.source}_\n")
        elif isinstance(b, Image):
            out.append(f"![{b.caption}]({b.path.name})\n\n_{b.caption}_\n")
    return "\n".join(out)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; display: block; max-width: 100%;
        overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; } td[data-v] { text-align: right; }
th { background: #f3f3f3; cursor: pointer; } th[data-dir=up]::after { content: " \\25B2"; }
th[data-dir=down]::after { content: " \\25BC"; } td:first-child, th:first-child { text-align: left; }
.source { color: #666; font-size: 0.85em; font-style: italic; }
td[data-verdict] { font-weight: 600; } td[data-verdict="holds"] { background: #dff3df; }
td[data-verdict="holds with conditions"] { background: #fdf3d0; } td[data-verdict^="mixed"] { background: #fdf3d0; }
td[data-verdict="does not hold"] { background: #f8dcdc; }
details { text-align: left; } details li { margin: 0.2em 0; }
img { max-width: 100%; } figure { margin: 1em 0; }
"""


def to_html(blocks: list[Block], title: str) -> str:
    out = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>",
           f"<style>{_STYLE}</style></head><body>"]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{html.escape(b.text)}</h{b.level}>")
        elif isinstance(b, Text):
            out.append(f"<p>{html.escape(b.text)}</p>")
        elif isinstance(b, Table):
            out.append("<table><thead><tr>" + "".join(f"<th>{html.escape(column_title(c))}</th>" for c in b.columns)
                       + "</tr></thead><tbody>")
            for r in b.rows:
                out.append("<tr>" + "".join(_cell(r[c], c) for c in b.columns) + "</tr>")
            out.append(f"</tbody></table><p class=\"source\">Source: {html.escape(b.source)}</p>")
        elif isinstance(b, Image):
            png = base64.b64encode(b.path.read_bytes()).decode()
            svg = b.path.with_suffix(".svg")
            vector = (f"<source type=\"image/svg+xml\" srcset=\"data:image/svg+xml;base64,"
                      f"{base64.b64encode(svg.read_bytes()).decode()}\">" if svg.exists() else "")
            out.append(f"<figure><picture>{vector}<img alt=\"{html.escape(b.caption)}\" "
                       f"src=\"data:image/png;base64,{png}\"></picture>"
                       f"<figcaption>{html.escape(b.caption)}</figcaption></figure>")
    out.append(f"<script>{_SORT}</script></body></html>")
    return "\n".join(out)


def _cell(v, column: str = "") -> str:
    """A table cell; numbers carry their full value for sorting, a verdict is marked (coloured),
    a folded cell ``(summary, lines)`` opens on a click."""
    if isinstance(v, tuple):
        summary, lines = v
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return f"<td><details><summary>{html.escape(summary)}</summary><ul>{items}</ul></details></td>"
    if column == "verdict" and isinstance(v, str):
        return f"<td data-verdict=\"{html.escape(v)}\">{html.escape(v)}</td>"
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    key = f" data-v=\"{'Infinity' if v == float('inf') else '-Infinity' if v == -float('inf') else v!r}\"" \
        if number else ""
    return f"<td{key}>{html.escape(fmt_value(v))}</td>"


#: Click a column title to sort by it (again to reverse): numbers by value, text alphabetically.
_SORT = """
document.querySelectorAll('table').forEach(table => table.querySelectorAll('th').forEach((th, i) => {
  th.title = 'click to sort';
  th.addEventListener('click', () => {
    const body = table.tBodies[0], rows = [...body.rows], up = th.dataset.dir !== 'up';
    table.querySelectorAll('th').forEach(h => delete h.dataset.dir);
    th.dataset.dir = up ? 'up' : 'down';
    const key = row => { const c = row.cells[i]; return 'v' in c.dataset ? parseFloat(c.dataset.v) : c.textContent; };
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return up ? order : -order;
    });
    rows.forEach(row => body.appendChild(row));
  });
}));
"""
