# Source of lesson 6; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 6: Loss functions
#
# **Estimated time:** 45 minutes
#
# **What you will learn**
# - the **loss**: one number that says how wrong a network is;
# - mean squared error (MSE) for values, cross-entropy for classes;
# - the gradient of each loss: the first step of backpropagation;
# - the loss landscape, the surface that learning walks down.
#
# **Where it reappears in RL:** DQN's loss is the MSE between $Q(s, a)$ and its target
# $r + \gamma \max_{a'} Q(s', a')$. Policy-gradient methods use a weighted cross-entropy.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson06 as check

# %% [markdown]
# ## 1. Mean squared error
#
# The network predicts numbers $\hat{y}$; the targets are $y$. Square each error (so that
# the sign does not matter and big errors count more), then average over all $n$ numbers:
#
# $$\text{MSE} = \frac{1}{n} \sum_{i=1}^{n} (\hat{y}_i - y_i)^2$$
#
# ### Exercise 1: `mse`
#
# Write `mse(pred, target)` for two arrays of the same shape. Return one number.

# %%
def mse(pred, target):
    # BEGIN SOLUTION
    return float(np.mean((pred - target) ** 2))
    # END SOLUTION

# %%
check.check_mse(mse)

# %% [markdown]
# ## 2. Which way is downhill?
#
# To improve, we need to know how the loss changes when each prediction changes: the
# gradient. For MSE, each prediction gets its own slope:
#
# $$\frac{\partial\, \text{MSE}}{\partial \hat{y}_i} = \frac{2}{n} (\hat{y}_i - y_i)$$
#
# A prediction that is too high gets a positive slope: lowering it lowers the loss.
#
# ### Exercise 2: `mse_grad`
#
# Write `mse_grad(pred, target)`: an array of the same shape as `pred`. The check compares it
# with `nn.MSELoss().backward()` and with finite differences.

# %%
def mse_grad(pred, target):
    # BEGIN SOLUTION
    return 2 * (pred - target) / pred.size
    # END SOLUTION

# %%
check.check_mse_grad(mse_grad)

# %% [markdown]
# ## 3. The loss landscape
#
# Fit a line $\hat{y} = w x + b$ to noisy points. Each choice of $(w, b)$ has a loss. Draw the
# loss for every $(w, b)$ and you get a landscape. Learning means walking down to its lowest point.
#
# For MSE and a line, the landscape is a bowl with one bottom.

# %%
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, size=40)
y = 1.5 * x - 0.5 + rng.normal(scale=0.3, size=40)
ws, bs = np.meshgrid(np.linspace(-1, 4, 101), np.linspace(-3, 2, 101))
preds = ws[..., None] * x + bs[..., None]                 # (101, 101, 40): every line at once
landscape = np.mean((preds - y) ** 2, axis=-1)
i, j = np.unravel_index(landscape.argmin(), landscape.shape)
print("lowest loss at w = %.2f, b = %.2f" % (ws[i, j], bs[i, j]))
print("same value from nn.MSELoss:", np.isclose(landscape[i, j],
                                                nn.MSELoss()(ws[i, j] * x + bs[i, j], y)))

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
contours = left.contourf(ws, bs, np.log10(landscape), levels=20, cmap="viridis")
left.plot(ws[i, j], bs[i, j], "r*", markersize=12)
left.set_xlabel("w"); left.set_ylabel("b"); left.set_title("log10 MSE over (w, b)")
fig.colorbar(contours, ax=left)
right.scatter(x, y, s=12)
line = np.linspace(-1, 1, 2)
right.plot(line, ws[i, j] * line + bs[i, j], "r"); right.set_title("the best line")
fig.tight_layout(); plt.show()

# %% [markdown]
# A network's landscape has millions of dimensions and is not a bowl: it has valleys and
# flat plains. The idea stays the same: follow the gradient downhill (lesson 8).

# %% [markdown]
# ## 4. Cross-entropy
#
# For classes, the network outputs $K$ scores (logits) $z$ per example. Softmax turns them into
# probabilities $p$ (lesson 3). If the right class is $c$, the loss is
#
# $$\text{CE} = -\log p_c = -\log \frac{e^{z_c}}{\sum_j e^{z_j}}$$
#
# averaged over the batch. A confident right answer ($p_c \to 1$) costs almost 0. A confident
# wrong answer ($p_c \to 0$) costs a lot.

# %%
p = np.linspace(0.01, 1, 100)
fig, ax = plt.subplots(figsize=(4.5, 2.6))
ax.plot(p, -np.log(p)); ax.set_xlabel("probability of the right class $p_c$")
ax.set_ylabel("loss $-\\log p_c$"); ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# To stay safe from overflow, compute $\log p$ directly (the **log-softmax**), with the max shift:
#
# $$\log p_c = (z_c - m) - \log \sum_j e^{z_j - m}, \qquad m = \max_j z_j$$
#
# ### Exercise 3: `cross_entropy`
#
# Write `cross_entropy(logits, labels)`. `logits` has shape `(N, K)`, `labels` holds `N`
# integers in $0..K-1$. Return the mean loss, one number.
#
# Hint: `logits[np.arange(N), labels]` picks the right class of each row.

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
# ## 5. The gradient of cross-entropy
#
# Softmax and cross-entropy together have a beautifully simple gradient:
#
# $$\frac{\partial\, \text{CE}}{\partial z} = \frac{1}{N} \left( p - \text{onehot}(c) \right)$$
#
# "onehot" is a row of zeros with a 1 at the right class. The gradient pushes the right
# class's score up and every other score down, in proportion to its probability.
#
# ### Exercise 4: `cross_entropy_grad`
#
# Write `cross_entropy_grad(logits, labels)`, shape `(N, K)`.

# %%
def cross_entropy_grad(logits, labels):
    # BEGIN SOLUTION
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)
    # END SOLUTION

# %%
check.check_cross_entropy_grad(cross_entropy_grad)

# %% [markdown]
# ### Debug exercise: `policy_loss`
#
# A policy network outputs logits over actions. REINFORCE, the simplest policy-gradient
# method, minimises
#
# $$L = -\frac{1}{N} \sum_{i=1}^{N} G_i \, \log \pi(a_i \mid s_i)$$
#
# where $a_i$ is the action taken in state $s_i$ and $G_i$ the return that followed.
# It is a cross-entropy weighted by the returns. This version gives a wrong number. Fix it.

# %%
def policy_loss(logits, actions, returns):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    # BEGIN BUGGY
    taken = log_probs[:, actions]
    # END BUGGY
    # BEGIN SOLUTION
    taken = log_probs[np.arange(len(actions)), actions]
    # END SOLUTION
    return float(-np.mean(taken * returns))

# %%
check.check_policy_loss(policy_loss)

# %% [markdown]
# ## 6. Where it reappears in RL
#
# - DQN: `DQNConfig(loss="mse")` is nprl's default TD loss; `loss="huber"` caps the gradient
#   of big errors (Nature DQN's "error clipping"). Only the Q-value of the action taken gets a
#   gradient: see `DQNAgent.learn` in `nprl/rl/agent.py`.
# - Policy gradient: the loss above, `nn.CrossEntropyLoss()(logits, actions, weights=returns)`.
#
# ## Extra practice
#
# 1. Write the Huber loss and compare it with `nn.HuberLoss()`. Plot it next to MSE.
# 2. What is the cross-entropy of a network that outputs all-zero logits on 10 classes?
#    (Answer: $\log 10 \approx 2.30$. It is a good sanity check at the start of training.)
# 3. Draw the landscape of section 3 with the absolute error instead of the squared error.

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    z = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], dtype=torch.float64, requires_grad=True)
    c = torch.tensor([0, 2])
    value = torch.nn.functional.cross_entropy(z, c)
    value.backward()
    ours = nn.CrossEntropyLoss()
    print(value.item(), ours(z.detach().numpy(), c.numpy()))
    print(np.allclose(z.grad.numpy(), ours.backward()))
