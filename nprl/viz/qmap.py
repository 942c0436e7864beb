"""Q-maps: what a trained agent believes, over a 2D slice of the state space.

A grid of observations varies two observation components over a range and fixes the
others; the agent's network gives Q(s, a) at every point in one batched pass. The figure
shows one heatmap per action, V(s) = max_a Q(s, a), and the greedy action. This is the
picture the reference tutorial uses to understand DQN's instabilities: where the values
are wrong, the policy is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nprl.envs.lander_actions import ACTION_NAMES as LANDER_ACTIONS
from nprl.envs.registration import LANDER_ID
from nprl.errors import require
from nprl.viz import save_figure

# Default slices per environment: (x index, x range, y index, y range), others fixed at 0
# except where ``fixed`` says otherwise.
DEFAULT_SLICES = {
    "CartPole-v1": {"x": 2, "x_range": (-0.21, 0.21), "y": 3, "y_range": (-2.0, 2.0)},
    LANDER_ID: {"x": 0, "x_range": (-1.0, 1.0), "y": 1, "y_range": (0.0, 1.2),
                       "fixed": {5: 1.0}},  # upright: cos(theta) = 1
}
NAMES = {
    "CartPole-v1": ["cart position", "cart velocity", "pole angle", "pole angular velocity"],
    LANDER_ID: ["rel_x", "rel_y", "vx", "vy", "sin θ", "cos θ", "ω", "left foot",
                       "right foot"],
}
ACTIONS = {
    "CartPole-v1": ["push left", "push right"],
    LANDER_ID: list(LANDER_ACTIONS),
    "LunarLander-v3": ["nothing", "left eng.", "main eng.", "right eng."],
    "Acrobot-v1": ["torque -1", "torque 0", "torque +1"],
    "MountainCar-v0": ["push left", "no push", "push right"],
}


def action_names(env_id: str, env) -> list[str] | None:
    """What each action of ``env`` (made from ``env_id``) is called: :data:`ACTIONS` for
    the vector tasks, the game's own names for pixel games, None when nprl does not know."""
    from nprl.envs.pixels import pixel_action_names

    return ACTIONS.get(env_id) or pixel_action_names(env)


@dataclass
class QSlice:
    """Q-values on a grid: ``q`` has shape (ny, nx, n_actions)."""

    xs: np.ndarray
    ys: np.ndarray
    q: np.ndarray
    x_name: str
    y_name: str
    action_names: list[str]


def space_range(observation_space, index: int) -> tuple[float, float]:
    """The range of observation component ``index`` (unbounded sides clipped to +-3)."""
    if not 0 <= index < observation_space.shape[0]:
        raise ValueError(f"observation index must be 0..{observation_space.shape[0] - 1}, "
                         f"got {index}")
    low = float(np.clip(observation_space.low[index], -3.0, 3.0))
    high = float(np.clip(observation_space.high[index], -3.0, 3.0))
    return low, high


def default_slice(env_id: str, observation_space) -> dict:
    """The slice to show for ``env_id``: a known one, else the first two components."""
    if env_id in DEFAULT_SLICES:
        return dict(DEFAULT_SLICES[env_id])
    return {"x": 0, "x_range": space_range(observation_space, 0), "y": 1,
            "y_range": space_range(observation_space, 1)}


def compute_qslice(agent, env_id: str, obs_dim: int, x: int, x_range, y: int, y_range,
                   fixed: dict[int, float] | None = None, resolution: int = 81) -> QSlice:
    """Evaluate ``agent.q_values`` on a ``resolution`` x ``resolution`` grid."""
    for name, index in (("x", x), ("y", y)):
        if not 0 <= index < obs_dim:
            raise ValueError(f"--{name} must be an observation index 0..{obs_dim - 1}, "
                             f"got {index}")
    if x == y:
        raise ValueError("--x and --y must be different observation components")
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    obs = np.zeros((resolution * resolution, obs_dim), dtype=np.float32)
    for index, value in (fixed or {}).items():
        if not 0 <= int(index) < obs_dim:
            raise ValueError(f"--fix index must be 0..{obs_dim - 1}, got {index}")
        obs[:, int(index)] = value
    obs[:, x] = grid_x.ravel()
    obs[:, y] = grid_y.ravel()
    q = agent.q_values(obs).reshape(resolution, resolution, -1)
    names = NAMES.get(env_id, [f"obs[{i}]" for i in range(obs_dim)])
    actions = ACTIONS.get(env_id, [f"action {a}" for a in range(q.shape[-1])])
    return QSlice(xs, ys, q, names[x], names[y], actions[: q.shape[-1]])


def plot_qslice(qslice: QSlice, out: str | Path, title: str = "") -> Path:
    """Heatmaps of Q(s, a) per action, V(s) = max Q and the greedy action, into a PNG."""
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    pyplot = require("matplotlib.pyplot")
    n_actions = qslice.q.shape[-1]
    panels = n_actions + 2
    cols = min(panels, 4)
    rows = -(-panels // cols)
    figure, axes = pyplot.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    extent = (qslice.xs[0], qslice.xs[-1], qslice.ys[0], qslice.ys[-1])
    vmin, vmax = float(qslice.q.min()), float(qslice.q.max())
    images = [(qslice.q[..., a], f"Q(s, {qslice.action_names[a]})") for a in range(n_actions)]
    images.append((qslice.q.max(axis=-1), "V(s) = max Q"))
    flat = list(axes.flat)
    for axis, (values, name) in zip(flat, images):
        image = axis.imshow(values, origin="lower", extent=extent, aspect="auto",
                            cmap="viridis", vmin=vmin, vmax=vmax)
        axis.set_title(name)
        figure.colorbar(image, ax=axis)
    greedy = qslice.q.argmax(axis=-1)
    axis = flat[n_actions + 1]
    cmap = pyplot.get_cmap("tab10", n_actions)
    image = axis.imshow(greedy, origin="lower", extent=extent, aspect="auto", cmap=cmap,
                        vmin=-0.5, vmax=n_actions - 0.5)
    bar = figure.colorbar(image, ax=axis, ticks=range(n_actions))
    bar.ax.set_yticklabels(qslice.action_names)
    axis.set_title("greedy action")
    for axis in flat[:panels]:
        axis.set_xlabel(qslice.x_name)
        axis.set_ylabel(qslice.y_name)
    for axis in flat[panels:]:
        axis.axis("off")
    return save_figure(figure, out, title, dpi=100)
