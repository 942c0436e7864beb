"""Self-grading checks for the course notebooks: verdicts, array hints, finite differences.

How to write a lesson (read this first)
=======================================
1. Source: ``nprl/lessons/source/NN_name.lesson`` in Python "percent" format. Cells start with
   ``# %% [markdown]`` (the following ``# ``-prefixed lines are Markdown) or ``# %%`` (code).
   The first Markdown cell is ``# Lesson N: Title``, then a line
   ``**Estimated time:** 40 minutes``, what you will learn, and where it reappears in RL.
2. Exercise: a function whose body sits between ``# BEGIN SOLUTION`` and ``# END SOLUTION``;
   the exercise notebook gets ``# YOUR CODE HERE`` / ``raise NotImplementedError`` instead.
   The next code cell is the one-line check::

       check.check_relu(relu)

   after ``from nprl.lessons.checks import lesson03 as check`` near the top.
3. Debug exercise: the learner sees ``# BEGIN BUGGY`` ... ``# END BUGGY`` (the planted bug),
   the solution notebook sees the ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` block that
   follows it. Its check must answer "not yet" for the planted bug (use
   :func:`reject_planted_bug`), never "passed".
4. Check module ``nprl/lessons/checks/lessonNN.py``: one ``check_<exercise>(fn)`` per
   exercise, written with the :func:`check` decorator (the exercise's name is the
   function's name without ``check_``). The body calls the learner's
   function on fixed-seed inputs (copies: learners may change arrays in place), compares
   with ``nprl.nn`` using :func:`expect_close` (and :func:`expect_gradient` for gradients),
   names known mistakes with :func:`reject_mistakes`, and raises :class:`Wrong` with a hint
   for anything else it wants to reject::

       @check
       def check_relu(relu):
           x = sample((4, 5), seed=0)
           expect_close(relu(x.copy()), nn.ReLU().forward(x), what="relu(x)")

   The decorated function prints ONE verdict line and returns the :class:`Verdict`; it
   never raises, whatever the learner's function does.
5. Build: ``python -m nprl.lessons.build`` writes ``notebooks/`` (exercises) and
   ``solutions/``; commit both (``nprl lessons`` reads titles, times and exercises from
   them). Tests: give every exercise at least one plausible wrong answer in
   ``tests/lessons/test_checks_*.py``; ``tests/lessons/test_notebooks.py`` runs every
   notebook (solutions: all pass; exercises: all "not yet", nothing crashes).

The verdict line starts with :data:`MARKER`; ``nprl lessons check`` and the progress
listing find verdicts by parsing those lines from the notebooks' saved outputs.
"""

from __future__ import annotations

import functools
import re
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MARKER = "[nprl-check]"
STATUSES = ("passed", "not yet", "wrong")
_LINE = re.compile(r"^\[nprl-check\] (passed|not yet|wrong): ([A-Za-z0-9_]+)(?: - (.*))?$")
# Frames from these folders are ours or NumPy's; a hint points at the learner's own line.
_LIBRARY_DIRS = (str(Path(__file__).resolve().parents[1]), str(Path(np.__file__).parent))


@dataclass(frozen=True)
class Verdict:
    """The result of one check: ``status`` is "passed", "not yet" or "wrong"."""

    status: str
    exercise: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def line(self) -> str:
        """The one printed line, e.g. ``[nprl-check] wrong: relu - relu(x) has shape ...``."""
        hint = " ".join(self.hint.split())  # one line, always
        return f"{MARKER} {self.status}: {self.exercise}" + (f" - {hint}" if hint else "")

    def __str__(self) -> str:
        return self.line()

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's value: the check already printed its line."""


def parse_verdicts(text: str) -> list[Verdict]:
    """Every verdict line found in ``text`` (a cell's printed output), in order."""
    verdicts = []
    for raw in text.splitlines():
        match = _LINE.match(raw.strip())
        if match:
            verdicts.append(Verdict(match[1], match[2], match[3] or ""))
    return verdicts


class Wrong(Exception):
    """Raised inside a check's body: the answer is wrong; the message is the hint."""


class NotYet(Exception):
    """Raised inside a check's body: nothing to grade yet (e.g. the planted bug is still there)."""


# -- running a check ------------------------------------------------------------------

def _learner_frame(error: BaseException):
    """The last traceback frame in the learner's code (not nprl's or NumPy's), or None."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(_LIBRARY_DIRS)]
    return frames[-1] if frames else None


def _where(error: BaseException) -> str:
    """' (in relu, line 3)': where in the learner's code the error was raised."""
    frame = _learner_frame(error)
    return f" (in {frame.name}, line {frame.lineno})" if frame else ""


def _stub_hint(error: NotImplementedError) -> str:
    """Name the function that still has its stub: with helpers, it may not be the one checked."""
    frame = _learner_frame(error)
    name = f"`{frame.name}`" if frame and frame.name.isidentifier() else "your function"
    return f"{name} still raises NotImplementedError: replace it with your code, then run again"


def run_check(name: str, body: Callable[[], object]) -> Verdict:
    """Run ``body`` and turn its outcome into a Verdict; print it; never raise.

    ``body`` returns normally when the answer is right, raises :class:`Wrong` (hint) or
    :class:`NotYet`; a ``NotImplementedError`` means the stub is still there; any other
    exception from the learner's code is "wrong" with a one-line hint naming it.
    NumPy warnings (overflow, 0/0) are silenced here: the hint reports NaN or inf instead.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            body()
        verdict = Verdict("passed", name)
    except NotImplementedError as error:
        verdict = Verdict("not yet", name, _stub_hint(error))
    except NotYet as error:
        verdict = Verdict("not yet", name, str(error))
    except Wrong as error:
        verdict = Verdict("wrong", name, str(error))
    except RecursionError:
        verdict = Verdict("wrong", name, "your function calls itself without end")
    except Exception as error:  # noqa: BLE001 - a check never crashes the notebook
        message = str(error).splitlines()[0] if str(error) else ""
        verdict = Verdict("wrong", name,
                          f"your code raised {type(error).__name__}: {message}{_where(error)}")
    print(verdict.line())
    return verdict


def check(body: Callable[..., object]) -> Callable[..., Verdict]:
    """Decorator: turn ``check_<exercise>(fn, ...)`` into a check that prints and returns a Verdict.

    The exercise's name is the function's name without ``check_`` (``check_relu`` grades
    ``relu``); the course index and the progress listing rely on that.
    """
    if not body.__name__.startswith("check_"):
        raise ValueError(f"a check's name starts with 'check_', got {body.__name__!r}")
    name = body.__name__[len("check_"):]

    @functools.wraps(body)
    def wrapper(*args, **kwargs) -> Verdict:
        return run_check(name, lambda: body(*args, **kwargs))

    return wrapper


# -- inputs ---------------------------------------------------------------------------

def sample(shape, seed: int = 0, low: float = -2.0, high: float = 2.0,
           dtype=np.float64) -> np.ndarray:
    """Fixed-seed uniform test input; values are kept away from 0 so signs are clear."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=shape)
    x = np.where(np.abs(x) < 0.05, 0.05 * np.sign(x + 1e-12), x)
    return x.astype(dtype)


# -- comparing arrays -----------------------------------------------------------------

def _fmt(value) -> str:
    return f"{float(value):.4g}"


def _index(flat: int, shape) -> str:
    index = np.unravel_index(flat, shape)
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _as_array(got, what: str) -> np.ndarray:
    if got is None:
        raise Wrong(f"{what} is None: did you forget `return`?")
    if callable(got):
        raise Wrong(f"{what} is a function, not an array: did you forget to call it?")
    try:
        array = np.asarray(got)
    except Exception:  # noqa: BLE001 - a ragged list, an odd object
        raise Wrong(f"{what} is a {type(got).__name__}, which NumPy cannot read as an array")
    if array.dtype == object:
        raise Wrong(f"{what} is a {type(got).__name__} that is not a plain array of numbers")
    return array


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def array_hint(got, expected, what: str = "your result", rtol: float = 1e-5,
               atol: float = 1e-6, reduced_from: np.ndarray | None = None) -> str | None:
    """None if ``got`` matches ``expected``, else a hint that names what differs.

    Looks, in order, for: no array at all; a wrong shape (and whether it is the transpose,
    or ``reduced_from`` summed/averaged over the wrong axis); an integer or boolean result
    where floats were expected; NaN or inf; the sign flipped; the transpose; a constant
    factor or offset; and finally the first mismatching element.
    """
    expected = np.asarray(expected)
    try:
        got = _as_array(got, what)
    except Wrong as error:
        return str(error)
    if got.shape != expected.shape:
        hint = f"{what} has shape {got.shape}, expected {expected.shape}"
        if got.ndim >= 2 and got.shape == expected.T.shape:
            if got.dtype.kind in "biuf" and np.allclose(got, expected.T, rtol, atol):
                return hint + ": it is the transpose of the right answer (a missing or extra .T?)"
            if got.dtype.kind in "biuf" and np.allclose(got.ravel(), expected.ravel(), rtol, atol):
                return hint + ": the right numbers, reshaped; a transpose was meant?"
            return hint + ": transposed? (check the order in your matrix product)"
        if reduced_from is not None:
            axis = _reduction_axis(got, reduced_from, rtol, atol)
            if axis is not None:
                return hint + f": you reduced over axis {axis}; reduce over the other axis"
        if got.ndim == expected.ndim + 1 or got.ndim + 1 == expected.ndim:
            return hint + ": a missing or extra axis (keepdims? a sum over the wrong axis?)"
        if got.size == expected.size:
            return hint + ": same numbers, different arrangement? (a reshape or a transpose)"
        return hint
    if expected.dtype.kind == "f" and got.dtype.kind in "biu":
        if _close(got.astype(float), expected, rtol, atol):
            return None
        return (f"{what} has integer/boolean dtype {got.dtype}; expected floating point "
                f"(integer division or a comparison where a value was meant?)")
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        bad = ~np.isfinite(got.astype(np.complex128) if got.dtype.kind == "c" else
                           got.astype(float))
        if bad.any() and np.isfinite(expected).all():
            where = f" (first at {_index(int(np.flatnonzero(bad)[0]), got.shape)})" \
                if got.ndim else ""
            return (f"{what} contains NaN or inf{where}: "
                    f"an overflow in exp, a log of 0, or a division by 0?")
    if _close(got, expected, rtol, atol):
        return None
    got_f, exp_f = got.astype(float), expected.astype(float)
    if np.abs(exp_f).max(initial=0) > atol and _close(got_f, -exp_f, rtol, atol):
        return f"{what} has the right size but the opposite sign: a flipped sign somewhere?"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got_f, exp_f.T, rtol, atol):
        return f"{what} is the transpose of the expected matrix: a missing or extra .T?"
    if got.size == 1:
        return f"{what} is {_fmt(got_f.flat[0])}, expected {_fmt(exp_f.flat[0])}"
    factor = _constant_factor(got_f, exp_f, rtol, atol)
    if factor is not None:
        return f"{what} is {factor:.4g} times the expected value: a missing or extra factor?"
    offset = _constant_offset(got_f, exp_f, rtol, atol)
    if offset is not None:
        return f"{what} is off by a constant {offset:+.4g} everywhere: a missing or extra term?"
    diff = np.abs(got_f - exp_f) - (atol + rtol * np.abs(exp_f))
    flat = int(np.argmax(diff > 0))
    where = _index(flat, got.shape) if got.ndim else ""
    return (f"{what}{where} is {_fmt(got_f.flat[flat])}, expected {_fmt(exp_f.flat[flat])}"
            f" ({int((diff > 0).sum())} of {got.size} elements differ)")


def _reduction_axis(got, source, rtol, atol) -> int | None:
    source = np.asarray(source, dtype=float)
    for axis in range(source.ndim):
        for reduce in (np.sum, np.mean):
            for keepdims in (False, True):
                candidate = reduce(source, axis=axis, keepdims=keepdims)
                if candidate.shape == got.shape and np.allclose(got, candidate, rtol, atol):
                    return axis
    return None


def _constant_factor(got, expected, rtol, atol) -> float | None:
    mask = np.abs(expected) > 1e-8
    if mask.sum() < 1 or not np.allclose(got[~mask], 0, atol=atol):
        return None
    ratios = got[mask] / expected[mask]
    factor = float(np.median(ratios))
    if abs(factor - 1) > 1e-3 and abs(factor) > 1e-12 and _close(got, factor * expected,
                                                                   rtol, atol):
        return factor
    return None


def _constant_offset(got, expected, rtol, atol) -> float | None:
    offset = float(np.median(got - expected))
    if abs(offset) > atol and got.size > 1 and _close(got, expected + offset, rtol, atol):
        return offset
    return None


def expect_close(got, expected, what: str = "your result", rtol: float = 1e-5,
                 atol: float = 1e-6, reduced_from: np.ndarray | None = None) -> np.ndarray:
    """Raise :class:`Wrong` with :func:`array_hint`'s hint unless ``got`` matches.

    Returns ``got`` as an array so a check can go on using it.
    """
    hint = array_hint(got, expected, what, rtol, atol, reduced_from)
    if hint is not None:
        raise Wrong(hint)
    return np.asarray(got)


def expect_scalar(got, expected: float, what: str = "your result", rtol: float = 1e-5,
                  atol: float = 1e-6) -> float:
    """Like :func:`expect_close` for one number; accepts a Python float or a 0-d/1-element array."""
    array = _as_array(got, what)
    if array.size != 1:
        raise Wrong(f"{what} should be one number, got an array of shape {array.shape}: "
                    f"a missing sum or mean?")
    hint = array_hint(array.reshape(()).astype(float), np.asarray(float(expected)), what,
                      rtol, atol)
    if hint is not None:
        raise Wrong(hint)
    return float(array.reshape(()))


def reject_mistakes(got, mistakes: dict[str, np.ndarray], rtol: float = 1e-5,
                    atol: float = 1e-6) -> None:
    """Raise :class:`Wrong` with the matching hint if ``got`` equals what a known mistake gives.

    ``mistakes`` maps a hint ("the sign in the exponent: use e^(-x)") to the output that
    mistake produces on the check's input, so the hint can say *which* mistake it was.
    """
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return
    for hint, output in mistakes.items():
        output = np.asarray(output, dtype=float)
        if got.shape == output.shape and np.allclose(got, output, rtol=rtol, atol=atol):
            raise Wrong(hint)


def reject_planted_bug(got, buggy, hint: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Raise :class:`NotYet` (with ``hint``) while ``got`` still equals the planted bug's output.

    NaN in the same places counts as equal, so an overflow bug is recognised too.
    """
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return
    buggy = np.asarray(buggy, dtype=float)
    if got.shape == buggy.shape and np.allclose(got, buggy, rtol=rtol, atol=atol,
                                                equal_nan=True):
        raise NotYet(hint)


# -- gradients ------------------------------------------------------------------------

def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function: d f / d x, same shape as ``x`` (float64).

    ``f`` is called with a float64 copy of ``x`` with one element nudged by +-eps.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + eps
        plus = float(f(x.copy()))
        x.flat[i] = old - eps
        minus = float(f(x.copy()))
        x.flat[i] = old
        grad.flat[i] = (plus - minus) / (2 * eps)
    return grad


def expect_gradient(got, f: Callable[[np.ndarray], float], x: np.ndarray,
                    what: str = "your gradient", eps: float = 1e-6, rtol: float = 1e-4,
                    atol: float = 1e-6, reduced_from: np.ndarray | None = None) -> np.ndarray:
    """Raise :class:`Wrong` unless ``got`` equals the finite-difference gradient of ``f`` at ``x``.

    The hint says that the truth came from finite differences, and what differs (a
    transpose, a sign, a wrong-axis sum via ``reduced_from``, the first mismatch).
    """
    numeric = numerical_gradient(f, x, eps)
    hint = array_hint(got, numeric, what, rtol, atol, reduced_from)
    if hint is not None:
        raise Wrong(hint + " (compared with finite differences)")
    return np.asarray(got)
