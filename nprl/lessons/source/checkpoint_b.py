# Source of checkpoint B; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Checkpoint B: a full forward pass with its losses
#
# **Estimated time:** 25 minutes
#
# **What this checks:** lessons 4 to 6 together. You write a network's forward pass, the two
# losses, an accuracy, and the DQN loss. At the end, your code measures a real network on
# real handwritten digits.
#
# **Where it reappears in RL:** `td_loss` below is the loss of every DQN update.

# %%
import numpy as np

import nprl.nn as nn
from nprl.lessons.checks import checkpoint_b as check
from nprl.lessons.data import mnist, mnist_source

# %% [markdown]
# **1.** `forward(X, params)`: `params` is a list of `(W, b)`; ReLU after every layer but the last.

# %%
def forward(X, params):
    # BEGIN SOLUTION
    for W, b in params[:-1]:
        X = np.maximum(X @ W + b, 0)
    W, b = params[-1]
    return X @ W + b
    # END SOLUTION

# %%
check.check_forward(forward)

# %% [markdown]
# **2.** `mse(pred, target)` $= \frac{1}{n} \sum_i (\hat{y}_i - y_i)^2$, one number.

# %%
def mse(pred, target):
    # BEGIN SOLUTION
    return float(np.mean((pred - target) ** 2))
    # END SOLUTION

# %%
check.check_mse(mse)

# %% [markdown]
# **3.** `cross_entropy(logits, labels)`: the mean of $-\log \text{softmax}(z)_c$,
# safe from overflow.

# %%
def cross_entropy(logits, labels):
    # BEGIN SOLUTION
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(labels)), labels]))
    # END SOLUTION

# %%
check.check_cross_entropy(cross_entropy)

# %% [markdown]
# **4.** `accuracy(logits, labels)`: the fraction (between 0 and 1) of rows whose largest
# logit is at the right label.

# %%
def accuracy(logits, labels):
    # BEGIN SOLUTION
    return float(np.mean(logits.argmax(axis=1) == labels))
    # END SOLUTION

# %%
check.check_accuracy(accuracy)

# %% [markdown]
# **5.** The DQN loss. `q` holds the Q-values of a batch, shape `(N, n_actions)`. Only the
# action taken in each state, `actions[i]`, has a target `targets[i]`:
#
# $$L = \frac{1}{N} \sum_{i=1}^{N} \left( Q(s_i, a_i) - y_i \right)^2$$
#
# Write `td_loss(q, actions, targets)`. Reuse your `mse`.

# %%
def td_loss(q, actions, targets):
    # BEGIN SOLUTION
    return mse(q[np.arange(len(actions)), actions], targets)
    # END SOLUTION

# %%
check.check_td_loss(td_loss)

# %% [markdown]
# **6.** Put it together: `evaluate(X, labels, params)` returns `(loss, accuracy)` of the
# network on a batch: cross-entropy of its logits, and its accuracy.

# %%
def evaluate(X, labels, params):
    # BEGIN SOLUTION
    logits = forward(X, params)
    return cross_entropy(logits, labels), accuracy(logits, labels)
    # END SOLUTION

# %%
check.check_evaluate(evaluate)

# %% [markdown]
# ## Your code on real digits
#
# nprl trains a small network `[784, 64, 10]` on MNIST digits for two epochs (a few seconds).
# Then **your** `evaluate` measures it on digits it has never seen.

# %%
(x_train, y_train), (x_test, y_test) = mnist(n_train=3000, n_test=1000)
print("data:", mnist_source())
net = nn.Sequential(nn.Dense(784, 64, init="he_uniform", rng=0), nn.ReLU(),
                    nn.Dense(64, 10, rng=1))
net.fit(x_train.reshape(-1, 784), y_train, nn.CrossEntropyLoss(),
        nn.Adam(net.parameters(), lr=1e-3), epochs=2, batch_size=64, seed=0, verbose=False)
params = [(net[0].weight.data, net[0].bias.data), (net[2].weight.data, net[2].bias.data)]
try:
    loss, acc = evaluate(x_test.reshape(-1, 784).astype(np.float64), y_test, params)
except NotImplementedError:
    print("Finish exercise 6, then run this cell again.")
else:
    print(f"your evaluate: loss {loss:.3f}, accuracy {acc:.1%} on {len(y_test)} test digits")
