"""The failures arithbench reports in one line (what is wrong and how to fix it); the command
line turns every one of them into that line and exit 2. Models raise them too, so the Python
API gives the same messages."""


class ArithbenchError(Exception):
    """A failure with a one-line message."""


class UsageError(ArithbenchError, ValueError):
    """Bad input from the user: an unknown unit, format or parameter, an impossible plan, a file
    that cannot be read, a missing tool to install."""


class ToolError(ArithbenchError):
    """A tool arithbench runs failed on the way (simulator build or run, Yosys, OpenSTA); the
    message names the tool's log."""


class MismatchError(ArithbenchError):
    """arithbench's own RTL disagreed with its golden model where agreement is a precondition
    (the report's verifications, the benchmark's runs): a bug in arithbench, not in the input."""
