"""Run a notebook headless (nbclient) and collect each exercise's verdict and any crash.

Used by ``nprl lessons check``, ``nprl lessons html`` and the course's tests. nbclient
(the ``lessons`` extra) is imported only here, inside :func:`run_notebook`. A notebook
runs in its own folder (so relative paths in it work), in one fresh kernel, with every
cell executed even after an error (an error is reported, not a reason to stop).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from nprl.errors import UserError
from nprl.lessons.catalog import Entry, entry_from_notebook, read_notebook, saved_verdicts
from nprl.lessons.grading import Verdict

# Generous: the slowest cell of the course (a short MNIST training) takes seconds.
CELL_TIMEOUT_S = 600


@dataclass
class CellError:
    """A cell that raised outside a check: where, and the exception's one line."""

    cell: int  # 1-based index among all cells
    error: str


@dataclass
class RunResult:
    """What one headless run of a notebook produced."""

    path: Path
    entry: Entry
    verdicts: dict[str, Verdict]
    errors: list[CellError] = field(default_factory=list)
    notebook: dict | None = None  # the executed notebook (JSON), with outputs

    @property
    def missing(self) -> list[str]:
        """Exercises whose check never printed a verdict (the cell did not run or crashed)."""
        return [e for e in self.entry.exercises if e not in self.verdicts]

    @property
    def all_passed(self) -> bool:
        return not self.errors and not self.missing and all(
            self.verdicts[e].passed for e in self.entry.exercises)


def _import_nbclient():
    try:
        import nbclient
        import nbformat
    except ImportError:
        raise UserError("running notebooks needs the lessons extra: "
                        "pip install 'nprl[lessons]'") from None
    return nbclient, nbformat


def _kernel_env() -> dict[str, str]:
    """The kernel sees the nprl that runs us, even from a source checkout (PYTHONPATH)."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        env["PYTHONPATH"] = os.pathsep.join([root, *paths])
    # One BLAS thread unless the caller chose: on a small shared CPU, threads fight over
    # the cores (course-b measured lesson 9's fit at 5.8 s with default threads, 0.73 s with one).
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    # Figures go into the notebook, even if the caller's shell set MPLBACKEND=Agg.
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def _read(path: Path, nbformat):
    try:
        read_notebook(path)
        return nbformat.read(str(path), as_version=4)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise UserError(f"{path}: cannot read this notebook ({error})") from None


def _fresh_namespace_cell(folder: Path, nbformat):
    """A cell that makes a warm kernel look fresh to the next notebook: no names left from
    the last one (``%reset -f``), its figures closed, the working folder its own."""
    return nbformat.v4.new_code_cell(
        "%reset -f\n"
        "import os as _os, sys as _sys\n"
        f"_os.chdir({str(folder)!r})\n"
        "if 'matplotlib.pyplot' in _sys.modules:\n"
        "    _sys.modules['matplotlib.pyplot'].close('all')\n"
        "del _os, _sys")


def run_notebook(path: Path, timeout: int = CELL_TIMEOUT_S,
                 kernel_name: str = "python3") -> RunResult:
    """Execute the notebook at ``path`` top to bottom in a fresh kernel; never modify it."""
    return run_in_one_kernel([path], timeout, kernel_name)[0]


def run_in_one_kernel(paths: list[Path], timeout: int = CELL_TIMEOUT_S,
                      kernel_name: str = "python3") -> list[RunResult]:
    """Execute several notebooks one after another in ONE kernel; never modify them.

    The first runs in a fresh kernel. Before each later one, the kernel's names are
    erased and its working folder set to that notebook's, so only imported modules carry
    over (the start-up and imports such as matplotlib or PyTorch are paid once). The
    course's tests run an exercise notebook and then its solution this way; a learner's
    ``nprl lessons check`` runs each notebook in its own kernel.
    """
    nbclient, nbformat = _import_nbclient()
    paths = [Path(p).resolve() for p in paths]
    notebooks = [_read(path, nbformat) for path in paths]
    first, results = None, []
    try:
        for index, (path, notebook) in enumerate(zip(paths, notebooks)):
            if index:
                notebook.cells.insert(0, _fresh_namespace_cell(path.parent, nbformat))
            client = nbclient.NotebookClient(
                notebook, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                resources={"metadata": {"path": str(path.parent)}},
                km=first.km if first else None,
            )
            try:
                # The kernel's own start-up chatter (a TCP warning) is not the learner's.
                client.execute(env=_kernel_env(), stderr=subprocess.DEVNULL, cleanup_kc=False)
            except Exception as error:  # noqa: BLE001 - kernel died, no such kernel, timeout
                raise UserError(f"{path}: the notebook could not run ({type(error).__name__}: "
                                f"{str(error).splitlines()[0] if str(error) else ''})") from None
            finally:
                first = first or client
                if client is not first and client.kc is not None:
                    client.kc.stop_channels()
            if index:
                reset = notebook.cells.pop(0)
                if any(o.get("output_type") == "error" for o in reset.get("outputs", [])):
                    raise UserError(f"{path}: could not reset the kernel for this notebook")
            results.append(_result(path, notebook, nbformat))
    finally:
        if first is not None and first.km is not None:
            first._cleanup_kernel()
    return results


def _result(path: Path, notebook, nbformat) -> RunResult:
    """The verdicts and cell errors of an executed notebook."""
    as_json = nbformat.from_dict(notebook)
    errors = []
    for index, cell in enumerate(as_json["cells"], start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(CellError(index, f"{output.get('ename')}: {output.get('evalue')}"))
    plain = _plain(as_json)
    return RunResult(path, entry_from_notebook(path.stem, plain), saved_verdicts(plain),
                     errors, plain)


def run_notebooks(paths: list[Path], jobs: int = 1, timeout: int = CELL_TIMEOUT_S):
    """Run several notebooks, ``jobs`` kernels at a time; yield their results in order.

    Each kernel is its own process, so two jobs keep two cores busy (a kernel's start-up
    alone costs about a second of CPU).
    """
    for results in run_groups([[path] for path in paths], jobs, timeout):
        yield results[0]


def run_groups(groups: list[list[Path]], jobs: int = 1, timeout: int = CELL_TIMEOUT_S):
    """Run each group of notebooks in one kernel (:func:`run_in_one_kernel`), ``jobs``
    groups at a time; yield each group's list of results, in order."""
    if jobs <= 1:
        for group in groups:
            yield run_in_one_kernel(group, timeout)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(lambda group: run_in_one_kernel(group, timeout), groups)


def _plain(notebook) -> dict:
    """nbformat's NotebookNode as plain JSON-able dicts and lists."""
    import json

    return json.loads(json.dumps(notebook))
