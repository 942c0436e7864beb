# %% [markdown]
# # Lesson 7: Backpropagation
#
# **Estimated time:** 60 minutes
#
# **What you will learn**
# - what a gradient is, and how to measure one by nudging a number (finite differences);
# - the chain rule, the one idea behind backpropagation;
# - the backward pass of a `Dense` layer and of `ReLU`, written by you in NumPy;
# - how to verify any backward pass against finite differences.
#
# **Where it reappears in RL:** every DQN update ends with a backward pass through the
# Q-network. In nprl that is `q_net.backward(grad_q)` inside `DQNAgent.learn`; in PyTorch
# it is `loss.backward()`. After this lesson, neither holds a mystery.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nprl.nn as nn
from nprl.lessons.checks import lesson07 as check

# %% [markdown]
# ## 1. What a gradient tells us
#
# A network has weights. The loss $L$ is one number that says how wrong the network is.
# To improve, we need to know: if I nudge a weight $w$ a little, how much does $L$ change?
#
# That rate of change is the **derivative** $\frac{dL}{dw}$. For many weights at once, the
# list of all derivatives is the **gradient**. It has the same shape as the weights.

# %% [markdown]
# A tiny example: $L(w) = (3w - 2)^2$. By hand, $\frac{dL}{dw} = 2 (3w - 2) \cdot 3$.
#
# We can also *measure* it: nudge $w$ by a small $\varepsilon$ and see how $L$ moves.

# %%
def loss_of_w(w):
    return (3 * w - 2) ** 2

w = 1.5
by_hand = 2 * (3 * w - 2) * 3
eps = 1e-6
measured = (loss_of_w(w + eps) - loss_of_w(w - eps)) / (2 * eps)
print(f"by hand: {by_hand:.6f}   measured: {measured:.6f}")

# %% [markdown]
# ## 2. Finite differences
#
# The measurement above is the **central difference**:
#
# $$\frac{df}{dx} \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2 \varepsilon}$$
#
# Its error shrinks like $\varepsilon^2$. It is slow (two evaluations per number), so we
# never train with it. But it is the perfect referee: it needs no calculus, so it cannot
# share our mistakes.
#
# For an array $x$, nudge one element at a time and keep the others fixed.

# %% [markdown]
# ### Exercise 1: `numerical_gradient`
#
# Write `numerical_gradient(f, x, eps)`. `f` takes an array and returns one number.
# Return an array of the same shape as `x` whose element `i` is the central difference
# with respect to `x.flat[i]`. Do not leave `x` changed when you return.

# %%
def numerical_gradient(f, x, eps=1e-6):
    # BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + eps
        plus = f(x)
        x.flat[i] = old - eps
        minus = f(x)
        x.flat[i] = old
        grad.flat[i] = (plus - minus) / (2 * eps)
    return grad
    # END SOLUTION

# %%
check.check_numerical_gradient(numerical_gradient)

# %% [markdown]
# The picture: the derivative is the slope of the tangent line. The left plot shows
# $L(w)$ and its tangent at $w = 1.5$. The right plot shows how far the central
# difference is from the true slope, for many step sizes $\varepsilon$. Too large a step
# misses the curve's bend; too small a step drowns in float rounding. Near $10^{-5}$ is
# the sweet spot in float64.

# %%
ws = np.linspace(-0.5, 2.0, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(ws, loss_of_w(ws), label="$L(w) = (3w-2)^2$")
left.plot(ws, loss_of_w(w) + by_hand * (ws - w), "--", label="tangent at w = 1.5")
left.scatter([w], [loss_of_w(w)], color="black", zorder=3)
left.set_ylim(-2, 20)
left.set_xlabel("w")
left.legend()
steps = np.logspace(-12, 0, 40)
f3 = lambda v: np.sin(3 * v)  # a curve with a bend everywhere, true slope 3 cos(3v)
errors = [abs((f3(w + h) - f3(w - h)) / (2 * h) - 3 * np.cos(3 * w)) for h in steps]
right.loglog(steps, np.maximum(errors, 1e-17))
right.set_xlabel("step size $\\varepsilon$")
right.set_ylabel("error of the central difference")
right.set_title("sin(3w) at w = 1.5")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. The chain rule
#
# A network is a chain of simple functions: $x \to y = f(x) \to L = g(y)$. The chain rule
# says how a nudge travels through the chain:
#
# $$\frac{dL}{dx} = \frac{dL}{dy} \cdot \frac{dy}{dx}$$
#
# Read it from the loss backwards. We already know $\frac{dL}{dy}$ (the "upstream"
# gradient). Each function only needs to know its own local derivative $\frac{dy}{dx}$.
# Multiply, and pass the result on to the function before it.
#
# That is all backpropagation is: the chain rule, applied layer by layer, from the loss
# back to the input. Every layer gets $\frac{\partial L}{\partial y}$ and returns
# $\frac{\partial L}{\partial x}$.

# %% [markdown]
# ## 4. The backward pass of a Dense layer
#
# Recall the forward pass (lesson 5), for a batch of $N$ samples:
#
# $$Y = X W + b, \qquad X: (N, \text{in}),\; W: (\text{in}, \text{out}),\; b: (\text{out},),\; Y: (N, \text{out})$$
#
# Call the upstream gradient $G = \frac{\partial L}{\partial Y}$, shape $(N, \text{out})$.
# The chain rule gives three results:
#
# $$\frac{\partial L}{\partial W} = X^\top G \qquad
#   \frac{\partial L}{\partial b} = \sum_{n=1}^{N} G_{n,:} \qquad
#   \frac{\partial L}{\partial X} = G\, W^\top$$
#
# A trick to remember them: **the shapes tell you where the transpose goes.**
# $\frac{\partial L}{\partial W}$ must have W's shape $(\text{in}, \text{out})$; the only
# way to get it from $X$ $(N, \text{in})$ and $G$ $(N, \text{out})$ is $X^\top G$.
# The bias was added to every row, so its gradient sums over the batch axis (axis 0).

# %% [markdown]
# ### Exercise 2: `dense_backward`
#
# Given the input `x`, the weight `W` and the upstream gradient `grad_y`, return
# `(grad_x, grad_W, grad_b)`. The check compares with `nprl.nn.Dense.backward` and with
# finite differences.

# %%
def dense_backward(x, W, grad_y):
    # BEGIN SOLUTION
    grad_W = x.T @ grad_y
    grad_b = grad_y.sum(axis=0)
    grad_x = grad_y @ W.T
    return grad_x, grad_W, grad_b
    # END SOLUTION

# %%
check.check_dense_backward(dense_backward)

# %% [markdown]
# ## 5. The backward pass of ReLU
#
# $\text{ReLU}(x) = \max(x, 0)$. Its local derivative is 1 where $x > 0$ and 0
# elsewhere. So the gradient passes through where the input was positive, and is
# blocked where it was not:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \odot [x > 0]$$
#
# ($\odot$ means element by element.)

# %% [markdown]
# ### Exercise 3: `relu_backward`
#
# Given the forward input `x` and the upstream gradient `grad_y`, return `grad_x`.

# %%
def relu_backward(x, grad_y):
    # BEGIN SOLUTION
    return grad_y * (x > 0)
    # END SOLUTION

# %%
check.check_relu_backward(relu_backward)

# %% [markdown]
# ## 6. A whole network, backwards
#
# A network runs its layers forward in order, and backward in reverse order. nprl's
# `Sequential.backward` is exactly that loop. `nn.gradcheck` compares every gradient of a
# network with finite differences and returns the largest relative error. Below
# $10^{-6}$ means the backward pass is right.

# %%
net = nn.Sequential(nn.Dense(3, 5, rng=0), nn.ReLU(), nn.Dense(5, 2, rng=1))
x = np.random.default_rng(0).normal(size=(4, 3))
print("largest relative error:", nn.gradcheck(net, x))

# %% [markdown]
# ### Debug exercise: a backward pass that runs, but lies
#
# The two-layer backward pass below has one planted bug. It runs without an error,
# because `W1` happens to be square, so the shapes still fit. But one gradient is wrong.
# Find the bug and fix it. The check compares with finite differences.
#
# Hint: go line by line and ask, for each product, "does the transpose sit where the
# shapes say it should?"

# %%
def two_layer_backward(x, W1, b1, W2, b2, grad_out):
    """Gradients of y = relu(x @ W1 + b1) @ W2 + b2, given grad_out = dL/dy."""
    h_pre = x @ W1 + b1
    h = np.maximum(h_pre, 0)
    grad_W2 = h.T @ grad_out
    grad_b2 = grad_out.sum(axis=0)
    grad_h = grad_out @ W2.T
    grad_h_pre = grad_h * (h_pre > 0)
    grad_W1 = x.T @ grad_h_pre
    grad_b1 = grad_h_pre.sum(axis=0)
    # BEGIN BUGGY
    grad_x = grad_h_pre @ W1
    # END BUGGY
    # BEGIN SOLUTION
    grad_x = grad_h_pre @ W1.T
    # END SOLUTION
    return grad_x, grad_W1, grad_b1, grad_W2, grad_b2

# %%
check.check_two_layer_backward(two_layer_backward)

# %% [markdown]
# Why was this bug so quiet? Because a square matrix and its transpose have the same
# shape. Shape errors are loud; this one was not. That is why we verify every new
# backward pass against finite differences before we trust it.

# %% [markdown]
# ## Extra practice
#
# 1. The sigmoid $\sigma(x) = 1 / (1 + e^{-x})$ has the derivative $\sigma(x)(1 - \sigma(x))$.
#    Write `sigmoid_backward(x, grad_y)` and compare it with
#    `numerical_gradient(lambda v: np.sum(1 / (1 + np.exp(-v)) * g), x)` for a fixed `g`.
# 2. Run `nn.gradcheck` on `nn.Sequential(nn.Dense(4, 4), nn.Tanh(), nn.Dense(4, 1))`.
#    Below $10^{-6}$ means right. Then compare the buggy `grad_x = grad_h_pre @ W1` with
#    your `numerical_gradient`: how large is the difference?
# 3. Why does the bias gradient sum over axis 0 and not axis 1? Try `axis=1` in
#    `dense_backward` and read the hint the check gives you.

# %% [markdown]
# ## The same in PyTorch (optional)
#
# PyTorch computes the same three gradients for you with `loss.backward()`. One
# difference: `torch.nn.Linear` stores its weight as `(out, in)`, the transpose of ours.

# %%
try:
    import torch
except ImportError:
    print("PyTorch is not installed; this cell is optional.")
else:
    rng = np.random.default_rng(0)
    x_np, W_np = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    g_np = rng.normal(size=(4, 2))
    x_t = torch.tensor(x_np, requires_grad=True)
    W_t = torch.tensor(W_np, requires_grad=True)
    b_t = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    y_t = x_t @ W_t + b_t
    (y_t * torch.tensor(g_np)).sum().backward()  # the upstream gradient is g
    try:
        mine = dense_backward(x_np, W_np, g_np)
        print("grad_W agrees with PyTorch:", np.allclose(mine[1], W_t.grad.numpy()))
    except NotImplementedError:
        print("Finish exercise 2 first; PyTorch's grad_W is:\n", W_t.grad.numpy())
    except Exception as error:  # a wrong answer: the check above says what to fix
        print(f"your code raised {type(error).__name__}: {error}")

# %% [markdown]
# ## Where this goes in RL
#
# In DQN the loss compares $Q(s, a)$ with a target. Its gradient with respect to the
# network's output is zero everywhere except at the action taken. That gradient enters
# the last `Dense` layer and flows back, layer by layer, exactly as you wrote it today.
# Read `DQNAgent.learn` in `nprl/rl/agent.py`: after the loss, it calls
# `self.q_net.backward(grad_q)`. Lesson 8 uses these gradients to move the weights.
