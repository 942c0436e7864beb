"""The one exception type for mistakes a user can fix.

The ``nprl`` command catches :class:`UserError` and prints its message as one line
on stderr (no traceback), then exits with status 2.  Library code raises it (or a
``ValueError``) with a message that says what was wrong and what to do.
:func:`require` imports an optional dependency or raises the UserError that names the
extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# the pyproject extra that brings each optional dependency
_EXTRA_FOR = {"pygame": "render", "matplotlib": "viz", "imageio": "viz", "PIL": "viz"}


class UserError(Exception):
    """A mistake in the user's input: a bad argument, a missing file, a wrong run directory."""


class Note(UserWarning):
    """A one-line remark the user should see, not an error: a damaged checkpoint skipped
    for an older intact one, a torn last row dropped, a folder from an older nprl read
    without checksums. Library code issues it with ``warnings.warn(text, Note)``; the
    ``nprl`` command prints it as ``nprl: note: <text>``."""


def require(module: str) -> ModuleType:
    """Import an optional dependency, or raise a UserError that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        top = module.split(".")[0]
        extra = _EXTRA_FOR.get(top, "all")
        raise UserError(
            f"{top} is needed for this; install it with: pip install 'nprl[{extra}]'"
        ) from error
