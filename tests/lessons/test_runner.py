"""The runner's shared kernel: a later notebook sees none of the earlier one's names and
runs in its own folder, as it would in a fresh kernel."""

import nbformat
import pytest

pytest.importorskip("nbclient")

from nprl.lessons.runner import run_in_one_kernel


def write(path, *sources):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(notebook, str(path))
    return path


def test_second_notebook_in_a_shared_kernel_starts_clean(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a" / "first.ipynb", "import numpy as np\nleft_over = 42",
                  "import matplotlib.pyplot as plt\nplt.figure()")
    second = write(tmp_path / "b" / "second.ipynb", "print(left_over)", "print(np.pi)",
                   "import os, matplotlib.pyplot as plt\nprint(os.getcwd())\n"
                   "print('figures', len(plt.get_fignums()))")
    one, two = run_in_one_kernel([first, second])
    assert not one.errors
    assert [e.cell for e in two.errors] == [1, 2]  # both names are gone
    assert "NameError: name 'left_over'" in two.errors[0].error
    assert len(two.notebook["cells"]) == 3  # the reset cell is not left in the result
    text = "".join(two.notebook["cells"][2]["outputs"][0]["text"])
    assert str((tmp_path / "b").resolve()) in text and "figures 0" in text
