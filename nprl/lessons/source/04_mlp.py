# Source of lesson 4; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 4: Multi-layer perceptrons
#
# **Estimated time:** 40 minutes
#
# **What you will learn**
# - how neurons are arranged in layers, and what the shapes of their weights are;
# - how to count the parameters of a network;
# - how a hidden layer solves XOR, the problem a single neuron cannot solve (lesson 2).
#
# **Where it reappears in RL:** nprl's Lander agent uses an MLP with two hidden layers of 256
# neurons. You will count its parameters below.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson04 as check

# %% [markdown]
# ## 1. Layers
#
# A **layer** is many neurons side by side. They all read the same input, each with its own
# weights. Stack their weight vectors as the columns of a matrix $W$:
#
# $$h = f(x W + b), \qquad x: (n_{in},) \quad W: (n_{in}, n_{out}) \quad b: (n_{out},)$$
#
# A **multi-layer perceptron** (MLP) is layers in a row. The layers between input and output
# are **hidden**: nobody tells them what to compute.

# %% [markdown]
# We describe an MLP by its sizes. `[2, 3, 1]` means 2 inputs, a hidden layer of 3 neurons,
# and 1 output. In nprl:

# %%
net = nn.Sequential(nn.Dense(2, 3), nn.ReLU(), nn.Dense(3, 1))
for p in net.parameters():
    print(p.name, p.data.shape)

# %% [markdown]
# ### Exercise 1: `layer_shapes`
#
# Write `layer_shapes(sizes)`. Return a list with one pair per layer:
# `(weight shape, bias shape)`. For `[2, 3, 1]`: `[((2, 3), (3,)), ((3, 1), (1,))]`.

# %%
def layer_shapes(sizes):
    # BEGIN SOLUTION
    return [((n_in, n_out), (n_out,)) for n_in, n_out in zip(sizes, sizes[1:])]
    # END SOLUTION

# %%
check.check_layer_shapes(layer_shapes)

# %% [markdown]
# ## 2. Counting parameters
#
# Each layer has $n_{in} \cdot n_{out}$ weights and $n_{out}$ biases. The parameters are
# what learning changes, so their number says how big a network is.
#
# ### Exercise 2: `count_parameters`
#
# Write `count_parameters(sizes)`: the total number of weights and biases.

# %%
def count_parameters(sizes):
    # BEGIN SOLUTION
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    # END SOLUTION

# %%
check.check_count_parameters(count_parameters)

# %% [markdown]
# The Lander's state has 8 numbers, and it has 4 actions. Its Q-network is `[8, 256, 256, 4]`:

# %%
lander_net = nn.Sequential(nn.Dense(8, 256), nn.ReLU(), nn.Dense(256, 256), nn.ReLU(),
                           nn.Dense(256, 4))
print("nprl counts:", sum(p.data.size for p in lander_net.parameters()))
try:
    print("you count:  ", count_parameters([8, 256, 256, 4]))
except NotImplementedError:
    print("you count:   (finish Exercise 2 first)")

# %% [markdown]
# ## 3. Two layers in code
#
# $$\text{out} = \text{ReLU}(x W_1 + b_1) \, W_2 + b_2$$
#
# The output layer has no activation here: it can give any number, like a Q-value.
#
# ### Exercise 3: `two_layer`
#
# Write `two_layer(X, W1, b1, W2, b2)` for a batch `X` of shape `(N, n_in)`.

# %%
def two_layer(X, W1, b1, W2, b2):
    # BEGIN SOLUTION
    hidden = np.maximum(X @ W1 + b1, 0)
    return hidden @ W2 + b2
    # END SOLUTION

# %%
check.check_two_layer(two_layer)

# %% [markdown]
# ## 4. XOR, solved
#
# Here is a two-layer network that computes XOR, with weights chosen by hand
# (from the book *Deep Learning* by Goodfellow, Bengio and Courville):
#
# $$W_1 = \begin{pmatrix} 1 & 1 \\ 1 & 1 \end{pmatrix}, \quad b_1 = \begin{pmatrix} 0 & -1 \end{pmatrix}, \quad w_2 = \begin{pmatrix} 1 \\ -2 \end{pmatrix}, \quad b_2 = 0$$
#
# The picture shows why it works. The hidden layer moves the four points: both "yes" points
# (red) land on the same spot, $(1, 0)$. Now one straight line separates yes from no.

# %%
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y_xor = np.array([0, 1, 1, 0], dtype=float)
hidden_layer = nn.Dense(2, 2, dtype=np.float64)
hidden_layer.weight.data[...] = [[1, 1], [1, 1]]
hidden_layer.bias.data[...] = [0, -1]
H = nn.ReLU().forward(hidden_layer.forward(X_xor))

fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.2))
for ax, points, title in ((left, X_xor, "input space"), (right, H, "hidden space")):
    ax.scatter(points[:, 0], points[:, 1], c=y_xor, cmap="coolwarm", s=150, edgecolors="k")
    ax.set_title(title); ax.set_xlim(-0.5, 2.5); ax.set_ylim(-0.5, 1.5); ax.grid(alpha=0.3)
right.plot([0, 2.5], [-0.25, 1.0], "k--", label="$h_1 - 2 h_2 = 0.5$")
right.legend(loc="upper left")
fig.tight_layout(); plt.show()
print("hidden points:", H.tolist())

# %% [markdown]
# ### Debug exercise: `xor_net`
#
# This is the hand-made XOR network, but it does not give XOR. Run the check, then fix it.

# %%
def xor_net(X):
    W1, b1 = np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])
    w2, b2 = np.array([1.0, -2.0]), 0.0
    # BEGIN BUGGY
    hidden = X @ W1 + b1
    # END BUGGY
    # BEGIN SOLUTION
    hidden = np.maximum(X @ W1 + b1, 0)
    # END SOLUTION
    return hidden @ w2 + b2

# %%
check.check_xor_net(xor_net)

# %% [markdown]
# ## 5. Learning XOR instead of designing it
#
# Nobody picks weights by hand for real problems. Here nprl learns XOR by itself with a
# hidden layer of 8 neurons (how it learns is lessons 7 to 9). The colour is the network's
# output; the boundary is no longer a straight line.

# %%
learner = nn.Sequential(nn.Dense(2, 8, rng=0), nn.Tanh(), nn.Dense(8, 1, rng=1))
learner.fit(X_xor.astype(np.float32), y_xor[:, None].astype(np.float32), nn.MSELoss(),
            nn.Adam(learner.parameters(), lr=0.05), epochs=300, batch_size=4, seed=0,
            verbose=False)
g = np.linspace(-0.5, 1.5, 81, dtype=np.float32)
grid = np.array([[a, c] for c in g for a in g], dtype=np.float32)
out = learner.predict(grid).reshape(len(g), len(g))
fig, ax = plt.subplots(figsize=(3.8, 3.2))
image = ax.imshow(out, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="coolwarm",
                  vmin=0, vmax=1)
ax.scatter(X_xor[:, 0], X_xor[:, 1], c=y_xor, cmap="gray", s=120, edgecolors="k")
fig.colorbar(image); ax.set_title("a learned XOR (dots: white 0, black 1)", fontsize=9)
plt.show()
outputs = learner.predict(X_xor.astype(np.float32)).ravel()
print("outputs on the four points:", [f"{v:.2f}" for v in outputs], " targets:", y_xor)

# %% [markdown]
# ## 6. Where it reappears in RL
#
# The Lander's Q-network above has 69,124 parameters. Each DQN update changes all of them a
# little. Its hidden layers do what the hidden layer did for XOR: they move the game states
# into a space where good and bad actions are easy to tell apart.
#
# ## Extra practice
#
# 1. How many parameters does `[784, 512, 256, 10]` have (the `nprl mnist --preset modern`
#    network)? Check with `nn.Sequential`.
# 2. In the XOR figure, which line in the hidden space does the output neuron draw?
#    Solve $h_1 - 2 h_2 = 0.5$ for the four hidden points.
# 3. Change the learned XOR network's hidden size to 2. Does it still learn?
#    Try several `rng` values.

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    torch_net = torch.nn.Sequential(torch.nn.Linear(8, 256), torch.nn.ReLU(),
                                    torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                    torch.nn.Linear(256, 4))
    print("PyTorch counts:", sum(p.numel() for p in torch_net.parameters()))
