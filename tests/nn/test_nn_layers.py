"""Conv2D, MaxPool2D, BatchNorm, Dropout, Flatten, Residual: gradients and behaviour."""

import numpy as np
import pytest

from nprl.nn import (
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    ImageInput,
    MaxPool2D,
    ReLU,
    Residual,
    Sequential,
    Tanh,
    gradcheck,
    layer_from_config,
    space_to_depth,
)

TOL = 1e-6


def batch(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("layer", [
    Conv2D(3, 4, 3, rng=0),
    Conv2D(3, 4, (3, 2), stride=2, padding=1, rng=0),
    Conv2D(3, 2, 3, stride=(2, 1), padding=(0, 2), bias=False, rng=0),
    Conv2D(3, 2, 1, rng=0),
    Conv2D(3, 4, 4, stride=2, rng=0),  # stride divides kernel: the space-to-depth path
    Conv2D(3, 2, (4, 3), stride=(2, 3), rng=0),
    MaxPool2D(2), MaxPool2D(3, stride=2), MaxPool2D(2, stride=1), MaxPool2D((2, 3)),
    BatchNorm(3), BatchNorm(3).eval(), Flatten(), Dropout(0.3, rng=0), Dropout(0.3).eval(),
], ids=repr)
def test_image_layer_gradients_match_finite_differences(layer):
    assert gradcheck(layer, batch(2, 3, 7, 6)) < TOL


def test_batchnorm_on_features_and_residual_gradients():
    net = Sequential(Dense(5, 5, rng=0), BatchNorm(5),
                     Residual(Sequential(Dense(5, 5, rng=1), Tanh())), Dropout(0.2, rng=2))
    assert gradcheck(net, batch(6, 5)) < TOL


def test_small_cnn_with_batchnorm_gradients():
    net = Sequential(Conv2D(1, 3, 3, padding=1, rng=0), BatchNorm(3), ReLU(), MaxPool2D(2),
                     Flatten(), Dense(3 * 3 * 3, 2, rng=1))
    assert gradcheck(net, batch(3, 1, 6, 6)) < TOL


def test_conv_matches_a_direct_loop_over_positions():
    layer = Conv2D(2, 3, 3, stride=2, padding=1, rng=0).astype(np.float64)
    layer.bias.data[...] = [0.5, -1.0, 2.0]
    x = batch(2, 2, 5, 5)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.zeros((2, 3, 3, 3))
    for i in range(3):
        for j in range(3):
            patch = xp[:, :, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3]
            expected[:, :, i, j] = np.einsum("ncpq,ocpq->no", patch, layer.weight.data)
    expected += layer.bias.data[None, :, None, None]
    np.testing.assert_allclose(layer(x), expected, rtol=1e-12)
    np.testing.assert_allclose(layer.predict(x), expected, rtol=1e-12)


def test_maxpool_takes_window_maxima():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(MaxPool2D(2)(x)[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(MaxPool2D(2).predict(x)[0, 0], [[5, 7], [13, 15]])


def test_batchnorm_train_normalises_and_tracks_unbiased_running_stats():
    x = batch(8, 4) * 3 + 2
    bn = BatchNorm(4, momentum=0.5).astype(np.float64)
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1, rtol=1e-4)
    np.testing.assert_allclose(bn.running_mean, 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1))
    bn.eval()
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)
    np.testing.assert_allclose(bn(x), expected)
    np.testing.assert_allclose(bn.predict(x), expected)


def test_dropout_is_identity_in_eval_and_scales_kept_units_in_train():
    x = np.ones((1000, 10), np.float32)
    layer = Dropout(0.25, rng=0)
    y = layer(x)
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    assert layer.predict(x) is x
    layer.eval()
    assert layer(x) is x


def test_residual_adds_the_input():
    inner = Dense(3, 3, rng=0)
    x = batch(2, 3).astype(np.float32)
    np.testing.assert_allclose(Residual(inner)(x), x + inner.predict(x), rtol=1e-6)
    with pytest.raises(ValueError, match="changed the shape"):
        Residual(Dense(3, 2))(x)


def test_image_layers_reject_wrong_shapes_clearly():
    with pytest.raises(ValueError, match=r"NCHW input \(N, 3, H, W\)"):
        Conv2D(3, 4, 3)(np.zeros((2, 4, 5, 5)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        Conv2D(3, 4, 5)(np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match="BatchNorm"):
        BatchNorm(3)(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"Dropout probability must be in \[0, 1\)"):
        Dropout(1.0)


@pytest.mark.parametrize("kernel, stride", [(8, 4), (4, 2), ((4, 3), (2, 3)), (2, (2, 1))])
def test_conv_space_to_depth_path_equals_im2col_path(kernel, stride):
    # The same input in channels-first memory (space-to-depth path) and in channels-last
    # memory (im2col path) must give the same output and gradients; 19 and 22 pixels
    # leave rows and columns that no window reads.
    x = batch(3, 2, 19, 22, seed=4)
    nhwc_memory = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    results = []
    for inputs in (x, nhwc_memory):
        conv = Conv2D(2, 5, kernel, stride=stride, rng=0).astype(np.float64)
        y = conv.forward(inputs)
        g = batch(*y.shape, seed=5)
        results.append((y, conv.predict(inputs), conv.backward(g), conv.weight.grad.copy(),
                        conv.bias.grad.copy()))
    assert (conv._blocks is None) and conv._cols is not None  # the second went by im2col
    for blocks, im2col in zip(*results):
        np.testing.assert_allclose(blocks, im2col, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", [0, 1])
def test_conv_reads_any_input_memory_alike(padding):
    # im2col copies whole kernel rows at once from contiguous input of the layer's dtype,
    # value by value otherwise (other dtypes, strided or read-only memory): same result.
    x = batch(2, 10, 9, 3, seed=9)  # channels-last memory, as MinAtar's frames
    conv = Conv2D(3, 4, 3, padding=padding, rng=0)
    expected = conv.predict(x.astype(np.float32).transpose(0, 3, 1, 2))
    read_only = x.astype(np.float32)
    read_only.flags.writeable = False
    wide = np.zeros((2, 10, 18, 3), np.float32)
    wide[:, :, ::2] = x
    for inputs in (x.transpose(0, 3, 1, 2),  # float64 into a float32 layer
                   read_only.transpose(0, 3, 1, 2), wide[:, :, ::2].transpose(0, 3, 1, 2),
                   np.ascontiguousarray(x.astype(np.float32).transpose(0, 3, 1, 2))):
        np.testing.assert_allclose(conv.forward(inputs), expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(conv.predict(inputs), expected, rtol=1e-6, atol=1e-6)


def test_space_to_depth_blocks_equal_a_plain_rearrangement_for_any_dtype():
    # Same dtype: runs of sw pixels copied as one item; float64 into float32: the
    # element-wise fallback. 19 x 22 pixels leave a row and columns no block reads.
    x = batch(3, 2, 19, 22, seed=9)
    expected = x[:, :, :18, :21].reshape(3, 2, 6, 3, 7, 3).transpose(0, 2, 4, 1, 3, 5)
    for source in (x.astype(np.float32), x):
        out = np.empty((3, 6, 7, 2, 3, 3), np.float32)
        blocks = space_to_depth.to_blocks(source, (3, 3), out)
        np.testing.assert_array_equal(blocks, expected.astype(np.float32).reshape(3, 6, 7, 18))


def test_space_to_depth_weight_gradient_is_the_same_summed_in_row_pieces(monkeypatch):
    # Nature's first layer sums dW over pieces of 2048 rows; tests' inputs fit in one.
    blocks, grad_rows = batch(2, 5, 6, 8, seed=12), batch(60, 3, seed=13)
    args = (blocks, grad_rows, (2, 2), (2, 2), (3, 2, 4, 4))
    whole = space_to_depth.weight_gradient(*args)
    monkeypatch.setattr(space_to_depth, "WEIGHT_GRADIENT_ROWS", 7)
    np.testing.assert_allclose(space_to_depth.weight_gradient(*args), whole, rtol=1e-12)


@pytest.mark.parametrize("channels_last, kernel, stride", [
    (False, 4, 2),  # the space-to-depth path: frames rearranged, then converted
    (False, 3, 1),  # im2col: the convolution asks for the converted frames
    (True, 4, 2),  # channels-last frames: converted in their own memory order, then im2col
])
def test_deferred_frames_give_the_same_numbers_as_converted_ones(channels_last, kernel, stride):
    rng = np.random.default_rng(10)
    frames = rng.integers(0, 256, (2, 10, 11, 3) if channels_last else (2, 3, 10, 11),
                          dtype=np.uint8)
    results = []
    for defer in (False, True):
        net = Sequential(ImageInput(channels_last=channels_last, defer=defer),
                         Conv2D(3, 4, kernel, stride=stride, rng=0))
        y = net.forward(frames)
        g = batch(*y.shape, seed=11).astype(np.float32)
        results.append((y, net.predict(frames), net.backward(g), net[1].weight.grad.copy()))
    for converted, deferred in zip(*results):
        np.testing.assert_array_equal(deferred, converted)
    deferred = ImageInput(channels_last=channels_last, defer=True).forward(frames)
    np.testing.assert_array_equal(np.asarray(deferred),
                                  ImageInput(channels_last=channels_last).forward(frames))
    assert layer_from_config({"type": "ImageInput"}).defer is False  # configs saved before


@pytest.mark.parametrize("kernel, stride", [(3, 1), (4, 2)], ids=["im2col", "space_to_depth"])
def test_conv_predict_between_forward_and_backward_leaves_the_gradients_alone(kernel, stride):
    # DQN's update runs the target network's predict, and double DQN the online one's,
    # between forward and backward: reused buffers must not mix the two.
    x, other = batch(2, 3, 10, 10, seed=6), batch(2, 3, 10, 10, seed=7)
    reference, conv = (Conv2D(3, 4, kernel, stride=stride, rng=0).astype(np.float64)
                       for _ in range(2))
    g = batch(*reference.forward(x).shape, seed=8)
    expected = reference.backward(g)
    y = conv.forward(x)
    y_other = conv.predict(other)
    np.testing.assert_array_equal(conv.backward(g), expected)
    np.testing.assert_array_equal(conv.weight.grad, reference.weight.grad)
    assert not np.allclose(y, y_other)
    np.testing.assert_array_equal(y, reference.predict(x))  # forward's output kept too


def test_flatten_gives_the_gradient_back_in_the_input_memory_order():
    nhwc = batch(2, 4, 5, 3)  # channels-last memory behind an NCHW view, as Conv2D returns
    x = nhwc.transpose(0, 3, 1, 2)
    flatten = Flatten()
    y = flatten.forward(x)
    np.testing.assert_array_equal(y, np.ascontiguousarray(x).reshape(2, -1))  # (C, H, W) order
    g = batch(*y.shape, seed=1)
    for gradient in (g, np.asfortranarray(g)):  # row-major, and transposed as Dense's dx
        grad = flatten.backward(gradient)
        np.testing.assert_array_equal(grad, g.reshape(x.shape))
        assert grad.strides == x.strides


@pytest.mark.parametrize("case", ["conv_k3_s2_p1", "conv_k8_s4_p0"])
def test_conv_matches_torch(case, torch_reference):
    # PyTorch's Conv2d, stored by tests/reference/make_torch_references.py (CI has no torch):
    # im2col (3x3, stride 2, padding 1) and Nature's first layer (8x8, stride 4).
    ref = {name.partition(".")[2]: value for name, value in torch_reference.arrays.items()
           if name.startswith(case + ".")}
    kernel, stride, padding = torch_reference.settings["convs"][case]
    conv = Conv2D(3, 4, kernel, stride=stride, padding=padding, rng=0).astype(np.float64)
    conv.weight.data[...] = ref["weight"]
    conv.bias.data[...] = ref["bias"]
    np.testing.assert_allclose(conv(ref["x"]), ref["out"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.backward(ref["grad_out"]), ref["grad_x"], rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(conv.weight.grad, ref["grad_weight"], rtol=1e-10)
    np.testing.assert_allclose(conv.bias.grad, ref["grad_bias"], rtol=1e-10)


def test_batchnorm_matches_torch(torch_reference):
    # Two training-mode passes of PyTorch's BatchNorm2d (stored, as above).
    ref = torch_reference.arrays
    bn = BatchNorm(3).astype(np.float64)
    for _ in range(2):
        out = bn(ref["batchnorm.x"])
    np.testing.assert_allclose(out, ref["batchnorm.out"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bn.running_var, ref["batchnorm.running_var"], rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean, ref["batchnorm.running_mean"], rtol=1e-12)


def test_maxpool_fast_path_equals_the_window_path_even_with_ties():
    # Stride == kernel takes the strided-views path; compare it with windows cut out by
    # sliding_window_view and an argmax per window, computed here by hand.
    x = np.maximum(batch(3, 2, 7, 9), 0).astype(np.float32)  # many tied zeros
    x[0, 0, :2, :2] = 1.0  # an exact tie of positive values
    layer = MaxPool2D(2)
    y = layer(x)
    g = batch(*y.shape, seed=4).astype(np.float32)
    dx = layer.backward(g)
    windows = np.lib.stride_tricks.sliding_window_view(x, (2, 2), axis=(2, 3))[:, :, ::2, ::2]
    flat = windows[:, :, :3, :4].reshape(3, 2, 3, 4, 4)
    np.testing.assert_array_equal(y, flat.max(axis=-1))
    np.testing.assert_array_equal(layer.predict(x), y)
    winner = flat.argmax(axis=-1)  # first maximum wins, as in PyTorch
    expected = np.zeros_like(x)
    for i in range(2):
        for j in range(2):
            expected[:, :, i:6:2, j:8:2] = np.where(winner == 2 * i + j, g, 0)
    np.testing.assert_array_equal(dx, expected)


def test_every_layer_keeps_float32_end_to_end():
    from nprl.nn import CrossEntropyLoss, LeakyReLU, Sigmoid, Softmax

    net = Sequential(Conv2D(1, 2, 3, padding=1, rng=0), BatchNorm(2), LeakyReLU(), MaxPool2D(2),
                     Dropout(0.1, rng=1), Flatten(), Dense(8, 8, rng=2), Sigmoid(),
                     Residual(Sequential(Dense(8, 8, rng=3), Tanh())), Dense(8, 3, rng=4),
                     Softmax())
    x = batch(4, 1, 4, 4)  # float64 input is converted once, at the first layer
    y = net(x)
    loss = CrossEntropyLoss()
    loss(y, np.array([0, 1, 2, 0]))
    grad_x = net.backward(loss.backward())
    assert y.dtype == np.float32 and grad_x.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in net.parameters())
    assert net.predict(x).dtype == np.float32
