"""Book mode prints the book's chapter-11 numbers exactly and leaves numpy untouched."""

import numpy as np
import pytest

from nnfs_gui import paths
from nnfs_gui.core.bookmode import (
    BookRandom,
    book_spiral_data,
    book_vertical_data,
    draw_book_data,
    draw_book_validation,
    make_book_run,
)
from nnfs_gui.core.config import Config
from nnfs_gui.core.model import Model

PRESETS = ("book-ch11", "book-ch14", "book-ch15", "book-ch16")

CH11_EXPECTED = {
    0: "epoch: 0, acc: 0.360, loss: 1.099, lr: 0.05",
    100: "epoch: 100, acc: 0.670, loss: 0.705",
    1000: "epoch: 1000, acc: 0.940, loss: 0.217",
    10000: "epoch: 10000, acc: 0.967, loss: 0.074, lr: 0.04975126853296942",
}


def preset(name: str) -> Config:
    return Config.load(paths.presets_dir() / f"{name}.json")


def test_chapter11_run_prints_the_books_numbers():
    """The book's loop: range(10001) epochs, each printing before its update."""
    config = preset("book-ch11")
    model, x, y, x_val, y_val = make_book_run(config)
    lines = {}
    for epoch in range(config.epochs + 1):
        lr = model.optimizer.current_learning_rate
        stats = model.train_epoch(x, y, 0, False, None)
        if epoch in CH11_EXPECTED:
            lines[epoch] = (f"epoch: {epoch}, acc: {stats.acc:.3f}, "
                            f"loss: {stats.loss:.3f}, lr: {lr!r}")
    val_loss, val_acc = model.evaluate(x_val, y_val)
    for epoch, expected in CH11_EXPECTED.items():
        assert lines[epoch].startswith(expected), lines[epoch]
        # The rate printed at epoch N is the one the update of epoch N - 1 used.
        rate = 0.05 if epoch == 0 else 0.05 * (1.0 / (1.0 + 5e-7 * (epoch - 1)))
        assert lines[epoch].endswith(f"lr: {rate!r}")
    assert f"validation, acc: {val_acc:.3f}, loss: {val_loss:.3f}" == \
        "validation, acc: 0.797, loss: 0.921"
    assert model.optimizer.iterations == 10_001


def test_book_mode_never_touches_numpy_globals():
    state = np.random.get_state()
    dot = np.dot
    model, x, y, _, _ = make_book_run(preset("book-ch15").replace(samples=20))
    model.train_epoch(x, y)
    assert np.dot is dot
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2] == state[2]
    assert np.zeros(1).dtype == np.float64


def test_book_data_types_and_repeatability():
    x, y = book_spiral_data(50, 3, BookRandom(0))
    assert (x.shape, x.dtype, y.dtype) == ((150, 2), np.float32, np.uint8)
    np.testing.assert_array_equal(x, book_spiral_data(50, 3, BookRandom(0))[0])
    assert list(np.bincount(y)) == [50, 50, 50]
    # Radius grows linearly from the centre to 1 along each arm.
    np.testing.assert_allclose(np.hypot(x[:50, 0], x[:50, 1]), np.linspace(0, 1, 50), atol=1e-6)
    xv, yv = book_vertical_data(200, 3, BookRandom(0))
    assert xv.dtype == np.float32
    np.testing.assert_allclose([xv[yv == c, 0].mean() for c in range(3)], [0, 1 / 3, 2 / 3],
                               atol=0.02)
    assert xv[:, 1].std() == pytest.approx(0.1, rel=0.1)


def reference_book_epochs(samples, epochs, keep, l2, lr, decay):
    """The book's ch. 15 loop written out with nnfs.init()'s rules (independent of the
    app's classes): data, weights, then per epoch one dropout mask; Adam."""
    rs = np.random.RandomState(0)

    def randn(*shape):
        return rs.randn(*shape).astype(np.float32)

    def dot(a, b):
        return np.dot(a.astype(np.float64), b.astype(np.float64)).astype(np.float32)

    x = np.zeros((samples * 3, 2), dtype=np.float32)
    y = np.zeros(samples * 3, dtype=np.uint8)
    for c in range(3):
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + randn(samples) * 0.2
        x[samples * c:samples * (c + 1)] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[samples * c:samples * (c + 1)] = c
    params = [0.01 * randn(2, 64), np.zeros((1, 64), np.float32),
              0.01 * randn(64, 3), np.zeros((1, 3), np.float32)]
    moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
    losses = []
    for it in range(epochs):
        w1, b1, w2, b2 = params
        z1 = dot(x, w1) + b1
        a1 = np.maximum(0, z1)
        mask = rs.binomial(1, keep, size=a1.shape) / keep
        d1 = a1 * mask
        z2 = dot(d1, w2) + b2
        e = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
        p = e / np.sum(e, axis=1, keepdims=True)
        data = np.mean(-np.log(np.clip(p, 1e-7, 1 - 1e-7)[range(len(p)), y]))
        reg = 0 + l2 * np.sum(w1 * w1) + l2 * np.sum(b1 * b1)
        losses.append(float(data + reg))
        g = p.copy()
        g[range(len(g)), y] -= 1
        g = g / len(g)
        dw2, db2 = dot(d1.T, g), np.sum(g, axis=0, keepdims=True)
        da = dot(g, w2.T) * mask
        da[z1 <= 0] = 0
        dw1, db1 = dot(x.T, da), np.sum(da, axis=0, keepdims=True)
        dw1 += 2 * l2 * w1
        db1 += 2 * l2 * b1
        rate = lr * (1.0 / (1.0 + decay * it))
        for k, grad in enumerate((dw1, db1, dw2, db2)):
            m, v = moments[k]
            m = 0.9 * m + (1 - 0.9) * grad
            v = 0.999 * v + (1 - 0.999) * grad ** 2
            moments[k] = [m, v]
            params[k] += -rate * (m / (1 - 0.9 ** (it + 1))) / (
                np.sqrt(v / (1 - 0.999 ** (it + 1))) + 1e-7)
    return losses, params, rs.randn()


def test_dropout_and_l2_run_matches_the_book_loop_bit_for_bit():
    """Chapter 15 semantics: masks from the same stream each epoch, float64 mask path."""
    config = preset("book-ch15").replace(samples=40, validation="fresh")
    losses, params, next_draw = reference_book_epochs(40, 30, 0.9, 5e-4, 0.05, 5e-5)
    random_state = BookRandom(0)
    x, y = draw_book_data(config, random_state)
    model = Model.from_config(config, 2, 3, rng=random_state)
    mine = [model.train_epoch(x, y).loss for _ in range(30)]
    assert mine == losses
    for a, b in zip(model.get_params(), params, strict=True):
        np.testing.assert_array_equal(a, b)
    assert random_state.state.randn() == next_draw  # the stream was used as the book does


def test_draw_book_validation_continues_the_run_stream():
    config = preset("book-ch11").replace(samples=30)
    run = make_book_run(config)
    expected = BookRandom(0)
    book_spiral_data(30, 3, expected)  # training set
    expected.randn(2, 64), expected.randn(64, 3)  # weights
    x_val, _ = book_spiral_data(30, 3, expected)  # the pre-drawn validation set
    np.testing.assert_array_equal(run.x_val, x_val)
    x_next, _ = book_spiral_data(30, 3, expected)
    np.testing.assert_array_equal(draw_book_validation(config, run.model)[0], x_next)


@pytest.mark.parametrize("name", PRESETS)
def test_book_presets_hold_the_books_settings(name):
    config = preset(name)
    assert config.book_mode and config.dataset == "spiral" and config.hidden == (64,)
    book = {
        "book-ch11": dict(samples=100, classes=3, learning_rate=0.05, decay=5e-7,
                          l2_weight=0.0, dropout=0.0, loss="categorical_crossentropy"),
        "book-ch14": dict(samples=100, classes=3, learning_rate=0.02, decay=5e-7,
                          l2_weight=5e-4, l2_bias=5e-4, dropout=0.0),
        "book-ch15": dict(samples=1000, classes=3, learning_rate=0.05, decay=5e-5,
                          l2_weight=5e-4, l2_bias=5e-4, dropout=0.1),
        "book-ch16": dict(samples=100, classes=2, learning_rate=0.001, decay=5e-7,
                          l2_weight=5e-4, l2_bias=5e-4, loss="binary_crossentropy"),
    }[name]
    assert {k: getattr(config, k) for k in book} == book
    assert (config.optimizer, config.batch_size, config.epochs) == ("adam", 0, 10_000)
