"""The course's table of contents, read from the notebooks themselves, and learner progress.

One place for the naming facts: a notebook is ``NN_topic`` (lesson NN) or ``checkpoint_X``
(after lesson 3, 6, 9 or 13); its first Markdown cell starts with ``# Title`` and holds
``**Estimated time:** N minutes``; its exercises are the ``check.check_<name>(`` calls in
its code. Progress is read from a learner's saved notebook: the verdict lines that the
checks printed into its outputs (the last verdict of each exercise counts).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from nprl.lessons.grading import Verdict, parse_verdicts

PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOK_DIR = PACKAGE_DIR / "notebooks"
SOLUTION_DIR = PACKAGE_DIR / "solutions"

# Checkpoint letter -> the lesson it follows.
CHECKPOINT_AFTER = {"a": 3, "b": 6, "c": 9, "d": 13}
NAME = re.compile(r"^(?:(\d\d)_[a-z0-9_]+|checkpoint_([a-d]))$")
CHECK_CALL = re.compile(r"\bcheck\.check_([A-Za-z0-9_]+)\(")
TIME = re.compile(r"\*\*Estimated time:\*\*\s*(\d+)\s*minutes")


def order_key(name: str) -> float:
    """Position in the course: lessons by number, checkpoint A right after lesson 3, etc.

    Raises ValueError for a name that is neither ``NN_topic`` nor ``checkpoint_X``.
    """
    match = NAME.match(name)
    if not match:
        raise ValueError(f"{name}: a lesson is named NN_topic or checkpoint_X (X in a-d)")
    if match[1]:
        return float(match[1])
    return CHECKPOINT_AFTER[match[2]] + 0.5


def label(name: str) -> str:
    """'3' for 03_activations, 'A' for checkpoint_a."""
    match = NAME.match(name)
    return str(int(match[1])) if match and match[1] else name[-1].upper()


@dataclass(frozen=True)
class Entry:
    """One notebook of the course."""

    name: str  # file stem, e.g. "02_perceptron"
    title: str
    minutes: int
    exercises: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.ipynb"


def read_notebook(path: Path) -> dict:
    """A notebook's JSON; ValueError naming the file if it is not a notebook."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable notebook ({error})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{path}: not a notebook (no list of cells)")
    return notebook


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def entry_from_notebook(name: str, notebook: dict) -> Entry:
    """Title, time and exercises of one notebook (see the module docstring)."""
    cells = [c for c in notebook["cells"] if isinstance(c, dict)]
    first = _text(cells[0].get("source")) if cells else ""
    title = first.splitlines()[0].lstrip("# ").strip() if first.strip() else name
    time = TIME.search(first)
    exercises = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            exercises += [e for e in CHECK_CALL.findall(_text(cell.get("source")))
                          if e not in exercises]
    return Entry(name, title, int(time[1]) if time else 0, tuple(exercises))


def course(folder: Path = NOTEBOOK_DIR) -> list[Entry]:
    """Every notebook of the course in ``folder``, in course order."""
    entries = []
    for path in folder.glob("*.ipynb"):
        if NAME.match(path.stem):
            entries.append(entry_from_notebook(path.stem, read_notebook(path)))
    return sorted(entries, key=lambda e: order_key(e.name))


def saved_verdicts(notebook: dict) -> dict[str, Verdict]:
    """The last verdict of each exercise found in a notebook's saved outputs."""
    found: dict[str, Verdict] = {}
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs") or []:
            if not isinstance(output, dict):
                continue
            text = _text(output.get("text"))
            if output.get("output_type") in ("execute_result", "display_data"):
                text = _text((output.get("data") or {}).get("text/plain"))
            for verdict in parse_verdicts(text):
                found[verdict.exercise] = verdict
    return found


def progress(entry: Entry, notebook_path: Path) -> tuple[int, int] | None:
    """``(passed, checked)``: how many of the entry's exercises passed, and how many were
    checked at all, in the learner's saved notebook; None when it cannot be read."""
    try:
        verdicts = saved_verdicts(read_notebook(notebook_path))
    except ValueError:
        return None
    mine = [verdicts[e] for e in entry.exercises if e in verdicts]
    return sum(1 for v in mine if v.passed), len(mine)
