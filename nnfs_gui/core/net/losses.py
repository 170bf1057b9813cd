"""Losses (book ch. 5, 9, 16, 17) and the output heads that pair them with an activation.

A loss gives per-sample losses (n,) and the gradient of their mean with respect
to its predictions. An *output head* (registry `LOSSES`, keyed by config.LOSSES)
is what the model ends with: output activation + loss + how to read classes and
probabilities from the output. Labels `y` are (n,) integer classes everywhere;
each head turns them into the targets its loss wants.
"""

from __future__ import annotations

import numpy as np

from nnfs_gui.core.net.activations import Linear, Sigmoid, Softmax

CLIP = 1e-7  # predictions are clipped to [CLIP, 1 - CLIP] before taking logs


def mean_loss(sample_losses: np.ndarray):
    """np.mean of a 1-D array, the same value without np.mean's Python overhead."""
    return np.add.reduce(sample_losses) / len(sample_losses)


def accuracy(predicted: np.ndarray, y: np.ndarray) -> float:
    """Fraction of matching classes (the same value as np.mean(predicted == y))."""
    return float(np.count_nonzero(predicted == y)) / len(y)


class CategoricalCrossentropy:
    """-log(p[true class]); y_pred (n, classes) probabilities, y_true (n,) labels."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        # Clipping only the picked entries gives the same numbers as clipping all.
        picked = y_pred[np.arange(len(y_pred)), y_true]
        return -np.log(np.clip(picked, CLIP, 1 - CLIP))

    def backward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        n = len(y_pred)
        onehot = np.eye(y_pred.shape[1], dtype=y_pred.dtype)[y_true]
        return -onehot / y_pred / n


class BinaryCrossentropy:
    """-(t log p + (1-t) log(1-p)), averaged over outputs; y_pred, y_true (n, outputs)."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        p = np.clip(y_pred, CLIP, 1 - CLIP)
        return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)

    def backward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        n, outputs = y_pred.shape
        p = np.clip(y_pred, CLIP, 1 - CLIP)
        return -(y_true / p - (1 - y_true) / (1 - p)) / outputs / n


class MeanSquaredError:
    """mean((t - p)**2) over outputs; y_pred, y_true (n, outputs)."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def backward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        n, outputs = y_pred.shape
        return -2 * (y_true - y_pred) / outputs / n


class MeanAbsoluteError:
    """mean(|t - p|) over outputs; y_pred, y_true (n, outputs)."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def backward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        n, outputs = y_pred.shape
        # d|t - p|/dp = sign(p - t) (at p == t numpy's sign gives 0).
        return np.sign(y_pred - y_true) / outputs / n


# -- output heads ---------------------------------------------------------------

class SoftmaxCrossEntropyHead:
    """Softmax output with categorical cross-entropy; fused backward `(p - onehot) / n`."""

    def __init__(self) -> None:
        self.activation = Softmax()
        self.loss = CategoricalCrossentropy()

    def n_units(self, n_classes: int) -> int:
        return n_classes

    def targets(self, y: np.ndarray, n_classes: int, dtype: np.dtype) -> np.ndarray:
        return y

    def forward(self, z: np.ndarray, targets: np.ndarray):
        """z (n, classes) logits -> (probabilities, mean data loss as a numpy scalar)."""
        out = self.activation.forward(z)
        return out, mean_loss(self.loss.forward(out, targets))

    def backward(self, output: np.ndarray, targets: np.ndarray) -> np.ndarray:
        d = output.copy()
        d[np.arange(len(d)), targets] -= 1
        d /= len(d)
        return d

    def probabilities(self, output: np.ndarray) -> np.ndarray:
        return output

    def classes(self, output: np.ndarray) -> np.ndarray:
        return np.argmax(output, axis=1)


class SigmoidBinaryHead:
    """One sigmoid unit with binary cross-entropy (ch. 16); class 1 when p > 0.5."""

    def __init__(self) -> None:
        self.activation = Sigmoid()
        self.loss = BinaryCrossentropy()

    def n_units(self, n_classes: int) -> int:
        return 1

    def targets(self, y: np.ndarray, n_classes: int, dtype: np.dtype) -> np.ndarray:
        return np.asarray(y).reshape(-1, 1).astype(dtype)

    def forward(self, z: np.ndarray, targets: np.ndarray):
        with np.errstate(over="ignore"):  # exp(-z) -> inf for very negative z gives p = 0
            out = self.activation.forward(z)
        return out, mean_loss(self.loss.forward(out, targets))

    def backward(self, output: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return self.activation.backward(self.loss.backward(output, targets))

    def probabilities(self, output: np.ndarray) -> np.ndarray:
        """(n, 1) sigmoid outputs -> (n, 2) columns [1 - p, p]."""
        return np.concatenate([1 - output, output], axis=1)

    def classes(self, output: np.ndarray) -> np.ndarray:
        return (output[:, 0] > 0.5).astype(np.int64)


class LinearRegressionHead:
    """Linear outputs fitted to one-hot targets with MSE or MAE (ch. 17); class = argmax."""

    def __init__(self, loss) -> None:
        self.activation = Linear()
        self.loss = loss

    def n_units(self, n_classes: int) -> int:
        return n_classes

    def targets(self, y: np.ndarray, n_classes: int, dtype: np.dtype) -> np.ndarray:
        return np.eye(n_classes, dtype=dtype)[y]

    def forward(self, z: np.ndarray, targets: np.ndarray):
        out = self.activation.forward(z)
        return out, mean_loss(self.loss.forward(out, targets))

    def backward(self, output: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return self.activation.backward(self.loss.backward(output, targets))

    def probabilities(self, output: np.ndarray) -> np.ndarray:
        """Linear outputs clipped to [0, 1] (they estimate the one-hot target, not a
        normalized distribution)."""
        return np.clip(output, 0, 1)

    def classes(self, output: np.ndarray) -> np.ndarray:
        return np.argmax(output, axis=1)


LOSSES: dict[str, callable] = {
    "categorical_crossentropy": SoftmaxCrossEntropyHead,
    "binary_crossentropy": SigmoidBinaryHead,
    "mse": lambda: LinearRegressionHead(MeanSquaredError()),
    "mae": lambda: LinearRegressionHead(MeanAbsoluteError()),
}
