"""The one exception type that the command line turns into a one-line message and exit 2."""


class UsageError(ValueError):
    """Bad input from the user: an unknown unit, format or parameter, a missing tool.

    The message is one line that says what is wrong and how to fix it.
    """
