"""The build: committed notebooks equal what the sources produce; the format's rules hold."""

import json

import pytest

from nprl.lessons import build
from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course, order_key

EXERCISES, SOLUTIONS = build.build_all()
MINE = ["01_neurons", "02_perceptron", "03_activations", "checkpoint_a", "04_mlp",
        "05_forward", "06_losses", "checkpoint_b"]


def test_every_source_has_both_notebooks_committed_and_up_to_date():
    assert sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(EXERCISES)
    assert sorted(p.name for p in SOLUTION_DIR.glob("*.ipynb")) == sorted(SOLUTIONS)
    for folder, built in ((NOTEBOOK_DIR, EXERCISES), (SOLUTION_DIR, SOLUTIONS)):
        for name, text in built.items():
            assert (folder / name).read_text(encoding="utf-8") == text, (
                f"{folder.name}/{name} differs from its source: run python -m nprl.lessons.build")


def test_course_order_and_lessons_1_to_6_with_checkpoints_a_b():
    names = [e.name for e in course()]
    assert names == sorted(names, key=order_key)
    assert [n for n in names if n in MINE] == MINE
    for entry in course():
        assert entry.title and entry.minutes > 0 and entry.exercises, entry


def test_exercise_notebooks_hide_solutions_and_markers():
    for name, text in EXERCISES.items():
        assert "BEGIN SOLUTION" not in text and "END BUGGY" not in text, name
        assert "BEGIN SOLUTION" not in SOLUTIONS[name] and "BEGIN BUGGY" not in SOLUTIONS[name]
        assert json.loads(text)["nbformat"] == 4


def cell(lines):
    return build.Cell("code", lines, 1)


def test_solution_region_becomes_a_stub_at_its_indentation():
    source = ["def f(x):", "    # BEGIN SOLUTION", "    return x", "    # END SOLUTION"]
    assert build.render_code(cell(source), "t", solution=False) == [
        "def f(x):", "    # YOUR CODE HERE", "    raise NotImplementedError"]
    assert build.render_code(cell(source), "t", solution=True) == ["def f(x):", "    return x"]


def test_buggy_block_replaces_the_solution_in_the_exercise():
    source = ["def f(x):", "    # BEGIN BUGGY", "    return -x", "    # END BUGGY",
              "    # BEGIN SOLUTION", "    return x", "    # END SOLUTION"]
    assert build.render_code(cell(source), "t", solution=False) == ["def f(x):", "    return -x"]
    assert build.render_code(cell(source), "t", solution=True) == ["def f(x):", "    return x"]


@pytest.mark.parametrize("lines, words", [
    (["# BEGIN SOLUTION", "x = 1"], "not closed"),
    (["# END SOLUTION"], "without its BEGIN"),
    (["# BEGIN SOLUTION", "# BEGIN BUGGY"], "inside an open"),
])
def test_broken_markers_are_build_errors(lines, words):
    with pytest.raises(build.BuildError, match=words):
        build.render_code(cell(lines), "t", solution=True)


def test_source_needs_title_and_time(tmp_path):
    path = tmp_path / "01_x.lesson"
    path.write_text("# %% [markdown]\n# # Title\n# %%\nx = 1\n")
    with pytest.raises(build.BuildError, match="Estimated time"):
        build.build_lesson(path)
    bad = tmp_path / "lesson_one.lesson"
    bad.write_text("# %% [markdown]\n# # T\n# **Estimated time:** 5 minutes\n")
    with pytest.raises(build.BuildError, match="NN_topic"):
        build.build_lesson(bad)
