"""The ``arithbench`` command's entry point: Ctrl-C or SIGTERM while the command line's modules
are still loading (NumPy, Amaranth: about a second) ends in the same one line as later."""

import signal
import sys


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("arithbench: interrupted while starting: nothing was written", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGTERM, previous)  # the command line installs its own
    return run()
