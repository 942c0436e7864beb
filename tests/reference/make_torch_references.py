"""Compute, once, what PyTorch gives for the cases nprl's engine is checked against.

CI installs no torch (the ``test`` extra leaves it out: it is large and nprl never imports
it), so the comparisons with PyTorch read the values stored here instead:
``torch_references.npz`` (float64 arrays: inputs, parameters, outputs, gradients) and
``torch_references.json`` (the torch version and the settings of each case). Both are
written by this script; rerun it after changing a case:

    python tests/reference/make_torch_references.py

Only NumPy and torch are used here, never nprl, so the numbers are PyTorch's own.
``test_torch_references.py`` recomputes them whenever torch is installed and checks that
the stored file still says what torch says.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ARRAYS = HERE / "torch_references.npz"
META = HERE / "torch_references.json"

CONVS = {"conv_k3_s2_p1": (3, 2, 1), "conv_k8_s4_p0": (8, 4, 0)}  # im2col; Nature's first
HUBER_DELTA = 0.7
OPTIMIZERS = {  # case -> (torch.optim class name, keyword arguments)
    "SGD_nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True,
                             "weight_decay": 0.01}),
    "SGD_dampening": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    "RMSprop_centered": ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True,
                                     "weight_decay": 0.01}),
    "Adam": ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    "AdamW": ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
}
OPTIMIZER_STEPS = 5


def compute(torch) -> dict[str, np.ndarray]:
    """Every reference array, computed with ``torch`` in float64 from fixed seeds."""
    rng = np.random.default_rng(2026)
    torch.manual_seed(0)
    out: dict[str, np.ndarray] = {}

    for case, (kernel, stride, padding) in CONVS.items():
        x = rng.standard_normal((2, 3, 12 + kernel, 12 + kernel))
        conv = torch.nn.Conv2d(3, 4, kernel, stride=stride, padding=padding).double()
        xt = torch.tensor(x, requires_grad=True)
        y = conv(xt)
        g = rng.standard_normal(tuple(y.shape))
        y.backward(torch.tensor(g))
        out.update({f"{case}.x": x, f"{case}.weight": conv.weight.detach().numpy(),
                    f"{case}.bias": conv.bias.detach().numpy(), f"{case}.grad_out": g,
                    f"{case}.out": y.detach().numpy(), f"{case}.grad_x": xt.grad.numpy(),
                    f"{case}.grad_weight": conv.weight.grad.numpy(),
                    f"{case}.grad_bias": conv.bias.grad.numpy()})

    x = rng.standard_normal((2, 3, 8, 8))  # two training-mode passes of BatchNorm2d
    bn = torch.nn.BatchNorm2d(3).double()
    for _ in range(2):
        y = bn(torch.tensor(x))
    out.update({"batchnorm.x": x, "batchnorm.out": y.detach().numpy(),
                "batchnorm.running_mean": bn.running_mean.numpy(),
                "batchnorm.running_var": bn.running_var.numpy()})

    pred, target = rng.standard_normal((6, 3)) * 2, rng.standard_normal((6, 3))
    labels = np.array([0, 2, 1, 1, 0, 2])
    out.update({"loss.pred": pred, "loss.target": target, "loss.labels": labels})
    for name, loss, goal in (("mse", torch.nn.MSELoss(), target),
                             ("huber", torch.nn.HuberLoss(delta=HUBER_DELTA), target),
                             ("cross_entropy", torch.nn.CrossEntropyLoss(), labels)):
        p = torch.tensor(pred, requires_grad=True)
        value = loss(p, torch.tensor(goal))
        value.backward()
        out[f"loss.{name}.value"] = np.array(value.item())
        out[f"loss.{name}.grad"] = p.grad.numpy()

    start = rng.standard_normal((3, 4))
    grads = rng.standard_normal((OPTIMIZER_STEPS, 3, 4))
    out.update({"optimizer.start": start, "optimizer.grads": grads})
    for case, (name, kwargs) in OPTIMIZERS.items():
        param = torch.tensor(start, requires_grad=True)
        optimizer = getattr(torch.optim, name)([param], **kwargs)  # our own table's names
        after = []
        for g in grads:
            param.grad = torch.tensor(g)
            optimizer.step()
            after.append(param.detach().numpy().copy())
        out[f"optimizer.{case}"] = np.stack(after)
    return out


def meta(torch) -> dict:
    """The settings the arrays were computed with (the tests check theirs agree)."""
    return {"torch_version": torch.__version__, "convs": CONVS, "huber_delta": HUBER_DELTA,
            "optimizers": OPTIMIZERS, "optimizer_steps": OPTIMIZER_STEPS}


def main() -> None:
    import torch

    np.savez_compressed(ARRAYS, **compute(torch))
    META.write_text(json.dumps(meta(torch), indent=1) + "\n")
    print(f"wrote {ARRAYS} ({ARRAYS.stat().st_size:,} bytes) and {META}")


if __name__ == "__main__":
    main()
