"""Optimizers, sorted by increasing complexity: SGD, RMSprop, Adam, AdamW.

Each follows PyTorch's update rule exactly (same gradients -> same parameters, up to
float rounding), so results can be compared one to one:

- SGD:     g = grad + wd p;  b = mu b + (1 - dampening) g  (b = g on the first step);
           g = g + mu b (Nesterov) or g = b;  p -= lr g
- RMSprop: g = grad + wd p;  s = a s + (1 - a) g^2;  [centered: c = a c + (1 - a) g,
           s_hat = s - c^2];  d = sqrt(s_hat) + eps;  b = mu b + g / d, p -= lr b
           (or p -= lr g / d without momentum)
- Adam:    g = grad + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
           p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
- AdamW:   p *= 1 - lr wd (decoupled decay), then Adam without the wd term.

Four performance details, all invisible to the maths:

1. Packing.  At construction the optimizer copies all its parameters (of one dtype)
   into one contiguous buffer and rebinds each ``Parameter.data`` / ``.grad`` to a view
   of it.  A step is then a dozen NumPy calls on one array instead of a dozen per
   parameter, which matters for small networks where per-call overhead dominates.  If
   someone rebinds ``param.data`` later (``net.astype``, assignment), the next step
   notices and packs again.  In-place edits (``load_state_dict``, ``p.data[...] = x``)
   need nothing.
2. Denormals.  NumPy has no flush-to-zero switch, and state that decays geometrically
   (Adam's v by 0.999 per step) drifts into subnormal floats, where arithmetic is many
   times slower.  Every ``FLUSH_EVERY`` steps, state entries smaller than the smallest
   normal float are set to exactly zero (their effect on an update is far below eps).
3. Adam keeps its moments scaled, m / (1 - b1) and v / (1 - b2), which turns each moment
   update into "decay, add" and saves two passes over the arrays per step;
   ``state_dict()`` reports (and ``load_state_dict()`` accepts) PyTorch's unscaled moments.
4. Chunks.  Adam's step is ten passes over the slab; on a large network (a CNN's 1.7M
   parameters) each pass would stream the arrays from main memory. It goes chunk by
   chunk instead, so the passes of one chunk run in cache.
"""

from __future__ import annotations

import math

import numpy as np

from nprl.checks import real_number
from nprl.nn.parameter import Parameter

FLUSH_EVERY = 100  # steps between flushes of subnormal optimizer state
# Adam works on slabs of at least CHUNKED_FROM values in chunks of CHUNK values (64k
# float32: 256 kB per array); smaller slabs go in one piece. Measured on a 1.7M-value
# slab: 16% faster than one piece; on 133k values one piece was faster.
CHUNK = 65_536
CHUNKED_FROM = 4 * CHUNK


def _flush_denormals(array: np.ndarray) -> None:
    """Set entries with magnitude below the smallest normal float to zero, in place."""
    tiny = np.finfo(array.dtype).tiny
    np.copyto(array, 0, where=np.abs(array) < tiny)


class Optimizer:
    """Base class: holds the parameters, packs them, steps, zeroes, saves state.

    Parameters
    ----------
    params : iterable of Parameter
        Typically ``net.parameters()``.
    lr : float
        Learning rate (may be changed between steps through ``optimizer.lr``).
    """

    # Names of per-parameter state buffers, in the order state_dict lists them.
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
        # One dict per buffer name -> list of arrays, one per slab (created lazily).
        self.state: dict[str, list[np.ndarray]] = {}
        self._pack()

    # -- packing ---------------------------------------------------------------
    def _pack(self) -> None:
        """Gather parameters into contiguous slabs (one per dtype) and rebind to views."""
        groups: dict[np.dtype, list[Parameter]] = {}
        for p in self.params:
            groups.setdefault(p.data.dtype, []).append(p)
        self._slabs: list[tuple[np.ndarray, np.ndarray]] = []
        self._where: list[tuple[int, int, int]] = [None] * len(self.params)  # (slab, start, stop)
        index = {id(p): i for i, p in enumerate(self.params)}
        for slab_id, (dtype, group) in enumerate(groups.items()):
            total = sum(p.data.size for p in group)
            data = np.empty(total, dtype=dtype)
            grad = np.empty(total, dtype=dtype)
            offset = 0
            for p in group:
                stop = offset + p.data.size
                data_view = data[offset:stop].reshape(p.data.shape)
                grad_view = grad[offset:stop].reshape(p.data.shape)
                data_view[...] = p.data
                grad_view[...] = p.grad
                p.data, p.grad = data_view, grad_view
                self._where[index[id(p)]] = (slab_id, offset, stop)
                offset = stop
            self._slabs.append((data, grad))
        self._bound = [(p.data, p.grad) for p in self.params]
        # Existing state (after a repack) is converted to the new slab layout.
        for name, buffers in self.state.items():
            self.state[name] = self._repack_state(buffers)

    def _repack_state(self, buffers: list[np.ndarray]) -> list[np.ndarray]:
        per_param = self._split(buffers, self._old_where) if hasattr(self, "_old_where") else None
        new = [np.zeros_like(data) for data, _ in self._slabs]
        if per_param is not None:
            for (slab, start, stop), value in zip(self._where, per_param):
                new[slab][start:stop] = value.reshape(-1)
        return new

    def _ensure_packed(self) -> None:
        for p, (data, grad) in zip(self.params, self._bound):
            if p.data is not data or p.grad is not grad:
                self._old_where = self._where
                self._pack()
                return

    def _split(self, buffers: list[np.ndarray], where) -> list[np.ndarray]:
        """Per-parameter views of slab-shaped state buffers."""
        return [
            buffers[slab][start:stop].reshape(p.data.shape)
            for p, (slab, start, stop) in zip(self.params, where)
        ]

    def _buffer(self, name: str) -> list[np.ndarray]:
        """The state buffer ``name`` (one zero-initialised array per slab)."""
        buffers = self.state.get(name)
        if buffers is None:
            buffers = [np.zeros_like(data) for data, _ in self._slabs]
            self.state[name] = buffers
        return buffers

    # -- public API ------------------------------------------------------------
    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero."""
        self._ensure_packed()
        for _, grad in self._slabs:
            grad.fill(0)
        for p in self.params:
            p.grad_is_zero = True

    def step(self) -> None:
        """Apply one update from the current ``.grad`` of every parameter."""
        self._ensure_packed()
        self.step_count += 1
        for slab_id, (data, grad) in enumerate(self._slabs):
            self._update(slab_id, data, grad)
        if self.step_count % FLUSH_EVERY == 0:
            for buffers in self.state.values():
                for buffer in buffers:
                    _flush_denormals(buffer)

    def _update(self, slab: int, data: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def _state_scale(self, name: str) -> float:
        """Factor from the stored state buffer ``name`` to its PyTorch meaning (1 here)."""
        return 1.0

    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything needed to resume: ``step`` and, per parameter i, ``<buffer>.<i>``.

        All values are ndarrays (``step`` is 0-d int64), so they save as ``.npy``.
        """
        self._ensure_packed()
        state = {"step": np.array(self.step_count, dtype=np.int64),
                 "lr": np.array(self.lr, dtype=np.float64)}
        for name, buffers in self.state.items():
            scale = self._state_scale(name)
            for i, value in enumerate(self._split(buffers, self._where)):
                state[f"{name}.{i}"] = value * scale if scale != 1.0 else value.copy()
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state_dict` returned (same parameters, same order).

        Raises
        ------
        ValueError
            On a missing ``step``, an unknown buffer name or a shape mismatch.
        """
        self._ensure_packed()
        if "step" not in state:
            raise ValueError("optimizer state_dict has no 'step' entry")
        new_state: dict[str, list[np.ndarray]] = {}
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
            if name not in new_state:
                new_state[name] = [np.zeros_like(data) for data, _ in self._slabs]
            slab, start, stop = self._where[i]
            new_state[name][slab][start:stop] = value.reshape(-1) / self._state_scale(name)
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

    def _update(self, slab, data, grad) -> None:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        if self.momentum:
            if slab == 0:  # PyTorch starts the buffer at g itself, not at zero
                self._first_momentum_step = "momentum_buffer" not in self.state
            first = self._first_momentum_step
            buf = self._buffer("momentum_buffer")[slab]
            if first:
                buf[...] = g
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        data -= self.lr * g


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

    def _update(self, slab, data, grad) -> None:
        g = grad + self.weight_decay * data if self.weight_decay else grad
        alpha = self.alpha
        square_avg = self._buffer("square_avg")[slab]
        square_avg *= alpha
        square_avg += (1.0 - alpha) * (g * g)
        if self.centered:
            grad_avg = self._buffer("grad_avg")[slab]
            grad_avg *= alpha
            grad_avg += (1.0 - alpha) * g
            denom = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            denom = np.sqrt(square_avg)
        denom += self.eps
        if self.momentum:
            buf = self._buffer("momentum_buffer")[slab]
            buf *= self.momentum
            buf += g / denom
            data -= self.lr * buf
        else:
            data -= self.lr * (g / denom)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay.

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
        self._scratch: list[np.ndarray | None] = []

    def _update(self, slab, data, grad) -> None:
        # The moments are stored scaled, m_s = m / (1 - b1) and v_s = v / (1 - b2), which
        # saves two passes over the arrays per step; state_dict() unscales them.
        m_s = self._buffer("exp_avg")[slab]
        v_s = self._buffer("exp_avg_sq")[slab]
        while len(self._scratch) <= slab:
            self._scratch.append(None)
        size = min(data.size, CHUNK) if data.size >= CHUNKED_FROM else data.size
        tmp = self._scratch[slab]
        if tmp is None or tmp.shape != (size,) or tmp.dtype != data.dtype:
            tmp = self._scratch[slab] = np.empty(size, dtype=data.dtype)
        # Large slabs go chunk by chunk, so that the ten passes of one chunk hit the
        # cache instead of main memory (same arithmetic, same result, bit for bit).
        for start in range(0, data.size, size):
            stop = start + size
            self._update_chunk(data[start:stop], grad[start:stop], m_s[start:stop],
                               v_s[start:stop], tmp[: min(stop, data.size) - start])

    def _update_chunk(self, data, grad, m_s, v_s, tmp) -> None:
        beta1, beta2 = self.betas
        lr, t = self.lr, self.step_count
        if self.weight_decay:
            if self._decoupled:
                data *= 1.0 - lr * self.weight_decay
                g = grad
            else:
                g = grad + self.weight_decay * data
        else:
            g = grad
        # m = b1 m + (1 - b1) g      <=>  m_s = b1 m_s + g
        m_s *= beta1
        m_s += g
        # v = b2 v + (1 - b2) g^2    <=>  v_s = b2 v_s + g^2
        np.multiply(g, g, out=tmp)
        v_s *= beta2
        v_s += tmp
        # p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps); with c = sqrt((1 - b2) / bc2):
        # p -= [lr (1 - b1) / (bc1 c)] * m_s / (sqrt(v_s) + eps / c)
        bias_correction1 = 1.0 - beta1**t
        bias_correction2 = 1.0 - beta2**t
        c = math.sqrt((1.0 - beta2) / bias_correction2)
        np.sqrt(v_s, out=tmp)
        tmp += self.eps / c
        np.divide(m_s, tmp, out=tmp)
        tmp *= -lr * (1.0 - beta1) / (bias_correction1 * c)
        data += tmp

    # Stored moments are scaled (see _update); convert to and from PyTorch's meaning.
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
