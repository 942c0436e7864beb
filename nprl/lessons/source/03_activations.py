# Source of lesson 3; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 3: Activation functions
#
# **Estimated time:** 45 minutes
#
# **What you will learn**
# - the four activations every deep-learning library has: ReLU, sigmoid, tanh and softmax;
# - their slopes (derivatives), and why a flat slope slows learning;
# - when to use which one;
# - how to compute softmax without overflow.
#
# **Where it reappears in RL:** DQN's hidden layers use ReLU. Softmax turns Q-values or
# policy scores into the probabilities of the actions.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson03 as check

# %% [markdown]
# ## 1. Why an activation at all?
#
# Without an activation, a layer is a weighted sum: a straight-line (linear) function.
# Two linear layers in a row are still one linear function:
#
# $$(x W_1) W_2 = x (W_1 W_2)$$
#
# So stacking layers would buy nothing. The activation bends the line between layers.

# %%
rng = np.random.default_rng(0)
x, W1, W2 = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
print("two layers == one layer:", np.allclose((x @ W1) @ W2, x @ (W1 @ W2)))

# %% [markdown]
# ## 2. ReLU
#
# The **rectified linear unit** keeps positive numbers and sets negative ones to 0:
#
# $$\text{ReLU}(z) = \max(z, 0)$$
#
# It is cheap, and its slope is 1 wherever it is active. It is the default in hidden layers.
#
# ### Exercise 1: `relu`
#
# Write `relu(x)` for an array `x` of any shape.

# %%
def relu(x):
    # BEGIN SOLUTION
    return np.maximum(x, 0)
    # END SOLUTION

# %%
check.check_relu(relu)

# %% [markdown]
# ## 3. Sigmoid
#
# The sigmoid of lesson 1 squeezes any number into $(0, 1)$. Read its output as a probability.
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}$$
#
# ### Exercise 2: `sigmoid`

# %%
def sigmoid(x):
    # BEGIN SOLUTION
    return 1 / (1 + np.exp(-x))
    # END SOLUTION

# %%
check.check_sigmoid(sigmoid)

# %% [markdown]
# ## 4. Tanh
#
# The hyperbolic tangent is a sigmoid stretched to $(-1, 1)$. Its output is centred on 0:
#
# $$\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}} = 2 \sigma(2z) - 1$$
#
# ### Exercise 3: `tanh`
#
# Write it with `np.exp` (not `np.tanh`, that would be too easy).

# %%
def tanh(x):
    # BEGIN SOLUTION
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    # END SOLUTION

# %%
check.check_tanh(tanh)

# %% [markdown]
# ## 5. Slopes, and why they matter
#
# Learning (lesson 7) multiplies slopes together, layer after layer.
# A slope near 0 means almost no learning signal gets through.
#
# The sigmoid's slope has a neat form: $\sigma'(z) = \sigma(z) \, (1 - \sigma(z))$.
#
# ### Exercise 4: `sigmoid_derivative`
#
# Write `sigmoid_derivative(z)`, element by element. The check compares it with nprl's
# `Sigmoid.backward` and with finite differences.

# %%
def sigmoid_derivative(z):
    # BEGIN SOLUTION
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)
    # END SOLUTION

# %%
check.check_sigmoid_derivative(sigmoid_derivative)

# %% [markdown]
# The figure shows each activation (top) and its slope (bottom), computed by nprl's own layers.
# Look at the sigmoid's slope: it is never above 0.25, and almost 0 for $|z| > 5$.
# Ten sigmoid layers can shrink the signal by $0.25^{10} \approx 10^{-6}$. This is the
# **vanishing gradient**. ReLU's slope is exactly 1 wherever it is active.

# %%
z = np.linspace(-5, 5, 401)[:, None]
fig, axes = plt.subplots(2, 3, figsize=(8, 4), sharex=True)
for column, (name, layer) in enumerate([("ReLU", nn.ReLU()), ("sigmoid", nn.Sigmoid()),
                                         ("tanh", nn.Tanh())]):
    y = layer.forward(z)
    slope = layer.backward(np.ones_like(z))
    axes[0, column].plot(z, y); axes[0, column].set_title(name)
    axes[1, column].plot(z, slope, color="C1"); axes[1, column].set_ylim(-0.1, 1.1)
    axes[1, column].set_xlabel("z")
    for ax in axes[:, column]:
        ax.grid(alpha=0.3)
axes[0, 0].set_ylabel("output"); axes[1, 0].set_ylabel("slope")
fig.tight_layout(); plt.show()

# %% [markdown]
# ## 6. Softmax
#
# Softmax turns a row of $K$ scores (also called **logits**) into $K$ probabilities:
# all positive, summing to 1. A bigger score gets a bigger share.
#
# $$\text{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}$$
#
# Adding the same number to every score changes nothing (it cancels above and below).
# So we subtract the row's maximum first: then no $e^{z}$ can overflow.
#
# ### Exercise 5: `softmax`
#
# Write `softmax(x)` over the **last** axis of `x`, shape `(N, K)`.
# Hint: `x.max(axis=-1, keepdims=True)` and `.sum(axis=-1, keepdims=True)`.

# %%
def softmax(x):
    # BEGIN SOLUTION
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
    # END SOLUTION

# %%
check.check_softmax(softmax)

# %% [markdown]
# ## 7. When to use which
#
# | activation | output range | use it for |
# | --- | --- | --- |
# | ReLU | $[0, \infty)$ | hidden layers: the default |
# | sigmoid | $(0, 1)$ | one yes/no probability at the output |
# | tanh | $(-1, 1)$ | hidden layers of small or recurrent networks; outputs centred on 0 |
# | softmax | probabilities summing to 1 | choosing one of $K$ classes or actions |
# | none (identity) | any number | outputs that are values, such as Q-values |

# %% [markdown]
# ### Debug exercise: `action_probabilities`
#
# An agent can explore by picking actions with probabilities $\text{softmax}(Q / T)$, where
# $T$ is a **temperature** (Boltzmann exploration). A low $T$ makes it almost greedy.
# This version returns NaN for a low temperature. Find out why and fix it.

# %%
def action_probabilities(q, temperature):
    scaled = q / temperature
    # BEGIN BUGGY
    e = np.exp(scaled)
    # END BUGGY
    # BEGIN SOLUTION
    e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    # END SOLUTION
    return e / e.sum(axis=-1, keepdims=True)

# %%
check.check_action_probabilities(action_probabilities)

# %% [markdown]
# ## 8. Where it reappears in RL
#
# - nprl's DQN network for the Lander is `Dense -> ReLU -> Dense -> ReLU -> Dense`: ReLU inside,
#   nothing at the end, because Q-values can be any number (also negative).
# - A policy-gradient agent ends with softmax: its output *is* the probability of each action.
# - Boltzmann exploration, above, is softmax with a temperature.
#
# ## Extra practice
#
# 1. Write `leaky_relu(x, slope=0.01)` and compare it with `nn.LeakyReLU().forward(x)`.
# 2. Check numerically that $\tanh(z) = 2\sigma(2z) - 1$.
# 3. Plot `action_probabilities(q, T)` for one state as $T$ goes from 100 to 0.01.

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    t = torch.linspace(-3, 3, 7, dtype=torch.float64)
    print(np.allclose(torch.relu(t).numpy(), nn.ReLU().forward(t.numpy())))
    print(np.allclose(torch.softmax(t, dim=-1).numpy(), nn.Softmax().forward(t.numpy())))
