"""Result cache for the report's studies: JSON files keyed by the study, its parameters and
the source of the code that computes it, so a re-run recomputes only what changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

from ..files import write_cache
from ..sources import code_digest


def cached(root: Path, name: str, params: dict, compute: Callable[[], object]):
    """``compute()``, or its stored result when ``name``, ``params`` and the code are unchanged."""
    key = hashlib.sha256(json.dumps([name, params, code_digest()], sort_keys=True, default=str).encode())
    path = Path(root) / "cache" / f"{name}-{key.hexdigest()[:16]}.json"
    if path.exists():
        return json.loads(path.read_text())
    value = compute()
    write_cache(path, json.dumps(value))
    return value
