"""Model API: epoch metrics, mini-batches, evaluation, live settings, parameters, learning."""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.net.bookmode import BookRandom, book_spiral_data
from nnfs_gui.core.net.model import EpochStats, Model


@pytest.fixture(scope="module")
def spiral():
    x, y = book_spiral_data(100, 3, BookRandom(0))
    xv, yv = book_spiral_data(100, 3, BookRandom(1))
    return x, y.astype(np.int64), xv, yv.astype(np.int64)


def make(config=None, seed=0, **changes):
    config = (config or Config()).replace(**changes)
    return Model.from_config(config, 2, config.classes, np.random.default_rng(seed))


def test_full_batch_stats_are_the_metrics_before_the_update(spiral):
    x, y, _, _ = spiral
    model = make(l2_weight=1e-3, l2_bias=1e-3)
    for _ in range(20):
        model.train_epoch(x, y)
    data_loss, acc = model.evaluate(x, y)
    reg = float(model.regularization_loss())
    stats = model.train_epoch(x, y)
    assert isinstance(stats, EpochStats)
    assert stats.data_loss == pytest.approx(data_loss, rel=1e-6)
    assert stats.acc == acc
    assert stats.reg_loss == pytest.approx(reg, rel=1e-6) and reg > 0
    assert stats.loss == pytest.approx(data_loss + reg, rel=1e-6)
    assert model.evaluate(x, y)[0] != data_loss  # the update did happen


def test_mini_batch_stats_are_sample_weighted_means(spiral):
    x, y, _, _ = spiral
    batched, stepped = make(optimizer="sgd", learning_rate=0.5), \
        make(optimizer="sgd", learning_rate=0.5)
    stats = batched.train_epoch(x, y, batch_size=128, shuffle=False)
    parts = [(stepped.train_epoch(x[s], y[s]), len(x[s]))
             for s in (slice(0, 128), slice(128, 256), slice(256, 300))]
    for field in ("loss", "data_loss", "reg_loss", "acc"):
        expected = sum(getattr(st, field) * n for st, n in parts) / 300
        assert getattr(stats, field) == pytest.approx(expected, rel=1e-6)
    for a, b in zip(batched.get_params(), stepped.get_params(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert batched.optimizer.iterations == 3


def test_batch_size_at_least_n_is_full_batch(spiral):
    x, y, _, _ = spiral
    a, b = make(), make()
    assert a.train_epoch(x, y, batch_size=0) == b.train_epoch(x, y, batch_size=5000)
    assert a.optimizer.iterations == b.optimizer.iterations == 1


def test_shuffle_follows_the_passed_generator(spiral):
    x, y, _, _ = spiral
    runs = []
    for shuffle_seed in (7, 7, 8):
        model = make()
        model.train_epoch(x, y, 64, True, np.random.default_rng(shuffle_seed))
        runs.append(model.get_params()[0])
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_evaluate_ignores_dropout_and_changes_nothing(spiral):
    x, y, _, _ = spiral
    model = make(dropout=0.5)
    model.train_epoch(x, y, rng=np.random.default_rng(1))
    params = model.get_params()
    first = model.evaluate(x, y)
    assert model.evaluate(x, y) == first
    np.testing.assert_array_equal(model.get_params()[0], params[0])


def test_chapter11_network_overfits_in_normal_mode(spiral):
    """2-64-3, Adam lr 0.05: training accuracy far above validation, as in ch. 11."""
    x, y, xv, yv = spiral
    model = make()
    for _ in range(2000):
        stats = model.train_epoch(x, y)
    val_loss, val_acc = model.evaluate(xv, yv)
    assert stats.acc > 0.9
    assert val_acc < stats.acc - 0.05
    assert val_loss > 1.5 * stats.data_loss


@pytest.mark.parametrize("loss", ["mse", "mae", "binary_crossentropy"])
def test_other_losses_learn(loss):
    classes = 2 if loss == "binary_crossentropy" else 3
    x, y = book_spiral_data(100, classes, BookRandom(0))
    y = y.astype(np.int64)
    lr = 0.005 if loss == "binary_crossentropy" else 0.01
    model = make(loss=loss, classes=classes, learning_rate=lr, init="he")
    for _ in range(600):
        model.train_epoch(x, y)
    _, acc = model.evaluate(x, y)
    assert acc > 1.0 / classes + 0.25
    proba = model.predict_proba(x)
    assert proba.shape == (len(x), classes)
    assert proba.min() >= 0 and proba.max() <= 1


def test_predict_and_proba_agree(spiral):
    x, y, _, _ = spiral
    model = make()
    for _ in range(50):
        model.train_epoch(x, y)
    proba = model.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    pred = model.predict(x)
    assert pred.dtype == np.int64
    np.testing.assert_array_equal(pred, proba.argmax(axis=1))


def test_apply_live_sets_penalties_and_dropout_on_hidden_layers(spiral):
    x, y, _, _ = spiral
    model = make()
    model.train_epoch(x, y)
    model.apply_live(model.config.replace(l1_weight=1e-3, dropout=0.2, learning_rate=0.01))
    assert [d.reg.l1_weight for d in model.dense] == [1e-3, 0.0]
    assert model.dropouts[0].rate == 0.2
    assert model.optimizer.learning_rate == 0.01
    w1 = model.get_params()[0]
    stats = model.train_epoch(x, y, rng=np.random.default_rng(0))
    assert stats.reg_loss == pytest.approx(1e-3 * np.abs(w1).sum(), rel=1e-5)


def test_get_params_are_copies_and_set_params_checks_shapes(spiral):
    x, y, _, _ = spiral
    model = make()
    params = model.get_params()
    params[0][:] = 0
    assert np.abs(model.params[0]).sum() > 0
    model.set_params(params)
    np.testing.assert_array_equal(model.params[0], 0)
    with pytest.raises(ValueError, match="shapes"):
        model.set_params(params[:2])


def test_same_seed_same_run(spiral):
    x, y, _, _ = spiral
    a, b = make(seed=3), make(seed=3)
    for _ in range(5):
        sa, sb = a.train_epoch(x, y), b.train_epoch(x, y)
    assert sa == sb


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("book_mode", [False, True], ids=["fast", "book"])
def test_a_copied_model_trains_and_sets_params_like_the_original(spiral, how, book_mode):
    """The training process sends models through pickle; the copy must still be one
    model (the fast engine's layer views into its buffer rebuilt), with its state."""
    import copy
    import pickle

    x, y, _, _ = spiral
    model = make(book_mode=book_mode, hidden=(8,))
    for _ in range(3):
        model.train_epoch(x, y)
    twin = copy.deepcopy(model) if how == "deepcopy" else pickle.loads(pickle.dumps(model))
    assert twin.optimizer.iterations == 3
    for _ in range(2):
        assert twin.train_epoch(x, y) == model.train_epoch(x, y)
    zeros = [np.zeros_like(p) for p in twin.get_params()]
    twin.set_params(zeros)
    assert all(not p.any() for p in twin.get_params())
    np.testing.assert_array_equal(twin.dense[0].weights, 0)
    assert model.get_params()[0].any()  # the original is untouched
