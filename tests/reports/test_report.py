"""The report: one source of truth, and a page that renders offline in headless Chromium."""

import json
import re
import shutil
import subprocess

import pytest

from arithbench.reports.document import fmt_value
from arithbench.reports.report import run, select_units

pytestmark = pytest.mark.xdist_group("report")  # one worker builds the report once

NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def _leaves(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _leaves(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj


@pytest.mark.sim
def test_every_number_in_the_markdown_is_in_results_json(report):
    out, _ = report
    results_text = (out / "results.json").read_text()
    results = json.loads(results_text)
    formatted = {fmt_value(v) for v in _leaves(results) if isinstance(v, (int, float)) and not isinstance(v, bool)}
    strings = [v for v in _leaves(results) if isinstance(v, str)]
    md = (out / "REPORT.md").read_text()
    tables = [line for line in md.splitlines() if line.startswith("| ") or line.startswith("Generated")]
    assert len(tables) > 20
    missing = []
    for line in tables:
        for cell in line.strip("|").split("|"):
            cell = cell.strip()
            if cell in formatted or any(cell == s or cell in s for s in strings):
                continue
            for token in NUMBER.findall(cell):
                if token not in formatted and not any(token in s for s in strings):
                    missing.append((cell, token))
    assert not missing, missing[:10]


@pytest.mark.sim
def test_report_sections_are_filled(report):
    out, results = report
    for name in ("index.html", "REPORT.md", "results.json", "verification.csv", "unit_error.csv",
                 "lmul_error.csv", "claims.csv", "costs.csv", "error_cdf.png", "error_vs_area.png",
                 "error_vs_area.svg",
                 "error_vs_energy.png"):
        assert (out / name).stat().st_size > 0, name
    assert all(r["mismatches"] == 0 for r in results["verification"])
    assert {r["verdict"] for r in results["claims"]} <= {"holds", "holds with conditions", "does not hold"}
    assert results["provenance"]["versions"]["amaranth"] and results["provenance"]["machine"]
    headings = [line for line in (out / "REPORT.md").read_text().splitlines() if line.startswith("## ")]
    assert headings[0] == "## Summary"  # findings first
    assert results["findings"] and all(f["finding"] in (out / "REPORT.md").read_text() for f in results["findings"])
    rows = {(r["unit"], r["data"]): r for r in results["end_to_end"]}
    assert {d for _, d in rows} == {"normal", "student_t3", "weights.npy"}
    assert "error, weights.npy" in (out / "REPORT.md").read_text()
    assert all(r["mean_err"] > 0 and r["class"] == "multipliers" for r in rows.values())


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_CHECK = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  const svg = imgs.filter(i => i.currentSrc.startsWith('data:image/svg')).length;
  document.body.setAttribute('data-images', ok + '/' + imgs.length);
  document.body.setAttribute('data-svg', String(svg));
  document.body.setAttribute('data-width', String(document.documentElement.scrollWidth));
  const th = [...document.querySelectorAll('th')].find(h => h.textContent === 'vectors');
  const column = [...th.parentNode.children].indexOf(th);
  const values = () => [...th.closest('table').tBodies[0].rows].map(r => parseFloat(r.cells[column].dataset.v));
  th.click();
  const up = values();
  th.click();
  const down = values();
  const sorted = up.every((v, i) => i === 0 || up[i - 1] <= v) && down.every((v, i) => i === 0 || down[i - 1] >= v);
  document.body.setAttribute('data-sorts', String(sorted && up.length > 1));
  const claims = [...document.querySelectorAll('th')].find(h => h.textContent === 'checks').closest('table');
  const verdicts = [...claims.tBodies[0].rows].map(r => r.querySelector('td[data-verdict]'));
  const claimed = new Set([...claims.tBodies[0].rows].map(r => r.cells[0].textContent));
  document.body.setAttribute('data-claims', claims.tBodies[0].rows.length + '/' + claimed.size + '/'
    + verdicts.filter(v => v && getComputedStyle(v).backgroundColor !== 'rgba(0, 0, 0, 0)').length);
});
</script></body>"""


@pytest.mark.sim
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (installed by .ci/run)")
def test_html_loads_offline_every_plot_renders_as_svg_and_fits_1400_px(report, tmp_path):
    out, results = report
    page = tmp_path / "page.html"
    page.write_text((out / "index.html").read_text().replace("</body>", _CHECK))
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--window-size=1400,900", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    match = re.search(r'data-images="(\d+)/(\d+)"', done.stdout)
    assert match, done.stderr[-2000:]
    assert match[1] == match[2] and int(match[2]) >= 3
    assert re.search(r'data-svg="(\d+)"', done.stdout)[1] == match[2]  # every plot shown as SVG
    assert int(re.search(r'data-width="(\d+)"', done.stdout)[1]) <= 1400  # nothing overflows a 1400 px window
    assert 'data-sorts="true"' in done.stdout  # a click on a column title sorts the table by value, both ways
    rows, claims, marked = map(int, re.search(r'data-claims="(\d+)/(\d+)/(\d+)"', done.stdout).groups())
    assert rows == claims == marked and rows == len({c["claim"] for c in results["claims"]})  # one row per claim
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    shot = tmp_path / "page.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900", "--hide-scrollbars",
                    f"--screenshot={shot}", (out / "index.html").as_uri()], capture_output=True, timeout=120)
    from PIL import Image

    with Image.open(shot) as image:  # the page as a reader first sees it, at slide size
        assert image.size == (1400, 900) and len(image.convert("L").getcolors(1 << 16) or ()) > 16


@pytest.mark.sim
def test_a_rerun_into_the_report_folder_keeps_the_users_files(report, build_root):
    out, _ = report
    mine = out / "my_notes.md"
    mine.write_text("a user's notes")
    run(out, select_units(["fp_mul", "lmul"]), sim="verilator", root=build_root, command="pytest")  # cached: quick
    assert mine.read_text() == "a user's notes" and (out / "index.html").exists()
