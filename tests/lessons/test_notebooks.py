"""Every notebook of the course, run headless top to bottom (nbclient, one kernel each).

Solutions: every check passes. Exercises: every check says "not yet" (stubs and planted
bugs alike) and no cell crashes. This covers all notebooks present, whoever wrote them.
"""

import shutil

import pytest

from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course
from nprl.lessons.runner import run_notebook

NAMES = [entry.name for entry in course()]


def run_copy(folder, name, tmp_path):
    copy = tmp_path / f"{name}.ipynb"
    shutil.copyfile(folder / f"{name}.ipynb", copy)
    return run_notebook(copy)


@pytest.mark.parametrize("name", NAMES)
def test_solution_notebook_passes_every_check(name, tmp_path):
    result = run_copy(SOLUTION_DIR, name, tmp_path)
    assert not result.errors, result.errors
    assert not result.missing, result.missing
    failing = {e: v.hint for e, v in result.verdicts.items() if not v.passed}
    assert not failing, failing


@pytest.mark.parametrize("name", NAMES)
def test_exercise_notebook_says_not_yet_everywhere_and_never_crashes(name, tmp_path):
    result = run_copy(NOTEBOOK_DIR, name, tmp_path)
    assert not result.errors, result.errors
    assert not result.missing, result.missing
    statuses = {e: v.status for e, v in result.verdicts.items()}
    assert set(statuses.values()) == {"not yet"}, statuses
