"""Every notebook of the course, run headless top to bottom (nbclient).

Solutions: every check passes. Exercises: every check says "not yet" (stubs and planted
bugs alike) and no cell crashes. This covers all notebooks present, whoever wrote them.
They run in copies under a temporary folder, two kernels at a time. Each lesson's exercise
notebook runs first, in a fresh kernel; its solution notebook then runs in the same kernel
with every name erased (only imported modules stay loaded), which saves a kernel start-up
and the imports of matplotlib and PyTorch per lesson. The exercise run in a fresh kernel
still covers every cell outside the solution regions.
"""

import shutil

import pytest

from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course
from nprl.lessons.runner import run_groups

NAMES = [entry.name for entry in course()]
KINDS = {"exercise": NOTEBOOK_DIR, "solution": SOLUTION_DIR}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """(kind, name) -> RunResult for every notebook of the course."""
    folders = {kind: tmp_path_factory.mktemp(kind) for kind in KINDS}
    groups = []
    for name in NAMES:
        for kind, folder in KINDS.items():
            shutil.copyfile(folder / f"{name}.ipynb", folders[kind] / f"{name}.ipynb")
        groups.append([folders[kind] / f"{name}.ipynb" for kind in ("exercise", "solution")])
    results = {}
    for name, (exercise, solution) in zip(NAMES, run_groups(groups, jobs=2)):
        results["exercise", name], results["solution", name] = exercise, solution
    return results


@pytest.mark.parametrize("name", NAMES)
def test_solution_notebook_passes_every_check(name, results):
    result = results["solution", name]
    assert not result.errors, result.errors
    assert not result.missing, result.missing
    failing = {e: v.hint for e, v in result.verdicts.items() if not v.passed}
    assert not failing, failing


@pytest.mark.parametrize("name", NAMES)
def test_exercise_notebook_says_not_yet_everywhere_and_never_crashes(name, results):
    result = results["exercise", name]
    assert not result.errors, result.errors
    assert not result.missing, result.missing
    statuses = {e: v.status for e, v in result.verdicts.items()}
    assert set(statuses.values()) == {"not yet"}, statuses
