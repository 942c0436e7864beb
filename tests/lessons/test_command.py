"""``nprl lessons``: list with progress, copy never overwrites, check's exit code, html."""

import json
import re
import shutil
import subprocess
import sys

import pytest

from nprl.cli import main
from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course
from nprl.lessons.grading import Verdict


def run_nprl(*args):
    return subprocess.run([sys.executable, "-m", "nprl", *args], capture_output=True,
                          text=True, timeout=300)


def test_copy_writes_every_exercise_notebook_and_never_overwrites(tmp_path, capsys):
    folder = tmp_path / "work"
    assert main(["lessons", "copy", str(folder)]) == 0
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    assert names == sorted(e.file_name for e in course())
    original = (NOTEBOOK_DIR / "01_neurons.ipynb").read_bytes()
    assert (folder / "01_neurons.ipynb").read_bytes() == original
    assert not (folder / "solutions").exists()  # solutions stay apart unless asked for

    mine = folder / "01_neurons.ipynb"
    mine.write_text("my own work")
    capsys.readouterr()
    assert main(["lessons", "copy", str(folder)]) == 0
    out = capsys.readouterr().out
    assert mine.read_text() == "my own work"
    assert f"kept   {mine}" in out and f"0 written, {len(names)} kept" in out


def test_copy_solutions_on_request(tmp_path, capsys):
    assert main(["lessons", "copy", str(tmp_path), "--solutions"]) == 0
    assert (tmp_path / "solutions" / "02_perceptron.ipynb").read_bytes() == (
        SOLUTION_DIR / "02_perceptron.ipynb").read_bytes()


def test_copy_into_a_file_is_one_clear_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = run_nprl("lessons", "copy", str(target))
    assert result.returncode == 2 and "not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def saved_with(verdicts):
    """The exercise notebook of lesson 2 as if the learner ran some checks and saved it."""
    notebook = json.loads((NOTEBOOK_DIR / "02_perceptron.ipynb").read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    code[1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                           "text": [v.line() + "\n" for v in verdicts]}]
    return json.dumps(notebook)


def test_list_shows_titles_times_and_progress_from_saved_outputs(tmp_path, capsys):
    (tmp_path / "02_perceptron.ipynb").write_text(saved_with([
        Verdict("wrong", "perceptron_predict", "x"), Verdict("passed", "perceptron_predict"),
        Verdict("passed", "perceptron_update"), Verdict("not yet", "learn_and")]))
    (tmp_path / "03_activations.ipynb").write_text("{not json")
    shutil.copyfile(NOTEBOOK_DIR / "04_mlp.ipynb", tmp_path / "04_mlp.ipynb")
    assert main(["lessons", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:] if line.startswith("  ")}
    assert "Lesson 2: The perceptron" in lines["2"] and "40 min" in lines["2"]
    assert lines["2"].endswith("2/4 passed")  # the last verdict of each exercise counts
    assert lines["3"].endswith("unreadable") and lines["1"].endswith("not copied")
    assert lines["4"].endswith("not started")
    assert set(lines) >= {"1", "2", "3", "A", "4", "5", "6", "B"}


# The check command runs checkpoint A: no figures, so a kernel runs it
# in seconds (lesson 1 took 10-17 s a run under load). What each notebook's verdicts are
# is test_notebooks.py's job; here: the command's exit code and what it prints.
def test_check_exit_code_is_zero_only_when_every_exercise_passes(tmp_path):
    shutil.copyfile(SOLUTION_DIR / "checkpoint_a.ipynb", tmp_path / "checkpoint_a.ipynb")
    solved = run_nprl("lessons", "check", str(tmp_path))
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "5/5 exercises passed" in solved.stdout and "passed    softmax" in solved.stdout

    shutil.copyfile(NOTEBOOK_DIR / "checkpoint_a.ipynb", tmp_path / "checkpoint_a.ipynb")
    fresh = run_nprl("lessons", "check", str(tmp_path / "checkpoint_a.ipynb"))
    assert fresh.returncode == 1
    assert "not yet   relu - " in fresh.stdout
    assert "still raises NotImplementedError" in fresh.stdout


def test_check_counts_a_crash_as_a_failure(tmp_path):
    notebook = json.loads((SOLUTION_DIR / "checkpoint_a.ipynb").read_text())
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "boom",
                              "metadata": {}, "outputs": [], "source": "1 / 0"})
    (tmp_path / "checkpoint_a.ipynb").write_text(json.dumps(notebook))
    result = run_nprl("lessons", "check", str(tmp_path))
    assert result.returncode == 1 and "ZeroDivisionError" in result.stdout


def test_check_of_a_missing_folder_is_one_clear_error(tmp_path):
    result = run_nprl("lessons", "check", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "nprl lessons copy" in result.stderr


def test_html_renders_math_as_mathml_with_figures_and_no_network(tmp_path, capsys):
    assert main(["lessons", "html", str(tmp_path), "--only", "01_neurons",
                 "--solutions"]) == 0
    page = (tmp_path / "01_neurons.html").read_text()
    assert page.count("<math") >= 10 and "NPRLMATH" not in page
    figures = re.findall(r'<img alt="[^"]*" class="[^"]*" src="data:image/png;base64,', page)
    assert len(figures) == 2  # lesson 1's two figures, embedded in the page
    assert "<script src=" not in page and "mathjax" not in page.lower()
    assert "[nprl-check] passed: weighted_sum" in page
    index = (tmp_path / "index.html").read_text()
    assert 'href="01_neurons.html"' in index and "02_perceptron.html" not in index


def test_html_unknown_lesson_is_one_clear_error(tmp_path):
    result = run_nprl("lessons", "html", str(tmp_path), "--only", "99_nothing")
    assert result.returncode == 2 and "unknown lesson" in result.stderr


@pytest.mark.parametrize("text, count", [
    ("cost $x$ and $$y = 1$$, `$not math$`, \\$5", 2),
    ("```\n$a$\n```\n$b$", 1),
])
def test_math_outside_code_is_extracted(text, count):
    from nprl.lessons.site import extract_math

    store = []
    extract_math(text, store)
    assert len(store) == count


def test_all_lesson_math_converts_to_mathml():
    from nprl.lessons.site import extract_math, to_mathml

    for folder in (SOLUTION_DIR,):
        for path in folder.glob("*.ipynb"):
            store = []
            for cell in json.loads(path.read_text())["cells"]:
                if cell["cell_type"] == "markdown":
                    extract_math("".join(cell["source"]), store)
            for latex, display in store:
                mathml = to_mathml(latex, display)
                # converted, and no LaTeX command left over as text
                assert mathml.startswith("<math") and "\\" not in mathml, (path.name, latex)


def test_split_prints_are_joined_as_jupyter_shows_them():
    from nprl.lessons.site import _join_streams

    outputs = [{"output_type": "stream", "name": "stdout", "text": "data:"},
               {"output_type": "stream", "name": "stdout", "text": " the sample\n"},
               {"output_type": "stream", "name": "stderr", "text": "warning\n"},
               {"output_type": "stream", "name": "stdout", "text": "done\n"}]
    assert [o["text"] for o in _join_streams(outputs)] == [
        "data: the sample\n", "warning\n", "done\n"]
