"""The ``arithbench`` command's entry point: Ctrl-C or SIGTERM while the command line's modules
are still loading (NumPy, Amaranth: about a second) ends in the same one line as later."""

import signal
import sys


def main() -> int:
    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("arithbench: interrupted while starting: nothing was written", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # main() installs its own
    return run()
