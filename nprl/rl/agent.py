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

from nprl.fileio import (
    load_arrays,
    read_json,
    save_arrays,
    verify_manifest,
    write_folder,
    write_json,
)
from nprl.nn.clip import clip_grad_norm, grad_norm
from nprl.nn.losses import HuberLoss, MSELoss
from nprl.nn.optimizers import OPTIMIZERS, Adam, Optimizer, RMSprop
from nprl.nn.sequential import Sequential
from nprl.nn.serialization import load as load_network
from nprl.nn.serialization import save as save_network
from nprl.rl.config import DQNConfig
from nprl.rl.frame_buffer import make_replay_buffer
from nprl.rl.networks import build_q_network, resolve_network
from nprl.rl.nstep import NStepAccumulator
from nprl.rl.prioritized import PrioritizedReplayBuffer
from nprl.rl.replay_buffer import ReplayBuffer
from nprl.rl.rng import generator_from_state, generator_state
from nprl.rl.success_buffer import SuccessBuffer
from nprl.rl.targets import td_targets
from nprl.rl.transition import Batch

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
    try:
        dtype = np.dtype(dtype_name) if isinstance(dtype_name, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.name not in OBS_DTYPES:
        raise ValueError(f"agent.json names observation dtype {dtype_name!r}; "
                         f"nprl agents use {', '.join(OBS_DTYPES)}")
    if dtype == np.uint8:
        return gym.spaces.Box(0, 255, shape=shape, dtype=np.uint8)
    if dtype == np.bool_:
        return gym.spaces.Box(0, 1, shape=shape, dtype=np.bool_)
    return gym.spaces.Box(-np.inf, np.inf, shape=shape, dtype=dtype)


def make_optimizer(config: DQNConfig, params: list) -> Optimizer:
    """The nprl.nn optimizer that ``config.optimizer`` names, with its learning rate.

    Raises
    ------
    ValueError
        If ``config.optimizer`` is not a name in :data:`nprl.nn.OPTIMIZERS`.
    """
    optimizer_class = OPTIMIZERS.get(config.optimizer)
    if optimizer_class is None:
        raise ValueError(f"unknown optimizer {config.optimizer!r}; nprl.nn has "
                         f"{', '.join(OPTIMIZERS)}")
    options: dict[str, Any] = {}
    if issubclass(optimizer_class, Adam):  # Adam and AdamW
        options = {"eps": config.adam_eps}
    elif optimizer_class is RMSprop:
        options = {"alpha": config.rmsprop_alpha, "eps": config.adam_eps,
                   "centered": config.rmsprop_centered}
    return optimizer_class(params, lr=config.learning_rate, **options)


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
        # True while the target holds exactly the online weights (a hard copy since the
        # last optimizer step): double DQN then needs one forward on s', not two.
        self._target_is_online = True
        self.optimizer = make_optimizer(config, self.q_net.parameters())
        self._params = self.q_net.parameters()  # fixed list, reused by every update
        self.loss = HuberLoss(config.huber_delta) if config.loss == "huber" else MSELoss()
        self.rng = np.random.default_rng(explore_seed)
        # Replay memory is built on first use (see the ``buffer`` property): acting and
        # evaluating never allocate it, whatever buffer_size a loaded config names.
        self._buffer_seeds = (buffer_seed, success_seed)
        self._buffer: ReplayBuffer | None = None
        self._success: SuccessBuffer | None = None
        self.nstep = NStepAccumulator(config.n_step, config.gamma)
        self.updates = 0
        self._batch_rows = np.arange(config.batch_size)
        self._grad_buffer: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"DQNAgent(obs_shape={self.obs_shape}, n_actions={self.n_actions}, "
                f"updates={self.updates}, buffer={self._buffer!r})")

    # -- replay memory, built on first use ------------------------------------------------

    @property
    def buffer(self) -> ReplayBuffer:
        """The replay buffer (uniform or prioritized), allocated the first time it is used."""
        if self._buffer is None:
            self._buffer = make_replay_buffer(
                self.config, self.config.buffer_size, self.obs_shape, self.obs_dtype,
                self._buffer_seeds[0], prioritized=self.config.prioritized)
        return self._buffer

    @buffer.setter
    def buffer(self, buffer: ReplayBuffer) -> None:
        self._buffer = buffer

    @property
    def success(self) -> SuccessBuffer | None:
        """The successful-episode tier (None unless ``config.success_buffer``), allocated
        the first time it is used."""
        if self._success is None and self.config.success_buffer:
            size, seed = self.config.success_buffer_size, self._buffer_seeds[1]
            self._success = SuccessBuffer(make_replay_buffer(
                self.config, size, self.obs_shape, self.obs_dtype, seed, prioritized=False))
        return self._success

    @success.setter
    def success(self, success: SuccessBuffer | None) -> None:
        self._success = success

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

    def act(self, obs: np.ndarray, epsilon: float | None = None,
            rng: np.random.Generator | None = None) -> int:
        """Pick an action for one observation: random with probability ``epsilon``, else
        greedy (``epsilon=None`` or 0: always greedy). The random draws come from ``rng``
        (default: the agent's own exploration stream; an evaluation passes its own)."""
        if epsilon:
            rng = self.rng if rng is None else rng
            if rng.random() < epsilon:
                return int(rng.integers(self.n_actions))
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
        next_q_online = self.q_net.predict(next_obs) if config.double_q else None
        if next_q_online is not None and self._target_is_online:
            next_q_target = next_q_online  # e.g. atari-100k: the target is copied every update
        else:
            next_q_target = self.target_net.predict(next_obs)
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
        self._target_is_online = False
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
        self._target_is_online = tau >= 1.0  # a Polyak average may be an ulp off

    # -- saving and loading (pickle-free) ----------------------------------------------------

    def save(self, directory: str | Path, include_buffer: bool = False) -> None:
        """Write the agent to ``directory``: ``agent.json``, the networks (``q_net/`` and
        ``target_net/``, in ``nprl.nn.save``'s format), optimizer state and (optionally)
        the replay buffers, all as JSON and ``.npy`` files.

        The folder is written atomically and sealed with a checksum manifest
        (:func:`nprl.fileio.write_folder`); so are the networks and each buffer inside it,
        so that loading checks only what it reads.
        """
        meta = {
            "format": AGENT_FORMAT,
            "config": self.config.to_dict(),
            "obs_shape": list(self.obs_shape),
            "obs_dtype": self.obs_dtype.str,
            "n_actions": self.n_actions,
            "updates": self.updates,
            "rng": generator_state(self.rng),
            "optimizer_step": self.optimizer.step_count,
            "include_buffer": include_buffer,
        }

        def write(folder: Path) -> None:
            folder.mkdir()
            write_json(folder / "agent.json", meta)
            save_network(self.q_net, folder / "q_net")  # nprl.nn.load() reads these too
            save_network(self.target_net, folder / "target_net")
            save_arrays(folder / "optimizer", self.optimizer.state_dict())
            if include_buffer:
                _save_buffer(folder / "buffer", self.buffer)
                if self.success is not None:
                    _save_buffer(folder / "success", self.success)

        write_folder(directory, write)

    def save_policy(self, directory: str | Path) -> None:
        """Write only what acting needs: ``agent.json`` and the online network ``q_net/``
        (a few hundred kilobytes; how ``nprl/pretrained/`` ships agents). :meth:`load`
        reads it back as an agent that acts greedily but has no training state."""
        meta = {"format": AGENT_FORMAT, "config": self.config.to_dict(),
                "obs_shape": list(self.obs_shape), "obs_dtype": self.obs_dtype.str,
                "n_actions": self.n_actions, "updates": self.updates, "policy_only": True}

        def write(folder: Path) -> None:
            folder.mkdir()
            write_json(folder / "agent.json", meta)
            save_network(self.q_net, folder / "q_net")

        write_folder(directory, write)

    @classmethod
    def load(cls, directory: str | Path, training: bool = True,
             overrides: dict[str, Any] | None = None) -> DQNAgent:
        """Rebuild an agent saved by :meth:`save` (buffers too when they were saved).

        Parameters
        ----------
        directory : str or Path
        training : bool
            False reads only what acting needs (the online network): no target network,
            optimizer or replay buffers are read or allocated (``nprl eval``).
        overrides : dict, optional
            Fields of the saved configuration to build the agent with other values
            (``resume --steps N``: ``{"total_steps": N}``).

        Raises
        ------
        ValueError
            If a file is missing, damaged (its checksum differs from the manifest's) or
            does not match (the message names it).
        """
        directory = Path(directory)
        if not (directory / "agent.json").is_file():
            raise ValueError(f"missing file {directory / 'agent.json'}")
        verify_manifest(directory)
        meta = read_json(directory / "agent.json")
        if not isinstance(meta, dict) or meta.get("format") != AGENT_FORMAT:
            raise ValueError(f"{directory / 'agent.json'} is not an nprl agent of format "
                             f"{AGENT_FORMAT}")
        try:
            return cls._load(directory, meta, training, overrides or {})
        except (KeyError, TypeError) as error:
            raise ValueError(f"{directory} is not a complete nprl agent: missing or bad "
                             f"entry {error}") from None

    @classmethod
    def _load(cls, directory: Path, meta: dict[str, Any], training: bool,
              overrides: dict[str, Any]) -> DQNAgent:
        config = DQNConfig.from_dict(meta["config"])
        if overrides:
            config = config.replace(**overrides)
        network = load_network(directory / "q_net")
        obs_shape, n_actions, updates = _checked_counts(directory / "agent.json", meta, network)
        obs_space = observation_box(obs_shape, meta.get("obs_dtype", config.dtype))
        agent = cls(obs_space, gym.spaces.Discrete(n_actions), config, q_network=network)
        agent.updates = updates
        if meta.get("policy_only") or not training:  # acting only, fresh training state
            return agent
        agent.target_net.load_state_dict(load_network(directory / "target_net").state_dict())
        agent._target_is_online = False  # saved apart from q_net: not known to be equal
        agent.optimizer.load_state_dict(load_arrays(directory / "optimizer"))
        agent.rng = generator_from_state(meta["rng"])
        if meta.get("include_buffer"):
            _load_buffer(directory / "buffer", agent.buffer)
            if agent.success is not None:
                _load_buffer(directory / "success", agent.success)
        return agent

    def state_summary(self) -> dict[str, Any]:
        """Small JSON-able summary (for logs and ``nprl report``)."""
        return {"updates": self.updates, "buffer_size": len(self.buffer),
                "success_size": len(self.success) if self.success is not None else 0}


def _checked_counts(path: Path, meta: dict[str, Any],
                    network: Sequential) -> tuple[tuple[int, ...], int, int]:
    """``obs_shape``, ``n_actions`` and ``updates`` of ``agent.json``, checked before anything
    is built from them: whole numbers in range, and an observation size that the saved
    network's first layer (read from its own files) accepts, so that no size read from a
    file allocates memory the files do not back."""
    obs_shape, n_actions, updates = meta["obs_shape"], meta["n_actions"], meta["updates"]
    if not (isinstance(obs_shape, list) and 1 <= len(obs_shape) <= 4
            and all(type(d) is int and 1 <= d <= 2**16 for d in obs_shape)):
        raise ValueError(f"{path}: obs_shape {obs_shape!r:.60} is not 1 to 4 whole numbers "
                         "in 1..65536")
    if type(n_actions) is not int or not 1 <= n_actions <= 2**16:
        raise ValueError(f"{path}: n_actions {n_actions!r:.60} is not a whole number in "
                         "1..65536")
    if type(updates) is not int or updates < 0:
        raise ValueError(f"{path}: updates {updates!r:.60} is not a whole number >= 0")
    weights = [p.data for p in network.parameters() if p.data.ndim >= 2]
    if weights:
        first = weights[0]
        size = int(np.prod(obs_shape))
        # A Dense input (in, out) sees the flattened observation; a Conv2D (out, in, kh, kw)
        # its channels (first, as Atari stacks, or last, as MinAtar), over at most
        # 4096 x 4096 pixels.
        channels = first.shape[1] if first.ndim == 4 else None
        fits = (size == first.shape[0] if first.ndim == 2 else
                channels in (obs_shape[0], obs_shape[-1]) and size <= channels * 2**24)
        if not fits:
            raise ValueError(f"{path}: obs_shape {obs_shape} does not fit the saved network's "
                             f"first layer {first.shape}")
    return tuple(obs_shape), n_actions, updates


def _save_buffer(folder: Path, buffer: ReplayBuffer | SuccessBuffer) -> None:
    """A replay buffer as its own sealed folder (arrays + ``buffer.json``), so that an
    agent read for acting alone never reads (or hashes) its replay memory."""
    arrays, meta = buffer.state_dict()

    def write(temporary: Path) -> None:
        save_arrays(temporary, arrays)
        write_json(temporary / "buffer.json", meta)

    write_folder(folder, write)


def _load_buffer(folder: Path, buffer: ReplayBuffer | SuccessBuffer) -> None:
    """Restore ``buffer`` from a folder written by :func:`_save_buffer` (checked first)."""
    if not folder.is_dir():
        raise ValueError(f"missing folder {folder}")
    verify_manifest(folder)
    meta = read_json(folder / "buffer.json")
    if not isinstance(meta, dict):
        raise ValueError(f"{folder / 'buffer.json'} is not an nprl replay buffer")
    try:
        buffer.load_state_dict(load_arrays(folder), meta)
    except ValueError as error:
        raise ValueError(f"{folder / 'buffer.json'}: {error}") from None
