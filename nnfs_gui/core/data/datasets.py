"""2-D toy data sets: the book's spiral and vertical data, and four more shapes.

Every generator has the signature ``generator(samples, classes, noise, rng)`` and
returns ``x`` of shape ``(samples * classes, 2)`` float32 and ``y`` of shape
``(samples * classes,)`` int64: ``samples`` points per class, class 0 first,
then class 1, and so on (the book's layout). Within a class, points come in
*generation order*; for the spiral, circles and moons that order runs along
the curve, which the "block" validation strategy relies on (``splits.py``).

``noise`` lies in [0, 1]; 0 gives clean data. For the spiral it is the book's
angle noise factor; for the vertical data half of it is the book's scatter
(0.2 gives the book's 0.1). For the other shapes it is the standard deviation
of Gaussian scatter *relative to the shape's own spacing* (ring gap, centre
gap, moon radius, half a cell), so the difficulty hardly depends on the number
of classes. At the default 0.2 the classes overlap a little, so a large network
can be seen to overfit; at 1 they overlap heavily. Coordinates stay roughly
within [-1.5, 1.5] at the defaults, so the book's network trains well without
a scaler.

All randomness comes from the ``rng`` passed in (a ``numpy.random.Generator``;
only ``standard_normal``, ``uniform`` and ``integers`` are used), drawn class by
class, so the same seed always gives the same arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnfs_gui.core import config as _config

Points = np.ndarray  # (samples, 2) float64, one class's points
ClassPoints = Callable[[int, int, int, float, np.random.Generator], Points]
DataGenerator = Callable[[int, int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]

# The half-width of the square that the XOR/checkerboard cells tile.
_XOR_HALF_WIDTH = 1.0
# Blob centres lie on this circle; it leaves room for the scatter within 1.5.
_BLOB_CIRCLE_RADIUS = 0.75
# The vertical data's last class centre never lies beyond this x (book: c / 3).
_VERTICAL_MAX_X = 4.0 / 3.0


def _stack_classes(class_points: ClassPoints) -> DataGenerator:
    """Turn a per-class point maker into a full generator.

    ``class_points(c, samples, classes, noise, rng)`` returns the ``(samples, 2)``
    points of class ``c``; classes are drawn in order 0, 1, ..., like the book.
    """

    def generate(samples: int, classes: int, noise: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        parts = [class_points(c, samples, classes, noise, rng) for c in range(classes)]
        x = np.concatenate(parts).astype(np.float32)
        y = np.repeat(np.arange(classes, dtype=np.int64), samples)
        return x, y

    generate.__name__ = class_points.__name__.lstrip("_")
    generate.__doc__ = class_points.__doc__
    return generate


# -- the book's data sets --------------------------------------------------------

# The book's arm c sweeps the angles 10c .. 10c + 10 rad (t = 4c .. 4c + 4, times 2.5),
# so arm starts lie 10c mod 2 pi apart. Up to 5 classes the closest two starts are
# 1.15 rad apart; with 6, arm 5 starts 0.27 rad from arm 0 (50 - 8 pi), the arms nearly
# coincide and the data is close to inseparable. Beyond this many classes the arms
# therefore start evenly spaced, 2 pi / classes apart, with the book's sweep and noise.
_BOOK_SPIRAL_MAX_CLASSES = 5


def _spiral_t_start(c: int, classes: int) -> float:
    """Where arm c's parameter t begins (its start angle / 2.5): the book's 4c for up to
    5 classes, evenly spaced start angles beyond."""
    if classes <= _BOOK_SPIRAL_MAX_CLASSES:
        return 4.0 * c
    return 2.0 * np.pi * c / classes / 2.5


def _spiral(c: int, samples: int, classes: int, noise: float,
            rng: np.random.Generator) -> Points:
    """The book's spiral arm of class c (``spiral_data``, ch. 2 and 11).

    r = linspace(0, 1, samples); t = linspace(t0, t0 + 4, samples) +
    randn(samples) * noise; points (r sin 2.5t, r cos 2.5t). For up to 5 classes
    t0 = 4c, the book's formula exactly; for 6-8 classes the arms start evenly
    around the circle instead (the book's starts would overlap, see above).
    ``noise`` is the book's angle noise factor (0.2 in the book). Points run from
    the centre to the outer end of the arm.
    """
    radius = np.linspace(0.0, 1.0, samples)
    t0 = _spiral_t_start(c, classes)
    angle = np.linspace(t0, t0 + 4.0, samples) + rng.standard_normal(samples) * noise
    return np.column_stack([radius * np.sin(angle * 2.5), radius * np.cos(angle * 2.5)])


def _vertical_centre_step(classes: int) -> float:
    """x distance between neighbouring vertical-data classes.

    The book's 1/3 (centres at c/3) as long as the last centre stays within
    4/3; with 6 or more classes the step shrinks so the data stays in range.
    """
    return min(1.0 / 3.0, _VERTICAL_MAX_X / (classes - 1))


def _vertical(c: int, samples: int, classes: int, noise: float,
              rng: np.random.Generator) -> Points:
    """The book's vertical data (``vertical_data``): one upright blob per class.

    Class c is centred at (c * step, 0.5) with step = 1/3 (the book's) for up to
    5 classes, smaller beyond; both coordinates scatter with std ``noise / 2``,
    so the default noise 0.2 gives the book's 0.1.
    """
    centre = np.array([c * _vertical_centre_step(classes), 0.5])
    return centre + rng.standard_normal((samples, 2)) * (noise / 2.0)


# -- further shapes -------------------------------------------------------------

def _sorted_angles(samples: int, high: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform random angles in [0, high), sorted so points run along the curve."""
    return np.sort(rng.uniform(0.0, high, samples))


def _circles(c: int, samples: int, classes: int, noise: float,
             rng: np.random.Generator) -> Points:
    """Concentric rings, ring c of radius (c + 1) / classes (outermost: 1).

    Angles are uniform and sorted (points run once around the ring); points
    scatter with std ``noise`` times the gap between rings.
    """
    gap = 1.0 / classes
    angle = _sorted_angles(samples, 2.0 * np.pi, rng)
    ring = (c + 1) * gap * np.column_stack([np.cos(angle), np.sin(angle)])
    return ring + rng.standard_normal((samples, 2)) * (noise * gap)


def _xor_grid_size(classes: int) -> int:
    """Cells per side of the checkerboard: 2 (XOR's quadrants) or one per class."""
    return max(2, classes)


def _xor(c: int, samples: int, classes: int, noise: float,
         rng: np.random.Generator) -> Points:
    """XOR for 2 classes; a checkerboard for more.

    The square [-1, 1]^2 is cut into k x k cells, k = max(2, classes); the cell
    in row i, column j belongs to class (i + j) mod classes. For 2 classes that
    is XOR (class 1 where exactly one of x > 0, y > 0 holds); for more classes
    every class owns k cells along wrapped diagonals, and neighbouring cells
    always differ. Each point picks one of its class's cells at random and a
    uniform position inside it, then scatters with std ``noise / 2`` times the
    cell width.
    """
    k = _xor_grid_size(classes)
    width = 2.0 * _XOR_HALF_WIDTH / k
    rows, cols = np.divmod(np.arange(k * k), k)
    own = np.flatnonzero((rows + cols) % classes == c)
    cell = own[rng.integers(0, own.size, samples)]
    corner = np.column_stack([cols[cell], rows[cell]]) * width - _XOR_HALF_WIDTH
    inside = corner + rng.uniform(0.0, width, (samples, 2))
    return inside + rng.standard_normal((samples, 2)) * (noise / 2.0 * width)


def _blob_centre_gap(classes: int) -> float:
    """Distance between neighbouring blob centres on their circle."""
    return 2.0 * _BLOB_CIRCLE_RADIUS * np.sin(np.pi / classes)


def _blobs(c: int, samples: int, classes: int, noise: float,
           rng: np.random.Generator) -> Points:
    """Gaussian blobs with centres evenly spaced on a circle of radius 0.75.

    Class c is centred at angle pi/2 + 2 pi c / classes; the std is ``noise``
    times the gap between neighbouring centres (noise 0: each class is one point).
    """
    angle = np.pi / 2.0 + 2.0 * np.pi * c / classes
    centre = _BLOB_CIRCLE_RADIUS * np.array([np.cos(angle), np.sin(angle)])
    return centre + rng.standard_normal((samples, 2)) * (noise * _blob_centre_gap(classes))


# Half the width of the row of moons, leaving room for the scatter within 1.5.
_MOONS_HALF_WIDTH = 1.25


def _moon_scale(classes: int) -> float:
    """Moon radius after fitting the row of moons into x in [-1.25, 1.25]."""
    return 2.0 * _MOONS_HALF_WIDTH / (classes + 1)


def _moons(c: int, samples: int, classes: int, noise: float,
           rng: np.random.Generator) -> Points:
    """Interleaving half circles; with more classes, more moons in a row.

    Before scaling, moon c is a unit half circle centred at (c, 0.5 * (c mod 2)),
    opening downward for even c and upward for odd c, so each moon hooks into
    its neighbours (the two-class case is the familiar pair of moons). The row
    spans x in [-1, classes] and y in [-0.5, 1]; it is centred and scaled by
    2.5 / (classes + 1), so it spans x in [-1.25, 1.25]. Angles are uniform and
    sorted (points run along the arc); scatter std is ``noise`` times the moon
    radius.
    """
    scale = _moon_scale(classes)
    angle = _sorted_angles(samples, np.pi, rng)
    side = 1.0 if c % 2 == 0 else -1.0
    centre = np.array([c, 0.5 * (c % 2)])
    arc = centre + np.column_stack([np.cos(angle), side * np.sin(angle)])
    middle = np.array([(classes - 1) / 2.0, 0.25])
    points = (arc - middle) * scale
    return points + rng.standard_normal((samples, 2)) * (noise * scale)


DATASETS: dict[str, DataGenerator] = {
    "spiral": _stack_classes(_spiral),
    "vertical": _stack_classes(_vertical),
    "circles": _stack_classes(_circles),
    "xor": _stack_classes(_xor),
    "blobs": _stack_classes(_blobs),
    "moons": _stack_classes(_moons),
}
assert tuple(DATASETS) == _config.DATASETS, "DATASETS must match config.DATASETS"


def make_dataset(name: str, samples: int, classes: int, noise: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points of data set ``name``: x (samples * classes, 2) float32, y (n,) int64.

    Raises ValueError naming the argument if a value is out of range.
    """
    if name not in DATASETS:
        raise ValueError(f"dataset: {name!r} is not one of {', '.join(DATASETS)}")
    _check_whole("samples", samples, 1)
    _check_whole("classes", classes, 2)
    if not 0.0 <= float(noise) <= 1.0:
        raise ValueError(f"noise: {noise!r} is outside the allowed range 0..1")
    return DATASETS[name](int(samples), int(classes), float(noise), rng)


def _check_whole(name: str, value: int, lowest: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lowest:
        raise ValueError(f"{name}: expected a whole number >= {lowest}, got {value!r}")
