"""Dense and Dropout layers: each forward beside its backward (book ch. 3, 9, 14, 15).

A layer keeps what its backward needs from the last forward call. Gradients land
in `grads` (same order as `params`); the optimizer owns all update state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnfs_gui.core.net.numerics import Numerics

# Standard deviation of the initial weights, by config.INITS name, given n_in.
INIT_SCALES = {
    "book": lambda n_in: 0.01,
    "he": lambda n_in: math.sqrt(2.0 / n_in),
    "xavier": lambda n_in: math.sqrt(1.0 / n_in),
}


@dataclass
class Regularization:
    """L1/L2 strengths on a layer's weights and biases (ch. 14)."""

    l1_weight: float = 0.0
    l1_bias: float = 0.0
    l2_weight: float = 0.0
    l2_bias: float = 0.0


class Dense:
    """Fully connected layer: `output = x @ W + b`.

    weights: (n_in, n_out); biases: (1, n_out); x: (n, n_in); output: (n, n_out).
    """

    def __init__(self, n_in: int, n_out: int, numerics: Numerics, init: str = "book",
                 regularization: Regularization | None = None) -> None:
        self.num = numerics
        # The book's order: randn draw (float32 in book mode) times a Python float.
        self.weights = INIT_SCALES[init](n_in) * numerics.randn((n_in, n_out))
        self.biases = numerics.zeros((1, n_out))
        self.reg = regularization or Regularization()
        self.dweights: np.ndarray | None = None
        self.dbiases: np.ndarray | None = None

    @property
    def params(self) -> list[np.ndarray]:
        return [self.weights, self.biases]

    @property
    def grads(self) -> list[np.ndarray]:
        return [self.dweights, self.dbiases]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = x
        out = self.num.dot(x, self.weights)
        out += self.biases
        return out

    def backward(self, dvalues: np.ndarray, need_dinputs: bool = True) -> np.ndarray | None:
        """dvalues: (n, n_out) -> dinputs (n, n_in); sets dweights, dbiases."""
        self.dweights = self.num.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self._add_regularization_gradients()
        return self.num.dot(dvalues, self.weights.T) if need_dinputs else None

    def _add_regularization_gradients(self) -> None:
        r = self.reg
        if r.l1_weight > 0:
            self.dweights += r.l1_weight * l1_sign(self.weights)
        if r.l2_weight > 0:
            self.dweights += 2 * r.l2_weight * self.weights
        if r.l1_bias > 0:
            self.dbiases += r.l1_bias * l1_sign(self.biases)
        if r.l2_bias > 0:
            self.dbiases += 2 * r.l2_bias * self.biases

    def regularization_loss(self):
        """`l1*sum|w| + l2*sum(w*w)` over weights and biases, in the book's order.

        Returns a numpy scalar (or 0 when no penalty is set), like the book.
        """
        r, w, b = self.reg, self.weights, self.biases
        loss = 0
        if r.l1_weight > 0:
            loss += r.l1_weight * np.sum(np.abs(w))
        if r.l2_weight > 0:
            loss += r.l2_weight * np.sum(w * w)
        if r.l1_bias > 0:
            loss += r.l1_bias * np.sum(np.abs(b))
        if r.l2_bias > 0:
            loss += r.l2_bias * np.sum(b * b)
        return loss


def l1_sign(values: np.ndarray) -> np.ndarray:
    """Derivative of |v| as the book takes it: -1 where v < 0, else 1 (also at 0)."""
    sign = np.ones_like(values)
    sign[values < 0] = -1
    return sign


class Dropout:
    """Inverted dropout (ch. 15): `x * binomial(1, keep) / keep` in training, identity else.

    rate: fraction dropped. A rate of 0 draws nothing, so a run without dropout
    consumes no random numbers here (book-mode exactness depends on it).
    """

    def __init__(self, rate: float, numerics: Numerics) -> None:
        self.rate = rate
        self.num = numerics
        self.mask: np.ndarray | None = None
        self.rng = None  # generator for the masks; None = the numerics' own

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not training or self.rate <= 0:
            self.mask = None
            return x
        self.mask = self.num.dropout_mask(x.shape, 1.0 - self.rate, self.rng)
        return x * self.mask

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        return dvalues if self.mask is None else dvalues * self.mask
