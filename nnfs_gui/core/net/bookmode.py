"""Book mode: the book's `nnfs.init()` arithmetic and random stream, kept local.

The book seeds numpy's global legacy generator with 0 and then draws, in order:
the training data, layer 1's weights, layer 2's weights, (with dropout) one mask
per hidden layer per training epoch, and after training its test data, always
100 points per class (chapter 15 trains on 1,000 per class and tests on 100).
`make_book_run` draws the data and weights in that order from one `BookRandom`
and returns a model whose arithmetic (see numerics.BookNumerics) matches the
book's: float32 arrays, `dot` in float64 rounded to float32.

The trainer scores a validation set every epoch, which the book never does, so
`make_book_run` draws that set from a fork of the stream taken after the weights:
the run's own stream goes on to the dropout masks exactly as the book's does.
Without dropout training draws nothing, so the fork gives exactly the book's test
data (chapters 11, 14, 16). With dropout (chapter 15) `draw_book_validation`,
called after the last epoch, draws the book's test data from the run's stream.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.numerics import BookRandom

__all__ = ["BookRandom", "BookRun", "book_spiral_data", "book_vertical_data",
           "make_book_run", "draw_book_data", "draw_book_test_data", "draw_book_validation",
           "BOOK_DATASETS", "BOOK_TEST_SAMPLES"]


def book_spiral_data(samples: int, classes: int, random_state: BookRandom,
                     noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """The book's spiral: (samples*classes, 2) float32 points, (samples*classes,) uint8.

    Class c: r = linspace(0, 1), t = linspace(4c, 4c+4) + randn * noise (randn is
    float32, so the noise term is float32); rows (r sin 2.5t, r cos 2.5t).
    """
    x = np.zeros((samples * classes, 2), dtype=np.float32)
    y = np.zeros(samples * classes, dtype=np.uint8)
    for c in range(classes):
        rows = slice(samples * c, samples * (c + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + random_state.randn(samples) * noise
        x[rows] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[rows] = c
    return x, y


def book_vertical_data(samples: int, classes: int, random_state: BookRandom,
                       noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """The book's vertical data: class c scattered around (c/3, 0.5) with std
    noise/2 (the book's 0.1 at the default noise 0.2); x float32, y uint8."""
    x = np.zeros((samples * classes, 2), dtype=np.float32)
    y = np.zeros(samples * classes, dtype=np.uint8)
    std = noise / 2.0
    for c in range(classes):
        rows = slice(samples * c, samples * (c + 1))
        x[rows] = np.c_[random_state.randn(samples) * std + c / 3,
                        random_state.randn(samples) * std + 0.5]
        y[rows] = c
    return x, y


# The book's generators are kept apart from datasets.py on purpose: they draw float32
# normals from the legacy RandomState in the book's order and keep the book's float32
# noise term and uint8 labels, which book mode needs to print the book's numbers to the
# last digit (for every class count: with 6-8 classes the book's arms overlap, and book
# mode keeps that); datasets.py draws from a numpy Generator in float64 and spaces the
# spiral arms evenly from 6 classes on.
BOOK_DATASETS = {"spiral": book_spiral_data, "vertical": book_vertical_data}


class BookRun(NamedTuple):
    """What a book-mode run starts from; unpacks as (model, x_train, y_train, x_val, y_val).

    Labels are int64 (the book's are uint8; the values and all results are the same).
    x_val/y_val: the book's test set as drawn right after the weights (BOOK_TEST_SAMPLES
    per class). The run's random stream is `model.num.rng` (a BookRandom).
    """

    model: Model
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


# Every book script that tests on spiral data draws its test set with samples=100
# (chapters 11, 14, 15 and 16), whatever the size of its training set (chapter 15
# trains on 1000). Book mode draws its test sets so, from either book generator.
BOOK_TEST_SAMPLES = 100


def draw_book_data(config, random_state: BookRandom,
                   samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One data set of `config` from the book stream: (n, 2) float32, (n,) int64.

    samples: points per class (default `config.samples`).
    """
    samples = config.samples if samples is None else samples
    x, y = BOOK_DATASETS[config.dataset](samples, config.classes, random_state,
                                         config.noise)
    return x, y.astype(np.int64)


def draw_book_test_data(config, random_state: BookRandom) -> tuple[np.ndarray, np.ndarray]:
    """The book's test set: BOOK_TEST_SAMPLES points per class of `config`'s data set."""
    return draw_book_data(config, random_state, BOOK_TEST_SAMPLES)


def make_book_run(config, build_model=None) -> BookRun:
    """Training data and weights drawn in the book's order from `BookRandom(config.seed)`
    (the book's seed is 0), and a validation set drawn from a fork of that stream, so
    the run's own stream goes on to the dropout masks as the book's does.

    build_model(random_state) -> model: what draws the weights (default: the app's
    Model; a learner's own classes draw them in their Layer_Dense.__init__)."""
    random_state = BookRandom(config.seed)
    x_train, y_train = draw_book_data(config, random_state)
    if build_model is None:
        model = Model.from_config(config, n_inputs=2, n_outputs=config.classes,
                                  rng=random_state)
    else:
        model = build_model(random_state)
    # From a fork: the book draws its dropout masks right after the weights.
    x_val, y_val = draw_book_test_data(config, random_state.fork())
    return BookRun(model, x_train, y_train, x_val, y_val)


def draw_book_validation(config, model: Model) -> tuple[np.ndarray, np.ndarray]:
    """The book's test set, drawn from the run's stream now: called after the last
    epoch of a dropout run, after all its masks, as the book draws it."""
    return draw_book_test_data(config, model.num.rng)
