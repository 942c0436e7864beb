"""Unpacking what a learner's function returned, with a hint when it is not what we asked.

Many exercises return several arrays at once (``grad_x, grad_W, grad_b``); a learner may
return two of them, a list in the wrong order, or one array. :func:`unpack` turns each of
those into a one-line :class:`~nprl.lessons.grading.Wrong` that says what was expected.
"""

from __future__ import annotations

from nprl.lessons.grading import Wrong


def unpack(result, names: tuple[str, ...], function: str) -> tuple:
    """Return ``result`` as a tuple of ``len(names)`` values, or raise :class:`Wrong`.

    Parameters
    ----------
    result : object
        What the learner's function returned.
    names : tuple of str
        The names of the expected values, in order, e.g. ``("grad_x", "grad_W", "grad_b")``.
    function : str
        The learner's function name, for the hint.
    """
    expected = "(" + ", ".join(names) + ")"
    if result is None:
        raise Wrong(f"{function} returned None: end it with `return {expected[1:-1]}`")
    if not isinstance(result, (tuple, list)):
        raise Wrong(f"{function} returned one {type(result).__name__}; "
                    f"return {len(names)} values: {expected}")
    if len(result) != len(names):
        raise Wrong(f"{function} returned {len(result)} values; return {len(names)}: {expected}")
    return tuple(result)
