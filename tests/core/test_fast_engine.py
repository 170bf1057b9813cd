"""The normal-mode fast path (core/fastpath.py) against a straightforward float64 network.

The reference below is written from DESIGN.md's formulas, layer by layer, in float64
with numpy's plain row layout; the fast path runs float32 on flat transposed buffers.
For a few epochs they must agree within float32 tolerance: training loss and its
parts, validation loss, accuracy, and the weights after the updates.
"""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.net.fastpath import FastEngine
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.numerics import Numerics

HIDDEN_ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(np.float64)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
}


class Reference64:
    """Dense/activation stack + softmax cross-entropy + L1/L2 + optimizer, float64."""

    def __init__(self, config: Config, params: list[np.ndarray]) -> None:
        self.cfg = config
        self.params = [np.array(p, dtype=np.float64) for p in params]
        self.state = [{} for _ in self.params]
        self.iterations = 0
        self.act, self.act_grad = HIDDEN_ACTIVATIONS[config.activation]

    def forward(self, x):
        """-> (inputs of each Dense layer, probabilities (n, classes))."""
        inputs, a = [], x
        ws, bs = self.params[0::2], self.params[1::2]
        for w, b in zip(ws[:-1], bs[:-1], strict=True):
            inputs.append(a)
            a = self.act(a @ w + b)
        inputs.append(a)
        z = a @ ws[-1] + bs[-1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return inputs, e / e.sum(axis=1, keepdims=True)

    def data_loss(self, probs, y) -> float:
        picked = np.clip(probs[np.arange(len(y)), y], 1e-7, 1 - 1e-7)
        return float(np.mean(-np.log(picked)))

    def penalty(self):
        """(loss, gradients) of L1/L2 on the hidden layers' weights and biases."""
        c = self.cfg
        strengths = [(c.l1_weight, c.l2_weight), (c.l1_bias, c.l2_bias)]
        loss, grads = 0.0, [np.zeros_like(p) for p in self.params]
        for i, p in enumerate(self.params[:-2]):
            l1, l2 = strengths[i % 2]
            loss += l1 * np.abs(p).sum() + l2 * (p * p).sum()
            grads[i] = l1 * np.where(p < 0, -1.0, 1.0) + 2 * l2 * p
        return loss, grads

    def gradients(self, x, y):
        inputs, probs = self.forward(x)
        d = probs.copy()
        d[np.arange(len(y)), y] -= 1
        d /= len(y)
        reg_loss, grads = self.penalty()
        for layer in range(len(inputs) - 1, -1, -1):
            grads[2 * layer] += inputs[layer].T @ d
            grads[2 * layer + 1] += d.sum(axis=0, keepdims=True)
            if layer:
                d = (d @ self.params[2 * layer].T) * self.act_grad(inputs[layer])
        acc = float(np.mean(probs.argmax(axis=1) == y))
        return self.data_loss(probs, y), reg_loss, acc, grads

    def update(self, grads) -> None:
        c = self.cfg
        lr = c.learning_rate / (1 + c.decay * self.iterations)
        t = self.iterations + 1
        for p, g, s in zip(self.params, grads, self.state, strict=True):
            if c.optimizer == "sgd":
                s["m"] = c.momentum * s.get("m", 0) - lr * g
                p += s["m"]
            elif c.optimizer == "adagrad":
                s["c"] = s.get("c", 0) + g * g
                p -= lr * g / (np.sqrt(s["c"]) + c.epsilon)
            elif c.optimizer == "rmsprop":
                s["c"] = c.rho * s.get("c", 0) + (1 - c.rho) * g * g
                p -= lr * g / (np.sqrt(s["c"]) + c.epsilon)
            else:
                s["m"] = c.beta1 * s.get("m", 0) + (1 - c.beta1) * g
                s["v"] = c.beta2 * s.get("v", 0) + (1 - c.beta2) * g * g
                m_hat, v_hat = s["m"] / (1 - c.beta1 ** t), s["v"] / (1 - c.beta2 ** t)
                p -= lr * m_hat / (np.sqrt(v_hat) + c.epsilon)
        self.iterations += 1

    def epoch(self, x, y, x_val, y_val, order=None):
        """One epoch -> (loss, data_loss, reg_loss, acc, val_loss, val_acc)."""
        _, val_probs = self.forward(x_val)
        val = (self.data_loss(val_probs, y_val),
               float(np.mean(val_probs.argmax(axis=1) == y_val)))
        batch = self.cfg.batch_size or len(x)
        order = np.arange(len(x)) if order is None else order
        totals = np.zeros(4)
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            data_loss, reg_loss, acc, grads = self.gradients(x[idx], y[idx])
            self.update(grads)
            totals += len(idx) * np.array([data_loss + reg_loss, data_loss, reg_loss, acc])
        return (*(totals / len(x)), *val)


@pytest.fixture(scope="module")
def data():
    """Unbalanced classes (so no gradient is ~0 by symmetry), train and validation."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(90, 2)).astype(np.float32)
    y = np.where(x[:, 0] > 0.3, 0, np.where(x[:, 1] > 0, 1, 2))
    x_val = rng.normal(size=(40, 2)).astype(np.float32)
    y_val = np.where(x_val[:, 0] > 0.3, 0, np.where(x_val[:, 1] > 0, 1, 2))
    return x, y, x_val, y_val


OPTIMIZER_SETTINGS = {
    "sgd": {"learning_rate": 0.5, "momentum": 0.9},
    "adagrad": {"learning_rate": 0.2},
    "rmsprop": {"learning_rate": 0.01},
    "adam": {"learning_rate": 0.02},
}
PENALTIES = {
    "none": {},
    "l1": {"l1_weight": 1e-3, "l1_bias": 5e-4},
    "l2": {"l2_weight": 2e-3, "l2_bias": 1e-3},
}


def run_both(data, epochs=5, seed=0, **settings):
    """Train the project's model (fast path) and the float64 reference side by side."""
    x, y, x_val, y_val = data
    config = Config(hidden=(16, 8), init="he", decay=1e-2, **settings)
    model = Model.from_config(config, 2, 3, np.random.default_rng(seed))
    assert isinstance(model.engine, FastEngine)
    ref = Reference64(config, model.get_params())
    rows = []
    for e in range(epochs):
        order = None
        rng = np.random.default_rng(100 + e)
        if config.batch_size and config.shuffle:
            order = np.random.default_rng(100 + e).permutation(len(x))
        stats = model.train_epoch(x, y, config.batch_size, config.shuffle, rng, x_val, y_val)
        rows.append((stats, ref.epoch(x, y, x_val, y_val, order)))
    return model, ref, rows


def assert_same_numbers(model, ref, rows, n_train):
    for stats, expected in rows:
        got = (stats.loss, stats.data_loss, stats.reg_loss, stats.acc, stats.val_loss,
               stats.val_acc)
        np.testing.assert_allclose(got[:3], expected[:3], rtol=2e-5, atol=1e-7)
        np.testing.assert_allclose(got[4], expected[4], rtol=2e-5)
        # A point on a decision boundary may flip between float32 and float64.
        assert abs(got[3] - expected[3]) <= 1.5 / n_train
        assert abs(got[5] - expected[5]) <= 1.5 / 40
    for p, q in zip(model.get_params(), ref.params, strict=True):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=2e-6)


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("optimizer", OPTIMIZER_SETTINGS)
def test_fast_path_matches_float64_reference(data, optimizer, penalty):
    settings = {"optimizer": optimizer, **OPTIMIZER_SETTINGS[optimizer], **PENALTIES[penalty]}
    model, ref, rows = run_both(data, **settings)
    assert_same_numbers(model, ref, rows, len(data[0]))
    if penalty != "none":
        assert rows[0][0].reg_loss > 0


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_other_activations_match_float64_reference(data, activation):
    model, ref, rows = run_both(data, optimizer="adam", learning_rate=0.02,
                                activation=activation, l2_weight=1e-3)
    assert_same_numbers(model, ref, rows, len(data[0]))


def test_shuffled_mini_batches_match_float64_reference(data):
    model, ref, rows = run_both(data, optimizer="sgd", learning_rate=0.3, momentum=0.5,
                                batch_size=32, shuffle=True, l1_weight=1e-4)
    assert_same_numbers(model, ref, rows, len(data[0]))
    assert model.optimizer.iterations == 5 * 3


def test_validation_in_train_epoch_equals_evaluate_before(data):
    """val_loss/val_acc are the metrics of the weights the epoch started from."""
    x, y, x_val, y_val = data
    for dropout, batch in ((0.0, 0), (0.3, 0), (0.0, 25)):
        config = Config(hidden=(16,), dropout=dropout, batch_size=batch, learning_rate=0.02)
        fused = Model.from_config(config, 2, 3, np.random.default_rng(4))
        plain = Model.from_config(config, 2, 3, np.random.default_rng(4))
        for e in range(3):
            before = plain.evaluate(x_val, y_val)
            expected = plain.train_epoch(x, y, batch, True, np.random.default_rng(e))
            stats = fused.train_epoch(x, y, batch, True, np.random.default_rng(e), x_val, y_val)
            assert stats.val_loss == pytest.approx(before[0], rel=1e-6)
            assert stats.val_acc == before[1]
            assert stats.loss == pytest.approx(expected.loss, rel=1e-6)
        for p, q in zip(fused.get_params(), plain.get_params(), strict=True):
            np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-8)


def float64_fast_model(config, seed=0):
    """A model whose fast path runs in float64, for finite differences."""
    model = Model.from_config(config, 2, 3, np.random.default_rng(seed))
    model.num = Numerics(np.random.default_rng(seed), np.float64)
    model.engine = FastEngine(model)  # copies the weights into float64 buffers
    model.params = [p for layer in model.dense for p in layer.params]
    return model


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fast_gradients_with_dropout_and_penalties_match_finite_differences(data, activation):
    """With the dropout mask fixed (same generator seed each call) and a learning rate
    of 0, train_epoch's loss is a function of the weights and flat.grads its gradient."""
    x, y, _, _ = data
    config = Config(hidden=(6, 5), activation=activation, init="he", optimizer="sgd",
                    dropout=0.3, l1_weight=0.01, l2_weight=0.02,
                    l1_bias=0.01, l2_bias=0.02)
    model = float64_fast_model(config)
    model.optimizer.learning_rate = model.optimizer.current_learning_rate = 0.0
    flat = model.engine.flat
    flat.values[:] += np.random.default_rng(1).normal(scale=0.1, size=flat.values.size)

    def loss() -> float:
        return model.train_epoch(x, y, rng=np.random.default_rng(7)).loss

    loss()
    analytic = flat.grads.copy()
    numeric = np.empty_like(analytic)
    h = 1e-6
    for i in range(flat.values.size):
        keep = flat.values[i]
        flat.values[i] = keep + h
        up = loss()
        flat.values[i] = keep - h
        numeric[i] = (up - loss()) / (2 * h)
        flat.values[i] = keep
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-6)


def test_layer_views_follow_the_flat_buffer(data):
    """Layers, params and get/set_params all see the one buffer the optimizer updates."""
    x, y, _, _ = data
    model = Model.from_config(Config(hidden=(8,)), 2, 3, np.random.default_rng(0))
    before = model.get_params()
    model.train_epoch(x, y)
    assert not np.array_equal(model.dense[0].weights, before[0])
    np.testing.assert_array_equal(model.params[0], model.dense[0].weights)
    np.testing.assert_array_equal(model.get_params()[0], model.dense[0].weights)
    model.set_params(before)
    np.testing.assert_array_equal(model.dense[0].weights, before[0])
    w_t, b = model.engine.flat.layer_views(model.engine.flat.values, 0)
    np.testing.assert_array_equal(w_t.T, before[0])
    np.testing.assert_array_equal(b, before[1].ravel())
