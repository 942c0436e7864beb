"""``DQNAgent``: Q-networks, replay, and one gradient step of DQN and its variants.

The agent owns everything that learns: the online network, its target copy, the
optimizer, the loss, the replay buffer (uniform or prioritized), the n-step accumulator
and the optional successful-episode tier. The training loop (:mod:`nprl.rl.train`) owns
the environment and the clock and calls, per step:

    action = agent.act(obs, epsilon)           # epsilon-greedy
    agent.observe(obs, action, reward, next_obs, terminated, truncated)
    metrics = agent.update(beta)               # one gradient step from replay
    agent.update_target()                      # hard copy or Polyak average

One update (:meth:`DQNAgent.learn`), for a batch of B transitions:

1. ``y = R + gamma^n (1 - terminated) Q_target(s', a*)`` in one batched pass
   (:func:`~nprl.rl.targets.td_targets`; ``a*`` from the online net for double DQN);
2. ``Q(s, a)`` from a forward pass of the online net, gathered at the taken actions;
3. loss (Huber or MSE, weighted by importance weights under PER) and its gradient
   ``dL/dQ(s, a)``, scattered back to a (B, A) gradient that is zero for the other actions;
4. backward through the network, optional global-norm clipping, one optimizer step;
5. under PER, new priorities ``|Q(s, a) - y|``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from nprl.nn.clip import clip_grad_norm, grad_norm
from nprl.nn.losses import HuberLoss, MSELoss
from nprl.nn.optimizers import SGD, Adam, AdamW, RMSprop
from nprl.nn.sequential import Sequential
from nprl.nn.serialization import load as load_network
from nprl.nn.serialization import save as save_network
from nprl.rl.config import DQNConfig
from nprl.rl.frame_buffer import make_replay_buffer
from nprl.rl.networks import build_q_network, resolve_network
from nprl.rl.nstep import NStepAccumulator
from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import Batch, ReplayBuffer
from nprl.rl.rng import generator_from_state, generator_state
from nprl.rl.storage import load_arrays, read_json, save_arrays, write_json
from nprl.rl.success_buffer import SuccessBuffer
from nprl.rl.targets import td_targets

AGENT_FORMAT = 1  # version of the folder layout written by DQNAgent.save


def check_spaces(observation_space: gym.Space, action_space: gym.Space) -> None:
    """Raise ``ValueError`` unless observations are a Box and actions are Discrete."""
    if not isinstance(action_space, gym.spaces.Discrete):
        raise ValueError(
            f"DQN needs a discrete action space, but this environment's is {action_space}; "
            "pick an environment with Discrete actions (e.g. CartPole-v1, LunarLander-v3)"
        )
    if not isinstance(observation_space, gym.spaces.Box):
        raise ValueError(
            f"DQN here needs a Box observation space (a vector of numbers), got "
            f"{observation_space}"
        )


OBS_DTYPES = ("float32", "float64", "uint8", "bool")  # what agent.json may name


def observation_box(shape: tuple[int, ...], dtype_name: str) -> gym.spaces.Box:
    """The Box an agent was built for, from ``agent.json`` (dtype checked, never trusted)."""
    dtype = np.dtype(dtype_name)
    if dtype.name not in OBS_DTYPES:
        raise ValueError(f"agent.json names observation dtype {dtype_name!r}; "
                         f"nprl agents use {', '.join(OBS_DTYPES)}")
    if dtype == np.uint8:
        return gym.spaces.Box(0, 255, shape=shape, dtype=np.uint8)
    if dtype == np.bool_:
        return gym.spaces.Box(0, 1, shape=shape, dtype=np.bool_)
    return gym.spaces.Box(-np.inf, np.inf, shape=shape, dtype=dtype)


def make_optimizer(config: DQNConfig, params: list):
    """The nprl.nn optimizer that ``config.optimizer`` names, with its learning rate."""
    lr = config.learning_rate
    if config.optimizer == "adam":
        return Adam(params, lr=lr, eps=config.adam_eps)
    if config.optimizer == "adamw":
        return AdamW(params, lr=lr, eps=config.adam_eps)
    if config.optimizer == "rmsprop":
        return RMSprop(params, lr=lr, alpha=config.rmsprop_alpha, eps=config.adam_eps,
                       centered=config.rmsprop_centered)
    return SGD(params, lr=lr)


class DQNAgent:
    """A DQN agent for Box observations and Discrete actions.

    Parameters
    ----------
    observation_space : gymnasium.spaces.Box
        Vectors (an MLP sees them flattened, in float) or images (a CNN sees them as the
        env gives them, uint8 or bool: its first layer scales them). Image observations
        stay in their own dtype in replay; stacked frames ``(stack, H, W)`` go to a
        :class:`~nprl.rl.frame_buffer.FrameReplayBuffer`, which stores each frame once.
    action_space : gymnasium.spaces.Discrete
        ``n`` actions, numbered ``0 .. n-1``.
    config : DQNConfig, optional
        Hyperparameters (defaults: :class:`DQNConfig`'s). ``config.seed`` seeds the
        initial weights, exploration and replay sampling (independent streams).
    q_network : Sequential, optional
        Your own online network ``(B, obs_dim) -> (B, n)``; default built from ``config``.

    Attributes
    ----------
    q_net, target_net : Sequential
    optimizer : nprl.nn optimizer over ``q_net.parameters()``
    buffer : ReplayBuffer or PrioritizedReplayBuffer
    success : SuccessBuffer or None
    updates : int
        Gradient steps taken so far.
    """

    def __init__(
        self,
        observation_space: gym.spaces.Box,
        action_space: gym.spaces.Discrete,
        config: DQNConfig | None = None,
        q_network: Sequential | None = None,
    ) -> None:
        check_spaces(observation_space, action_space)
        self.config = config = config if config is not None else DQNConfig()
        self.obs_shape = tuple(int(d) for d in observation_space.shape)
        self.obs_dim = int(np.prod(self.obs_shape))
        self.n_actions = int(action_space.n)
        self.dtype = np.dtype(config.dtype)
        # Images (a CNN) keep the env's dtype end to end; vectors become config.dtype.
        self.network_kind = resolve_network(config.network, self.obs_shape)
        self.image_input = self.network_kind != "mlp"
        self.obs_dtype = np.dtype(observation_space.dtype) if self.image_input else self.dtype
        # One seed, independent streams: weights, exploration, replay, success tier.
        net_seed, explore_seed, buffer_seed, success_seed = np.random.SeedSequence(
            config.seed).spawn(4)
        if q_network is None:
            q_network = build_q_network(self.obs_shape, self.n_actions, config,
                                        rng=np.random.default_rng(net_seed))
        self.q_net = q_network
        self.target_net = q_network.copy()
        self.target_net.eval()
        self.optimizer = make_optimizer(config, self.q_net.parameters())
        self._params = self.q_net.parameters()  # fixed list, reused by every update
        self.loss = HuberLoss(config.huber_delta) if config.loss == "huber" else MSELoss()
        self.rng = np.random.default_rng(explore_seed)
        self.buffer: ReplayBuffer = make_replay_buffer(
            config, config.buffer_size, self.obs_shape, self.obs_dtype, buffer_seed,
            prioritized=config.prioritized)
        self.success = (
            SuccessBuffer(config.success_buffer_size, self.obs_shape, obs_dtype=self.obs_dtype,
                          seed=success_seed, buffer=make_replay_buffer(
                              config, config.success_buffer_size, self.obs_shape,
                              self.obs_dtype, success_seed, prioritized=False))
            if config.success_buffer else None
        )
        self.nstep = NStepAccumulator(config.n_step, config.gamma)
        self.updates = 0
        self._batch_rows = np.arange(config.batch_size)
        self._grad_buffer: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"DQNAgent(obs_shape={self.obs_shape}, n_actions={self.n_actions}, "
                f"updates={self.updates}, buffer={self.buffer!r})")

    # -- acting ---------------------------------------------------------------------------

    def network_input(self, obs: np.ndarray) -> np.ndarray:
        """A batch ``(B, *obs_shape)`` as the network takes it: images untouched (uint8 /
        bool, the CNN's first layer scales them), vectors flattened to ``(B, obs_dim)``
        in the agent's float dtype."""
        if self.image_input:
            return np.asarray(obs).reshape(-1, *self.obs_shape)
        return np.asarray(obs, dtype=self.dtype).reshape(-1, self.obs_dim)

    def q_values(self, obs: np.ndarray) -> np.ndarray:
        """Q-values of a batch of observations: ``(B, *obs_shape) -> (B, n_actions)``."""
        return self.q_net.predict(self.network_input(obs))

    def act(self, obs: np.ndarray, epsilon: float | None = None) -> int:
        """Pick an action for one observation: random with probability ``epsilon``, else
        greedy (``epsilon=None`` or 0: always greedy)."""
        if epsilon and self.rng.random() < epsilon:
            return int(self.rng.integers(self.n_actions))
        return int(self.q_net.predict(self.network_input(obs))[0].argmax())

    # -- storing experience ---------------------------------------------------------------

    def observe(self, obs, action, reward, next_obs, terminated, truncated=False) -> None:
        """Record one environment step (through the n-step accumulator into replay)."""
        for transition in self.nstep.push(obs, action, reward, next_obs, terminated, truncated):
            self.buffer.add(*transition)
            if self.success is not None:
                self.success.stage(transition)

    def end_episode(self, success: bool = False) -> None:
        """Close the current episode: pending n-step steps flushed, success tier decided.

        Call after the last :meth:`observe` of every episode; an episode abandoned midway
        (no terminal step observed) drops its pending n-step steps.
        """
        self.nstep.reset()
        if self.success is not None:
            self.success.end_episode(success)

    # -- learning -------------------------------------------------------------------------

    def update(self, beta: float | None = None) -> dict[str, float]:
        """One gradient step from replay (plus one on the success tier when enabled).

        Parameters
        ----------
        beta : float, optional
            PER importance-sampling exponent (default ``config.per_beta_start``).

        Returns
        -------
        dict
            ``td_loss`` (loss value), ``q_mean`` (mean Q(s, a) of the batch), ``q_max``
            (largest |Q(s, a)| of the batch), ``grad_norm`` (global norm, before clipping)
            and, under PER, ``per_weight_mean`` (mean importance weight of the batch) and
            ``per_priority_mean`` (mean of its new priorities |TD error| + eps).
            Names as in :mod:`nprl.rl.metrics`.
        """
        config = self.config
        if isinstance(self.buffer, PrioritizedReplayBuffer):
            batch = self.buffer.sample(config.batch_size,
                                       config.per_beta_start if beta is None else beta)
            metrics, td_errors = self.learn(batch, weighted=True)
            self.buffer.update_priorities(batch.indices, td_errors)
            metrics["per_weight_mean"] = float(batch.weights.mean())
            metrics["per_priority_mean"] = float(np.abs(td_errors).mean()) + self.buffer.eps
        else:
            metrics, _ = self.learn(self.buffer.sample(config.batch_size))
        if self.success is not None and len(self.success) >= config.success_batch_size:
            self.learn(self.success.sample(config.success_batch_size))
        self.updates += 1
        return metrics

    def learn(self, batch: Batch, weighted: bool = False) -> tuple[dict[str, float], np.ndarray]:
        """One gradient step on ``batch``; return ``(metrics, td_errors)`` (td: shape (B,))."""
        config = self.config
        size = len(batch.actions)
        obs = self.network_input(batch.obs)
        next_obs = self.network_input(batch.next_obs)
        next_q_target = self.target_net.predict(next_obs)
        next_q_online = self.q_net.predict(next_obs) if config.double_q else None
        targets = td_targets(batch.rewards, batch.terminated, next_q_target, config.gamma,
                             batch.n_steps, next_q_online)
        rows = self._batch_rows if size == len(self._batch_rows) else np.arange(size)
        q_all = self.q_net.forward(obs)
        q_taken = q_all[rows, batch.actions]
        loss = self.loss(q_taken, targets, batch.weights if weighted else None)
        # dL/dQ is zero except at the actions taken (reuse one buffer across updates).
        grad_q = self._grad_buffer
        if grad_q is None or grad_q.shape != q_all.shape or grad_q.dtype != q_all.dtype:
            grad_q = self._grad_buffer = np.zeros_like(q_all)
        grad_q.fill(0)
        grad_q[rows, batch.actions] = self.loss.backward()
        self.optimizer.zero_grad()
        self.q_net.backward(grad_q, input_grad=False)  # dL/d(obs) is never needed
        metrics = {"td_loss": loss, "q_mean": float(q_taken.mean()),
                   "q_max": float(np.abs(q_taken).max())}
        if config.max_grad_norm is not None:
            metrics["grad_norm"] = clip_grad_norm(self._params, config.max_grad_norm)
        else:  # the same norm, unclipped: a few microseconds, worth it as a diagnostic
            metrics["grad_norm"] = grad_norm(self._params)
        self.optimizer.step()
        return metrics, q_taken - targets

    def update_target(self) -> None:
        """Move the target network toward the online one: a hard copy when ``tau == 1``,
        else Polyak averaging ``target <- tau * online + (1 - tau) * target``."""
        tau = self.config.tau
        for target, online in zip(self.target_net.parameters(), self.q_net.parameters()):
            if tau >= 1.0:
                np.copyto(target.data, online.data)
            else:
                target.data *= 1.0 - tau
                target.data += tau * online.data

    # -- saving and loading (pickle-free) ----------------------------------------------------

    def save(self, directory: str | Path, include_buffer: bool = False) -> None:
        """Write the agent to ``directory``: ``agent.json``, the networks (``q_net/`` and
        ``target_net/``, in ``nprl.nn.save``'s format), optimizer state and (optionally)
        the replay buffers, all as JSON and ``.npy`` files."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "agent.json", {
            "format": AGENT_FORMAT,
            "config": self.config.to_dict(),
            "obs_shape": list(self.obs_shape),
            "obs_dtype": self.obs_dtype.str,
            "n_actions": self.n_actions,
            "updates": self.updates,
            "rng": generator_state(self.rng),
            "optimizer_step": self.optimizer.step_count,
            "include_buffer": include_buffer,
        })
        save_network(self.q_net, directory / "q_net")  # nprl.nn.load() reads these too
        save_network(self.target_net, directory / "target_net")
        save_arrays(directory / "optimizer", self.optimizer.state_dict())
        save_arrays(directory / "optimizer_exact", _exact_optimizer_state(self.optimizer))
        if include_buffer:
            arrays, meta = self.buffer.state_dict()
            save_arrays(directory / "buffer", arrays)
            write_json(directory / "buffer" / "buffer.json", meta)
            if self.success is not None:
                arrays, meta = self.success.state_dict()
                save_arrays(directory / "success", arrays)
                write_json(directory / "success" / "buffer.json", meta)

    def save_policy(self, directory: str | Path) -> None:
        """Write only what acting needs: ``agent.json`` and the online network ``q_net/``
        (a few hundred kilobytes; how ``nprl/pretrained/`` ships agents). :meth:`load`
        reads it back as an agent that acts greedily but has no training state."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "agent.json", {
            "format": AGENT_FORMAT, "config": self.config.to_dict(),
            "obs_shape": list(self.obs_shape), "obs_dtype": self.obs_dtype.str,
            "n_actions": self.n_actions, "updates": self.updates, "policy_only": True,
        })
        save_network(self.q_net, directory / "q_net")

    @classmethod
    def load(cls, directory: str | Path) -> DQNAgent:
        """Rebuild an agent saved by :meth:`save` (buffers too when they were saved).

        Raises
        ------
        ValueError
            If a file is missing or does not match (the message names it).
        """
        directory = Path(directory)
        meta = read_json(directory / "agent.json")
        if not isinstance(meta, dict) or meta.get("format") != AGENT_FORMAT:
            raise ValueError(f"{directory / 'agent.json'} is not an nprl agent of format "
                             f"{AGENT_FORMAT}")
        try:
            return cls._load(directory, meta)
        except (KeyError, TypeError) as error:
            raise ValueError(f"{directory} is not a complete nprl agent: missing or bad "
                             f"entry {error}") from None

    @classmethod
    def _load(cls, directory: Path, meta: dict[str, Any]) -> DQNAgent:
        config = DQNConfig.from_dict(meta["config"])
        obs_space = observation_box(tuple(meta["obs_shape"]),
                                    meta.get("obs_dtype", config.dtype))
        network = load_network(directory / "q_net")
        agent = cls(obs_space, gym.spaces.Discrete(meta["n_actions"]), config, q_network=network)
        agent.updates = int(meta["updates"])
        if meta.get("policy_only"):  # saved by save_policy: acting only, fresh training state
            return agent
        agent.target_net.load_state_dict(load_network(directory / "target_net").state_dict())
        agent.optimizer.load_state_dict(load_arrays(directory / "optimizer"))
        _restore_exact_optimizer_state(agent.optimizer, load_arrays(directory / "optimizer_exact"))
        agent.updates = int(meta["updates"])
        agent.rng = generator_from_state(meta["rng"])
        if meta.get("include_buffer"):
            agent.buffer.load_state_dict(load_arrays(directory / "buffer"),
                                         read_json(directory / "buffer" / "buffer.json"))
            if agent.success is not None:
                agent.success.load_state_dict(load_arrays(directory / "success"),
                                              read_json(directory / "success" / "buffer.json"))
        return agent

    def state_summary(self) -> dict[str, Any]:
        """Small JSON-able summary (for logs and ``nprl report``)."""
        return {"updates": self.updates, "buffer_size": len(self.buffer),
                "success_size": len(self.success) if self.success is not None else 0}


# nprl.nn's optimizers keep some moments internally rescaled (Adam stores m / (1 - b1)),
# and their state_dict() converts to PyTorch's meaning and back. That round trip rounds
# in float32, so a resumed run would drift from an uninterrupted one by an ulp. To resume
# bit for bit we also save the internal buffers exactly as they are and put them back
# after load_state_dict(). The portable state_dict() stays the source of truth: the exact
# copy is used only when its names and shapes match the rebuilt optimizer.


def _exact_optimizer_state(optimizer) -> dict[str, np.ndarray]:
    buffers = getattr(optimizer, "state", None)
    if not isinstance(buffers, dict):
        return {}
    arrays = {}
    for name, slabs in buffers.items():
        for index, slab in enumerate(slabs):
            arrays[f"{name}.{index}"] = slab
    return arrays


def _restore_exact_optimizer_state(optimizer, arrays: dict[str, np.ndarray]) -> None:
    buffers = getattr(optimizer, "state", None)
    if not isinstance(buffers, dict):
        return
    for key, value in arrays.items():
        name, _, index = key.rpartition(".")
        slabs = buffers.get(name)
        if slabs is None or not index.isdigit() or int(index) >= len(slabs):
            continue
        slab = slabs[int(index)]
        if slab.shape == value.shape and slab.dtype == value.dtype:
            np.copyto(slab, value)
