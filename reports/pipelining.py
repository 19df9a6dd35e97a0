"""Pipelined to a target clock, as FloPoCo and XLS do: the fewest register stages whose worst
stage meets a clock period on the chosen cell library.

Stage counts are tried from the configuration's own upward, each synthesized, retimed and
timed by the cost flow (:func:`.area.synthesize`; the worst stage includes clock-to-Q and
setup). Retiming is a heuristic, so a count is not assumed to meet the period because a
smaller one did, nor to miss it because a larger one missed: the first count that meets it is
the answer, and when none up to 8 does, the best period any of them reached is said.
"""

from __future__ import annotations

from pathlib import Path

from ..catalog import configure
from ..errors import UsageError
from ..params import STAGES
from ..unit import UnitConfig
from .area import synthesize

#: The most stages a unit takes (:data:`arithbench.params.STAGES`).
MOST_STAGES = 8


def fewest_stages(config: UnitConfig, period_ns: float, *, root: Path, liberty=None, log=None) -> tuple[UnitConfig, list[dict]]:
    """``config`` with the fewest ``stages`` (from its own up to 8) whose worst stage is at most
    ``period_ns`` on the cell library ``liberty``, and every count tried with its worst stage
    (``[{"stages", "delay_ns"}]``)."""
    if config.clocked:
        raise UsageError(f"{config.module_name} accumulates: its loop is one cycle whatever the stages; a period "
                         "picks the stages of a combinational unit")
    tried = []
    for stages in range(config.stages, MOST_STAGES + 1):
        candidate = configure(config.name, {**config.assignments(), STAGES.name: str(stages)})
        delay = synthesize(candidate, root=root, liberty=liberty)["delay_ns"]
        tried.append({"stages": stages, "delay_ns": delay})
        if log:
            log(f"{candidate.module_name}: worst stage {delay:.3f} ns against a period of {period_ns:g} ns")
        if delay <= period_ns:
            return candidate, tried
    best = min(tried, key=lambda t: t["delay_ns"])
    raise UsageError(f"no stage count up to {MOST_STAGES} meets a period of {period_ns:g} ns for {config.module_name}: "
                     f"the best is {best['delay_ns']:.3f} ns at stages={best['stages']} "
                     f"({1000 / best['delay_ns']:.0f} MHz); ask for that period or more")
