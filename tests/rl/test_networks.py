"""Q-networks from DQNConfig.network: the auto choice, the CNNs' gradients (finite
differences in float64), uint8/bool input scaling, save/load, and the skipped input
gradient."""

import gymnasium as gym
import numpy as np
import pytest

from nprl.nn import Conv2D, Dense, ImageInput, gradcheck, load, save
from nprl.nn.dueling import DuelingHead
from nprl.rl.config import DQNConfig
from nprl.rl.networks import (
    MINATAR_CONVS,
    NATURE_CONVS,
    build_cnn,
    build_q_network,
    image_layout,
    resolve_network,
)

ATARI = gym.spaces.Box(0, 255, (4, 84, 84), np.uint8)
MINATAR = gym.spaces.Box(0, 1, (10, 10, 4), bool)
TOL = 1e-6


def narrow(convs):
    """The same kernels and strides with 3 channels each: small enough for gradcheck."""
    return tuple((3, kernel, stride) for _, kernel, stride in convs)


@pytest.mark.parametrize("shape, expected", [
    ((4, 84, 84), "nature_cnn"), ((84, 84, 3), "nature_cnn"), ((3, 36, 40), "nature_cnn"),
    ((10, 10, 4), "minatar_cnn"), ((10, 10, 10), "minatar_cnn"), ((4, 35, 84), "minatar_cnn"),
    ((8,), "mlp"), ((2, 3), "mlp"),
])
def test_auto_picks_the_network_from_the_observation_shape(shape, expected):
    assert resolve_network("auto", shape) == expected
    assert resolve_network("mlp", shape) == "mlp"


def test_image_layout_finds_the_channel_axis():
    assert image_layout((4, 84, 84)) == (4, 84, 84, False)
    assert image_layout((10, 10, 7)) == (7, 10, 10, True)
    assert image_layout((10, 10, 10)).channels_last  # MinAtar Seaquest: a tie is HWC
    assert image_layout((210, 160, 3)) == (3, 210, 160, True)


def test_nature_and_minatar_cnns_have_the_papers_layers():
    nature = build_q_network(ATARI, 6, DQNConfig(), rng=np.random.default_rng(0))
    convs = [layer for layer in nature if isinstance(layer, Conv2D)]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs] == [
        (32, 8, 4), (64, 4, 2), (64, 3, 1)]
    dense = [layer for layer in nature if isinstance(layer, Dense)]
    assert [(d.in_features, d.out_features) for d in dense] == [(64 * 7 * 7, 512), (512, 6)]
    minatar = build_q_network(MINATAR, 3, DQNConfig(dueling=True))
    assert isinstance(minatar[0], ImageInput) and minatar[0].channels_last
    assert (minatar[1].in_channels, minatar[1].out_channels) == (4, 16)
    assert minatar[4].in_features == 16 * 8 * 8 and minatar[4].out_features == 128
    assert isinstance(minatar[-1], DuelingHead)
    # Observations in, exactly as the env gives them: uint8 (B, 4, 84, 84), bool (B, 10, 10, 4).
    assert nature.forward(np.zeros((2, 4, 84, 84), np.uint8)).shape == (2, 6)
    assert minatar.forward(np.zeros((2, 10, 10, 4), bool)).shape == (2, 3)


@pytest.mark.parametrize("dueling", [False, True], ids=["plain", "dueling"])
@pytest.mark.parametrize("convs, shape", [
    (narrow(NATURE_CONVS), (2, 36, 37)),     # channels-first, like Atari frames
    (narrow(MINATAR_CONVS), (6, 5, 2)),      # channels-last, like MinAtar
], ids=["nature", "minatar"])
def test_cnn_gradients_match_finite_differences(convs, shape, dueling):
    net = build_cnn(shape, 3, DQNConfig(dueling=dueling, dtype="float64"),
                    np.random.default_rng(0), convs, hidden=5)
    x = np.random.default_rng(1).uniform(0, 1, (2, *shape))
    worst, errors = gradcheck(net, x, return_details=True)
    assert worst < TOL, errors


def test_uint8_frames_are_scaled_once_to_unit_range():
    net = build_q_network(ATARI, 4, DQNConfig(), rng=np.random.default_rng(0))
    frames = np.random.default_rng(1).integers(0, 256, (3, 4, 84, 84), dtype=np.uint8)
    q = net.forward(frames)
    assert q.dtype == np.float32
    # The same network without ImageInput, fed frames / 255 computed by hand.
    reference = frames.astype(np.float64) / 255.0
    for layer in net.layers[1:]:
        reference = layer.predict(reference)
    assert np.allclose(q, reference, rtol=1e-4, atol=1e-5)
    assert np.allclose(net.predict(frames), q, rtol=1e-5, atol=1e-6)


def test_image_input_scales_and_reorders():
    layer = ImageInput(channels_last=True)
    planes = np.random.default_rng(2).random((2, 10, 10, 4)) < 0.3
    out = layer.forward(planes)
    assert out.dtype == np.float32 and out.shape == (2, 4, 10, 10)
    assert np.array_equal(out, planes.transpose(0, 3, 1, 2).astype(np.float32))
    frames = np.array([[[[0, 51, 255]]]], dtype=np.uint8)
    assert np.allclose(ImageInput().forward(frames), [[[[0.0, 0.2, 1.0]]]])
    with pytest.raises(ValueError):
        ImageInput().forward(np.zeros((4, 84, 84), np.uint8))  # a single frame, no batch
    with pytest.raises(ValueError):
        ImageInput().forward(np.zeros((1, 4, 8, 8), np.int8))  # signed: no [0, 1] scale


@pytest.mark.parametrize("space, dueling", [(ATARI, False), (ATARI, True), (MINATAR, False),
                                            (MINATAR, True)])
def test_saved_network_reloads_with_the_same_outputs(tmp_path, space, dueling):
    net = build_q_network(space, 5, DQNConfig(dueling=dueling), rng=np.random.default_rng(3))
    save(net, tmp_path / "q_net")
    again = load(tmp_path / "q_net")
    obs = np.stack([space.sample() for _ in range(2)])
    assert np.array_equal(again.predict(obs), net.predict(obs))
    assert isinstance(again[0], ImageInput) and again[0].channels_last == net[0].channels_last


@pytest.mark.parametrize("space", [ATARI, MINATAR], ids=["nature", "minatar"])
def test_skipping_the_input_gradient_keeps_every_parameter_gradient(space):
    net = build_q_network(space, 4, DQNConfig(dueling=True), rng=np.random.default_rng(4))
    obs = np.stack([space.sample() for _ in range(3)])
    grad_q = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
    net.forward(obs)
    net.zero_grad()
    assert net.backward(grad_q).shape == obs.shape  # the full chain, down to the frames
    full = {name: p.grad.copy() for name, p in net.named_parameters()}

    def forbidden(grad):
        raise AssertionError("an input gradient was computed that nobody needs")

    # ImageInput and the first convolution must get no backward (the convolution gets
    # backward_params, which skips its dL/dx).
    net[0].backward = net[1].backward = forbidden
    net.forward(obs)
    net.zero_grad()
    assert net.backward(grad_q, input_grad=False) is None
    for name, p in net.named_parameters():
        assert np.allclose(p.grad, full[name], rtol=1e-5, atol=1e-6), name
