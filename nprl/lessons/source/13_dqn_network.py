# %% [markdown]
# # Lesson 13: The DQN network
#
# **Estimated time:** 60 minutes
#
# **What you will learn**
# - what a Q-network computes, and what it is trained towards (the TD target);
# - the "Nature" DQN network that learned to play 49 Atari games from pixels (Mnih et
#   al., 2015), built by you from nprl layers;
# - the Huber loss, and why DQN prefers it to the squared error;
# - the target network, and the bug that quietly removes it.
#
# **Where it reappears in RL:** this *is* RL. Everything from lessons 1-12 meets here:
# Dense layers, ReLU, convolutions, the batched forward pass, a loss, backpropagation,
# Adam. nprl's agent (`nprl/rl/agent.py`) runs exactly these steps; checkpoint D asks
# you to run one whole update yourself.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.atari import pong_frames
from nprl.lessons.checks import lesson13 as check

# %% [markdown]
# ## 1. What a Q-network computes
#
# An agent sees a state $s$ and picks one of $A$ actions. The **Q-value** $Q(s, a)$ is
# the total future reward the agent expects if it takes action $a$ now and plays well
# afterwards. A **Q-network** takes the state and outputs all $A$ Q-values at once, one
# per action. To act, the agent picks the action with the largest one.
#
# What should $Q(s, a)$ be? After taking $a$, the agent receives reward $r$ and lands in
# state $s'$. So a good guess is: the reward now, plus the (discounted) best Q-value
# from there. That guess is the **TD target** (TD: temporal difference):
#
# $$y = r + \gamma\, (1 - \text{terminated})\, \max_{a'} Q_\text{target}(s', a')$$
#
# $\gamma$ (gamma, like 0.99) makes rewards far in the future count a little less. If
# the episode *terminated* at $s'$ (game over), there is no future: $y = r$. Training
# pulls $Q(s, a)$ towards $y$, with a loss on the difference $Q(s, a) - y$, as in lesson 6.

# %% [markdown]
# ## 2. The input: four frames of Pong
#
# One frame does not show which way the ball moves. So DQN's state is a stack of the
# last **four** frames, each turned grey and shrunk to 84x84 pixels. Here are real
# frames from Pong (from the Atari emulator when `ale-py` is installed, otherwise a
# sample shipped with nprl). We play on the right.

# %%
frames, rewards, source = pong_frames()
print("frames from", source, "| shape", frames.shape, frames.dtype)
state, next_state = frames[0:4], frames[1:5]
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for k, ax in enumerate(axes):
    ax.imshow(state[k], cmap="gray")
    ax.set_title(f"frame t-{3 - k}")
    ax.axis("off")
plt.show()

# %% [markdown]
# Watch the ball near our paddle on the right: it moves from frame to frame, and slips
# past us. What reward did the next step give? (`rewards[4]` belongs to the step from
# `state` to `next_state`.)

# %%
print("reward of the step from state to next_state:", rewards[4])

# %% [markdown]
# In Pong, -1 means the opponent scored and +1 that we did; every other step gives 0.
# Rare, delayed rewards like these are all DQN learns from.

# %% [markdown]
# ## 3. The Nature DQN network
#
# The input is `(N, 4, 84, 84)`: N stacks of 4 frames, pixel values scaled from 0-255
# to 0-1. Then:
#
# | layer | what it does | output shape |
# |---|---|---|
# | `Conv2D(4, 32, 8, stride=4)` + ReLU | 32 filters of 8x8 over all 4 frames | (N, 32, 20, 20) |
# | `Conv2D(32, 64, 4, stride=2)` + ReLU | 64 filters of 4x4 | (N, 64, 9, 9) |
# | `Conv2D(64, 64, 3, stride=1)` + ReLU | 64 filters of 3x3 | (N, 64, 7, 7) |
# | `Flatten()` | one row per sample | (N, 3136) |
# | `Dense(3136, 512)` + ReLU | combine everything | (N, 512) |
# | `Dense(512, A)` | one Q-value per action | (N, A) |
#
# The sizes come from lesson 11's formula: $\lfloor (84 - 8)/4 \rfloor + 1 = 20$, then
# $\lfloor (20 - 4)/2 \rfloor + 1 = 9$, then $9 - 3 + 1 = 7$; and
# $64 \times 7 \times 7 = 3136$. There is no pooling: the strides shrink the image instead. The last layer has
# no ReLU, because Q-values may be negative.

# %% [markdown]
# ### Exercise 1: `build_nature_dqn`
#
# Return an `nn.Sequential` with exactly the layers of the table, for `n_actions` actions.

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
# Pong has 6 actions. How many weights does the network have, and what does it say
# about our Pong state? (Its weights are random: the Q-values mean nothing yet.)

# %%
try:
    net = build_nature_dqn(6)
    x = state[None].astype(np.float32) / 255  # (1, 4, 84, 84), values in [0, 1]
    q = net.predict(x)
except NotImplementedError:
    print("Finish exercise 1 first.")
except Exception as error:  # a wrong answer: the check above says what to fix
    print(f"your code raised {type(error).__name__}: {error}")
else:
    for layer in net:
        shapes = " + ".join(str(p.data.shape) for p in layer.parameters())
        count = sum(p.data.size for p in layer.parameters())
        print(f"{type(layer).__name__:8} {shapes:26} {count:>10,}")
    print(f"{'total':35} {sum(p.data.size for p in net.parameters()):>10,}")
    print("Q-values of the Pong state:", q.round(3))

# %% [markdown]
# Almost all the weights (95%) sit in the `Dense(3136, 512)` layer. The three
# convolutions, which do the seeing, need under 80 000.

# %% [markdown]
# What does the first layer see? Here are 8 of the 32 feature maps of a (random,
# untrained) first layer on our Pong state, each only 20x20 because of the stride of 4.
# Random filters answer mostly to the bright walls, and faintly to the paddles and the
# ball. Training turns them into detectors of exactly those small moving things.

# %%
first = nn.Conv2D(4, 32, 8, stride=4, rng=0)
maps = first.predict(state[None].astype(np.float32) / 255)[0]  # (32, 20, 20)
fig, axes = plt.subplots(1, 8, figsize=(12, 1.8))
for k, ax in enumerate(axes):
    ax.imshow(np.maximum(maps[k], 0), cmap="gray")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 4. The TD target, batched
#
# The agent learns from a mini-batch of $B$ stored transitions
# $(s, a, r, s', \text{terminated})$ (lesson 9's mini-batches, drawn from a *replay buffer*). For the
# targets we need the target network's Q-values at all next states, `next_q` of shape
# `(B, A)`.

# %% [markdown]
# ### Exercise 2: `td_targets`
#
# Return the `(B,)` array of targets: the reward, plus `gamma` times `(1 - terminated)`
# times the largest value in each row of `next_q`. `terminated` holds 0 or 1.

# %%
def td_targets(rewards, terminated, next_q, gamma):
    # BEGIN SOLUTION
    return rewards + gamma * (1 - terminated) * next_q.max(axis=1)
    # END SOLUTION

# %%
check.check_td_targets(td_targets)

# %% [markdown]
# ## 5. Only the action taken
#
# The network outputs Q-values for all $A$ actions, but each stored transition tells us
# about one action only: the one taken. So the loss uses `q_all[i, actions[i]]` for each
# row $i$, and its gradient is zero for the other actions.

# %% [markdown]
# ### Exercise 3: `select_actions`
#
# From `q_all` `(B, A)` and `actions` `(B,)`, return the `(B,)` array of `q_all[i, actions[i]]`.

# %%
def select_actions(q_all, actions):
    # BEGIN SOLUTION
    return q_all[np.arange(len(actions)), actions]
    # END SOLUTION

# %%
check.check_select_actions(select_actions)

# %% [markdown]
# ## 6. The Huber loss
#
# Early in training the TD errors $d = Q(s,a) - y$ can be huge (a new reward, a wild
# target). The squared error $d^2$ would then give huge gradients. The **Huber loss** is
# squared near zero and straight further out, so its gradient never exceeds $\delta$:
#
# $$\ell(d) = \begin{cases} \tfrac12 d^2 & |d| \le \delta \\
#   \delta\, (|d| - \tfrac12 \delta) & |d| > \delta \end{cases}
#   \qquad \ell'(d) = \operatorname{clip}(d, -\delta, \delta)$$
#
# The loss of a batch is the mean over its $B$ elements, so the gradient of the mean
# with respect to each prediction is $\ell'(d_i) / B$.

# %%
d = np.linspace(-3, 3, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
left.plot(d, 0.5 * d**2, label="$\\frac{1}{2} d^2$")
left.plot(d, np.where(np.abs(d) <= 1, 0.5 * d**2, np.abs(d) - 0.5), label="Huber, $\\delta = 1$")
left.set_title("loss")
right.plot(d, d, label="$d$")
right.plot(d, np.clip(d, -1, 1), label="clip(d, -1, 1)")
right.set_title("gradient")
for ax in (left, right):
    ax.set_xlabel("TD error d")
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise 4: `huber_loss`
#
# Return `(value, grad)`: the mean Huber loss of `pred` against `target` (both `(B,)`),
# and its gradient with respect to `pred`. The check compares with `nn.HuberLoss`.

# %%
def huber_loss(pred, target, delta=1.0):
    # BEGIN SOLUTION
    d = pred - target
    elementwise = np.where(np.abs(d) <= delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))
    return elementwise.mean(), np.clip(d, -delta, delta) / d.size
    # END SOLUTION

# %%
check.check_huber_loss(huber_loss)

# %% [markdown]
# ## 7. The target network
#
# The target $y$ uses the network's own Q-values at $s'$. If the same network made the
# targets, every update would also move the targets: the agent would chase its own
# tail. DQN therefore keeps a **target network**: a frozen *copy* of the online network,
# used only for the targets, and refreshed by copying the weights every few thousand
# steps (nprl: `agent.update_target()`).

# %% [markdown]
# ### Debug exercise: a target network that is not one
#
# `make_target_network` has a planted bug. Everything runs, and the agent even learns a
# little, but the target moves with every update. Why? Fix it.

# %%
def make_target_network(online):
    # BEGIN BUGGY
    target = online
    # END BUGGY
    # BEGIN SOLUTION
    target = online.copy()  # a deep copy: its own weights
    # END SOLUTION
    return target

# %%
check.check_make_target_network(make_target_network)

# %% [markdown]
# ## 8. One update, in words
#
# Put together, one DQN update on a mini-batch is (`DQNAgent.learn` in
# `nprl/rl/agent.py`, steps 1-4 of its docstring):
#
# 1. `next_q = target_net.predict(next_obs)`, then `y = td_targets(...)`;
# 2. `q_all = online.forward(obs)`, then `q_taken = select_actions(q_all, actions)`;
# 3. `value, grad = huber_loss(q_taken, y)`; put `grad` into a zero `(B, A)` array at the
#    actions taken;
# 4. `optimizer.zero_grad()`, `online.backward(grad_q)`, `optimizer.step()` (Adam).
#
# Checkpoint D asks you to write it and run it on real Pong frames.

# %% [markdown]
# ## Extra practice
#
# 1. Count the weights of the Nature network by hand, layer by layer (a `Conv2D` has
#    $O \cdot C \cdot k_h \cdot k_w + O$) and compare with the table above.
# 2. *Double DQN* lets the online network choose the action and the target network rate
#    it: $y = r + \gamma (1 - \text{terminated})\, Q_\text{target}(s', a^*)$ with
#    $a^* = \arg\max_{a'} Q_\text{online}(s', a')$. Write `double_td_targets` and compare with
#    `nprl.rl.targets.td_targets(..., next_q_online=...)`.
# 3. MinAtar games use 10x10 images. Design a smaller network for them: how many
#    weights does yours need?

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    model = torch.nn.Sequential(
        torch.nn.Conv2d(4, 32, 8, stride=4), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 4, stride=2), torch.nn.ReLU(),
        torch.nn.Conv2d(64, 64, 3, stride=1), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(3136, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 6))
    print("PyTorch's Nature DQN for 6 actions has",
          f"{sum(p.numel() for p in model.parameters()):,} parameters")
    print("and torch.nn.HuberLoss()(q, y) is the loss of section 6.")

# %% [markdown]
# ## Where this goes in RL
#
# `nprl train --env ALE/Pong-v5` (with the `atari` extra) trains this network from
# pixels; `nprl.rl.targets.td_targets` is exercise 2, batched, with double DQN and n-step
# returns as options; `DQNAgent.learn` is section 8. You have now written every piece of
# it yourself, in NumPy.
