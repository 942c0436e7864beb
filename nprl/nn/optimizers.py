"""Optimizers, sorted by increasing complexity: SGD, RMSprop, Adam, AdamW.

Each follows PyTorch's update rule (same gradients -> same parameters, up to float
rounding), so results can be compared one to one. Per gradient g at step t:

- SGD:     g = grad + wd p;  b = mu b + (1 - dampening) g  (b = g on the first step);
           g = g + mu b (Nesterov) or g = b;  p -= lr g
- RMSprop: g = grad + wd p;  s = a s + (1 - a) g^2;  [centered: c = a c + (1 - a) g,
           s_hat = s - c^2];  d = sqrt(s_hat) + eps;  b = mu b + g / d, p -= lr b
           (or p -= lr g / d without momentum)
- Adam:    g = grad + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
           p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
- AdamW:   p *= 1 - lr wd (decoupled decay), then Adam without the wd term.

Each optimizer's ``_update(p, g, state)`` is that rule on whole arrays, where ``state``
holds its named buffers (created on first use). Three speed details are kept apart:
the parameters are packed into one slab per dtype and subnormal state is flushed now and
then (both in :mod:`nprl.nn.slabs`, invisible to the maths), and Adam stores its moments
rescaled (see :class:`Adam`; ``state_dict`` reports PyTorch's moments, losslessly).
"""

from __future__ import annotations

import math

import numpy as np

from nprl.checks import real_number
from nprl.nn.parameter import Parameter
from nprl.nn.slabs import FLUSH_EVERY, Layout, PackedParameters, chunks, flush_denormals

State = dict[str, np.ndarray]


def _buffer(state: State, name: str, like: np.ndarray) -> np.ndarray:
    """The state buffer ``name``, created as zeros shaped like ``like`` on first use."""
    buffer = state.get(name)
    if buffer is None:
        buffer = state[name] = np.zeros_like(like)
    return buffer


class Optimizer:
    """Base class: holds the parameters, steps, zeroes gradients, saves and loads state.

    Parameters
    ----------
    params : iterable of Parameter
        Typically ``net.parameters()``.
    lr : float
        Learning rate (may be changed between steps through ``optimizer.lr``).

    Attributes
    ----------
    step_count : int
        Steps taken (Adam's t).
    state : list of dict
        Named buffers (``"exp_avg"``, ...), one dict per slab of packed parameters.
    """

    # Names of the state buffers, in the order state_dict lists them.
    _state_names: tuple[str, ...] = ()

    def __init__(self, params, lr: float) -> None:
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for p in params:
            if not isinstance(p, Parameter):
                raise ValueError(
                    f"{type(self).__name__} expects Parameters (e.g. net.parameters()), "
                    f"got {type(p).__name__}"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{type(self).__name__}: a parameter appears twice in the list")
        self.params = params
        self.lr = real_number(lr, "learning rate", minimum=0.0)  # nan and inf too
        self.step_count = 0
        self._packed = PackedParameters(params)
        self.state: list[State] = [{} for _ in self._packed.slabs]

    def _update(self, p: np.ndarray, g: np.ndarray, state: State) -> None:
        """Update the values ``p`` in place from their gradient ``g`` (whole slabs)."""
        raise NotImplementedError

    def step(self) -> None:
        """Apply one update from the current ``.grad`` of every parameter."""
        self._repack_if_rebound()
        self.step_count += 1
        for (data, grad), state in zip(self._packed.slabs, self.state):
            self._update(data, grad, state)
        if self.step_count % FLUSH_EVERY == 0:
            for state in self.state:
                for buffer in state.values():
                    flush_denormals(buffer)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        self._repack_if_rebound()
        for _, grad in self._packed.slabs:
            grad.fill(0)

    def _repack_if_rebound(self) -> None:
        old_layout = self._packed.repack_if_rebound()
        if old_layout is not None:
            self.state = self._moved_state(self.state, old_layout)

    def _moved_state(self, state: list[State], old_layout: Layout) -> list[State]:
        """``state`` (laid out as ``old_layout``) in the current packing."""
        moved: list[State] = [{} for _ in self._packed.slabs]
        for name in {name for buffers in state for name in buffers}:
            per_param = {i: state[slab][name][start:stop]
                         for i, (slab, start, stop) in enumerate(old_layout)
                         if name in state[slab]}
            for slab_state, array in zip(moved, self._packed.gather(per_param)):
                slab_state[name] = array
        return moved

    # -- saving and loading --------------------------------------------------------
    def _state_scale(self, name: str) -> float:
        """Factor from the stored buffer ``name`` to its PyTorch meaning (1 here)."""
        return 1.0

    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything needed to resume: ``step``, ``lr`` and ``<buffer>.<i>`` per parameter i.

        Buffers have PyTorch's meaning. A buffer stored rescaled (Adam's moments) is
        reported in float64: a float32 value times its scale is held closely enough to
        divide back to the very same float32, so ``load_state_dict(state_dict())`` resumes
        bit for bit. All values are ndarrays, so they save as ``.npy``.
        """
        self._repack_if_rebound()
        state = {"step": np.array(self.step_count, dtype=np.int64),
                 "lr": np.array(self.lr, dtype=np.float64)}
        for name in self._state_names:
            scale = self._state_scale(name)
            for i, (slab, start, stop) in enumerate(self._packed.layout):
                buffer = self.state[slab].get(name)
                if buffer is None:
                    continue
                value = buffer[start:stop].reshape(self.params[i].data.shape)
                state[f"{name}.{i}"] = (value.copy() if scale == 1.0
                                        else value.astype(np.float64) * scale)
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state_dict` returned (same parameters, same order).

        Raises
        ------
        ValueError
            On a missing ``step``, an unknown buffer name or a shape mismatch.
        """
        self._repack_if_rebound()
        if "step" not in state:
            raise ValueError("optimizer state_dict has no 'step' entry")
        per_name: dict[str, dict[int, np.ndarray]] = {}
        for key, value in state.items():
            if key in ("step", "lr"):
                continue
            name, _, index = key.rpartition(".")
            if name not in self._state_names or not index.isdigit():
                raise ValueError(
                    f"unexpected optimizer state entry {key!r}; expected 'step', 'lr' or "
                    f"'<buffer>.<i>' with buffer in {self._state_names}"
                )
            i = int(index)
            if i >= len(self.params):
                raise ValueError(f"optimizer state entry {key!r}: only {len(self.params)} params")
            value = np.asarray(value)
            if value.shape != self.params[i].data.shape:
                raise ValueError(
                    f"optimizer state entry {key!r} has shape {value.shape}, "
                    f"expected {self.params[i].data.shape}"
                )
            scale = self._state_scale(name)
            per_name.setdefault(name, {})[i] = (value if scale == 1.0
                                                else value.astype(np.float64) / scale)
        new_state: list[State] = [{} for _ in self._packed.slabs]
        for name, values in per_name.items():
            for slab_state, array in zip(new_state, self._packed.gather(values)):
                slab_state[name] = array
        self.step_count = int(state["step"])
        if "lr" in state:
            self.lr = float(state["lr"])
        self.state = new_state

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, params={len(self.params)})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov and L2 weight decay.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
    momentum : float
    nesterov : bool
        Needs ``momentum > 0`` and ``dampening == 0`` (as in PyTorch).
    weight_decay : float
        L2 penalty added to the gradient.
    dampening : float
        Scales the new gradient in the momentum buffer (PyTorch's ``dampening``).
    """

    _state_names = ("momentum_buffer",)

    def __init__(self, params, lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, dampening: float = 0.0) -> None:
        super().__init__(params, lr)
        if momentum < 0 or weight_decay < 0:
            raise ValueError("SGD momentum and weight_decay must be >= 0")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires momentum > 0 and dampening = 0")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.weight_decay = float(weight_decay)
        self.dampening = float(dampening)

    def _update(self, p, g, state) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:  # PyTorch starts the buffer at g itself, not at zero
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g


class RMSprop(Optimizer):
    """RMSprop (PyTorch's variant: eps added outside the square root).

    Parameters
    ----------
    params : iterable of Parameter
    lr, alpha, eps : float
        Step size, smoothing constant of the squared-gradient average, denominator term.
    momentum : float
    centered : bool
        Divide by an estimate of the gradient's variance instead of its second moment.
    weight_decay : float
    """

    _state_names = ("square_avg", "grad_avg", "momentum_buffer")

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not 0 <= alpha <= 1 or eps < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("RMSprop needs 0 <= alpha <= 1 and non-negative eps, momentum, "
                             "weight_decay")
        self.alpha = float(alpha)
        self.eps = float(eps)
        self.momentum = float(momentum)
        self.centered = bool(centered)
        self.weight_decay = float(weight_decay)

    def _update(self, p, g, state) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        alpha = self.alpha
        square_avg = _buffer(state, "square_avg", p)
        square_avg *= alpha
        square_avg += (1.0 - alpha) * (g * g)
        if self.centered:
            grad_avg = _buffer(state, "grad_avg", p)
            grad_avg *= alpha
            grad_avg += (1.0 - alpha) * g
            denom = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            denom = np.sqrt(square_avg)
        denom += self.eps
        if self.momentum:
            buf = _buffer(state, "momentum_buffer", p)
            buf *= self.momentum
            buf += g / denom
            p -= self.lr * buf
        else:
            p -= self.lr * (g / denom)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay.

    The textbook update, for gradient g at step t (PyTorch's)::

        m = b1 m + (1 - b1) g
        v = b2 v + (1 - b2) g^2
        p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

    The speed trick: the moments are stored rescaled, ms = m / (1 - b1) and
    vs = v / (1 - b2), which turns each moment update into "decay, add" and saves two
    passes over the arrays per step (the step is ten in-place passes, no temporaries)::

        ms = b1 ms + g
        vs = b2 vs + g^2
        p -= [lr (1 - b1) / ((1 - b1^t) c)] * ms / (sqrt(vs) + eps / c),
             with c = sqrt((1 - b2) / (1 - b2^t))

    ``state_dict()`` reports (and ``load_state_dict()`` accepts) PyTorch's m and v.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
    betas : (float, float)
        Decay rates of the first and second moment estimates.
    eps : float
        Added to the bias-corrected sqrt(v), as in PyTorch.
    weight_decay : float
        L2 penalty added to the gradient (use ``AdamW`` for decoupled decay).
    """

    _state_names = ("exp_avg", "exp_avg_sq")
    _decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        beta1, beta2 = betas
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1) or eps < 0 or weight_decay < 0:
            raise ValueError("Adam needs 0 <= betas < 1 and non-negative eps, weight_decay")
        self.betas = (float(beta1), float(beta2))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self._scratch: dict[np.dtype, np.ndarray] = {}  # one temporary, reused every step

    def _update(self, p, g, state) -> None:
        m_s, v_s = _buffer(state, "exp_avg", p), _buffer(state, "exp_avg_sq", p)
        pieces = chunks(p.size)  # a large slab in cache-sized chunks (same result)
        tmp = self._scratch.get(p.dtype)
        if tmp is None or tmp.size < pieces[0].stop:
            tmp = self._scratch[p.dtype] = np.empty(pieces[0].stop, dtype=p.dtype)
        for piece in pieces:
            self._scaled_step(p[piece], g[piece], m_s[piece], v_s[piece],
                              tmp[: piece.stop - piece.start])

    def _scaled_step(self, p, g, m_s, v_s, tmp) -> None:
        """The update on the rescaled moments (class docstring), in place, via ``tmp``."""
        beta1, beta2 = self.betas
        lr, t = self.lr, self.step_count
        if self.weight_decay and self._decoupled:
            p *= 1.0 - lr * self.weight_decay
        elif self.weight_decay:
            g = g + self.weight_decay * p
        m_s *= beta1
        m_s += g
        np.multiply(g, g, out=tmp)
        v_s *= beta2
        v_s += tmp
        bias_correction1 = 1.0 - beta1**t
        c = math.sqrt((1.0 - beta2) / (1.0 - beta2**t))
        np.sqrt(v_s, out=tmp)
        tmp += self.eps / c
        np.divide(m_s, tmp, out=tmp)
        tmp *= -lr * (1.0 - beta1) / (bias_correction1 * c)
        p += tmp

    def _state_scale(self, name: str) -> float:
        beta1, beta2 = self.betas
        return 1.0 - (beta1 if name == "exp_avg" else beta2)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): p *= 1 - lr wd first.

    Same arguments as :class:`Adam`; ``weight_decay`` defaults to 0.01 as in PyTorch.
    """

    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


# Name -> optimizer class: the one list of optimizer names (configs and commands use it).
OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam,
                                          "adamw": AdamW}
