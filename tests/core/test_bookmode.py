"""Book mode prints the book's chapter-11 numbers exactly and leaves numpy untouched."""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files import paths
from nnfs_gui.core.net.bookmode import (
    BOOK_TEST_SAMPLES,
    BookRandom,
    book_spiral_data,
    book_vertical_data,
    draw_book_validation,
    make_book_run,
)
from tests.book_reference import book_reference_run

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


def test_dropout_and_l2_run_matches_the_book_loop_bit_for_bit():
    """Chapter 15 semantics: masks from the same stream each epoch, float64 mask path."""
    config = preset("book-ch15").replace(samples=40, validation="fresh")
    reference = book_reference_run(40, 3, 30, dropout=0.1, l2=5e-4, lr=0.05, decay=5e-5)
    run = make_book_run(config)
    mine = [run.model.train_epoch(run.x_train, run.y_train).loss for _ in range(30)]
    assert mine == reference.loss
    for a, b in zip(run.model.get_params(), reference.params, strict=True):
        np.testing.assert_array_equal(a, b)
    # After the masks the run's stream gives the book's test set.
    val_loss, val_acc = run.model.evaluate(*draw_book_validation(config, run.model))
    assert (val_acc, val_loss) == (reference.test_acc, reference.test_loss)


def test_validation_set_comes_from_a_fork_and_leaves_the_mask_stream_alone():
    """The per-epoch validation set is the book's test set as drawn right after the
    weights (100 per class), taken from a fork: the run's stream still stands right
    after the weights, where the book draws its first dropout mask."""
    config = preset("book-ch15").replace(samples=30)
    run = make_book_run(config)
    expected = BookRandom(0)
    book_spiral_data(30, 3, expected)  # training set
    expected.randn(2, 64), expected.randn(64, 3)  # weights
    after_weights = expected.fork()
    x_val, _ = book_spiral_data(BOOK_TEST_SAMPLES, 3, expected)
    np.testing.assert_array_equal(run.x_val, x_val)
    assert run.model.num.rng.state.binomial(1, 0.9, 500).tolist() == \
        after_weights.state.binomial(1, 0.9, 500).tolist()


def test_fork_gives_the_next_draws_without_moving_the_stream():
    stream = BookRandom(3)
    stream.randn(3)  # an odd count leaves a cached normal inside the legacy generator
    drawn_by_fork = stream.fork().randn(5)
    np.testing.assert_array_equal(drawn_by_fork, BookRandom(3).randn(8)[3:])
    np.testing.assert_array_equal(stream.randn(5), drawn_by_fork)


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
