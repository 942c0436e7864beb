"""``Parameter``: a trainable array together with the gradient that backward accumulates.

Layers hold their weights as Parameters so that optimizers, ``zero_grad`` and
``state_dict`` can find them without knowing what kind of layer they belong to.

Invariant relied on by the optimizers: ``.grad`` is only ever updated *in place*
(``+=``, ``fill``), never rebound, because an optimizer may have packed every
parameter of a network into one contiguous buffer (see ``nprl/nn/optimizers.py``).

``grad_is_zero`` is a small speed-up with the same results: it is True right after
``zero_grad`` (and for a new Parameter), so the first backward may *write* its
gradient (``np.matmul(..., out=grad)``) instead of adding it to zeros, which saves a
pass over the array.  If you write into ``.grad`` yourself, set it to False.
"""

from __future__ import annotations

import numpy as np


class Parameter:
    """A trainable array and its accumulated gradient.

    Parameters
    ----------
    data : array_like
        The initial value; kept as an ndarray with its own dtype (float32 by default
        in every layer).
    name : str
        A human-readable name such as ``"weight"`` or ``"bias"``.

    Attributes
    ----------
    data : ndarray
        The current value.
    grad : ndarray
        Same shape and dtype as ``data``; backward passes add into it, ``zero_grad``
        resets it to zero.
    grad_is_zero : bool
        True while ``grad`` is known to be all zeros (after ``zero_grad``).
    """

    __slots__ = ("data", "grad", "grad_is_zero", "name")

    def __init__(self, data, name: str = "") -> None:
        self.data = np.array(data, copy=True)
        if self.data.dtype.kind != "f":
            raise ValueError(
                f"Parameter {name!r} must hold floating-point values, got dtype {self.data.dtype}"
            )
        self.grad = np.zeros_like(self.data)
        self.name = name
        self.grad_is_zero = True

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def zero_grad(self) -> None:
        """Set the gradient to zero, in place."""
        self.grad.fill(0)
        self.grad_is_zero = True

    def add_grad(self, value: np.ndarray) -> None:
        """Accumulate ``value`` into ``grad`` (a copy instead of an add right after zero_grad)."""
        if self.grad_is_zero:
            np.copyto(self.grad, value)
            self.grad_is_zero = False
        else:
            self.grad += value

    def astype(self, dtype) -> None:
        """Convert value and gradient to ``dtype`` (rebinds both arrays)."""
        self.data = self.data.astype(dtype)
        self.grad = self.grad.astype(dtype)
        self.grad_is_zero = not self.grad.any()

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"
