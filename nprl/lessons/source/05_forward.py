# Source of lesson 5; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 5: Forward propagation
#
# **Estimated time:** 40 minutes
#
# **What you will learn**
# - the forward pass: how an input flows through a network, layer by layer;
# - why we feed a whole batch at once, with one matrix product per layer;
# - how an agent reads the best action from a Q-network's output.
#
# **Where it reappears in RL:** every time a DQN agent acts, it runs one forward pass and
# picks the action with the highest Q-value. Every update runs two more (online and target network).

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson05 as check
from nprl.lessons.data import mnist, mnist_source

# %% [markdown]
# ## 1. One layer, one batch
#
# A batch $X$ holds $N$ inputs as rows, shape $(N, n_{in})$. One matrix product computes
# every neuron for every input:
#
# $$Y = X W + b, \qquad X: (N, n_{in}) \quad W: (n_{in}, n_{out}) \quad Y: (N, n_{out})$$
#
# $b$ has shape $(n_{out},)$. NumPy adds it to every row (this is called **broadcasting**).

# %% [markdown]
# ### Exercise 1: `dense_forward`
#
# Write `dense_forward(X, W, b)`. It is what `nn.Dense.forward` computes.

# %%
def dense_forward(X, W, b):
    # BEGIN SOLUTION
    return X @ W + b
    # END SOLUTION

# %%
check.check_dense_forward(dense_forward)

# %% [markdown]
# ## 2. Why batches?
#
# We could loop over the inputs one by one. The answer is the same, but NumPy's matrix
# product is much faster than a Python loop. Let us measure it (your numbers will differ).

# %%
rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 64))
W, b = rng.normal(size=(64, 64)), rng.normal(size=64)
start = time.perf_counter()
Y_loop = np.array([x @ W + b for x in X])
loop_s = time.perf_counter() - start
start = time.perf_counter()
Y_batch = X @ W + b
batch_s = time.perf_counter() - start
print(f"same result: {np.allclose(Y_loop, Y_batch)}")
print(f"one by one: {loop_s * 1000:.1f} ms   as a batch: {batch_s * 1000:.2f} ms")

# %% [markdown]
# ## 3. Layer by layer
#
# A network is a list of layers. The forward pass feeds the output of each layer into the next:
#
# $$H_1 = \text{ReLU}(X W_1 + b_1), \quad H_2 = \text{ReLU}(H_1 W_2 + b_2), \quad \dots, \quad \text{out} = H_{L-1} W_L + b_L$$
#
# The last layer has no ReLU: its outputs are scores or values, which may be negative.

# %% [markdown]
# ### Exercise 2: `forward`
#
# `params` is a list of `(W, b)` pairs, one per layer. Write `forward(X, params)`: apply each
# layer with `dense_forward`, with a ReLU after every layer except the last.

# %%
def forward(X, params):
    # BEGIN SOLUTION
    for i, (W, b) in enumerate(params):
        X = dense_forward(X, W, b)
        if i < len(params) - 1:
            X = np.maximum(X, 0)
    return X
    # END SOLUTION

# %%
check.check_forward(forward)

# %% [markdown]
# ## 4. Watch a digit flow through a network
#
# Below, an MNIST digit (28 x 28 pixels, flattened to 784 numbers) goes through an untrained
# nprl network `[784, 64, 32, 10]`. Each strip shows one layer's output for this digit.
# The network is untrained, so the 10 outputs mean nothing yet. Lesson 9 trains it.

# %%
(x_train, y_train), _ = mnist(n_train=100, n_test=1)
print("data:", mnist_source())
digit = x_train[:1].reshape(1, 784)
layers = [nn.Dense(784, 64, rng=0), nn.ReLU(), nn.Dense(64, 32, rng=1), nn.ReLU(),
          nn.Dense(32, 10, rng=2)]
outputs, h = [], digit
for layer in layers:
    h = layer.forward(h)
    if not isinstance(layer, nn.ReLU):
        continue
    outputs.append(("ReLU", h))
outputs.append(("output (10 scores)", h))

fig = plt.figure(figsize=(8, 3))
ax = fig.add_subplot(1, 4, 1)
ax.imshow(x_train[0], cmap="gray"); ax.set_title(f"input: a {y_train[0]}"); ax.axis("off")
for i, (name, values) in enumerate(outputs):
    ax = fig.add_subplot(1, 4, i + 2)
    ax.imshow(values.reshape(-1, 1), aspect="auto", cmap="viridis")
    ax.set_title(f"{name}\n{values.shape[1]} numbers", fontsize=9); ax.set_xticks([])
fig.tight_layout(); plt.show()

# %% [markdown]
# Notice the dark cells in the ReLU layers: those neurons output exactly 0 for this digit.

# %% [markdown]
# ## 5. From Q-values to an action
#
# A Q-network outputs one number per action, for each state in the batch: shape
# `(N, n_actions)`. The greedy agent picks, for each state, the action with the largest value:
#
# $$a^* = \arg\max_a Q(s, a)$$
#
# ### Exercise 3: `greedy_actions`
#
# Write `greedy_actions(q)` for `q` of shape `(N, n_actions)`. Return `N` integers.

# %%
def greedy_actions(q):
    # BEGIN SOLUTION
    return np.argmax(q, axis=1)
    # END SOLUTION

# %%
check.check_greedy_actions(greedy_actions)

# %% [markdown]
# ### Debug exercise: `q_network`
#
# A colleague wrote this Q-network. The agent learns nothing in a game where most rewards
# are negative. Run the check, then find the bug.

# %%
def q_network(X, params):
    h = X
    # BEGIN BUGGY
    for W, b in params:
        h = np.maximum(h @ W + b, 0)
    return h
    # END BUGGY
    # BEGIN SOLUTION
    for W, b in params[:-1]:
        h = np.maximum(h @ W + b, 0)
    W, b = params[-1]
    return h @ W + b
    # END SOLUTION

# %%
check.check_q_network(q_network)

# %% [markdown]
# ## 6. Where it reappears in RL
#
# In nprl, `DQNAgent.act(obs)` (in `nprl/rl/agent.py`) runs `self.q_net.predict(obs)` and
# takes the argmax: your `forward` and `greedy_actions`. The update (lesson 13) runs the
# forward pass on a batch of 32 or more stored transitions at once, exactly like section 2.
#
# ## Extra practice
#
# 1. Make `forward` also return the list of every layer's output. You will need it for
#    backpropagation (lesson 7).
# 2. Time `forward` on batches of 1, 10, 100 and 1000 digits. How does the time per digit change?
# 3. An epsilon-greedy agent picks a random action with probability $\varepsilon$. Write it with
#    `greedy_actions` and `np.random.default_rng`.

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    layer = torch.nn.Linear(784, 64)
    print(layer(torch.tensor(digit)).shape)   # torch.Size([1, 64]); y = x W^T + b in PyTorch
