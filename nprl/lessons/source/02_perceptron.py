# Source of lesson 2; build the notebooks with `python -m nprl.lessons.build`.

# %% [markdown]
# # Lesson 2: The perceptron
#
# **Estimated time:** 40 minutes
#
# **What you will learn**
# - how a neuron can **learn** its weights from examples (the perceptron rule);
# - to train it on the logic gate AND;
# - why no single neuron can learn XOR, and what that means for deeper networks.
#
# **Where it reappears in RL:** DQN learns by nudging weights to shrink an error, again and
# again. The perceptron rule (1958) is the oldest form of that idea.

# %%
import numpy as np
import matplotlib.pyplot as plt

from nprl.lessons.checks import lesson02 as check

# %% [markdown]
# ## 1. The task
#
# A perceptron is the step neuron of lesson 1. It answers yes (1) or no (0):
#
# $$\hat{y} = \text{step}(w \cdot x + b)$$
#
# We give it examples $(x, y)$: an input and the right answer.
# It must find $w$ and $b$ by itself.

# %% [markdown]
# Our first examples: the logic gate AND. It answers 1 only when both inputs are 1.

# %%
X_and = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y_and = np.array([0, 0, 0, 1], dtype=float)
for x, y in zip(X_and, y_and):
    print(x, "->", y)

# %% [markdown]
# A perceptron draws a line $w_1 x_1 + w_2 x_2 + b = 0$ and answers 1 on one side.
# Here is one line that does the job for AND, chosen by hand: $x_1 + x_2 - 1.5 = 0$.
# Red dots should get 1 (the shaded side), blue dots 0.

# %%
def show_line(X, y, w, b, title, ax):
    g = np.linspace(-0.5, 1.5, 101)
    grid = np.array([[a, c] for c in g for a in g])
    ax.contourf(g, g, (grid @ w + b > 0).reshape(101, 101), levels=[-0.5, 0.5, 1.5],
                colors=["#f5f5f5", "#cfe3ff"])
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=120, edgecolors="k")
    ax.set_title(title); ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$")

fig, ax = plt.subplots(figsize=(3.6, 3.2))
show_line(X_and, y_and, np.array([1.0, 1.0]), -1.5, "AND, a line chosen by hand", ax)
plt.show()

# %% [markdown]
# The perceptron must find such a line by itself, from the four examples.

# %% [markdown]
# ### Exercise 1: predict a whole batch
#
# Write `perceptron_predict(X, w, b)`. `X` has one example per row, shape `(N, n)`.
# Return an array of shape `(N,)` with 1.0 where $X w + b > 0$ and 0.0 elsewhere.

# %%
def perceptron_predict(X, w, b):
    # BEGIN SOLUTION
    return (X @ w + b > 0).astype(float)
    # END SOLUTION

# %%
check.check_perceptron_predict(perceptron_predict)

# %% [markdown]
# ## 2. The learning rule
#
# Show the perceptron one example. Compare its answer $\hat{y}$ with the truth $y$.
# The **error** $y - \hat{y}$ is 0 (right), +1 (said no, should say yes) or -1 (the reverse).
#
# Then move the weights a little, in the direction of the error:
#
# $$w \leftarrow w + \eta \, (y - \hat{y}) \, x \qquad b \leftarrow b + \eta \, (y - \hat{y})$$
#
# $\eta$ (eta) is the **learning rate**: how big each move is.

# %% [markdown]
# Why it works: if the answer was too low ($y - \hat{y} = 1$), adding $\eta x$ to $w$ raises
# $w \cdot x$ by $\eta \, x \cdot x \ge 0$. The next time, the sum is higher. When the answer
# is right, nothing moves.

# %% [markdown]
# ### Exercise 2: one update
#
# Write `perceptron_update(w, b, x, y, lr)` for one example `x` (shape `(n,)`) with label `y`.
# Return the new `(w, b)`.

# %%
def perceptron_update(w, b, x, y, lr):
    # BEGIN SOLUTION
    y_hat = float(w @ x + b > 0)
    error = y - y_hat
    return w + lr * error * x, b + lr * error
    # END SOLUTION

# %%
check.check_perceptron_update(perceptron_update)

# %% [markdown]
# ### Exercise 3: the training loop
#
# Write `train_perceptron(X, y, epochs, lr)`:
#
# - start from `w = np.zeros(n)` and `b = 0.0`;
# - one **epoch** is one pass over all examples, in order, with one update per example;
# - count the mistakes (examples where $\hat{y} \ne y$ before the update) in each epoch.
#
# Return `(w, b, errors)`, where `errors` is the list of mistakes per epoch.

# %%
def train_perceptron(X, y, epochs, lr):
    # BEGIN SOLUTION
    w, b = np.zeros(X.shape[1]), 0.0
    errors = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            mistakes += int(float(w @ x_i + b > 0) != y_i)
            w, b = perceptron_update(w, b, x_i, y_i, lr)
        errors.append(mistakes)
    return w, b, errors
    # END SOLUTION

# %%
check.check_train_perceptron(train_perceptron)

# %% [markdown]
# ## 3. Watch it learn AND
#
# The next cell trains your perceptron and draws its line $w_1 x_1 + w_2 x_2 + b = 0$.
# The shaded side is where it answers 1.

# %%
try:
    w, b, errors = train_perceptron(X_and, y_and, epochs=10, lr=0.1)
except NotImplementedError:
    print("This figure uses your train_perceptron: finish Exercise 3, then run this cell again.")
else:
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.2))
    show_line(X_and, y_and, w, b, f"AND: w={np.round(w, 2)}, b={b:.2f}", left)
    right.plot(range(1, len(errors) + 1), errors, "o-")
    right.set_xlabel("epoch"); right.set_ylabel("mistakes"); right.set_title("mistakes per epoch")
    fig.tight_layout(); plt.show()

# %% [markdown]
# Look closely at the point $(1, 0)$: it sits exactly on the line. There $z = 0$, and
# $\text{step}(0) = 0$, so the answer is "no", which is right. The perceptron stops moving as
# soon as it makes no mistakes, even with no safety margin. (Losses in lesson 6 do better.)

# %% [markdown]
# The mistakes fall to 0 and stay there. That is guaranteed: if a line can separate the
# two classes, the perceptron rule finds one in a finite number of updates
# (the perceptron convergence theorem).

# %% [markdown]
# ### Debug exercise: `learn_and`
#
# This copy of the training loop never learns AND: it makes mistakes forever.
# Run the check, read the hint, then find the bug and fix it.

# %%
def learn_and(X, y, epochs=20, lr=0.1):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        for x_i, y_i in zip(X, y):
            error = y_i - float(w @ x_i + b > 0)
            w = w + lr * error * x_i
            # BEGIN BUGGY
            if error > 0:
                b = b + lr * error
            # END BUGGY
            # BEGIN SOLUTION
            b = b + lr * error
            # END SOLUTION
    return w, b

# %%
check.check_learn_and(learn_and)

# %% [markdown]
# ## 4. The XOR limit
#
# XOR answers 1 when exactly one input is 1. Look at the four points: the two yes-points sit
# on one diagonal, the two no-points on the other.
#
# No straight line puts both yes-points on one side and both no-points on the other.
# We do not need to trust this: let us try 20,000 random lines.

# %%
X_xor, y_xor = X_and.copy(), np.array([0, 1, 1, 0], dtype=float)
rng = np.random.default_rng(0)
lines = rng.normal(size=(20000, 3))                      # (w1, w2, b) per row
answers = (X_xor @ lines[:, :2].T + lines[:, 2] > 0)     # (4 points, 20000 lines)
correct = (answers == y_xor[:, None]).sum(axis=0)
print("best line gets", correct.max(), "of 4 right")
print("how many lines get each score:", np.bincount(correct, minlength=5))

fig, ax = plt.subplots(figsize=(3.8, 3.4))
x1 = np.array([-0.5, 1.5])
for w1, w2, b in lines[np.flatnonzero(correct == 3)[:3]]:
    ax.plot(x1, -(w1 * x1 + b) / w2, "--")
ax.scatter(X_xor[:, 0], X_xor[:, 1], c=y_xor, cmap="coolwarm", s=120, edgecolors="k", zorder=3)
ax.set_xlim(-0.5, 1.5); ax.set_ylim(-0.5, 1.5); ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$")
ax.set_title("three of the best lines:\neach gets one point wrong", fontsize=10)
plt.show()

# %% [markdown]
# No line scores 4. So the perceptron can never stop making mistakes on XOR:

# %%
try:
    _, _, errors_xor = train_perceptron(X_xor, y_xor, epochs=20, lr=0.1)
except NotImplementedError:
    print("This figure uses your train_perceptron: finish Exercise 3, then run this cell again.")
else:
    fig, ax = plt.subplots(figsize=(4.5, 2.6))
    ax.plot(range(1, 21), errors_xor, "o-", color="C3")
    ax.set_ylim(0, 4.2); ax.set_xlabel("epoch"); ax.set_ylabel("mistakes"); ax.set_title("XOR")
    plt.show()

# %% [markdown]
# In 1969, Minsky and Papert made this limit famous, and research on neural networks slowed
# for years. The way out is to stack neurons in layers: lesson 4 solves XOR with two layers.

# %% [markdown]
# ## 5. Where it reappears in RL
#
# The perceptron rule is "predict, compare with the target, move the weights to shrink the
# error". DQN does the same: its target is $r + \gamma \max_{a'} Q(s', a')$ and its move is a
# gradient step. The XOR limit is why DQN's Q-network has hidden layers: the value of a game
# state is rarely a straight-line function of what the agent sees.
#
# ## Extra practice
#
# 1. Train on OR (`y = [0, 1, 1, 1]`) and on NAND (`y = [1, 1, 1, 0]`). How many epochs until
#    no mistakes?
# 2. Try `lr=1.0` and `lr=0.01` on AND. Does the final line change? Do the mistakes per epoch?
# 3. Add a third input that is always 1, and drop `b`. Why does this do the same job as a bias?

# %% [markdown]
# ## The same in PyTorch (optional)
#
# PyTorch has no perceptron rule built in (it trains with gradients, lesson 7). The
# prediction, though, is one line.

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    w, b = torch.tensor([0.2, 0.1], dtype=torch.float64), -0.25
    print((torch.tensor(X_and) @ w + b > 0).double())
