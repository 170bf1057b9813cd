"""Activation functions, each forward beside its backward (book ch. 4, 9, 16, 17).

All take and return (n, units) arrays. `ACTIVATIONS` holds the hidden-layer
activations by their config.ACTIVATIONS names; Softmax is an output activation
(used by the categorical cross-entropy head in `losses.py`).
"""

from __future__ import annotations

import numpy as np


class ReLU:
    """max(0, x); the gradient is zero where the input was <= 0."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = x
        return np.maximum(0, x)

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        # Same values and dtype as copying and zeroing where input <= 0, but faster.
        return np.where(self.inputs > 0, dvalues, 0)


class Sigmoid:
    """1 / (1 + exp(-x)); derivative s * (1 - s)."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self.output = 1 / (1 + np.exp(-x))
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        return dvalues * (1 - self.output) * self.output


class Tanh:
    """tanh(x); derivative 1 - tanh(x)**2."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        self.output = np.tanh(x)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        return dvalues * (1 - self.output * self.output)


class Linear:
    """Identity (regression outputs, ch. 17)."""

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        return x

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        return dvalues


class Softmax:
    """exp(x - max(x)) / sum, row-wise: (n, classes) logits -> probabilities.

    Its backward on its own is the full Jacobian product; training uses the
    fused softmax + cross-entropy gradient instead (losses.SoftmaxCrossEntropy).
    """

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        exp = x - np.max(x, axis=1, keepdims=True)
        np.exp(exp, out=exp)
        exp /= np.sum(exp, axis=1, keepdims=True)
        self.output = exp
        return exp

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        s = self.output
        # Row i: J_i^T d_i with J_i = diag(s_i) - s_i s_i^T.
        return s * (dvalues - np.sum(dvalues * s, axis=1, keepdims=True))


ACTIVATIONS: dict[str, type] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "linear": Linear,
}
