"""nprl.nn: a neural-network engine in NumPy with hand-written backward passes.

Every layer implements ``forward`` (and ``predict`` for inference) next to its
``backward``; optimizers follow PyTorch's update rules; ``gradcheck`` verifies any layer
against finite differences; ``save``/``load`` use JSON and ``.npy`` only (no pickle).

>>> import numpy as np
>>> from nprl.nn import Sequential, Dense, ReLU, HuberLoss, Adam
>>> net = Sequential(Dense(4, 256, init="he_uniform"), ReLU(), Dense(256, 2))
>>> opt, loss = Adam(net.parameters(), lr=1e-3), HuberLoss()
>>> x, y = np.zeros((64, 4), np.float32), np.zeros((64, 2), np.float32)
>>> value = loss(net(x), y); opt.zero_grad(); net.backward(loss.backward()); opt.step()
"""

from nprl.nn.activations import ACTIVATIONS, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nprl.nn.batchnorm import BatchNorm
from nprl.nn.clip import clip_grad_norm, grad_norm
from nprl.nn.conv import Conv2D
from nprl.nn.dense import Dense
from nprl.nn.dropout import Dropout
from nprl.nn.dueling import DuelingHead
from nprl.nn.gradcheck import gradcheck, gradcheck_loss
from nprl.nn.image import ImageInput, input_scale
from nprl.nn.init import (
    INITIALIZERS,
    glorot_seed,
    he_normal,
    he_uniform,
    xavier_normal,
    xavier_uniform,
    zeros,
)
from nprl.nn.layer import LAYER_TYPES, Layer, layer_from_config, register_layer
from nprl.nn.losses import CrossEntropyLoss, HuberLoss, Loss, MSELoss
from nprl.nn.optimizers import OPTIMIZERS, SGD, Adam, AdamW, Optimizer, RMSprop
from nprl.nn.parameter import Parameter
from nprl.nn.pooling import MaxPool2D
from nprl.nn.reshape import Flatten
from nprl.nn.residual import Residual
from nprl.nn.sequential import Sequential
from nprl.nn.serialization import load, save

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LAYER_TYPES",
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "AdamW",
    "BatchNorm",
    "Conv2D",
    "CrossEntropyLoss",
    "Dense",
    "Dropout",
    "DuelingHead",
    "Flatten",
    "HuberLoss",
    "Identity",
    "ImageInput",
    "Layer",
    "LeakyReLU",
    "Loss",
    "MSELoss",
    "MaxPool2D",
    "Optimizer",
    "Parameter",
    "RMSprop",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "clip_grad_norm",
    "glorot_seed",
    "grad_norm",
    "gradcheck",
    "gradcheck_loss",
    "he_normal",
    "he_uniform",
    "input_scale",
    "layer_from_config",
    "load",
    "register_layer",
    "save",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]
