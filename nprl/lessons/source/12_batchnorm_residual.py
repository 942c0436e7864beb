# %% [markdown]
# # Lesson 12: Batch normalisation and residual connections
#
# **Estimated time:** 60 minutes
#
# **What you will learn**
# - batch normalisation: rescale each feature to mean 0 and variance 1 over the batch;
# - its backward pass, written and verified by you;
# - running statistics, and why a network behaves differently in training and in testing;
# - residual connections: $y = x + f(x)$, the shortcut that lets gradients reach deep layers.
#
# **Where it reappears in RL:** the original DQN network has neither (it is only five
# layers deep). Larger agents do: IMPALA's network and many modern Atari agents are
# built from residual blocks. Batch norm is used with care in RL, because the data
# shifts as the agent improves and because an agent that acts in training mode acts on
# batch statistics of one sample.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.data import mnist
from nprl.lessons.checks import lesson12 as check

# %% [markdown]
# ## 1. Batch normalisation, forward
#
# As training moves the weights of one layer, the inputs of the next layer drift: their
# mean and spread change all the time. **Batch normalisation** (BN) re-centres and
# re-scales each feature $c$ over the mini-batch of $N$ samples:
#
# $$\mu_c = \frac1N \sum_n x_{n,c} \qquad \sigma_c^2 = \frac1N \sum_n (x_{n,c} - \mu_c)^2
#   \qquad \hat x_{n,c} = \frac{x_{n,c} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}}$$
#
# then gives the network back the freedom to choose its own scale $\gamma$ and shift
# $\beta$ (learned, one per feature):
#
# $$y_{n,c} = \gamma_c\, \hat x_{n,c} + \beta_c$$
#
# $\epsilon$ (like $10^{-5}$) avoids a division by zero. Note the $\frac1N$: during
# training, BN normalises with the *biased* variance, as PyTorch does.

# %% [markdown]
# ### Exercise 1: `batchnorm_forward`
#
# For `x` of shape `(N, C)`, return `y`. Statistics are over the batch axis (axis 0).

# %%
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    # BEGIN SOLUTION
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta
    # END SOLUTION

# %%
check.check_batchnorm_forward(batchnorm_forward)

# %% [markdown]
# ## 2. Batch normalisation, backward
#
# The tricky part: $\mu$ and $\sigma$ are computed *from* $x$. So nudging one
# $x_{n,c}$ changes its own $\hat x_{n,c}$, but also the mean and variance, and with them
# every other $\hat x_{m,c}$ in the batch. With $G = \frac{\partial L}{\partial y}$ and
# $D = G \gamma$ (the gradient reaching $\hat x$), the chain rule works out to:
#
# $$\frac{\partial L}{\partial \gamma_c} = \sum_n G_{n,c}\, \hat x_{n,c} \qquad
#   \frac{\partial L}{\partial \beta_c} = \sum_n G_{n,c}$$
#
# $$\frac{\partial L}{\partial x_{n,c}} = \frac{1}{\sqrt{\sigma_c^2 + \epsilon}}
#   \Big( D_{n,c} - \operatorname{mean}_m D_{m,c} - \hat x_{n,c}\, \operatorname{mean}_m (D_{m,c}\, \hat x_{m,c}) \Big)$$
#
# The two means are the mean's and the variance's share of the blame.

# %% [markdown]
# ### Exercise 2: `batchnorm_backward`
#
# Return `(grad_x, grad_gamma, grad_beta)`. Recompute what you need from `x` (the mean,
# the variance, `x_hat`). The check compares with `nn.BatchNorm.backward` and with finite
# differences.

# %%
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    # BEGIN SOLUTION
    mean, var = x.mean(axis=0), x.var(axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    grad_gamma = (grad_y * x_hat).sum(axis=0)
    grad_beta = grad_y.sum(axis=0)
    d = grad_y * gamma
    grad_x = inv_std * (d - d.mean(axis=0) - x_hat * (d * x_hat).mean(axis=0))
    return grad_x, grad_gamma, grad_beta
    # END SOLUTION

# %%
check.check_batchnorm_backward(batchnorm_backward)

# %% [markdown]
# ### Debug exercise: the shift's gradient, summed the wrong way
#
# For images `(N, C, H, W)`, BN has one $\gamma$ and one $\beta$ per *channel*, so their
# gradients sum over the batch *and* over all pixels: axes `(0, 2, 3)`. This function has
# a planted bug in one of its two sums. When N happens to equal C it even returns the
# right shape, so nothing crashes. Find it.

# %%
def channel_grads(x_hat, grad_y):
    """dL/dgamma and dL/dbeta of batch norm on (N, C, H, W), one number per channel."""
    grad_gamma = (grad_y * x_hat).sum(axis=(0, 2, 3))
    # BEGIN BUGGY
    grad_beta = grad_y.sum(axis=(1, 2, 3))
    # END BUGGY
    # BEGIN SOLUTION
    grad_beta = grad_y.sum(axis=(0, 2, 3))
    # END SOLUTION
    return grad_gamma, grad_beta

# %%
check.check_channel_grads(channel_grads)

# %% [markdown]
# ## 3. Running statistics: training and testing differ
#
# At test time we may see one image at a time: no batch to average over. So during
# training BN also keeps **running** averages of the mean and the variance, and uses
# those at test time (`net.eval()`, `net.predict`). With momentum $m$ (0.1 by default):
#
# $$\text{running\_mean} \leftarrow (1 - m)\, \text{running\_mean} + m\, \mu
#   \qquad \text{running\_var} \leftarrow (1 - m)\, \text{running\_var} + m\, \frac{N}{N-1}\, \sigma^2$$
#
# The running variance uses the *unbiased* estimate, $\frac{N}{N-1}\sigma^2$ (dividing by
# $N - 1$), exactly as PyTorch and `nn.BatchNorm` do. It starts at 1; the mean at 0.

# %% [markdown]
# ### Exercise 3: `update_running_stats`
#
# Return the new `(running_mean, running_var)` after one training batch `x` `(N, C)`.

# %%
def update_running_stats(running_mean, running_var, x, momentum=0.1):
    # BEGIN SOLUTION
    new_mean = (1 - momentum) * running_mean + momentum * x.mean(axis=0)
    new_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)
    return new_mean, new_var
    # END SOLUTION

# %%
check.check_update_running_stats(update_running_stats)

# %% [markdown]
# ## 4. What BN buys: a deep sigmoid network on MNIST
#
# Six `Dense` layers with sigmoids, plain SGD, 3 epochs on 3000 digits. Once without BN,
# once with a `BatchNorm` before every sigmoid.

# %%
(x_train, y_train), (x_test, y_test) = mnist(n_train=3000, n_test=1000)
x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)

def deep_net(batch_norm):
    layers, width = [], 784
    for i in range(5):
        layers.append(nn.Dense(width, 64, rng=i))
        if batch_norm:
            layers.append(nn.BatchNorm(64))
        layers.append(nn.Sigmoid())
        width = 64
    return nn.Sequential(*layers, nn.Dense(64, 10, rng=9))

for batch_norm in (False, True):
    net = deep_net(batch_norm)
    h = net.fit(x_train, y_train, nn.CrossEntropyLoss(), nn.SGD(net.parameters(), lr=0.1),
                epochs=3, batch_size=32, validation=(x_test, y_test), seed=0, verbose=False)
    plt.plot([1, 2, 3], h["val_accuracy"], marker="o",
             label="with BatchNorm" if batch_norm else "without")
plt.xticks([1, 2, 3])
plt.xlabel("epoch")
plt.ylabel("test accuracy")
plt.legend()
plt.show()

# %% [markdown]
# Without BN the deep sigmoid network learns nothing in 3 epochs (10% is guessing): the
# gradient fades as it passes back through five sigmoids. With BN every layer gets well-scaled inputs, and the
# same SGD learns quickly.

# %% [markdown]
# ## 5. Residual connections
#
# A **residual block** adds its input to its output:
#
# $$y = x + f(x)$$
#
# Backward, the chain rule gives two paths for the gradient:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}
#   + \frac{\partial L}{\partial y} \frac{\partial f}{\partial x}$$
#
# The first term is a shortcut: the gradient reaches the earlier layers *unchanged*,
# however many blocks it passes. In a plain deep network, by contrast, the gradient is
# multiplied by one small factor per layer, and fades away.

# %% [markdown]
# ### Exercise 4: `residual_backward`
#
# `inner_backward(grad)` is the backward pass of $f$: it returns
# $\frac{\partial L}{\partial y}\frac{\partial f}{\partial x}$. Return
# $\frac{\partial L}{\partial x}$ of the whole block.

# %%
def residual_backward(grad_y, inner_backward):
    # BEGIN SOLUTION
    return grad_y + inner_backward(grad_y)
    # END SOLUTION

# %%
check.check_residual_backward(residual_backward)

# %% [markdown]
# The picture: 30 blocks of `Dense(32, 32)` and `Sigmoid`, once stacked plainly, once each
# wrapped in `nn.Residual`. We backpropagate one gradient and measure the size of each
# layer's weight gradient.

# %%
def gradient_sizes(residual, depth=30):
    blocks = []
    for i in range(depth):
        block = nn.Sequential(nn.Dense(32, 32, rng=i), nn.Sigmoid())
        blocks.append(nn.Residual(block) if residual else block)
    net = nn.Sequential(*blocks)
    x = np.random.default_rng(0).normal(size=(16, 32)).astype(np.float32)
    net.forward(x)
    net.zero_grad()
    net.backward(np.ones((16, 32), np.float32))
    return [np.linalg.norm(p.grad) for name, p in net.named_parameters() if name.endswith("weight")]

plt.semilogy(gradient_sizes(False), marker=".", label="plain")
plt.semilogy(gradient_sizes(True), marker=".", label="residual")
plt.xlabel("layer (0 = nearest the input)")
plt.ylabel("size of the weight gradient")
plt.legend()
plt.show()

# %% [markdown]
# In the plain stack, the layers near the input get gradients many orders of magnitude
# smaller than the last ones: they hardly learn. This is the **vanishing gradient**.
# With residual connections every layer gets a gradient of a useful size.

# %% [markdown]
# ## Extra practice
#
# 1. Extend `batchnorm_forward` to `(N, C, H, W)` input (statistics over axes 0, 2, 3)
#    and compare with `nn.BatchNorm(C)` on an image batch.
# 2. Run `nn.gradcheck(nn.BatchNorm(3).astype(np.float64), x)` for a random `x` of shape
#    `(8, 3)`. Then switch the layer to `.eval()` and check again: what changes in the
#    backward pass?
# 3. In section 4, try `nn.ReLU()` instead of `nn.Sigmoid()`. Does BN still help as much?

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    x_np = np.random.default_rng(0).normal(size=(8, 3))
    bn_t = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    bn_t(torch.tensor(x_np))
    bn_mine = nn.BatchNorm(3, dtype=np.float64)
    bn_mine.forward(x_np)
    print("running_var, torch:", bn_t.running_var.numpy())
    print("running_var, nprl: ", bn_mine.running_var)

# %% [markdown]
# ## Where this goes in RL
#
# nprl's `nn.Residual` and `nn.BatchNorm` are ordinary layers, so you can put them in
# your own Q-network and pass it to `DQNAgent(..., q_network=net)`. If you use BN there,
# remember section 3: the agent acts with `predict`, which uses the running statistics,
# while its updates use batch statistics. The two must agree well enough, or the agent
# acts on a different network from the one it trains.
