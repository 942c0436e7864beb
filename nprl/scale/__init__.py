"""Sweeps: many seeds and hyperparameters at once, on Ray Tune, from a laptop to a cluster.

    from nprl.scale import sweep
    table = sweep(env="CartPole-v1", seeds=[1, 2, 3], grid={"learning_rate": [1e-3, 3e-4]},
                  out="sweeps/cartpole-lr")

Ray is imported only inside :func:`sweep` (``pip install 'nprl[scale]'``), so this package
imports without it; nothing else in nprl imports Ray. Files, one job each:

- ``spec.py``         the sweep's definition and the trials it expands into (no Ray)
- ``sweep_dir.py``    the sweep directory: sweep.json, status.json, run directories (no Ray)
- ``summary.py``      summary.csv, summary.md, sweep.png from the run directories (no Ray)
- ``trial.py``        one trial in a Ray worker: train, resume or re-report
- ``ray_session.py``  start or join Ray, offline and quiet
- ``live.py``         the live table (a Tune callback) and the trial states
- ``runner.py``       ``sweep()``: the driver
"""

from __future__ import annotations

from typing import Any

from nprl.scale.sweep_dir import SweepDir, is_sweep_dir

__all__ = ["SweepDir", "is_sweep_dir", "sweep"]


def sweep(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Run a sweep on Ray Tune and return its summary table (one dict per configuration);
    see :func:`nprl.scale.runner.sweep` for the arguments."""
    from nprl.scale.runner import sweep as run_sweep

    return run_sweep(*args, **kwargs)
