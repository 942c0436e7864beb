"""The one exception type for mistakes a user can fix.

The ``nprl`` command catches :class:`UserError` and prints its message as one line
on stderr (no traceback), then exits with status 2.  Library code raises it (or a
``ValueError``) with a message that says what was wrong and what to do.
"""


class UserError(Exception):
    """A mistake in the user's input: a bad argument, a missing file, a wrong run directory."""
