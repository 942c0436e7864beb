# %% [markdown]
# # Lesson 10: Regularisation
#
# **Estimated time:** 45 minutes
#
# **What you will learn**
# - overfitting: when a network memorises its training set instead of learning;
# - dropout: switch off random units while training;
# - weight decay: a gentle pull of every weight towards zero;
# - early stopping: stop when the test loss stops improving.
#
# **Where it reappears in RL:** a Q-network can overfit too: to the few states in its
# replay buffer, or to one level of a game. Weight decay (`AdamW`) is common in modern
# agents; dropout is rarer in value networks, but appears in model-based RL. Early
# stopping has an RL cousin: keep the best checkpoint by evaluation return (nprl's
# `checkpoints/best`).

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.data import mnist
from nprl.lessons.checks import lesson10 as check

# %% [markdown]
# ## 1. Overfitting, seen
#
# We train a large network (784-256-10) on only 200 MNIST digits, for 60 epochs, and
# measure the loss on 1000 other digits after every epoch.

# %%
(x_train, y_train), (x_test, y_test) = mnist(n_train=200, n_test=1000)
x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)

def train_curves(*layers_between, weight_decay=0.0, epochs=60):
    net = nn.Sequential(nn.Dense(784, 256, init="he_uniform", rng=0), nn.ReLU(),
                        *layers_between, nn.Dense(256, 10, rng=1))
    optimizer = nn.Adam(net.parameters(), lr=3e-3, weight_decay=weight_decay)
    return net.fit(x_train, y_train, nn.CrossEntropyLoss(), optimizer, epochs=epochs,
                   batch_size=50, validation=(x_test, y_test), seed=0, verbose=False)

plain = train_curves()
plt.plot(plain["loss"], label="training loss")
plt.plot(plain["val_loss"], label="test loss")
plt.xlabel("epoch")
plt.ylabel("cross-entropy")
plt.legend()
plt.show()

# %% [markdown]
# The training loss goes to almost zero: the network has memorised the 200 images. The
# test loss reaches its lowest point after a few epochs, then climbs. From there on, more training
# makes the network *worse* on new digits. That is **overfitting**. Each method below
# fights it.

# %% [markdown]
# ## 2. Dropout
#
# While training, **dropout** sets each activation to zero with probability $p$ (often
# 0.5 or 0.1). A unit can no longer rely on one particular other unit, so the network
# learns many redundant ways to recognise a digit.
#
# To keep the *expected* activation the same, the kept values are scaled up by
# $\frac{1}{1-p}$ ("inverted dropout"). With a random mask $m_i \in \{0, 1\}$,
# $P(m_i = 1) = 1 - p$:
#
# $$y_i = \frac{m_i\, x_i}{1 - p}$$
#
# At test time there is no dropout at all: $y = x$.

# %% [markdown]
# ### Exercise 1: `dropout`
#
# Return `x` with each element zeroed with probability `p` and the others divided by
# `1 - p`. Draw random numbers from `rng` only (e.g. `rng.random(x.shape)`).

# %%
def dropout(x, p, rng):
    # BEGIN SOLUTION
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p)
    # END SOLUTION

# %%
check.check_dropout(dropout)

# %% [markdown]
# ### Debug exercise: dropout at test time
#
# A layer must know whether it is training. This `dropout_layer` has a planted bug: it
# also drops units when `training` is False, so the network's test predictions become
# random. Fix it.

# %%
def dropout_layer(x, p, rng, training):
    # BEGIN BUGGY
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p)
    # END BUGGY
    # BEGIN SOLUTION
    if not training:
        return x
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p)
    # END SOLUTION

# %%
check.check_dropout_layer(dropout_layer)

# %% [markdown]
# nprl's `nn.Dropout(p)` does the same. `net.train()` and `net.eval()` switch every layer
# of a network between the two modes; `net.predict(x)` always runs in test mode.

# %% [markdown]
# ## 3. Weight decay
#
# Large weights let a network draw wild, wiggly decision boundaries through every
# training point. **Weight decay** adds a small pull towards zero: the gradient gets an
# extra $\lambda w$ (that is the gradient of the penalty $\tfrac{\lambda}{2} \|w\|^2$):
#
# $$w \leftarrow w - \eta\, (g + \lambda w)$$

# %% [markdown]
# ### Exercise 2: `sgd_weight_decay_step`
#
# One plain SGD step with weight decay. Return the new `w`. The check compares with
# `nn.SGD(params, lr, weight_decay=...)`.

# %%
def sgd_weight_decay_step(w, grad, lr, weight_decay):
    # BEGIN SOLUTION
    return w - lr * (grad + weight_decay * w)
    # END SOLUTION

# %%
check.check_sgd_weight_decay_step(sgd_weight_decay_step)

# %% [markdown]
# ## 4. Both, on the same 500 digits
#
# Same network, same data, same 60 epochs: plain, with dropout 0.5 after the hidden
# layer, and with weight decay $\lambda = 10^{-2}$.

# %%
with_dropout = train_curves(nn.Dropout(0.5, rng=2))
with_decay = train_curves(weight_decay=1e-2)
for name, history in [("plain", plain), ("dropout 0.5", with_dropout),
                      ("weight decay 1e-2", with_decay)]:
    plt.plot(history["val_loss"], label=f"{name}: best test accuracy "
             f"{max(history['val_accuracy']):.3f}")
plt.xlabel("epoch")
plt.ylabel("test loss")
plt.legend()
plt.show()

# %% [markdown]
# Dropout reaches a lower test loss than plain training, but climbs later as well.
# Weight decay keeps the test loss from climbing at all. The test *accuracy* hardly
# moves: with only 200 images no method works miracles, and more data is the best
# regulariser of all (lesson 9 reached about 90% with 3000 images).

# %% [markdown]
# ## 5. Early stopping
#
# The simplest method: watch the test loss (better: the loss on a separate
# *validation* set), and stop once it has not improved for `patience` epochs. Keep the
# weights of the best epoch.

# %% [markdown]
# ### Exercise 3: `early_stopping`
#
# Given the list of validation losses, one per epoch, return `(stop_epoch, best_epoch)`
# (0-based). `best_epoch` is the epoch with the lowest loss seen so far when you stop.
# You stop at the first epoch where `patience` epochs in a row have passed without a
# new lowest loss. If that never happens, `stop_epoch` is the last epoch.

# %%
def early_stopping(val_losses, patience):
    # BEGIN SOLUTION
    best_epoch, waited = 0, 0
    for epoch, value in enumerate(val_losses):
        if value < val_losses[best_epoch]:
            best_epoch, waited = epoch, 0
        elif epoch > 0:
            waited += 1
        if waited >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
    # END SOLUTION

# %%
check.check_early_stopping(early_stopping)

# %% [markdown]
# Where would it have stopped our plain network, with a patience of 3?

# %%
try:
    stop, best = early_stopping(plain["val_loss"], patience=3)
    print(f"stop after epoch {stop}, keep the weights of epoch {best} "
          f"(test accuracy {plain['val_accuracy'][best]:.3f})")
except NotImplementedError:
    print("Finish exercise 3 first.")
except Exception as error:  # a wrong answer: the check above says what to fix
    print(f"your code raised {type(error).__name__}: {error}")

# %% [markdown]
# ## Extra practice
#
# 1. Try dropout 0.2 and 0.8 in `train_curves`. Which is best here?
# 2. `nn.AdamW` decays the weights *outside* Adam's scaling. Compare
#    `nn.AdamW(net.parameters(), lr=1e-3, weight_decay=0.1)` with `Adam(weight_decay=1e-3)`.
# 3. Show that `dropout` keeps the mean: average `dropout(np.ones(100000), 0.3, rng)`.

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    layer = torch.nn.Dropout(p=0.5)
    ones = torch.ones(2, 8)
    layer.train()
    print("train mode:", layer(ones))
    layer.eval()
    print("eval mode: ", layer(ones))

# %% [markdown]
# ## Where this goes in RL
#
# In RL the "test set" is new episodes. nprl evaluates the greedy agent every so often
# and keeps the best weights in `checkpoints/best` of the run directory: early stopping,
# measured in return. And remember the debug exercise: acting with a network that is
# still in training mode (dropout on, batch norm on batch statistics) is a classic RL
# bug. nprl's agent acts with `q_net.predict`, which is always in test mode.
