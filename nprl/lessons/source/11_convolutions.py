# %% [markdown]
# # Lesson 11: Convolutional networks
#
# **Estimated time:** 60 minutes
#
# **What you will learn**
# - a filter: a small grid of weights that slides over an image and looks for one pattern;
# - feature maps: where in the image the pattern was found;
# - stride, padding, and the size of the output;
# - im2col: how a whole convolution becomes one matrix product;
# - max pooling: keep the strongest answer of each small window.
#
# **Where it reappears in RL:** an Atari agent sees pixels. DQN's network (lesson 13)
# starts with three convolutional layers that turn 84x84 frames into features such as
# "ball here" and "paddle there". The same filters work at every position, which is why a
# CNN needs far fewer weights than a `Dense` layer on raw pixels.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.data import mnist
from nprl.lessons.checks import lesson11 as check

(x_train, y_train), (x_test, y_test) = mnist(n_train=3000, n_test=1000)
digit = x_train[0]  # a 28x28 image of a 5

# %% [markdown]
# ## 1. A filter
#
# A filter (also *kernel*) is a small grid of weights, for example 3x3. We lay it on the
# image, multiply each weight with the pixel under it, and add everything up: one
# number. Then we slide it one pixel to the right and do it again, row after row. For
# an image $x$ and a filter $w$ of size $k \times k$:
#
# $$y[i, j] = \sum_{a=0}^{k-1} \sum_{b=0}^{k-1} w[a, b]\; x[i + a,\, j + b] \; + \; b_0$$
#
# The grid of all those numbers is a **feature map**. It is large where the image looks
# like the filter.

# %% [markdown]
# Three hand-made filters on a real digit: one looks for vertical edges (dark left,
# bright right), one for horizontal edges, one blurs. We load them into nprl's `Conv2D`,
# which works on batches shaped `(N, C, H, W)`: N images, C channels, height, width.

# %%
filters = np.array([
    [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],    # vertical edge
    [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],    # horizontal edge
    np.full((3, 3), 1 / 9),                  # blur
], dtype=np.float32)
conv = nn.Conv2D(1, 3, kernel_size=3)
conv.weight.data[:] = filters[:, None]  # (out=3, in=1, 3, 3)
conv.bias.data[:] = 0
maps = conv.forward(digit[None, None])  # (1, 3, 26, 26)
pooled = nn.MaxPool2D(2).forward(np.maximum(maps, 0))  # (1, 3, 13, 13)

fig, axes = plt.subplots(3, 4, figsize=(8, 6))
names = ["vertical edge", "horizontal edge", "blur"]
for row in range(3):
    axes[row, 0].imshow(digit, cmap="gray")
    axes[row, 1].imshow(filters[row], cmap="bwr", vmin=-1, vmax=1)
    axes[row, 2].imshow(maps[0, row], cmap="bwr", vmin=-3, vmax=3)
    axes[row, 3].imshow(pooled[0, row], cmap="gray")
    axes[row, 1].set_ylabel(names[row])
for ax, title in zip(axes[0], ["input", "filter", "feature map", "ReLU + max pool"]):
    ax.set_title(title)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
plt.tight_layout()
plt.show()

# %% [markdown]
# Red means a large positive answer, blue a large negative one. The vertical-edge
# filter lights up on the left and right sides of each stroke; the horizontal one on
# the top and bottom. Max pooling (section 5) halves the size and keeps the strong spots.

# %% [markdown]
# ## 2. Channels, stride, padding
#
# - **Channels.** A colour image has 3 channels; a stack of 4 Atari frames has 4. A
#   filter then has one $k \times k$ grid per input channel, and sums over all of them.
#   A layer has many filters: `Conv2D(in_channels, out_channels, k)` holds a weight of
#   shape `(out, in, k, k)` and makes `out` feature maps.
# - **Stride** $s$: slide the filter $s$ pixels at a time. Stride 2 halves the output.
# - **Padding** $p$: add $p$ rows and columns of zeros around the image first, so the
#   border pixels get their turn too.
#
# The output size, for an input of size $n$:
#
# $$n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1$$

# %% [markdown]
# ### Debug exercise: one pixel short
#
# This `conv_output_size` has a planted bug. On a 28-pixel image with a 5x5 filter it
# answers 23, but `nn.Conv2D` makes a 24-pixel map. Fix it.

# %%
def conv_output_size(n, k, stride=1, padding=0):
    # BEGIN BUGGY
    return (n + 2 * padding - k) // stride
    # END BUGGY
    # BEGIN SOLUTION
    return (n + 2 * padding - k) // stride + 1
    # END SOLUTION

# %%
check.check_conv_output_size(conv_output_size)

# %% [markdown]
# ## 3. im2col: a convolution as one matrix product
#
# Sliding a filter with Python loops is slow. The trick that every fast library uses:
# copy each *window* of the input (all channels, $k \times k$ pixels) into one row of a
# big matrix, called `cols`. Then all filters on all windows are one matrix product:
#
# $$Y = \text{cols}\; W_\text{mat}^\top + b, \qquad
#   \text{cols}: (N H_o W_o,\; C k_h k_w), \quad W_\text{mat}: (O,\; C k_h k_w)$$
#
# `W_mat` is just `W.reshape(O, -1)`. Each row of `cols` must list its numbers in the
# same order: channel first, then the filter row, then the filter column, that is
# `x[n, :, top:top + kh, left:left + kw].ravel()`.

# %% [markdown]
# ### Exercise 1: `im2col`
#
# Return `cols` of shape `(N * Ho * Wo, C * kh * kw)`. Row order: sample by sample, and
# within a sample, window by window, left to right, top to bottom. Loops are fine here.

# %%
def im2col(x, kh, kw, stride=1):
    # BEGIN SOLUTION
    n, c, h, w = x.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    rows = []
    for sample in range(n):
        for i in range(ho):
            for j in range(wo):
                top, left = i * stride, j * stride
                rows.append(x[sample, :, top:top + kh, left:left + kw].ravel())
    return np.array(rows)
    # END SOLUTION

# %%
check.check_im2col(im2col)

# %% [markdown]
# ### Exercise 2: `conv2d_forward`
#
# Use your `im2col` to compute the convolution of `x` `(N, C, H, W)` with weights `W`
# `(O, C, kh, kw)` and bias `b` `(O,)`. Return `(N, O, Ho, Wo)`. Careful with the last
# step: the product gives rows `(n, i, j)` and columns `o`; reshape to
# `(N, Ho, Wo, O)`, then move the `O` axis to position 1.

# %%
def conv2d_forward(x, W, b, stride=1):
    # BEGIN SOLUTION
    n, _, h, w = x.shape
    o, _, kh, kw = W.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1
    y = im2col(x, kh, kw, stride) @ W.reshape(o, -1).T + b
    return y.reshape(n, ho, wo, o).transpose(0, 3, 1, 2)
    # END SOLUTION

# %%
check.check_conv2d_forward(conv2d_forward)

# %% [markdown]
# ## 4. Why so few weights?
#
# A `Dense` layer from a 28x28 image to 8 outputs has $784 \times 8 + 8 = 6280$ weights,
# and each is tied to one pixel. A `Conv2D(1, 8, 5)` has $8 \times 5 \times 5 + 8 = 208$,
# and uses them everywhere: a stroke is recognised wherever it is.

# %%
print("Dense(784, 8):", sum(p.data.size for p in nn.Dense(784, 8).parameters()))
print("Conv2D(1, 8, 5):", sum(p.data.size for p in nn.Conv2D(1, 8, 5).parameters()))

# %% [markdown]
# ## 5. Max pooling
#
# **Max pooling** cuts the image into $k \times k$ windows (usually 2x2) and keeps only the
# largest value of each. The map gets $k$ times smaller in each direction. A small shift
# of the input often does not change the maximum, so the network becomes a little less
# sensitive to exact positions.

# %% [markdown]
# ### Exercise 3: `maxpool2d`
#
# Return the maximum of every non-overlapping `k x k` window of `x` `(N, C, H, W)`:
# shape `(N, C, H // k, W // k)`. You may assume that `k` divides `H` and `W`.
# (Hint: `x.reshape(N, C, H // k, k, W // k, k)` puts each window on two axes.)

# %%
def maxpool2d(x, k):
    # BEGIN SOLUTION
    n, c, h, w = x.shape
    return x.reshape(n, c, h // k, k, w // k, k).max(axis=(3, 5))
    # END SOLUTION

# %%
check.check_maxpool2d(maxpool2d)

# %% [markdown]
# ## 6. Filters that learn
#
# Hand-made filters were only a demonstration. In a CNN the filters are weights, and
# backpropagation learns them. A small CNN: 8 filters of 5x5, ReLU, 2x2 max pooling, then
# a `Dense` layer to the 10 digits. Two epochs on 3000 digits:

# %%
cnn = nn.Sequential(nn.Conv2D(1, 8, 5, rng=0), nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
                    nn.Dense(8 * 12 * 12, 10, rng=1))
history = cnn.fit(x_train[:, None], y_train, nn.CrossEntropyLoss(),
                  nn.Adam(cnn.parameters(), lr=2e-3), epochs=2, batch_size=32,
                  validation=(x_test[:, None], y_test), seed=0, verbose=False)
print(f"test accuracy: {history['val_accuracy'][-1]:.3f}")

# %%
learned = cnn[0].weight.data[:, 0]  # (8, 5, 5)
maps = cnn[0].predict(digit[None, None])[0]  # (8, 24, 24)
fig, axes = plt.subplots(2, 8, figsize=(12, 3.2))
for k in range(8):
    axes[0, k].imshow(learned[k], cmap="bwr", vmin=-np.abs(learned).max(),
                      vmax=np.abs(learned).max())
    axes[1, k].imshow(np.maximum(maps[k], 0), cmap="gray")
    axes[0, k].set_title(f"filter {k}")
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("learned")
axes[1, 0].set_ylabel("on the 5")
plt.tight_layout()
plt.show()

# %% [markdown]
# After two epochs the filters still look noisy. Their feature maps (bottom row) tell
# more: each filter lights up a different part of the digit. Some answer to the
# horizontal strokes, some to the slanted ones, some to the whole shape.

# %% [markdown]
# ## Extra practice
#
# 1. Add `padding` to your `im2col` (use `np.pad` on the H and W axes first) and compare
#    with `nn.Conv2D(..., padding=1)`.
# 2. Time your `conv2d_forward` against `nn.Conv2D.forward` on a batch of 64 digits with
#    `%timeit`. nprl builds `cols` with `sliding_window_view`: no Python loop at all.
# 3. Train the CNN above for 5 epochs, and a `Dense(784, 128) - ReLU - Dense(128, 10)`
#    network for 5 epochs. Which is more accurate? Which has more weights?

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    x_np = np.random.default_rng(0).normal(size=(2, 3, 7, 7))
    W_np = np.random.default_rng(1).normal(size=(4, 3, 3, 3))
    b_np = np.zeros(4)
    theirs = torch.nn.functional.conv2d(torch.tensor(x_np), torch.tensor(W_np),
                                        torch.tensor(b_np), stride=2).numpy()
    try:
        print("your conv2d_forward matches torch:", np.allclose(
            conv2d_forward(x_np, W_np, b_np, stride=2), theirs))
    except NotImplementedError:
        print("Finish exercise 2 first; torch's output shape is", theirs.shape)
    except Exception as error:  # a wrong answer: the check above says what to fix
        print(f"your code raised {type(error).__name__}: {error}")

# %% [markdown]
# ## Where this goes in RL
#
# DQN's Atari network reads a stack of 4 grey 84x84 frames. Its first layer is
# `Conv2D(4, 32, 8, stride=4)`: 32 filters, each looking at 8x8 pixels in all 4 frames at
# once, so a filter can see *motion* (a ball in a different place in each frame).
# Lesson 13 builds the whole network.
