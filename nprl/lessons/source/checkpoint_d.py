# %% [markdown]
# # Checkpoint D: the DQN network on Atari frames
#
# **Estimated time:** 45 minutes
#
# **What you will show:** that you can build the network that learned to play Atari
# from pixels, count its weights, run it on real Pong frames, take one full DQN update,
# and explain each part in your own words.
#
# **Where it reappears in RL:** everywhere. This is the learning step of `DQNAgent`
# (`nprl/rl/agent.py`), on the network of the 2015 Nature paper.

# %%
import numpy as np

import nprl.nn as nn
from nprl.lessons.atari import pong_frames
from nprl.lessons.checks import checkpoint_d as check

frames, rewards, source = pong_frames()
print("frames from", source, "| shape", frames.shape, frames.dtype)

# %% [markdown]
# ## 1. Build the network
#
# Input `(N, 4, 84, 84)`; three convolutions (32 filters 8x8 stride 4, 64 filters 4x4
# stride 2, 64 filters 3x3 stride 1), each followed by ReLU; `Flatten`; `Dense` to 512
# with ReLU; `Dense` to one Q-value per action (lesson 13, section 3).

# %%
def build_nature_dqn(n_actions):
    # BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2D(4, 32, 8, stride=4), nn.ReLU(),
        nn.Conv2D(32, 64, 4, stride=2), nn.ReLU(),
        nn.Conv2D(64, 64, 3, stride=1), nn.ReLU(),
        nn.Flatten(),
        nn.Dense(3136, 512, init="he_uniform"), nn.ReLU(),
        nn.Dense(512, n_actions),
    )
    # END SOLUTION

# %%
check.check_build_nature_dqn(build_nature_dqn)

# %% [markdown]
# ## 2. Count its weights, twice
#
# First with code: `count_parameters(net)` adds up the sizes of all parameter arrays of
# any nprl network. Then by hand: `parameters_by_hand(n_actions)` computes the same
# number with arithmetic only, layer by layer ($O \cdot C \cdot k \cdot k + O$ for a
# convolution, $\text{in} \cdot \text{out} + \text{out}$ for a dense layer). Both must agree.

# %%
def count_parameters(net):
    # BEGIN SOLUTION
    return sum(p.data.size for p in net.parameters())
    # END SOLUTION

def parameters_by_hand(n_actions):
    # BEGIN SOLUTION
    conv1 = 32 * 4 * 8 * 8 + 32
    conv2 = 64 * 32 * 4 * 4 + 64
    conv3 = 64 * 64 * 3 * 3 + 64
    dense = 64 * 7 * 7 * 512 + 512
    head = 512 * n_actions + n_actions
    return conv1 + conv2 + conv3 + dense + head
    # END SOLUTION

# %%
check.check_count_parameters(count_parameters)

# %%
check.check_parameters_by_hand(parameters_by_hand)

# %%
try:
    print(f"Pong (6 actions): {parameters_by_hand(6):,} parameters")
except NotImplementedError:
    print("Finish parameters_by_hand first.")
except Exception as error:  # a wrong answer: the check above says what to fix
    print(f"your code raised {type(error).__name__}: {error}")

# %% [markdown]
# ## 3. Q-values of real frames
#
# The emulator gives `uint8` pixels 0-255. The network wants `float32` in [0, 1] and a
# batch axis. Write `q_values(net, obs)` for `obs` of shape `(4, 84, 84)` (one state) or
# `(B, 4, 84, 84)` (a batch); return `(B, n_actions)` (B = 1 for one state). Use
# `net.predict` (no caching for backward: we only look).

# %%
def q_values(net, obs):
    # BEGIN SOLUTION
    obs = np.asarray(obs)
    if obs.ndim == 3:
        obs = obs[None]
    return net.predict(obs.astype(np.float32) / 255)
    # END SOLUTION

# %%
check.check_q_values(q_values)

# %% [markdown]
# ## 4. One DQN update
#
# A batch is a dictionary of arrays: `obs` and `next_obs` `(B, 4, 84, 84)` uint8,
# `actions` `(B,)` int, `rewards` `(B,)`, `terminated` `(B,)` (0 or 1). Write
# `dqn_update(online, target, optimizer, batch, gamma)`: compute the TD targets with the
# **target** network, the Q-values of the actions taken with the **online** network
# (`forward`, since we will backpropagate), the mean **Huber** loss ($\delta = 1$,
# `nn.HuberLoss` is allowed), its gradient placed into a zero `(B, A)` array at the
# actions taken, then `zero_grad`, `backward`, `step`. Return the loss as a float.

# %%
def dqn_update(online, target, optimizer, batch, gamma=0.99):
    # BEGIN SOLUTION
    obs = batch["obs"].astype(np.float32) / 255
    next_obs = batch["next_obs"].astype(np.float32) / 255
    rows = np.arange(len(batch["actions"]))
    next_q = target.predict(next_obs)
    y = batch["rewards"] + gamma * (1 - batch["terminated"]) * next_q.max(axis=1)
    q_all = online.forward(obs)
    loss = nn.HuberLoss(1.0)
    value = loss(q_all[rows, batch["actions"]], y.astype(np.float32))
    grad_q = np.zeros_like(q_all)
    grad_q[rows, batch["actions"]] = loss.backward()
    optimizer.zero_grad()
    online.backward(grad_q)
    optimizer.step()
    return value
    # END SOLUTION

# %%
check.check_dqn_update(dqn_update)

# %% [markdown]
# Now on the Pong frames: two real transitions (`frames[0:4] -> frames[1:5]` with reward
# `rewards[4]`, and `frames[1:5] -> frames[2:6]` with `rewards[5]`), the paddle moving
# up (action 2) both times. We take ten updates on this one batch and watch
# $Q(s, a{=}2)$ of both states next to their TD targets.

# %%
batch = {"obs": np.stack([frames[0:4], frames[1:5]]),
         "next_obs": np.stack([frames[1:5], frames[2:6]]),
         "actions": np.array([2, 2]), "rewards": rewards[4:6].astype(np.float32),
         "terminated": np.zeros(2, np.float32)}
try:
    online = build_nature_dqn(6)
    target = online.copy()
    optimizer = nn.Adam(online.parameters(), lr=5e-6)
    y = batch["rewards"] + 0.99 * q_values(target, batch["next_obs"]).max(axis=1)
    print("TD targets:          ", y.round(3))
    print("Q(s, 2) before:      ", q_values(online, batch["obs"])[:, 2].round(3))
    for step in range(10):
        value = dqn_update(online, target, optimizer, batch)
        q = q_values(online, batch["obs"])[:, 2]
        print(f"after update {step + 1:2}:    ", q.round(3), f"  loss {value:.4f}")
except NotImplementedError:
    print("Finish the exercises above first.")
except Exception as error:  # a wrong answer: the check above says what to fix
    print(f"your code raised {type(error).__name__}: {error}")

# %% [markdown]
# The two states share three of their four frames, so the network sees them as almost
# the same. Yet their targets differ by about 1: in the first step the opponent scored.
# So the updates pull both Q-values together towards the middle of the two targets. The
# loss falls, then levels off above zero: it cannot reach zero while the network gives
# both states almost the same value. (Try `lr=1e-4`: Adam's momentum then carries both
# far past the middle, and the loss rises again.) Telling such states apart takes many
# more updates on many more transitions: DQN learns Pong from millions of them, sampled
# from a replay buffer so that each batch mixes many different moments of play.

# %% [markdown]
# ## 5. In your own words
#
# For each part, write two or three sentences, as if explaining to a friend who has
# done lessons 1-12 but not lesson 13. These answers are not graded for content; the
# check only asks that each one is there. Compare yours with the worked solution after.

# %%
def explanations():
    answers = {
        "frame_stack": "",      # why the input is four frames, not one
        "convolutions": "",     # what the three convolutional layers do, and why strides
        "q_values": "",         # what the network's output means, and how the agent acts
        "td_target": "",        # what the network is trained towards
        "huber_loss": "",       # why Huber and not the squared error
        "target_network": "",   # why a second, frozen copy of the network
    }
    # BEGIN SOLUTION
    answers["frame_stack"] = ("One frame shows where things are but not where they go. "
                              "Four frames in a row show the motion of the ball.")
    answers["convolutions"] = ("They slide small filters over the frames, finding paddles "
                               "and the ball wherever they are, with few weights. The "
                               "strides shrink 84x84 to 7x7 instead of pooling.")
    answers["q_values"] = ("One number per action: the return the agent expects after "
                           "taking that action. It acts by picking the largest (and "
                           "sometimes a random one, to explore).")
    answers["td_target"] = ("The reward now plus gamma times the best Q-value of the next "
                            "state, from the target network; just the reward if the "
                            "episode ended.")
    answers["huber_loss"] = ("It is the squared error for small errors but grows only "
                             "linearly for large ones, so one surprising target cannot "
                             "produce a huge gradient.")
    answers["target_network"] = ("If the network made its own targets, every update "
                                 "would move them too. A frozen copy, refreshed now and "
                                 "then, keeps the targets still for a while.")
    # END SOLUTION
    return answers

# %%
check.check_explanations(explanations)
