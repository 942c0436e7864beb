"""``Sequential``: a chain of layers, itself a Layer (so it nests), with ``fit``/``predict``.

``forward`` runs the layers in order, ``backward`` in reverse; ``predict`` is the
inference path (eval behaviour, nothing cached, optional mini-batching).
"""

from __future__ import annotations

import numpy as np

from nprl.nn.layer import Layer, layer_from_config, register_layer


@register_layer
class Sequential(Layer):
    """Layers applied one after the other.

    Examples
    --------
    >>> net = Sequential(Dense(4, 64), ReLU()).add(Dense(64, 2))
    >>> q = net(np.zeros((32, 4), np.float32))     # (32, 2) float32
    """

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        self.layers: list[Layer] = []
        for layer in layers:
            self.add(layer)

    def add(self, layer: Layer) -> Sequential:
        """Append a layer; returns self so calls chain."""
        if not isinstance(layer, Layer):
            raise ValueError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
        layer.train(self.training)
        self.layers.append(layer)
        return self

    def children(self) -> list[tuple[str, Layer]]:
        return [(str(i), layer) for i, layer in enumerate(self.layers)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_y: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate dL/dy through all layers, accumulating parameter gradients.

        Parameters
        ----------
        grad_y : ndarray, shape of the last forward's output
        input_grad : bool
            If False, skip computing dL/dx for the first layer that has parameters, and
            everything before it (a training step never needs the gradient with respect
            to the data), and return None.

        Returns
        -------
        ndarray or None
            dL/dx with the input's shape, or None when ``input_grad`` is False.
        """
        layers = self.layers
        if input_grad:
            for layer in reversed(layers):
                grad_y = layer.backward(grad_y)
            return grad_y
        # Without dL/dx, the backward chain can stop at the first layer that has
        # parameters (layers before it, such as ImageInput, have nothing to learn).
        first = next((i for i, layer in enumerate(layers) if layer.parameters()), None)
        if first is None:
            return None
        for layer in layers[:first:-1]:
            grad_y = layer.backward(grad_y)
        layers[first].backward_params(grad_y)
        return None

    def backward_params(self, grad_y: np.ndarray) -> None:
        self.backward(grad_y, input_grad=False)

    def predict(self, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        """Inference output: eval-mode behaviour, nothing cached for backward.

        Parameters
        ----------
        x : ndarray, shape (N, ...)
        batch_size : int or None
            Process ``x`` in chunks of this many samples (bounds memory); None = at once.
        """
        if batch_size is None:
            for layer in self.layers:
                x = layer.predict(x)
            return x
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        chunks = [self.predict(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        return np.concatenate(chunks, axis=0)

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        loss,
        optimizer,
        epochs: int = 1,
        batch_size: int = 32,
        shuffle: bool = True,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        seed: int | None = None,
        verbose: bool = True,
        callback=None,
    ) -> dict[str, list[float]]:
        """Train with mini-batch gradient descent; see :func:`nprl.nn.training.fit`."""
        from nprl.nn.training import fit

        return fit(
            self, x, y, loss, optimizer, epochs=epochs, batch_size=batch_size, shuffle=shuffle,
            validation=validation, seed=seed, verbose=verbose, callback=callback,
        )

    def config(self) -> dict:
        return {"type": "Sequential", "layers": [layer.config() for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        return cls(*[layer_from_config(c) for c in config.get("layers", [])])

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}".replace("\n", "\n  ") for i, layer in
                          enumerate(self.layers))
        return f"Sequential(\n{inner}\n)" if self.layers else "Sequential()"
