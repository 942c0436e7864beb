# %% [markdown]
# # Lesson 8: Gradient descent for networks
#
# **Estimated time:** 50 minutes
#
# **What you will learn**
# - gradient descent: step against the gradient, scaled by a learning rate;
# - why the learning rate matters so much (too small crawls, too large explodes);
# - momentum: a velocity that smooths the steps;
# - Adam: a step size per weight, and why it needs *bias correction*.
#
# **Where it reappears in RL:** every DQN update ends with `optimizer.step()`. Adam is
# the default optimizer of nearly every deep RL agent (nprl's `DQNConfig` uses it); the
# original Atari DQN used RMSprop, a close cousin.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson08 as check

# %% [markdown]
# ## 1. Gradient descent
#
# Lesson 7 gave us the gradient $g = \frac{\partial L}{\partial w}$. It points uphill: the
# direction in which the loss grows fastest. So we step the other way:
#
# $$w \leftarrow w - \eta\, g$$
#
# $\eta$ (eta) is the **learning rate**: how far we step each time.

# %% [markdown]
# ## 2. The learning rate
#
# Take the simplest loss, $L(w) = w^2$, with gradient $2w$. We start at $w = 1$ and try
# three learning rates.

# %%
def descend(lr, steps=20, w=1.0):
    path = [w]
    for _ in range(steps):
        w = w - lr * 2 * w
        path.append(w)
    return np.array(path)

for lr in (0.05, 0.45, 1.05):
    plt.plot(np.abs(descend(lr)), marker=".", label=f"learning rate {lr}")
plt.yscale("log")
plt.xlabel("step")
plt.ylabel("|w| (distance to the minimum)")
plt.legend()
plt.show()

# %% [markdown]
# - $\eta = 0.05$: every step is safe, but slow.
# - $\eta = 0.45$: fast.
# - $\eta = 1.05$: each step overshoots the minimum by more than it started. The loss
#   grows without end. This is called **divergence**.
#
# In a real network there are millions of weights and no formula for the best $\eta$.
# We try a few values, and watch the loss.

# %% [markdown]
# ## 3. Momentum
#
# Real loss surfaces are often long, narrow valleys. Plain gradient descent zig-zags
# across the valley and crawls along it. **Momentum** keeps a running *velocity* $v$, a
# sum of past gradients that fades by a factor $\mu$ (mu, often 0.9) each step:
#
# $$v \leftarrow \mu\, v + g, \qquad w \leftarrow w - \eta\, v$$
#
# Zig-zags cancel out in $v$; steady directions add up. This is exactly PyTorch's rule
# (and nprl's `nn.SGD(params, lr, momentum=mu)`), with $v$ starting at zero.

# %% [markdown]
# ### Exercise 1: `momentum_step`
#
# Return the new `(w, velocity)` after one step. Do not change the arrays you were given;
# return new ones.

# %%
def momentum_step(w, grad, velocity, lr, momentum):
    # BEGIN SOLUTION
    velocity = momentum * velocity + grad
    w = w - lr * velocity
    return w, velocity
    # END SOLUTION

# %%
check.check_momentum_step(momentum_step)

# %% [markdown]
# ## 4. Adam
#
# Different weights need different step sizes. **Adam** keeps two running averages per
# weight: of the gradient ($m$, the *first moment*) and of the squared gradient ($v$,
# the *second moment*):
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1)\, g \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2$$
#
# Both start at zero. So in the first steps they are too small: after one step,
# $m = (1 - \beta_1) g = 0.1\, g$. **Bias correction** divides that out. At step
# $t = 1, 2, 3, \dots$:
#
# $$\hat m = \frac{m}{1 - \beta_1^t} \qquad \hat v = \frac{v}{1 - \beta_2^t} \qquad
#   w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}$$
#
# The step is roughly $\eta$ times the *sign* of a steady gradient, whatever its size.
# That makes Adam forgiving: $\eta = 10^{-3}$ works for a surprising range of networks.

# %% [markdown]
# ### Exercise 2: `adam_step`
#
# Return the new `(w, m, v)`. `t` is the step number, starting at 1.

# %%
def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v
    # END SOLUTION

# %%
check.check_adam_step(adam_step)

# %% [markdown]
# ## 5. Three optimizers in one narrow valley
#
# Here is the long valley $L(x, y) = \tfrac12 (x^2 + 25 y^2)$, and nprl's own optimizers
# walking down it from $(-4, 1)$. A `Parameter` holds the point; we fill its `.grad`
# ourselves, then call `step()`, just as a network's backward pass would.

# %%
def walk(make_optimizer, steps=40):
    point = nn.Parameter(np.array([-4.0, 1.0]))
    optimizer = make_optimizer([point])
    path = [point.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        point.grad[...] = point.data * np.array([1.0, 25.0])  # the gradient of L
        point.grad_is_zero = False
        optimizer.step()
        path.append(point.data.copy())
    return np.array(path)

xs, ys = np.meshgrid(np.linspace(-4.5, 1, 200), np.linspace(-1.3, 1.3, 200))
plt.figure(figsize=(8, 4))
plt.contour(xs, ys, 0.5 * (xs**2 + 25 * ys**2), levels=20, colors="lightgray")
for label, make in [("SGD, lr 0.07", lambda p: nn.SGD(p, lr=0.07)),
                    ("SGD + momentum 0.8, lr 0.02", lambda p: nn.SGD(p, lr=0.02, momentum=0.8)),
                    ("Adam, lr 0.3", lambda p: nn.Adam(p, lr=0.3))]:
    path = walk(make)
    plt.plot(path[:, 0], path[:, 1], marker=".", label=label)
plt.scatter([0], [0], marker="*", s=200, color="black")
plt.legend()
plt.title("40 steps down a narrow valley")
plt.show()

# %% [markdown]
# Plain SGD first zig-zags between the steep walls, then creeps along the flat floor:
# after 40 steps it has still not arrived. Momentum zig-zags too, but it builds up speed
# along the floor and reaches the minimum. Adam takes steps of about the same size in
# both directions (it divides each by its own gradient size), so it sets off on a
# straight diagonal, overshoots, and circles in.

# %% [markdown]
# ### Debug exercise: Adam without bias correction
#
# `TinyAdam` below is a small Adam optimizer for one array. It has a planted bug: it
# forgets the bias correction. Its first step is about three times too large
# ($0.1 / \sqrt{0.001} \approx 3.2$ instead of 1). Fix it so that it matches `nn.Adam` step
# for step. (The step counter is there already.)

# %%
class TinyAdam:
    def __init__(self, w, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.w = np.array(w, dtype=np.float64)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = np.zeros_like(self.w)
        self.v = np.zeros_like(self.w)
        self.t = 0

    def step(self, grad):
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad**2
        # BEGIN BUGGY
        m_hat, v_hat = self.m, self.v
        # END BUGGY
        # BEGIN SOLUTION
        m_hat = self.m / (1 - self.beta1**self.t)
        v_hat = self.v / (1 - self.beta2**self.t)
        # END SOLUTION
        self.w = self.w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return self.w

# %%
check.check_tiny_adam(TinyAdam)

# %% [markdown]
# Why it matters: without the correction, the first steps have the wrong size (here too
# large; with other betas, too small), and it takes hundreds of steps to wash out. In RL,
# where a fresh network starts learning from scratch and targets move, those first
# steps matter.

# %% [markdown]
# ## Extra practice
#
# 1. In the valley plot, raise SGD's learning rate from 0.07 to 0.09. What happens, and
#    why? (Hint: the steep direction has curvature 25; what did section 2 say about
#    $\eta \times$ curvature?)
# 2. Add `nn.RMSprop(p, lr=0.1)` to the valley plot. RMSprop is Adam without the first
#    moment and without bias correction.
# 3. Weight decay adds $\lambda w$ to the gradient. Call `nn.SGD(p, lr=0.07,
#    weight_decay=0.5)` in the valley: where does the walk end now?

# %% [markdown]
# ## The same in PyTorch (optional)

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    grads = [np.array([0.5, -1.0, 2.0]) * t for t in range(1, 4)]
    w_t = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w_t], lr=0.1)
    for g in grads:
        opt.zero_grad()
        w_t.grad = torch.tensor(g)
        opt.step()
    try:
        w_mine, m, v = np.array([1.0, -2.0, 3.0]), np.zeros(3), np.zeros(3)
        for t, g in enumerate(grads, start=1):
            w_mine, m, v = adam_step(w_mine, g, m, v, t, lr=0.1)
        print("your Adam matches torch.optim.Adam:", np.allclose(w_mine, w_t.detach().numpy()))
    except NotImplementedError:
        print("Finish exercise 2 first; PyTorch's Adam gives", w_t.detach().numpy())
    except Exception as error:  # a wrong answer: the check above says what to fix
        print(f"your code raised {type(error).__name__}: {error}")

# %% [markdown]
# ## Where this goes in RL
#
# In `nprl/rl/agent.py`, `make_optimizer` builds Adam (or RMSprop, or SGD) over the
# Q-network's parameters, and every `DQNAgent.learn` ends with `self.optimizer.step()`.
# DQN's targets move as the agent learns, so its losses are noisy; Adam's per-weight
# step sizes and a small learning rate (around $10^{-4}$ for Atari) keep it stable.
