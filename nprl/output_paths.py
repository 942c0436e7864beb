"""Checking where a command will write, before it starts the work.

Every ``nprl`` command that writes (``train --out``, ``mnist --out``, ``eval --video``,
``physics-demo --gif``, ``qmap --out``, ``plot --out``, ``report --out``) calls one of
these first, so that a path naming a file, a read-only place or a folder under a file is
one clear :class:`~nprl.errors.UserError` line *before* minutes of training or rendering,
not a traceback after them. Missing parent folders are fine: the writers create them.

:func:`fresh_dir` picks a folder name nobody has used yet, for commands whose default
output must never land over an earlier result (``mnist``, ``qmap pretrained:NAME``, a
multi-run ``plot``).

Nothing is created here. Writability is probed by making (and at once removing) a
temporary file in the nearest existing folder, because ``os.access`` says yes to root on a
read-only mount's permission bits and cannot see a full or read-only file system.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nprl.errors import UserError


def check_output_dir(path: str | Path, option: str = "--out") -> Path:
    """Check that ``path`` can be (or already is) a folder we may write into.

    Raises :class:`UserError` naming ``option`` when ``path`` is a file, lies under a
    file, or its nearest existing folder is not writable.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path} is a file, not a folder; choose a folder name")
    _check_writable_ancestor(path, option)
    return path


def check_output_file(path: str | Path, option: str, suffixes: tuple[str, ...] = ()) -> Path:
    """Check that a file can be written at ``path`` (its folders may not exist yet).

    ``suffixes`` (lower case, with the dot), when given, are the formats the writer knows.
    Raises :class:`UserError` naming ``option`` when ``path`` is a folder, has an unknown
    suffix, lies under a file, or its nearest existing folder is not writable.
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{option} {path} is a folder; give a file name")
    if suffixes and path.suffix.lower() not in suffixes:
        raise UserError(f"{option} {path}: unknown format {path.suffix or '(no suffix)'!r}; "
                        f"use one of {', '.join(suffixes)}")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"{option} {path} exists and cannot be overwritten (read-only)")
    _check_writable_ancestor(path.parent, option, shown=path)
    return path


def _check_writable_ancestor(folder: Path, option: str, shown: Path | None = None) -> None:
    """The nearest existing ancestor of ``folder`` (itself included) must be a folder in
    which a file can be created."""
    shown = shown if shown is not None else folder
    existing = folder
    while not existing.exists():
        if existing.parent == existing:  # only on a broken root; keep the loop finite
            break
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{option} {shown}: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".nprl-write-check-"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise UserError(f"{option} {shown}: cannot write in {existing} ({reason}); "
                        "choose a writable place") from None


def fresh_dir(base: str | Path) -> Path:
    """``base`` if nothing exists there yet, else the first free ``base-2``, ``base-3``...:
    a default output folder that never lands over an earlier result."""
    base = Path(base)
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def check_new_output_dir(path: str | Path, option: str = "--out") -> Path:
    """Like :func:`check_output_dir`, and the folder must be new or empty: a command that
    writes a whole folder of results never mixes them with (or over) earlier ones."""
    path = check_output_dir(path, option)
    if path.is_dir() and any(path.iterdir()):
        raise UserError(f"{option} {path} already holds files; name a new folder (or remove "
                        "that one first)")
    return path
