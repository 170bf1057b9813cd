"""Layer values: initial weights, dropout masks, penalties, and how the model places them."""

import numpy as np
import pytest

from nnfs_gui.core import config as config_module
from nnfs_gui.core.config import Config
from nnfs_gui.core.net.activations import ACTIVATIONS, ReLU, Softmax
from nnfs_gui.core.net.layers import Dense, Dropout, Regularization
from nnfs_gui.core.net.losses import LOSSES
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.numerics import Numerics


@pytest.mark.parametrize("init, n_in, std", [
    ("book", 400, 0.01), ("he", 400, np.sqrt(2 / 400)), ("xavier", 400, np.sqrt(1 / 400)),
])
def test_initial_weight_scale_and_zero_biases(init, n_in, std):
    layer = Dense(n_in, 300, Numerics(np.random.default_rng(0)), init=init)
    assert layer.weights.dtype == np.float32 and layer.weights.shape == (n_in, 300)
    assert layer.weights.std() == pytest.approx(std, rel=0.02)
    assert abs(layer.weights.mean()) < std * 0.02
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 300)))


def test_dense_forward_is_x_w_plus_b():
    layer = Dense(2, 3, Numerics(np.random.default_rng(0), np.float64))
    layer.weights[:] = [[1, 2, 3], [4, 5, 6]]
    layer.biases[:] = [[0.5, -0.5, 1]]
    out = layer.forward(np.array([[1.0, 1.0], [2.0, 0.0]]))
    np.testing.assert_array_equal(out, [[5.5, 6.5, 10], [2.5, 3.5, 7]])


def test_regularization_loss_values():
    reg = Regularization(l1_weight=0.1, l1_bias=0.2, l2_weight=0.3, l2_bias=0.4)
    layer = Dense(2, 2, Numerics(np.random.default_rng(0), np.float64), regularization=reg)
    layer.weights[:] = [[1, -2], [0, 3]]
    layer.biases[:] = [[-1, 2]]
    expected = 0.1 * 6 + 0.3 * 14 + 0.2 * 3 + 0.4 * 5
    assert layer.regularization_loss() == pytest.approx(expected)
    assert Dense(2, 2, Numerics(np.random.default_rng(0))).regularization_loss() == 0


def test_l1_gradient_sign_is_one_at_zero():
    reg = Regularization(l1_weight=0.5)
    layer = Dense(1, 3, Numerics(np.random.default_rng(0), np.float64), regularization=reg)
    layer.weights[:] = [[-2.0, 0.0, 2.0]]
    layer.forward(np.zeros((1, 1)))
    layer.backward(np.zeros((1, 3)))
    np.testing.assert_array_equal(layer.dweights, [[-0.5, 0.5, 0.5]])


def test_dropout_drops_the_rate_and_rescales_the_rest():
    drop = Dropout(0.25, Numerics(np.random.default_rng(0)))
    x = np.ones((200, 100), dtype=np.float32)
    out = drop.forward(x, training=True)
    kept = out != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # expectation preserved
    np.testing.assert_array_equal(drop.forward(x, training=False), x)


def test_dropout_rate_zero_draws_nothing():
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    drop = Dropout(0.0, Numerics(rng))
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(drop.forward(x, training=True), x)
    assert rng.bit_generator.state == state


def test_relu_and_softmax_values():
    x = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(ReLU().forward(x), [[0, 0, 2]])
    p = Softmax().forward(np.array([[1000.0, 1000.0, 1000.0 + np.log(2)]]))
    np.testing.assert_allclose(p, [[0.25, 0.25, 0.5]])


def test_registries_cover_config_choices():
    assert set(ACTIVATIONS) == set(config_module.ACTIVATIONS)
    assert set(LOSSES) == set(config_module.LOSSES)


def test_model_puts_penalties_and_dropout_on_hidden_layers_only():
    cfg = Config(hidden=(16, 8), l2_weight=5e-4, l2_bias=5e-4, dropout=0.1, activation="tanh")
    model = Model.from_config(cfg, 2, 3, np.random.default_rng(0))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense"]
    assert [d.weights.shape for d in model.dense] == [(2, 16), (16, 8), (8, 3)]
    assert [d.reg.l2_weight for d in model.dense] == [5e-4, 5e-4, 0.0]
    assert [d.rate for d in model.dropouts] == [0.1, 0.1]


def test_binary_model_has_one_sigmoid_output_and_two_probability_columns():
    cfg = Config(classes=2, loss="binary_crossentropy")
    model = Model.from_config(cfg, 2, 2, np.random.default_rng(0))
    assert model.dense[-1].weights.shape == (64, 1)
    x = np.random.default_rng(1).normal(size=(10, 2)).astype(np.float32) * 30
    proba = model.predict_proba(x)
    assert proba.shape == (10, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(model.predict(x), (proba[:, 1] > 0.5).astype(int))
