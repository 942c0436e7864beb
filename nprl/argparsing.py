"""argparse as the ``nprl`` command speaks it: one-line errors, help that teaches.

:class:`OneLineParser` is the parser of ``nprl`` and, through ``add_subparsers``, of every
sub-command; :class:`TeachingHelpFormatter` is its help format. A base module (no nprl
package below it) so that ``nprl.cli`` and ``nprl.commands`` share it without importing
each other.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from nprl.errors import UserError


class TeachingHelpFormatter(argparse.HelpFormatter):
    """``--help`` that teaches: each option's default is shown, and text that holds line
    breaks (the examples of an epilog) is printed as written.

    An option's help gets ``(default: VALUE)`` unless it already says "default", or the
    default is None, False or empty (an option off unless given says so in its own help).
    A description or epilog of one paragraph is wrapped to the terminal as usual.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("default" in text or default is None or default is argparse.SUPPRESS
                or default is False or default == [] or not action.option_strings):
            return text
        if isinstance(default, (list, tuple)):
            default = " ".join(str(value) for value in default)
        # argparse %-formats help strings: a literal % in the value must be doubled.
        return f"{text} (default: {str(default).replace('%', '%%')})"

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class OneLineParser(argparse.ArgumentParser):
    """argparse's parser whose mistakes are one line: ``error()`` raises
    :class:`~nprl.errors.UserError` (printed by ``nprl.cli.main`` as ``nprl: error: ...``,
    exit status 2) instead of printing the usage and calling ``sys.exit``. Sub-parsers
    made with ``add_subparsers`` are of the same class, and every one formats its help
    with :class:`TeachingHelpFormatter` unless told otherwise."""

    def __init__(self, *args, formatter_class=TeachingHelpFormatter, **kwargs) -> None:
        super().__init__(*args, formatter_class=formatter_class, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message} (see '{self.prog} --help')")
