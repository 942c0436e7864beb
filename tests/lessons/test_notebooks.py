"""Every notebook of the course, run headless top to bottom (nbclient, one kernel each).

Solutions: every check passes. Exercises: every check says "not yet" (stubs and planted
bugs alike) and no cell crashes. This covers all notebooks present, whoever wrote them.
They run two at a time (one kernel process each) in copies under a temporary folder.
"""

import shutil

import pytest

from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course
from nprl.lessons.runner import run_notebooks

NAMES = [entry.name for entry in course()]
KINDS = {"exercise": NOTEBOOK_DIR, "solution": SOLUTION_DIR}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """(kind, name) -> RunResult for every notebook of the course."""
    keys, paths = [], []
    for kind, folder in KINDS.items():
        target = tmp_path_factory.mktemp(kind)
        for name in NAMES:
            shutil.copyfile(folder / f"{name}.ipynb", target / f"{name}.ipynb")
            keys.append((kind, name))
            paths.append(target / f"{name}.ipynb")
    return dict(zip(keys, run_notebooks(paths, jobs=2)))


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
