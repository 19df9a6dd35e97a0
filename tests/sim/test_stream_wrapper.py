"""The stream wrapper's word files and chunking, and its agreement with the stepped bench."""

import numpy as np
import pytest

from arithbench.catalog import configure
from arithbench.sim import runner
from arithbench.sim.runner import simulate
from arithbench.sim.stream import (UndefinedOutput, depth, read_step_file, read_words, stream_cpp, stream_verilog,
                                   write_step_file, write_words)
from arithbench.unit import VectorPlan


def _hex_file(path, words, nbytes):
    """What $writememh writes: one big-endian hex word per line."""
    path.write_text("".join(int(w).to_bytes(nbytes, "big").hex() + "\n" for w in words))


def _codes(width, lanes, steps):
    """Random codes of ``width`` bits for ``steps`` words of ``lanes`` lanes (2-D rows of 64-bit
    words over 64 bits)."""
    rng = np.random.default_rng(width)
    if width > 64:
        codes = rng.integers(0, 1 << 63, (steps * lanes, 2), dtype=np.uint64)
        codes[:, 1] &= np.uint64((1 << (width - 64)) - 1)
        return codes
    return rng.integers(0, 1 << width, steps * lanes, dtype=np.uint64)


def _assert_lanes(words, codes, width, lanes, nbytes):
    """Lane i of each ``nbytes``-byte word sits at bits [i*stride, i*stride + width): the layout
    the wrapper slices."""
    stride = nbytes * 8 // lanes
    for step, word in enumerate(words):
        for lane in range(lanes):
            code = codes[step * lanes + lane]
            value = int(code) if width <= 64 else int(code[0]) | int(code[1]) << 64
            assert (word >> (lane * stride)) & ((1 << width) - 1) == value


@pytest.mark.parametrize("width, lanes", [(8, 4), (13, 3), (24, 2), (64, 2), (100, 3)])
def test_words_round_trip(tmp_path, width, lanes):
    steps = 5
    codes = _codes(width, lanes, steps)
    write_words(tmp_path / "in_a.bin", codes, width, lanes)
    raw = (tmp_path / "in_a.bin").read_bytes()
    nbytes = len(raw) // steps
    words = [int.from_bytes(raw[i * nbytes:(i + 1) * nbytes], "big") for i in range(steps)]
    _assert_lanes(words, codes, width, lanes, nbytes)
    _hex_file(tmp_path / "out_y.hex", words, nbytes)
    np.testing.assert_array_equal(read_words(tmp_path / "out_y.hex", width, lanes, steps), codes)


@pytest.mark.parametrize("width, lanes", [(8, 4), (13, 3), (24, 2), (64, 2), (100, 3)])
def test_dpi_step_files_put_lane_i_at_its_slice(tmp_path, width, lanes):
    """A DPI step file holds, per step, the little-endian word whose bits [i*stride, i*stride +
    width) are lane i's code: what the generated C copies into the wrapper."""
    steps = 5
    codes = _codes(width, lanes, steps)
    write_step_file(tmp_path / "in_a.bin", codes, width)
    raw = (tmp_path / "in_a.bin").read_bytes()
    nbytes = len(raw) // steps
    _assert_lanes([int.from_bytes(raw[i * nbytes:(i + 1) * nbytes], "little") for i in range(steps)],
                  codes, width, lanes, nbytes)
    np.testing.assert_array_equal(read_step_file(tmp_path / "in_a.bin", width), codes)


def test_dpi_wrapper_and_its_functions_agree_on_ports_and_sizes():
    ports = [{"name": "a", "dir": "in", "width": 16}, {"name": "b", "dir": "in", "width": 100},
             {"name": "clk", "dir": "in", "width": 1}, {"name": "y", "dir": "out", "width": 13}]
    verilog, cpp = stream_verilog("u", ports, 8, "top", 256, io="dpi"), stream_cpp(ports, 8)
    assert "function void arithbench_load_b(input int step, output bit [1023:0] word)" in verilog
    assert "function void arithbench_store_y(input int step, input bit [127:0] word)" in verilog
    assert "mem_" not in verilog and "$fread" not in verilog
    assert '{"in_b.bin", false, 128, nullptr, 0}' in cpp and '{"out_y.bin", true, 16, nullptr, 0}' in cpp
    assert "memcpy(w, word(ports[1], step), 128)" in cpp and "arithbench_load_clk" not in cpp


def test_reading_skips_comments_and_reports_undefined_outputs(tmp_path):
    path = tmp_path / "out_y.hex"
    path.write_text("// 0x00000000\n0102\n0304\n")
    np.testing.assert_array_equal(read_words(path, 8, 2, 2), [2, 1, 4, 3])
    path.write_text("0102\n03x4\n")
    with pytest.raises(UndefinedOutput, match="output y is undefined .* at step 1"):
        read_words(path, 8, 2, 2)
    path.write_text("0102\n")
    with pytest.raises(ValueError, match="expected 2 words"):
        read_words(path, 8, 2, 2)


def test_depth_keeps_memories_bounded():
    narrow = [{"name": "a", "dir": "in", "width": 8}, {"name": "y", "dir": "out", "width": 8}]
    wide = [{"name": "a", "dir": "in", "width": 4096}, {"name": "y", "dir": "out", "width": 64}]
    assert depth(narrow, 64) == 1 << 13
    assert depth(wide, 64) == 256
    assert "mem_a [0:255]" in stream_verilog("u", wide, 64, "top", 256)


@pytest.mark.sim
def test_clocked_unit_keeps_its_state_across_chunks(build_root, monkeypatch):
    """An accumulator runs through several chunks (forced small) and a short last one; the
    streamed outputs (Verilator's DPI words and Icarus's files) equal the stepped bench's, which
    drives every step from Python."""
    monkeypatch.setattr(runner, "chunk_steps", lambda ports, lanes, io: 256)
    config = configure("int8_mac", {"clocked": "true"})
    inputs = config.vectors(VectorPlan(8 * 256 * 3 + 8 * 17, 3))
    stepped = simulate(config, inputs, lanes=8, root=build_root, drive="step")
    expected = config.model(inputs, 8)
    for sim in ("verilator", "icarus"):
        streamed = simulate(config, inputs, lanes=8, root=build_root, sim=sim)
        for name, codes in expected.items():
            np.testing.assert_array_equal(streamed.outputs[name], np.asarray(codes, np.uint64))
            np.testing.assert_array_equal(stepped.outputs[name], streamed.outputs[name])
