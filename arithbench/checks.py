"""Checks of what a user gives, shared by the command line and the Python API.

Each check returns the value in the type the code needs, or raises :class:`UsageError` with
one line saying what is wrong and how to fix it. Names that reach a tool's script or command
line (Yosys, Verilator, Icarus) are checked here, so that no text a user gives is ever run as
a command.
"""

from __future__ import annotations

import numbers
import os
import re
from pathlib import Path

import numpy as np

from .errors import UsageError

#: The most vectors any run accepts.
MAX_VECTORS = 1 << 40
#: The most vectors one process checks; more need shards (``--workers``).
MAX_VECTORS_ONE_PROCESS = 1 << 25
#: Seeds are what NumPy's generators and the vector files take: 32-bit unsigned.
MAX_SEED = 2**32 - 1

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
#: Characters a source file's path may hold: every simulator's command line and build files take them.
_PATH_CHARS = re.compile(r"[A-Za-z0-9_./+@,=:~-]+\Z")


def integer(option: str, value, low: int, high: int) -> int:
    """``value`` as an int in ``[low, high]``: an int, or text of one (``1_000`` too); not a bool
    or a float."""
    if isinstance(value, str):
        try:
            value = int(value.replace("_", ""))
        except ValueError:
            raise UsageError(f"{option} must be an integer from {low:,} to {high:,}, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UsageError(f"{option} must be an integer from {low:,} to {high:,}, not {value!r}")
    if not low <= int(value) <= high:
        raise UsageError(f"{option} must be an integer from {low:,} to {high:,}, not {int(value):,}")
    return int(value)


def number(option: str, value, low: float, high: float, unit: str) -> float:
    """A finite real number from ``low`` to ``high`` (text or a number)."""
    try:
        number_ = float(value) if isinstance(value, (str, numbers.Real)) and not isinstance(value, bool) else None
    except ValueError:
        number_ = None
    if number_ is None or not low <= number_ <= high:
        raise UsageError(f"{option} must be a number of {unit} from {low:g} to {high:g}, not {value!r}")
    return number_


def vector_count(value, option: str = "--vectors") -> int | None:
    """A count of vectors: ``"exhaustive"`` (None) or an integer from 1 to 2**40."""
    if value is None or value == "exhaustive":
        return None
    if isinstance(value, str):
        try:
            value = int(value.replace("_", ""))
        except ValueError:
            raise UsageError(f"{option} must be 'exhaustive' or a count from 1 to 2**40, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= MAX_VECTORS:
        raise UsageError(f"{option} must be 'exhaustive' or a count from 1 to 2**40, not {value!r}")
    return int(value)


def one_process(count: int | None, fix: str, config=None) -> None:
    """Refuse a plan of more vectors than one process holds: 2**25, or fewer of a wide unit's
    (``config``'s :meth:`~arithbench.unit.UnitConfig.vectors_per_process`)."""
    limit = MAX_VECTORS_ONE_PROCESS if config is None else config.vectors_per_process()
    if count is not None and count > limit:
        most = "2**25" if limit == MAX_VECTORS_ONE_PROCESS else f"{limit:,} of {config.module_name}'s"
        raise UsageError(f"{count:,} vectors are more than one process holds (at most {most}): {fix}")


def seed(value, option: str = "--seed") -> int:
    return integer(option, value, 0, MAX_SEED)


def verilog_name(option: str, text) -> str:
    """A Verilog identifier (a module or port name): letters, digits, ``_`` and ``$``, not
    starting with a digit or ``$``."""
    if not isinstance(text, str) or not _IDENTIFIER.match(text):
        raise UsageError(f"{option} must be a Verilog name (letters, digits, _ and $, not starting with a digit), "
                         f"not {text!r}")
    return text


def plain_path(option: str, text: str) -> None:
    """Refuse a path that a tool's command line or script would not take as it is (a space, a
    semicolon or a bracket splits or runs something there)."""
    if not _PATH_CHARS.match(text):
        raise UsageError(f"{option} {text!r}: a path with characters other than letters, digits and _ . / - + @ , "
                         "= : ~ does not reach every tool intact: rename the file or link it under a plain name")


def source_file(option: str, path) -> Path:
    """A readable source file whose path every tool's command line takes as it is."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise UsageError(f"{option} takes a file name, not {path!r}")
    text = str(path)
    plain_path(option, text)
    path = Path(text)
    if not path.is_file():
        raise UsageError(f"{option} {text}: no such file")
    try:
        path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{option} {text}: cannot read it ({exc.strerror})") from None
    return path


def folder(option: str, path) -> Path:
    """A folder's path as given (not yet made)."""
    if not isinstance(path, (str, os.PathLike)) or not str(path) or "\x00" in str(path):
        raise UsageError(f"{option} takes a folder's path, not {path!r}")
    return Path(path)


def codes(name: str, values, bits: int | None = None) -> np.ndarray:
    """Integer codes as uint64, each below ``2**bits`` when ``bits`` is given."""
    if values is None:
        raise UsageError(f"{name} must be integer codes, not None")
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{name} must be an array of integer codes ({exc})") from None
    if array.size == 0:  # an empty list is float64 to NumPy
        array = array.astype(np.uint64)
    if array.dtype.kind not in "iub":
        raise UsageError(f"{name} must be integer codes, not {array.dtype} values: "
                         "turn values into codes with arithbench.quantize")
    if array.dtype.kind == "i" and (array < 0).any():
        raise UsageError(f"{name} holds negative numbers: codes are unsigned bit patterns")
    array = array.astype(np.uint64)
    if bits is not None and bits < 64 and (array >> np.uint64(bits)).any():
        worst = int(array.max())
        raise UsageError(f"{name} holds {worst:#x}, wider than its {bits} bits: codes go from 0 to {(1 << bits) - 1:#x}")
    return array
