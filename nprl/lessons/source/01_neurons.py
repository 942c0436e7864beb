# Source of lesson 1; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 1: From biological neurons to artificial neurons
#
# **Estimated time:** 30 minutes
#
# **What you will learn**
# - what a neuron in the brain does, in one paragraph;
# - the artificial neuron: inputs, weights, a bias and an activation;
# - how to compute one neuron, and a whole batch of inputs at once, in NumPy.
#
# **Where it reappears in RL:** the Q-network of DQN is made of thousands of these
# neurons. Each one computes exactly what you write in this lesson.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson01 as check

# %% [markdown]
# ## 1. The biological neuron
#
# A neuron in your brain receives signals from other neurons through its **dendrites**.
#
# Some connections (synapses) are strong, some weak, some even hold the neuron back.
#
# The neuron adds up what arrives. If the total is high enough, it **fires**: it sends a
# signal of its own down its axon.

# %% [markdown]
# ## 2. The artificial neuron
#
# We keep only that idea, in numbers:
#
# - the **inputs** $x_1, \dots, x_n$ are the incoming signals;
# - each **weight** $w_i$ is the strength of a connection (negative: it holds back);
# - the **bias** $b$ sets how easily the neuron fires;
# - the **activation** $f$ turns the total into the output.
#
# $$y = f(z), \qquad z = \sum_{i=1}^{n} w_i x_i + b = w \cdot x + b$$

# %% [markdown]
# ### Exercise 1: the weighted sum
#
# Write `weighted_sum(x, w, b)`. `x` and `w` are arrays of shape `(n,)`, `b` is a number.
# Return $z = w \cdot x + b$ as one number. Hint: `np.dot`.

# %%
def weighted_sum(x, w, b):
    # BEGIN SOLUTION
    return float(np.dot(w, x) + b)
    # END SOLUTION

# %%
check.check_weighted_sum(weighted_sum)

# %% [markdown]
# ## 3. Firing: the step activation
#
# The first artificial neuron (McCulloch and Pitts, 1943) fired or stayed silent:
#
# $$\text{step}(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}$$
#
# ### Exercise 2: `step`
#
# Write `step(z)` for an array `z`. Return an array of floats, 1.0 where $z > 0$, else 0.0.

# %%
def step(z):
    # BEGIN SOLUTION
    return (z > 0).astype(float)
    # END SOLUTION

# %%
check.check_step(step)

# %% [markdown]
# ## 4. A smooth neuron
#
# A step jumps from 0 to 1. Learning needs something smoother (lesson 7 says why).
#
# The **sigmoid** $\sigma$ rises gently from 0 to 1:
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}$$

# %%
z = np.linspace(-6, 6, 200)
fig, ax = plt.subplots(figsize=(5, 2.6))
ax.plot(z, (z > 0).astype(float), label="step")
ax.plot(z, 1 / (1 + np.exp(-z)), label="sigmoid")
ax.set_xlabel("z = w·x + b"); ax.set_ylabel("output"); ax.legend(); ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ### Exercise 3: a sigmoid neuron
#
# Write `neuron(x, w, b)` $= \sigma(w \cdot x + b)$. Reuse your `weighted_sum`.

# %%
def neuron(x, w, b):
    # BEGIN SOLUTION
    return 1 / (1 + np.exp(-weighted_sum(x, w, b)))
    # END SOLUTION

# %%
check.check_neuron(neuron)

# %% [markdown]
# ## 5. What one neuron can see
#
# A neuron with two inputs splits the plane with a straight line, $w_1 x_1 + w_2 x_2 + b = 0$.
#
# On one side it says "yes" (near 1), on the other "no" (near 0).
# Below, the colour is the output of nprl's own neuron: a `Dense(2, 1)` layer and a `Sigmoid`.

# %%
layer = nn.Dense(2, 1, dtype=np.float64)
layer.weight.data[:, 0] = [2.0, -1.0]   # w1, w2
layer.bias.data[0] = 0.5                 # b
g = np.linspace(-3, 3, 61)
grid = np.array([[a, c] for c in g for a in g])
out = nn.Sigmoid().predict(layer.predict(grid)).reshape(len(g), len(g))
fig, ax = plt.subplots(figsize=(3.6, 3.2))
image = ax.imshow(out, origin="lower", extent=(-3, 3, -3, 3), cmap="coolwarm")
ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$"); fig.colorbar(image, label="output")
plt.show()

# %% [markdown]
# Change the weights and the bias in the cell above and run it again.
# The weights turn the line; the bias shifts it.

# %% [markdown]
# ## 6. Many inputs at once
#
# A network sees a **batch** of inputs: a matrix $X$ of shape `(N, n)`, one input per row.
# We want one weighted sum per row, without a Python loop:
#
# $$z = X w + b \qquad \text{shape } (N,)$$

# %% [markdown]
# ### Debug exercise: `batch_neuron`
#
# `batch_neuron(X, w, b)` should return one weighted sum per row of `X`, shape `(N,)`.
# It runs, but it has a bug. Run the check, read the hint, and fix it.

# %%
def batch_neuron(X, w, b):
    # BEGIN BUGGY
    return np.sum(X * w) + b
    # END BUGGY
    # BEGIN SOLUTION
    return np.sum(X * w, axis=1) + b
    # END SOLUTION

# %%
check.check_batch_neuron(batch_neuron)

# %% [markdown]
# ## 7. Where it reappears in RL
#
# In DQN, the network reads the state of the game (for the Lander: position, speed, angle...)
# and outputs one value per action. Each value comes from neurons like yours:
# a weighted sum of the layer before, plus a bias, through an activation.
#
# ## Extra practice
#
# 1. Write `batch_neuron` once more with a matrix product `X @ w + b`. Is it the same?
# 2. Find weights and a bias for which `step(weighted_sum(x, w, b))` computes AND of two
#    inputs in {0, 1}. (Lesson 2 finds them automatically.)
# 3. What does a very large bias do to the sigmoid neuron's output? Try it in the figure.

# %% [markdown]
# ## The same in PyTorch (optional)
#
# `torch.nn.Linear(n, 1)` is the weighted sum. Note that PyTorch stores the weight as
# `(out, in)`, the transpose of nprl's `(in, out)`.

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    x, w, b = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -0.4]), 0.2
    linear = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        linear.weight[:] = torch.tensor(w)[None, :]
        linear.bias[:] = b
    print("PyTorch:", torch.sigmoid(linear(torch.tensor(x))).item())
    print("NumPy:  ", 1 / (1 + np.exp(-(w @ x + b))))
