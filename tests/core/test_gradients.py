"""Every backward pass agrees with central finite differences of its forward (float64)."""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.net.activations import ACTIVATIONS, Softmax
from nnfs_gui.core.net.engines import LayerEngine
from nnfs_gui.core.net.layers import Dense, Dropout, Regularization
from nnfs_gui.core.net.losses import (
    LOSSES,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
    MeanSquaredError,
)
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.numerics import Numerics

STEP = 1e-6


def numeric_gradient(f, x: np.ndarray) -> np.ndarray:
    """d f / d x by central differences; f() reads x, which is perturbed in place."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + STEP
        up = f()
        x[i] = old - STEP
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * STEP)
    return grad


def assert_close(analytic, numeric):
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def f64(rng):
    return Numerics(rng, np.float64)


@pytest.mark.parametrize("reg", [
    Regularization(),
    Regularization(l1_weight=0.03, l1_bias=0.02),
    Regularization(l2_weight=0.05, l2_bias=0.04),
    Regularization(0.01, 0.02, 0.03, 0.04),
], ids=["plain", "l1", "l2", "l1+l2"])
def test_dense_gradients_with_regularization(rng, reg):
    layer = Dense(3, 4, f64(rng), init="he", regularization=reg)
    layer.biases[:] = rng.normal(size=(1, 4))  # non-zero, away from the L1 kink
    x = rng.normal(size=(5, 3))
    r = rng.normal(size=(5, 4))

    def total_loss():
        return np.sum(layer.forward(x) * r) + layer.regularization_loss()

    layer.forward(x)
    dx = layer.backward(r)
    assert_close(layer.dweights, numeric_gradient(total_loss, layer.weights))
    assert_close(layer.dbiases, numeric_gradient(total_loss, layer.biases))
    assert_close(dx, numeric_gradient(total_loss, x))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(rng, name):
    act = ACTIVATIONS[name]()
    x = rng.normal(size=(6, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep clear of ReLU's kink
    r = rng.normal(size=(6, 4))
    act.forward(x)
    analytic = act.backward(r)
    assert_close(analytic, numeric_gradient(lambda: np.sum(act.forward(x) * r), x))


def test_softmax_gradient(rng):
    act = Softmax()
    x = rng.normal(size=(5, 3))
    r = rng.normal(size=(5, 3))
    act.forward(x.copy())
    analytic = act.backward(r)
    assert_close(analytic, numeric_gradient(lambda: np.sum(act.forward(x.copy()) * r), x))


def test_dropout_gradient_with_its_mask(rng):
    drop = Dropout(0.3, f64(rng))
    x = rng.normal(size=(50, 8))
    r = rng.normal(size=(50, 8))
    drop.forward(x)
    mask = drop.mask
    analytic = drop.backward(r)
    assert_close(analytic, numeric_gradient(lambda: np.sum(x * mask * r), x))
    assert set(np.unique(mask)) <= {0.0, 1 / 0.7}


def _probabilities(rng, n, k):
    p = rng.uniform(0.05, 1.0, size=(n, k))
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("make_case", [
    lambda rng: (CategoricalCrossentropy(), _probabilities(rng, 6, 3),
                 rng.integers(0, 3, size=6)),
    lambda rng: (BinaryCrossentropy(), rng.uniform(0.05, 0.95, size=(6, 1)),
                 rng.integers(0, 2, size=(6, 1)).astype(float)),
    lambda rng: (MeanSquaredError(), rng.normal(size=(6, 3)), np.eye(3)[[0, 1, 2, 0, 1, 2]]),
    lambda rng: (MeanAbsoluteError(), rng.normal(size=(6, 3)), np.eye(3)[[0, 1, 2, 0, 1, 2]]),
], ids=["categorical_ce", "binary_ce", "mse", "mae"])
def test_loss_gradients(rng, make_case):
    loss, pred, target = make_case(rng)
    analytic = loss.backward(pred, target)
    numeric = numeric_gradient(lambda: np.mean(loss.forward(pred, target)), pred)
    assert_close(analytic, numeric)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_output_head_gradient_with_respect_to_logits(rng, name):
    """The fused softmax+CE backward and the chained heads give d mean-loss / d logits."""
    head = LOSSES[name]()
    n_classes = 2 if name == "binary_crossentropy" else 3
    z = rng.normal(size=(7, head.n_units(n_classes)))
    targets = head.targets(rng.integers(0, n_classes, size=7), n_classes, np.float64)
    output, _ = head.forward(z.copy(), targets)
    analytic = head.backward(output, targets)
    numeric = numeric_gradient(lambda: head.forward(z.copy(), targets)[1], z)
    assert_close(analytic, numeric)


def test_whole_model_gradient_includes_hidden_regularization(rng):
    """Two tanh hidden layers with L1+L2: backprop equals d(data + reg loss)/d params."""
    config = Config(hidden=(5, 4), activation="tanh", init="he", l1_weight=0.01,
                    l1_bias=0.01, l2_weight=0.02, l2_bias=0.02)
    model = Model.from_config(config, 2, 3, rng)
    model.num = Numerics(rng, np.float64)
    for layer in model.dense:
        layer.num = model.num
        layer.weights = layer.weights.astype(np.float64)
        layer.biases = rng.normal(size=layer.biases.shape)
    model.params = [p for layer in model.dense for p in layer.params]
    layers = LayerEngine(model)  # the layer-by-layer path (book mode's engine)
    x = rng.normal(size=(8, 2))
    y = rng.integers(0, 3, size=8)

    def total_loss():
        output, data_loss = model.head.forward(layers.forward(x, True), y)
        return data_loss + model.regularization_loss()

    output, _ = model.head.forward(layers.forward(x, True), y)
    layers.backward(model.head.backward(output, y))
    for param, grad in zip(model.params, layers.grads(), strict=True):
        assert_close(grad, numeric_gradient(total_loss, param))
    # The output layer carries no penalty.
    assert model.dense[-1].regularization_loss() == 0
