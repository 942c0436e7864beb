"""The one exception type for mistakes a user can fix.

The ``nprl`` command catches :class:`UserError` and prints its message as one line
on stderr (no traceback), then exits with status 2.  Library code raises it (or a
``ValueError``) with a message that says what was wrong and what to do.
"""


class UserError(Exception):
    """A mistake in the user's input: a bad argument, a missing file, a wrong run directory."""


class Note(UserWarning):
    """A one-line remark the user should see, not an error: a damaged checkpoint skipped
    for an older intact one, a torn last row dropped, a folder from an older nprl read
    without checksums. Library code issues it with ``warnings.warn(text, Note)``; the
    ``nprl`` command prints it as ``nprl: note: <text>``."""
