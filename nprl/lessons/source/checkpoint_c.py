# %% [markdown]
# # Checkpoint C: backpropagation and a training loop
#
# **Estimated time:** 45 minutes
#
# **What you will show:** that you can train a neural network with nothing but NumPy.
# You write the loss and its gradient, the forward and backward pass of a two-layer
# network, and the training loop. Then your network must recognise at least **88%** of
# 1000 handwritten digits it has never seen, after training on 3000 others.
#
# No nprl layers here: plain arrays in a dictionary. The checks compare your gradients
# with `nprl.nn` and with finite differences (lesson 7), so you know where a mistake is.
#
# **Where it reappears in RL:** a DQN update is this loop with a different loss and
# targets that the agent makes itself (lesson 13).

# %%
import numpy as np

from nprl.lessons.data import mnist_source
from nprl.lessons.checks import checkpoint_c as check

# %% [markdown]
# ## 1. Softmax cross-entropy
#
# For logits $z$ (one row per sample, one column per class) and labels $y$:
#
# $$p = \operatorname{softmax}(z), \qquad L = -\frac1N \sum_n \log p_{n, y_n}, \qquad
#   \frac{\partial L}{\partial z} = \frac{1}{N} \left(p - \text{onehot}(y)\right)$$
#
# Subtract each row's maximum before `np.exp` (lesson 3), or large logits overflow.

# %%
def softmax_cross_entropy(logits, labels):
    """Return (loss, grad_logits) for logits (N, C) and integer labels (N,)."""
    # BEGIN SOLUTION
    n = len(labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1
    return -log_p[np.arange(n), labels].mean(), grad / n
    # END SOLUTION

# %%
check.check_softmax_cross_entropy(softmax_cross_entropy)

# %% [markdown]
# ## 2. Forward and backward through the network
#
# The network: $h = \text{ReLU}(x W_1 + b_1)$, $z = h W_2 + b_2$, with the parameters in a
# dictionary `params` with keys `"W1"` `(784, H)`, `"b1"` `(H,)`, `"W2"` `(H, 10)`,
# `"b2"` `(10,)`. Return the loss and a dictionary of gradients with the same keys and
# shapes.

# %%
def forward_backward(params, x, labels):
    """Return (loss, grads) for one mini-batch."""
    # BEGIN SOLUTION
    h_pre = x @ params["W1"] + params["b1"]
    h = np.maximum(h_pre, 0)
    loss, grad_z = softmax_cross_entropy(h @ params["W2"] + params["b2"], labels)
    grad_h = (grad_z @ params["W2"].T) * (h_pre > 0)
    grads = {"W2": h.T @ grad_z, "b2": grad_z.sum(axis=0),
             "W1": x.T @ grad_h, "b1": grad_h.sum(axis=0)}
    return loss, grads
    # END SOLUTION

# %%
check.check_forward_backward(forward_backward)

# %% [markdown]
# ## 3. The training loop
#
# Write `train_mlp`: start from random weights (He initialisation: normal with standard
# deviation $\sqrt{2 / \text{fan\_in}}$ for `W1`, zeros for the biases), then for each
# epoch shuffle, and for each mini-batch call `forward_backward` and take a plain SGD step
# $w \leftarrow w - \eta\, g$ on every parameter. Use `rng` for every random number.
# Return `params`.
#
# The defaults below reach the goal; you may change them. The check trains your network
# on the first 3000 MNIST training digits and tests it on the first 1000 test digits
# (it takes a few seconds).

# %%
def train_mlp(x, labels, hidden=64, epochs=8, batch_size=32, lr=0.3, seed=0):
    rng = np.random.default_rng(seed)
    # BEGIN SOLUTION
    d = x.shape[1]
    params = {"W1": rng.normal(0, np.sqrt(2 / d), (d, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(0, np.sqrt(1 / hidden), (hidden, 10)), "b2": np.zeros(10)}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            _, grads = forward_backward(params, x[index], labels[index])
            for name in params:
                params[name] -= lr * grads[name]
    return params
    # END SOLUTION

# %%
print("data:", mnist_source())
check.check_train_mlp(train_mlp)

# %% [markdown]
# ## Done?
#
# When all three checks say "passed", you have built, by hand, everything that
# `Sequential.fit` does. Lessons 10-13 add what makes networks generalise, see images and
# play Atari.
