"""Each optimizer's first two steps equal its formula worked by hand; switching keeps weights."""

import math

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.net.engines import LayerEngine
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.optimizers import (
    OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    RMSprop,
    optimizer_from_config,
)

P0 = np.array([[0.5, -1.0], [2.0, 0.25]])
G1 = np.array([[0.1, -0.2], [0.3, 0.0]])
G2 = np.array([[-0.05, 0.4], [0.2, 0.1]])
DECAY = 0.1  # lr of step 2 = lr / (1 + 0.1 * 1)


def two_steps(opt):
    p = P0.copy()
    opt.step([p], [G1])
    after_one = p.copy()
    lr_one = opt.current_learning_rate
    opt.step([p], [G2])
    return after_one, p, lr_one, opt.current_learning_rate


def test_sgd_with_momentum_by_hand():
    lr, mu = 0.5, 0.9
    step1 = -lr * G1  # momentum starts at zero
    lr2 = lr / (1 + DECAY)
    step2 = mu * step1 - lr2 * G2
    one, two, lr_one, lr_two = two_steps(SGD(lr, DECAY, momentum=mu))
    np.testing.assert_allclose(one, P0 + step1, rtol=1e-12)
    np.testing.assert_allclose(two, P0 + step1 + step2, rtol=1e-12)
    assert (lr_one, lr_two) == (lr, pytest.approx(lr2, rel=1e-15))


def test_plain_sgd_by_hand():
    one, two, _, _ = two_steps(SGD(1.0, 0.0))
    np.testing.assert_allclose(two, P0 - G1 - G2, rtol=1e-12)


def test_adagrad_by_hand():
    lr, eps = 0.3, 1e-7
    c1 = G1 ** 2
    p1 = P0 - lr * G1 / (np.sqrt(c1) + eps)
    c2 = c1 + G2 ** 2
    p2 = p1 - lr / (1 + DECAY) * G2 / (np.sqrt(c2) + eps)
    one, two, _, _ = two_steps(Adagrad(lr, DECAY, epsilon=eps))
    np.testing.assert_allclose(one, p1, rtol=1e-12)
    np.testing.assert_allclose(two, p2, rtol=1e-12)


def test_rmsprop_by_hand():
    lr, rho, eps = 0.01, 0.8, 1e-7
    c1 = 0.2 * G1 ** 2
    p1 = P0 - lr * G1 / (np.sqrt(c1) + eps)
    c2 = 0.8 * c1 + 0.2 * G2 ** 2
    p2 = p1 - lr / (1 + DECAY) * G2 / (np.sqrt(c2) + eps)
    one, two, _, _ = two_steps(RMSprop(lr, DECAY, rho=rho, epsilon=eps))
    np.testing.assert_allclose(one, p1, rtol=1e-12)
    np.testing.assert_allclose(two, p2, rtol=1e-12)


def test_adam_by_hand():
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-7
    m1, v1 = 0.1 * G1, 0.001 * G1 ** 2
    p1 = P0 - lr * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + eps)
    m2, v2 = 0.9 * m1 + 0.1 * G2, 0.999 * v1 + 0.001 * G2 ** 2
    m2_hat, v2_hat = m2 / (1 - 0.9 ** 2), v2 / (1 - 0.999 ** 2)
    p2 = p1 - lr / (1 + DECAY) * m2_hat / (np.sqrt(v2_hat) + eps)
    one, two, _, _ = two_steps(Adam(lr, DECAY, beta1=b1, beta2=b2, epsilon=eps))
    np.testing.assert_allclose(one, p1, rtol=1e-12)
    np.testing.assert_allclose(two, p2, rtol=1e-12)
    # The first Adam step moves each weight with a non-zero gradient by about lr.
    moved = np.abs(one - P0)[G1 != 0]
    assert np.allclose(moved, lr, rtol=1e-4)


def test_book_defaults():
    assert SGD().learning_rate == 1.0 and SGD().momentum == 0.0
    assert Adagrad().learning_rate == 1.0
    assert (RMSprop().learning_rate, RMSprop().rho) == (0.001, 0.9)
    adam = Adam()
    assert (adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon) == \
        (0.001, 0.9, 0.999, 1e-7)


def test_registry_matches_config_choices():
    from nnfs_gui.core import config

    assert set(OPTIMIZERS) == set(config.OPTIMIZERS)
    for name in config.OPTIMIZERS:
        assert optimizer_from_config(Config(optimizer=name)).name == name


def test_decay_schedule_matches_book_value():
    opt = Adam(0.05, 5e-7)
    p = np.zeros(3)
    for _ in range(10_000):
        opt.step([p], [np.ones(3)])
    # After 10,000 updates the last one used lr / (1 + decay * 9999).
    assert opt.current_learning_rate == 0.04975126853296942
    assert math.isclose(opt.current_learning_rate, 0.05 / (1 + 5e-7 * 9999), rel_tol=1e-15)


def _spiral_model(optimizer="adam"):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
    model = Model.from_config(Config(optimizer=optimizer, hidden=(8,)), 2, 3, rng)
    return model, x, y


def test_switching_optimizer_keeps_weights_and_starts_fresh_state():
    model, x, y = _spiral_model("adam")
    for _ in range(5):
        model.train_epoch(x, y)
    before = model.get_params()
    model.apply_live(model.config.replace(optimizer="sgd", learning_rate=0.5, momentum=0.5))
    after = model.get_params()
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    opt = model.optimizer
    assert (opt.name, opt.iterations, opt.state, opt.momentum) == ("sgd", 0, [], 0.5)
    grads_model, _, _ = _spiral_model()
    # One SGD step from those weights: p - 0.5 * grad (fresh momentum is zero).
    grads_model.set_params(after)
    layers = LayerEngine(grads_model)  # gradients by the layer path, as a reference
    output, _ = grads_model.head.forward(layers.forward(x, True), y)
    layers.backward(grads_model.head.backward(output, y))
    model.train_epoch(x, y)
    for p, p_old, g in zip(model.params, after, layers.grads(), strict=True):
        np.testing.assert_allclose(p, p_old - 0.5 * g, rtol=1e-5, atol=1e-7)


def test_live_learning_rate_change_keeps_adam_state():
    model, x, y = _spiral_model("adam")
    for _ in range(3):
        model.train_epoch(x, y)
    m_before = model.optimizer.state[0]["m"].copy()
    model.apply_live(model.config.replace(learning_rate=0.01, beta1=0.5))
    opt = model.optimizer
    assert (opt.iterations, opt.learning_rate, opt.beta1) == (3, 0.01, 0.5)
    np.testing.assert_array_equal(opt.state[0]["m"], m_before)
    assert opt.current_learning_rate == pytest.approx(0.01 / (1 + 5e-7 * 3))


STATE_SETTINGS = {
    "sgd": {"learning_rate": 0.5, "momentum": 0.9},
    "adagrad": {"learning_rate": 0.2},
    "rmsprop": {"learning_rate": 0.01},
    "adam": {"learning_rate": 0.05},
}


def _trained_pair(optimizer, book_mode, epochs=4):
    """A model trained a few epochs with decay, and a fresh twin of the same shape."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)
    config = Config(optimizer=optimizer, hidden=(8,), decay=1e-2, book_mode=book_mode,
                    **STATE_SETTINGS[optimizer])
    model = Model.from_config(config, 2, 3, np.random.default_rng(1))
    for _ in range(epochs):
        model.train_epoch(x, y)
    twin = Model.from_config(config, 2, 3, np.random.default_rng(2))
    return model, twin, x, y


@pytest.mark.parametrize("book_mode", [False, True], ids=["fast", "book"])
@pytest.mark.parametrize("optimizer", sorted(STATE_SETTINGS))
def test_restored_optimizer_state_gives_the_same_next_updates(optimizer, book_mode):
    """Weights + state_dict copied into a fresh model: the next epochs are the same
    numbers (the state, iterations and decayed rate all carried over)."""
    model, twin, x, y = _trained_pair(optimizer, book_mode)
    twin.set_params(model.get_params())
    twin.load_optimizer_state(model.optimizer_state())
    assert twin.optimizer.iterations == 4
    assert twin.optimizer.current_learning_rate == model.optimizer.current_learning_rate
    for _ in range(3):
        assert twin.train_epoch(x, y) == model.train_epoch(x, y)
    for a, b in zip(twin.get_params(), model.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fresh_optimizer_state_would_change_the_next_update(optimizer):
    """The test above can fail: without the state the next epoch's weights differ."""
    model, twin, x, y = _trained_pair(optimizer, False)
    twin.set_params(model.get_params())
    twin.train_epoch(x, y)
    model.train_epoch(x, y)
    assert not np.array_equal(twin.get_params()[0], model.get_params()[0])


def test_state_dict_layout_is_one_array_per_parameter_in_both_engines():
    fast, _, _, _ = _trained_pair("adam", False)
    book, _, _, _ = _trained_pair("adam", True)
    for model in (fast, book):
        state = model.optimizer_state()
        assert sorted(state["arrays"]) == ["m", "v"]
        assert [a.shape for a in state["arrays"]["m"]] == model.param_shapes()
        assert (state["name"], state["iterations"]) == ("adam", 4)
        assert state["hyperparameters"] == {"epsilon": 1e-7, "beta1": 0.9, "beta2": 0.999}
        assert state["current_learning_rate"] == pytest.approx(0.05 / (1 + 1e-2 * 3))
    # The fast engine's flat moments, split per parameter, are the book engine's layout:
    # loading one into the other's kind of model works both ways.
    fast.load_optimizer_state(book.optimizer_state())
    book.load_optimizer_state(fast.optimizer_state())
    np.testing.assert_array_equal(book.optimizer_state()["arrays"]["v"][2],
                                  fast.optimizer_state()["arrays"]["v"][2])


def test_state_dict_is_a_copy_and_plain_sgd_has_no_arrays():
    model, _, x, y = _trained_pair("adam", False)
    state = model.optimizer_state()
    m0 = state["arrays"]["m"][0].copy()
    model.train_epoch(x, y)
    np.testing.assert_array_equal(state["arrays"]["m"][0], m0)
    assert SGD(0.1).state_dict()["arrays"] == {}


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(name="sgd"), "for 'sgd'"),
    (lambda s: s["arrays"].update(q=s["arrays"]["m"]), "unknown"),
    (lambda s: s["arrays"]["m"].pop(), "shapes"),
    (lambda s: s["arrays"].update(m=[a.astype(np.int64) for a in s["arrays"]["m"]]),
     "float"),
])
def test_mismatched_state_is_refused_and_nothing_changes(change, message):
    model, twin, _, _ = _trained_pair("adam", False)
    state = model.optimizer_state()
    change(state)
    with pytest.raises(ValueError, match=message):
        twin.load_optimizer_state(state)
    assert (twin.optimizer.iterations, twin.optimizer.state) == (0, [])
