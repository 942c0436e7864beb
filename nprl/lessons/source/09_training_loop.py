# %% [markdown]
# # Lesson 9: The training loop
#
# **Estimated time:** 45 minutes
#
# **What you will learn**
# - mini-batches: why we learn from a few samples at a time;
# - epochs and shuffling;
# - the five lines every training loop repeats: forward, loss, zero the gradients,
#   backward, step;
# - how to monitor training with a held-out test set, on real handwritten digits (MNIST).
#
# **Where it reappears in RL:** a DQN agent runs this loop forever. Its mini-batches come
# from a replay buffer instead of a data set, and its labels (the TD targets) are made by
# the agent itself. Shuffling returns there too: sampling the replay buffer at random
# breaks the correlation between consecutive frames.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.data import mnist, mnist_source
from nprl.lessons.checks import lesson09 as check

# %% [markdown]
# ## 1. The data
#
# MNIST: 28x28 grey images of handwritten digits, each with its label 0-9. We keep 3000
# for training and 1000 for testing, so that everything runs in seconds. A `Dense`
# layer wants vectors, so each image becomes a row of 784 numbers.

# %%
(x_train, y_train), (x_test, y_test) = mnist(n_train=3000, n_test=1000)
print("data:", mnist_source())
x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
print("x_train", x_train.shape, x_train.dtype, " y_train", y_train.shape, y_train[:10])

# %%
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for ax, image, label in zip(axes, x_train, y_train):
    ax.imshow(image.reshape(28, 28), cmap="gray")
    ax.set_title(str(label))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 2. Mini-batches and epochs
#
# The true loss is an average over *all* training samples. Computing its gradient on all
# 3000 (or 60 000) images for every single step is slow. Instead we take a small random
# **mini-batch** (say 32 images), compute the gradient on it, and step. That gradient is
# noisy, but it is cheap, and on average it points the right way.
#
# One pass over the whole training set, batch after batch, is an **epoch**. Before each
# epoch we **shuffle** the order, so that no batch always holds the same samples.

# %% [markdown]
# ### Exercise 1: `minibatches`
#
# Return a list of index arrays that together cover `range(n)` once, in a random order
# drawn from `rng` (`rng.permutation` is your friend). Each batch has `batch_size`
# indices, except the last one, which holds what is left.

# %%
def minibatches(n, batch_size, rng):
    # BEGIN SOLUTION
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]
    # END SOLUTION

# %%
check.check_minibatches(minibatches)

# %% [markdown]
# ## 3. One epoch
#
# For each mini-batch, the loop does five things, always in this order:
#
# 1. `pred = net.forward(xb)`: the forward pass;
# 2. `value = loss(pred, yb)`: how wrong we are;
# 3. `optimizer.zero_grad()`: clear the old gradients (backward *adds* to `.grad`);
# 4. `net.backward(loss.backward())`: backpropagation (lesson 7);
# 5. `optimizer.step()`: move the weights (lesson 8).

# %% [markdown]
# ### Exercise 2: `train_epoch`
#
# Run those five lines for every batch in `batches` (index arrays, as from
# `minibatches`). Return the mean loss over all samples: weight each batch's loss by its
# size, then divide by the total number of samples.

# %%
def train_epoch(net, x, y, loss, optimizer, batches):
    # BEGIN SOLUTION
    total, seen = 0.0, 0
    for index in batches:
        pred = net.forward(x[index])
        value = loss(pred, y[index])
        optimizer.zero_grad()
        net.backward(loss.backward())
        optimizer.step()
        total += value * len(index)
        seen += len(index)
    return total / seen
    # END SOLUTION

# %%
check.check_train_epoch(train_epoch)

# %% [markdown]
# ### Exercise 3: `accuracy`
#
# The network outputs 10 numbers per image (one score per digit). Its guess is the
# digit with the highest score. Return the fraction of rows whose guess equals the label.

# %%
def accuracy(scores, labels):
    # BEGIN SOLUTION
    return float(np.mean(scores.argmax(axis=1) == labels))
    # END SOLUTION

# %%
check.check_accuracy(accuracy)

# %% [markdown]
# ## 4. Monitoring
#
# nprl's `Sequential.fit` is the loop you just wrote, plus bookkeeping. With
# `validation=(x_test, y_test)` it also measures the test loss and accuracy after every
# epoch, on images the network never trains on. That is the number to trust: the
# training loss always looks good; the test loss tells us if the network *generalises*.

# %%
net = nn.Sequential(nn.Dense(784, 128, init="he_uniform", rng=0), nn.ReLU(),
                    nn.Dense(128, 10, rng=1))
history = net.fit(x_train, y_train, nn.CrossEntropyLoss(), nn.Adam(net.parameters(), lr=1e-3),
                  epochs=6, batch_size=32, validation=(x_test, y_test), seed=0, verbose=False)
epochs = np.arange(1, 7)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(epochs, history["loss"], marker="o", label="training")
left.plot(epochs, history["val_loss"], marker="o", label="test")
left.set_xlabel("epoch")
left.set_ylabel("cross-entropy loss")
left.legend()
right.plot(epochs, history["accuracy"], marker="o", label="training")
right.plot(epochs, history["val_accuracy"], marker="o", label="test")
right.set_xlabel("epoch")
right.set_ylabel("accuracy")
right.legend()
plt.tight_layout()
plt.show()
print(f"test accuracy after 6 epochs: {history['val_accuracy'][-1]:.3f}")

# %% [markdown]
# Two things to see. After epoch 1 the training loss is *higher* than the test loss:
# `fit` averages the training loss over the epoch, while the network was still learning,
# but measures the test loss at the end of it. From epoch 2 on, the training loss falls
# faster than the test loss, and the training accuracy (about 97%) pulls away from the
# test accuracy (about 90%): the network starts to memorise its 3000 images. Lesson 10 is
# about that gap.

# %% [markdown]
# ## 5. The batch size
#
# Small batches: many cheap, noisy steps per epoch. Large batches: few, smooth, costly
# steps. Same learning rate, same number of epochs, three batch sizes:

# %%
for batch_size in (8, 64, 512):
    net = nn.Sequential(nn.Dense(784, 64, init="he_uniform", rng=0), nn.ReLU(),
                        nn.Dense(64, 10, rng=1))
    h = net.fit(x_train, y_train, nn.CrossEntropyLoss(), nn.Adam(net.parameters(), lr=1e-3),
                epochs=3, batch_size=batch_size, validation=(x_test, y_test), seed=0,
                verbose=False)
    plt.plot([1, 2, 3], h["val_accuracy"], marker="o", label=f"batch size {batch_size}")
plt.xticks([1, 2, 3])
plt.xlabel("epoch")
plt.ylabel("test accuracy")
plt.legend()
plt.show()

# %% [markdown]
# With 512 images per batch, an epoch is only 6 steps: too few to learn much. Batch
# sizes of 32 to 128 are the usual compromise (DQN uses 32).

# %% [markdown]
# ### Debug exercise: the shuffle that scrambles
#
# `shuffle_together` should shuffle images and labels *together*, so that every image
# keeps its own label. It has a planted bug: the network trained on its output would
# learn nothing (test accuracy near 10%). Find and fix it.

# %%
def shuffle_together(x, y, rng):
    # BEGIN BUGGY
    return x[rng.permutation(len(x))], y[rng.permutation(len(y))]
    # END BUGGY
    # BEGIN SOLUTION
    order = rng.permutation(len(x))
    return x[order], y[order]
    # END SOLUTION

# %%
check.check_shuffle_together(shuffle_together)

# %% [markdown]
# ## Extra practice
#
# 1. Put `minibatches`, `train_epoch` and `accuracy` together in your own `fit`: train
#    the 784-128-10 network for 5 epochs and print the test accuracy after each epoch.
# 2. Forget `optimizer.zero_grad()` on purpose. How does the loss curve change? Why?
# 3. Try `nn.SGD(net.parameters(), lr=0.1, momentum=0.9)` instead of Adam.

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # small matrices: one thread is fastest
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = torch.tensor(x_train), torch.tensor(y_train)
    for index in np.array_split(np.random.default_rng(0).permutation(len(xt)), 94):  # 1 epoch
        loss_t = torch.nn.functional.cross_entropy(model(xt[index]), yt[index])
        opt.zero_grad()    # the same five lines, in PyTorch's words
        loss_t.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(torch.tensor(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"PyTorch, 1 epoch: test accuracy {acc:.3f}")

# %% [markdown]
# ## Where this goes in RL
#
# `nprl.rl.train` runs an environment and, every few steps, `agent.update()`: sample a
# mini-batch from the replay buffer (uniformly at random, like your shuffle), forward,
# loss against the TD targets, zero_grad, backward, step. There are no epochs: the data
# keeps arriving. And the monitoring is the *return* of evaluation episodes, the RL
# version of test accuracy.
