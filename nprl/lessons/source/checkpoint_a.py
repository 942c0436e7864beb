# Source of checkpoint A; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Checkpoint A: a neuron and four activations
#
# **Estimated time:** 20 minutes
#
# **What this checks:** that you can write, without looking back, the neuron of lesson 1 and
# the four activations of lesson 3. Each function is short. Write it, run its check.
# When all five say "passed", go on to lesson 4.
#
# **Where it reappears in RL:** a layer of a Q-network is exactly `layer(X, W, b, relu)`.

# %%
import numpy as np

from nprl.lessons.checks import checkpoint_a as check

# %% [markdown]
# **1.** `relu(x)`: keep the positive entries, set the others to 0.

# %%
def relu(x):
    # BEGIN SOLUTION
    return np.maximum(x, 0)
    # END SOLUTION

# %%
check.check_relu(relu)

# %% [markdown]
# **2.** `sigmoid(x)` $= \frac{1}{1 + e^{-x}}$.

# %%
def sigmoid(x):
    # BEGIN SOLUTION
    return 1 / (1 + np.exp(-x))
    # END SOLUTION

# %%
check.check_sigmoid(sigmoid)

# %% [markdown]
# **3.** `tanh(x)` $= \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$, with `np.exp`.

# %%
def tanh(x):
    # BEGIN SOLUTION
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    # END SOLUTION

# %%
check.check_tanh(tanh)

# %% [markdown]
# **4.** `softmax(x)` over the last axis, safe from overflow.

# %%
def softmax(x):
    # BEGIN SOLUTION
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
    # END SOLUTION

# %%
check.check_softmax(softmax)

# %% [markdown]
# **5.** A whole layer of neurons: `X` is a batch `(N, n_in)`, `W` has shape `(n_in, n_out)`
# (one column per neuron), `b` has shape `(n_out,)`, and `f` is one of your activations.
#
# $$\text{layer}(X, W, b, f) = f(X W + b)$$
#
# The check runs it with each of your four activations.

# %%
def layer(X, W, b, f):
    # BEGIN SOLUTION
    return f(X @ W + b)
    # END SOLUTION

# %%
check.check_layer(layer, {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax})

# %% [markdown]
# All passed? You have written the forward pass of one layer of any network in this course.
