"""The arrays of normal mode's fast path (fastpath.py): the flat parameter buffer,
in-place activations on transposed (units, n) arrays, and per-shape work arrays.

Layout: a layer's block in the buffer is the matrix [W^T | b] (n_out, n_in + 1),
row-major, and every layer input carries an extra last row of ones, so one matmul
computes `W^T a + b` and one matmul gives both gradients ([dW^T | db] = d [a; 1]^T).
"""

from __future__ import annotations

import numpy as np

from nnfs_gui.core.net.activations import Linear, ReLU, Sigmoid, Tanh
from nnfs_gui.core.net.layers import Dense


class FlatParams:
    """One buffer of all parameters and one of their gradients; layers hold views.

    Layer i's block is [W^T | b], shape (n_out, n_in + 1), row-major. After this runs,
    `layer.weights` is the (n_in, n_out) view of W^T, `layer.biases` a (1, n_out) view
    of b, and `layer.dweights`/`layer.dbiases` the matching views of the gradients.
    """

    def __init__(self, dense: list[Dense], dtype: np.dtype) -> None:
        total = sum(layer.weights.size + layer.biases.size for layer in dense)
        self.values = np.empty(total, dtype)
        self.grads = np.zeros(total, dtype)
        self.blocks: list[tuple[int, int, int]] = []  # (start, n_in, n_out)
        start = 0
        for i, layer in enumerate(dense):
            n_in, n_out = layer.weights.shape
            self.blocks.append((start, n_in, n_out))
            w_t, b = self.layer_views(self.values, i)
            w_t[...] = layer.weights.T
            b[...] = layer.biases.reshape(-1)
            layer.weights, layer.biases = w_t.T, b[None, :]
            dw_t, db = self.layer_views(self.grads, i)
            layer.dweights, layer.dbiases = dw_t.T, db[None, :]
            start += n_out * (n_in + 1)
        # The buffers are never reallocated, so these views stay valid.
        self.value_blocks = [self.block(self.values, i) for i in range(len(dense))]
        self.grad_blocks = [self.block(self.grads, i) for i in range(len(dense))]

    def block(self, buffer: np.ndarray, i: int) -> np.ndarray:
        """Layer i's [W^T | b] (n_out, n_in + 1) view of `buffer` (values or grads)."""
        start, n_in, n_out = self.blocks[i]
        return buffer[start:start + n_out * (n_in + 1)].reshape(n_out, n_in + 1)

    def layer_views(self, buffer: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(W^T (n_out, n_in), b (n_out,)) views of layer i's block in `buffer`."""
        block = self.block(buffer, i)
        return block[:, :-1], block[:, -1]

    def copies(self) -> list[np.ndarray]:
        """[W1, b1, W2, b2, ...] as independent arrays (one buffer copy, then views)."""
        return self.unpack(self.values.copy())

    def unpack(self, buffer: np.ndarray) -> list[np.ndarray]:
        """[W1 (n_in, n_out), b1 (1, n_out), ...] views of a buffer laid out as `values`."""
        out = []
        for i in range(len(self.blocks)):
            w_t, b = self.layer_views(buffer, i)
            out += [w_t.T, b[None, :]]
        return out

    def pack(self, params: list[np.ndarray]) -> np.ndarray:
        """A new buffer laid out as `values` from [W1, b1, W2, b2, ...] (unpack's inverse),
        in the buffer's dtype."""
        buffer = np.empty_like(self.values)
        for view, p in zip(self.unpack(buffer), params, strict=True):
            view[...] = p
        return buffer


# -- activations, in place on (units, n) arrays ---------------------------------------

class ReluOps:
    """max(0, z) in place; backward zeroes the gradient where the output is 0."""

    @staticmethod
    def forward(z: np.ndarray, ws: Workspace) -> None:
        # A broadcast zero row: numpy's maximum with a scalar 0 is ~2x slower here.
        np.maximum(z, ws.zero_row, out=z)

    @staticmethod
    def backward(d: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
        """d (units, m) *= relu'(z), from the outputs a = relu(z): 1 where a > 0, else 0.
        A float 0/1 array and a multiply measured faster than np.sign or copyto(where=)."""
        np.greater(a, 0, out=scratch)
        d *= scratch


class TanhOps:
    @staticmethod
    def forward(z: np.ndarray, ws: Workspace) -> None:
        np.tanh(z, out=z)

    @staticmethod
    def backward(d: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
        np.multiply(a, a, out=scratch)
        np.subtract(1, scratch, out=scratch)
        d *= scratch


class SigmoidOps:
    @staticmethod
    def forward(z: np.ndarray, ws: Workspace) -> None:
        with np.errstate(over="ignore"):  # exp(-z) -> inf gives 0, the right limit
            np.negative(z, out=z)
            np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)

    @staticmethod
    def backward(d: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
        np.subtract(1, a, out=scratch)
        scratch *= a
        d *= scratch


class LinearOps:
    @staticmethod
    def forward(z: np.ndarray, ws: Workspace) -> None:
        pass

    @staticmethod
    def backward(d: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
        pass


# Activation class of the layer path -> its in-place twin.
IN_PLACE_ACTIVATIONS = {ReLU: ReluOps, Tanh: TanhOps, Sigmoid: SigmoidOps, Linear: LinearOps}


class Workspace:
    """Preallocated arrays for one batch shape: `n` columns forward, the first
    `n_train` of them backward (0 = forward only).

    inputs (n_in + 1, n) and acts[i] (units_i + 1, n): layer inputs, hidden outputs,
    each with a last row of ones (the bias row). dropped[i] (units_i + 1, n_train):
    outputs after dropout. out (n_out, n): logits, then probabilities. d_out
    (n_out, n_train) and deltas[i] (units_i, n_train): gradients of the logits and of
    the hidden outputs.
    """

    def __init__(self, units: list[int], n: int, n_train: int, dtype: np.dtype) -> None:
        hidden = units[1:-1]
        self.n, self.n_train = n, n_train
        self.inputs = with_ones_row(units[0], n, dtype)
        self.acts = [with_ones_row(h, n, dtype) for h in hidden]
        self.out = np.empty((units[-1], n), dtype)
        self.zero_row = np.zeros(n, dtype)
        self.columns = np.arange(n)
        self.labels = np.empty(n, np.int64)
        self.picked_index = np.empty(n, np.int64)
        self.correct = np.empty(n, bool)
        self.d_out = np.empty((units[-1], n_train), dtype)
        self.deltas = [np.empty((h, n_train), dtype) for h in hidden]
        self.scratch = [np.empty((h, n_train), dtype) for h in hidden]
        # Dropout arrays: allocated on first use (most runs have no dropout).
        self.masks: list[np.ndarray | None] = [None] * len(hidden)
        self.dropped: list[np.ndarray | None] = [None] * len(hidden)
        self.uniform: list[np.ndarray | None] = [None] * len(hidden)

    def dropout_arrays(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(uniform draws float32, scaled mask, dropped outputs with ones row) of layer i."""
        if self.masks[i] is None:
            h = self.acts[i].shape[0] - 1
            dtype = self.acts[i].dtype
            self.uniform[i] = np.empty((h, self.n_train), np.float32)
            self.masks[i] = np.empty((h, self.n_train), dtype)
            self.dropped[i] = with_ones_row(h, self.n_train, dtype)
        return self.uniform[i], self.masks[i], self.dropped[i]


def with_ones_row(rows: int, n: int, dtype: np.dtype) -> np.ndarray:
    """(rows + 1, n) work array whose last row is ones (the bias input)."""
    a = np.empty((rows + 1, n), dtype)
    a[-1] = 1
    return a


def softmax_columns(z: np.ndarray) -> None:
    """Softmax over axis 0 of logits z (classes, n), in place."""
    z -= np.maximum.reduce(z, axis=0)
    np.exp(z, out=z)
    z /= np.add.reduce(z, axis=0)
