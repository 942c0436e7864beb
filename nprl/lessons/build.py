"""Build the course: lesson sources (percent format) -> exercise and solution notebooks.

Run ``python -m nprl.lessons.build`` after editing anything in ``nprl/lessons/source/``;
it writes ``nprl/lessons/notebooks/<name>.ipynb`` (exercises, what ``nprl lessons copy``
hands out), ``nprl/lessons/solutions/<name>.ipynb`` (worked solutions, kept apart). Both are
committed (``nprl lessons`` reads titles, times and exercises from them, see
:mod:`nprl.lessons.catalog`); a test checks they equal what this module produces, so never edit a
generated notebook by hand. How to write a lesson: see :mod:`nprl.lessons.grading`.

Source format
-------------
``# %% [markdown]`` starts a Markdown cell (its lines lose their leading ``# ``), ``# %%``
a code cell. Lines before the first cell marker (a header comment) are dropped. In code:

- ``# BEGIN SOLUTION`` ... ``# END SOLUTION``: the exercise notebook gets
  ``# YOUR CODE HERE`` and ``raise NotImplementedError`` at the same indentation;
- ``# BEGIN BUGGY`` ... ``# END BUGGY`` right before a solution region: the exercise
  notebook keeps the buggy lines instead (a debug exercise); the solution drops them.

Notebooks are written as nbformat 4.5 JSON with the ``json`` module (no build-time
dependency) and deterministic cell ids, so building twice gives identical bytes.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nprl.lessons.catalog import (
    CHECK_CALL,
    NOTEBOOK_DIR,
    PACKAGE_DIR,
    SOLUTION_DIR,
    TIME,
    order_key,
)

SOURCE_DIR = PACKAGE_DIR / "source"
# Notebook text, not nprl code (cells in percent format, run by Jupyter): not a .py module.
SOURCE_SUFFIX = ".lesson"
_MARKER = re.compile(r"^(\s*)# (BEGIN|END) (SOLUTION|BUGGY)\s*$")


class BuildError(ValueError):
    """A lesson source breaks the format; the message names the file and line."""


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    lines: list[str]  # without newlines
    first_line: int  # 1-based line in the source, for error messages


@dataclass
class Lesson:
    """One built lesson: its name, metadata and both notebooks' cells."""

    name: str
    title: str
    minutes: int
    exercises: list[str]
    exercise_cells: list[Cell] = field(default_factory=list)
    solution_cells: list[Cell] = field(default_factory=list)

    @property
    def order(self) -> float:
        return order_key(self.name)


def split_cells(text: str, origin: str) -> list[Cell]:
    """Cut a percent-format source into Markdown and code cells."""
    cells: list[Cell] = []
    current: Cell | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if stripped in ("# %%", "# %% [markdown]"):
            current = Cell("markdown" if stripped.endswith("[markdown]") else "code", [],
                           number)
            cells.append(current)
        elif stripped.startswith("# %%"):
            raise BuildError(f"{origin}:{number}: unknown cell marker {stripped!r}")
        elif current is None:
            continue  # the header comment before the first cell
        elif current.kind == "markdown":
            if stripped and not stripped.startswith("#"):
                raise BuildError(f"{origin}:{number}: Markdown lines start with '# '")
            current.lines.append(stripped[2:] if stripped.startswith("# ") else stripped[1:])
        else:
            current.lines.append(stripped)
    for cell in cells:
        while cell.lines and not cell.lines[-1].strip():
            cell.lines.pop()
        while cell.lines and not cell.lines[0].strip():
            cell.lines.pop(0)
            cell.first_line += 1
        if not cell.lines:
            raise BuildError(f"{origin}:{cell.first_line}: empty cell")
    return cells


def render_code(cell: Cell, origin: str, solution: bool) -> list[str]:
    """The cell's lines for the solution notebook or for the exercise notebook."""
    out: list[str] = []
    region: str | None = None  # "SOLUTION", "BUGGY" or None
    buggy_just_closed = False
    for offset, line in enumerate(cell.lines):
        where = f"{origin}:{cell.first_line + offset}"
        match = _MARKER.match(line)
        if not match:
            if region is None:
                if line.strip():
                    buggy_just_closed = False
                out.append(line)
            elif (region == "SOLUTION") == solution:
                out.append(line)
            continue
        indent, edge, kind = match.groups()
        if edge == "BEGIN":
            if region is not None:
                raise BuildError(f"{where}: BEGIN {kind} inside an open {region} region")
            region = kind
            if kind == "SOLUTION" and not solution and not buggy_just_closed:
                out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError"]
        else:
            if region != kind:
                raise BuildError(f"{where}: END {kind} without its BEGIN")
            region = None
            buggy_just_closed = kind == "BUGGY"
    if region is not None:
        raise BuildError(f"{origin}: cell at line {cell.first_line}: {region} region not closed")
    return out


def build_lesson(path: Path) -> Lesson:
    """Parse one source file into a Lesson (both notebooks' cells and the metadata)."""
    name, origin = path.stem, path.name
    try:
        order_key(name)
    except ValueError as error:
        raise BuildError(str(error)) from None
    cells = split_cells(path.read_text(encoding="utf-8"), origin)
    if not cells or cells[0].kind != "markdown" or not cells[0].lines[0].startswith("# "):
        raise BuildError(f"{origin}: the first cell is Markdown starting with '# Title'")
    title = cells[0].lines[0][2:].strip()
    time = TIME.search("\n".join(cells[0].lines))
    if not time:
        raise BuildError(f"{origin}: the first cell needs '**Estimated time:** N minutes'")
    exercises: list[str] = []
    lesson = Lesson(name, title, int(time[1]), exercises)
    for cell in cells:
        if cell.kind == "markdown":
            lesson.exercise_cells.append(cell)
            lesson.solution_cells.append(cell)
            continue
        solution = render_code(cell, origin, solution=True)
        exercise = render_code(cell, origin, solution=False)
        for found in CHECK_CALL.findall("\n".join(solution)):
            if found in exercises:
                raise BuildError(f"{origin}: exercise {found!r} is checked twice")
            exercises.append(found)
        lesson.solution_cells.append(Cell("code", solution, cell.first_line))
        lesson.exercise_cells.append(Cell("code", exercise, cell.first_line))
    return lesson


def notebook_json(name: str, cells: list[Cell]) -> str:
    """nbformat 4.5 JSON text (no outputs), stable across builds."""
    nb_cells = []
    for index, cell in enumerate(cells):
        source = [line + "\n" for line in cell.lines]
        source[-1] = source[-1][:-1]
        entry = {"cell_type": cell.kind, "id": f"{name.replace('_', '-')}-{index:03d}",
                 "metadata": {}, "source": source}
        if cell.kind == "code":
            entry["execution_count"] = None
            entry["outputs"] = []
        nb_cells.append(entry)
    notebook = {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def build_all(source_dir: Path = SOURCE_DIR) -> tuple[dict[str, str], dict[str, str]]:
    """Every notebook's text, in memory: (exercises, solutions) keyed by file name."""
    lessons = sorted((build_lesson(p) for p in sorted(source_dir.glob(f"*{SOURCE_SUFFIX}"))),
                     key=lambda lesson: lesson.order)
    exercises = {f"{x.name}.ipynb": notebook_json(x.name, x.exercise_cells) for x in lessons}
    solutions = {f"{x.name}.ipynb": notebook_json(x.name, x.solution_cells) for x in lessons}
    return exercises, solutions


def write_all() -> list[Path]:
    """Write both notebooks of every source; remove notebooks whose source is gone."""
    exercises, solutions = build_all()
    written = []
    for folder, notebooks in ((NOTEBOOK_DIR, exercises), (SOLUTION_DIR, solutions)):
        folder.mkdir(exist_ok=True)
        for stale in folder.glob("*.ipynb"):
            if stale.name not in notebooks:
                stale.unlink()
        for file_name, text in notebooks.items():
            path = folder / file_name
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main() -> int:
    try:
        written = write_all()
    except BuildError as error:
        print(f"build: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} notebooks into {NOTEBOOK_DIR} and {SOLUTION_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
