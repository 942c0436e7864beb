# Source of lesson 1; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 1: From biological neurons to artificial neurons
#
# **Estimated time:** 30 minutes
#
# **You will learn:** what an artificial neuron computes: inputs, weights, a bias and an activation.
#
# **Where it reappears in RL:** every value network in DQN is built from millions of these neurons.

# %%
import numpy as np
from nprl.lessons.checks import lesson01 as check

# %% [markdown]
# ## The weighted sum
#
# A neuron multiplies each input $x_i$ by a weight $w_i$, adds them up, and adds a bias $b$:
#
# $$z = \sum_{i=1}^{n} w_i x_i + b = w \cdot x + b$$

# %% [markdown]
# **Exercise 1.** Write `weighted_sum(x, w, b)`. `x` and `w` have shape `(n,)`; return one number.

# %%
def weighted_sum(x, w, b):
    # BEGIN SOLUTION
    return float(np.dot(w, x) + b)
    # END SOLUTION

# %%
check.check_weighted_sum(weighted_sum)

# %% [markdown]
# **Exercise 2.** The first artificial neuron fired (1) when $z > 0$ and stayed silent (0) otherwise.
# Write `step(z)` for an array `z`.

# %%
def step(z):
    # BEGIN SOLUTION
    return (z > 0).astype(float)
    # END SOLUTION

# %%
check.check_step(step)

# %% [markdown]
# **Exercise 3.** A smooth neuron uses the sigmoid $\sigma(z) = \frac{1}{1 + e^{-z}}$ instead of the step.
# Write `neuron(x, w, b)` $= \sigma(w \cdot x + b)$.

# %%
def neuron(x, w, b):
    # BEGIN SOLUTION
    return 1 / (1 + np.exp(-weighted_sum(x, w, b)))
    # END SOLUTION

# %%
check.check_neuron(neuron)

# %% [markdown]
# **Debug exercise.** `batch_neuron(X, w, b)` should give one weighted sum per row of `X` (shape `(N, n)`).
# It has a bug. Find it and fix it.

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
