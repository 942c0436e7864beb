"""``Layer``: the base class every building block of a network derives from.

A layer maps ``forward(x) -> y`` and, given dL/dy, ``backward(grad_y) -> dL/dx`` while
*adding* dL/dparam into each parameter's ``.grad`` (it never updates weights: that is the
optimizer's job).  ``predict(x)`` is the inference path: eval-mode behaviour and nothing
cached for backward, so calling it between ``forward`` and ``backward`` is harmless.

A layer class that ``load`` must be able to rebuild from the JSON ``config()`` tree is
registered by name with the :func:`register_layer` decorator (every layer of nprl.nn is);
two different classes under one name are an error, never a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nprl.checks import whole_number
from nprl.nn.parameter import Parameter

# Class name -> class, filled by register_layer (the "type" that config() writes).
LAYER_TYPES: dict[str, type[Layer]] = {}


def register_layer(cls: type[Layer]) -> type[Layer]:
    """Class decorator: make ``cls`` loadable by ``layer_from_config`` under its name.

    Raises
    ------
    ValueError
        If another class is registered under the same name. (The same class defined
        again, e.g. a notebook cell run twice, replaces the old definition.)
    """
    known = LAYER_TYPES.get(cls.__name__)
    if known is not None and (known.__module__, known.__qualname__) != (
            cls.__module__, cls.__qualname__):
        raise ValueError(f"layer type {cls.__name__!r} is already registered by "
                         f"{known.__module__}.{known.__qualname__}; give {cls.__module__}."
                         f"{cls.__qualname__} another name")
    LAYER_TYPES[cls.__name__] = cls
    return cls


class Layer:
    """Base class of all layers (and of ``Sequential``, so containers nest).

    Subclasses set ``_param_names`` (attributes holding a :class:`Parameter` or
    ``None``) and ``_buffer_names`` (attributes holding non-trainable ndarrays such as
    running statistics); containers override :meth:`children`.
    """

    _param_names: tuple[str, ...] = ()
    _buffer_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.training = True

    # -- computation -------------------------------------------------------------
    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output and remember what backward needs."""
        raise NotImplementedError

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        """Given dL/dy of the last ``forward``, accumulate parameter grads, return dL/dx."""
        raise NotImplementedError

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Inference: eval-mode output, nothing cached for backward."""
        raise NotImplementedError

    def backward_params(self, grad_y: np.ndarray) -> None:
        """Like ``backward`` but only the parameter gradients: dL/dx is not needed.

        The first layer of a network gets this call (nobody needs the gradient with
        respect to the data), which lets Dense and Conv2D skip their largest product.
        """
        self.backward(grad_y)

    # -- structure ---------------------------------------------------------------
    def children(self) -> list[tuple[str, Layer]]:
        """Named sub-layers (empty for leaf layers)."""
        return []

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, Parameter)`` pairs, e.g. ``("0.weight", p)``."""
        for name in self._param_names:
            param = getattr(self, name)
            if param is not None:
                yield prefix + name, param
        for child_name, child in self.children():
            yield from child.named_parameters(f"{prefix}{child_name}.")

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Yield ``(dotted_name, ndarray)`` for non-trainable state (running statistics)."""
        for name in self._buffer_names:
            yield prefix + name, getattr(self, name)
        for child_name, child in self.children():
            yield from child.named_buffers(f"{prefix}{child_name}.")

    def parameters(self) -> list[Parameter]:
        """All trainable parameters, in a fixed order."""
        return [param for _, param in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter gradient to zero (in place)."""
        for param in self.parameters():
            param.zero_grad()

    # -- modes -------------------------------------------------------------------
    def train(self, mode: bool = True) -> Layer:
        """Switch to training mode (dropout active, batch norm uses batch statistics)."""
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Layer:
        """Switch to evaluation mode (dropout off, batch norm uses running statistics)."""
        return self.train(False)

    # -- state -------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, keyed by dotted name."""
        state = {name: param.data.copy() for name, param in self.named_parameters()}
        state.update({name: buf.copy() for name, buf in self.named_buffers()})
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays from ``state`` into this layer, in place.

        Raises
        ------
        ValueError
            If a key is missing or unexpected, or a shape differs.
        """
        targets = {name: param.data for name, param in self.named_parameters()}
        targets.update(dict(self.named_buffers()))
        missing = sorted(set(targets) - set(state))
        unexpected = sorted(set(state) - set(targets))
        if missing or unexpected:
            raise ValueError(
                f"state_dict does not match the network: missing {missing}, unexpected {unexpected}"
            )
        for name, target in targets.items():
            value = np.asarray(state[name])
            if value.shape != target.shape:
                raise ValueError(
                    f"state_dict entry {name!r} has shape {value.shape}, expected {target.shape}"
                )
            np.copyto(target, value, casting="same_kind")

    def astype(self, dtype) -> Layer:
        """Convert every parameter and buffer to ``dtype`` (e.g. ``np.float64``); returns self.

        Create optimizers *after* converting: they hold references to the arrays.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(f"astype needs a floating-point dtype, got {dtype}")
        for name in self._param_names:
            param = getattr(self, name)
            if param is not None:
                param.astype(dtype)
        for name in self._buffer_names:
            setattr(self, name, getattr(self, name).astype(dtype))
        if hasattr(self, "dtype"):
            self.dtype = dtype
        self._clear_cache()
        for _, child in self.children():
            child.astype(dtype)
        return self

    def _clear_cache(self) -> None:
        """Drop anything remembered from the last forward (subclasses extend)."""

    def copy(self) -> Layer:
        """A deep, independent copy (parameters, buffers, mode)."""
        import copy

        return copy.deepcopy(self)

    # -- configuration -----------------------------------------------------------
    def config(self) -> dict:
        """JSON-able description, enough to rebuild the layer with :func:`layer_from_config`."""
        return {"type": type(self).__name__}

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        """Rebuild a layer from ``config()`` (weights come separately)."""
        kwargs = {key: value for key, value in config.items() if key != "type"}
        return cls(**kwargs)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({args})"


def layer_from_config(config: dict) -> Layer:
    """Rebuild a layer (or a whole network) from the dict its ``config()`` returned.

    Raises
    ------
    ValueError
        If the config is not a dict with a known ``"type"`` or its arguments are invalid.
    """
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"a layer config must be a dict with a 'type' key, got {config!r}")
    name = config["type"]
    cls = LAYER_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown layer type {name!r:.60}; known types: {sorted(LAYER_TYPES)}")
    try:
        return cls.from_config(config)
    except TypeError as error:
        raise ValueError(f"invalid arguments for layer {name!r}: {error}") from None


def check_dtype(dtype) -> np.dtype:
    """Validate a layer's ``dtype`` argument: a floating-point NumPy dtype."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be a NumPy floating dtype, got {dtype!r}") from None
    if dtype.kind != "f":
        raise ValueError(f"dtype must be floating point (float32 or float64), got {dtype}")
    return dtype


def make_rng(rng, name: str = "rng") -> np.random.Generator:
    """Accept a Generator, a seed (a whole number >= 0, a SeedSequence or a BitGenerator)
    or None (fresh entropy); anything else is a ``ValueError`` naming ``name`` (NumPy's
    own says only "expected non-negative integer")."""
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(rng)
    return np.random.default_rng(whole_number(rng, name, minimum=0))
