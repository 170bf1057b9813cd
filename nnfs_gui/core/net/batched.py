"""Many runs of one shape trained together as one numpy program (sweeps).

Runs that share a network shape and data sizes are stacked along a leading run axis:
parameters (R, P) in the flat [W^T | b] layout of fastarrays.FlatParams (each row is
one run's FastEngine buffer), activations (R, units + 1, n) transposed with a row of
ones, logits (R, classes, n). Every numpy call then serves R runs, which is what makes
a sweep faster than its runs one after another: at ch. 11's size an epoch is ~100
small numpy calls whose Python overhead dominates (see fastpath.py).

Why a run's numbers do not depend on its batch: every operation is either
elementwise, a reduction along a per-run axis (classes or samples), or a matmul whose
slices are separate BLAS calls of the same shapes and strides; nothing reduces across
runs. The per-run optimizer scalars are computed in Python floats, as the single-run
optimizer does, then cast to float32 the way numpy casts a Python scalar.
tests/core/test_batched.py checks bit equality of a run alone and inside a batch,
and against the Trainer.

Supported (`batchable`): normal mode, full batch, no dropout, softmax with
categorical cross-entropy, Adam or SGD; anything else trains with the Trainer.
"""

from __future__ import annotations

import math

import numpy as np

from nnfs_gui.core.net.activations import ACTIVATIONS
from nnfs_gui.core.net.fastarrays import IN_PLACE_ACTIVATIONS
from nnfs_gui.core.net.losses import CLIP

BATCHED_OPTIMIZERS = ("adam", "sgd")


def batchable(config) -> bool:
    """True when `config` can train in a BatchedNet (else: the Trainer, one at a time)."""
    return (not config.book_mode and config.batch_size == 0 and config.dropout == 0
            and config.loss == "categorical_crossentropy"
            and config.optimizer in BATCHED_OPTIMIZERS)


class BatchedData:
    """Training and validation columns of R runs: inputs (R, n_in + 1, n_train + n_val)
    with a last row of ones, labels (R, n_train + n_val) int64 (training first)."""

    def __init__(self, x_train: list, y_train: list, x_val: list, y_val: list) -> None:
        self.n_train, self.n_val = len(x_train[0]), len(x_val[0])
        x = np.stack([np.concatenate([a, b]) for a, b in zip(x_train, x_val, strict=True)])
        self.inputs = np.ones((len(x), x.shape[2] + 1, x.shape[1]), np.float32)
        self.inputs[:, :-1, :] = x.transpose(0, 2, 1)
        self.labels = np.stack([np.concatenate([a, b]).astype(np.int64)
                                for a, b in zip(y_train, y_val, strict=True)])

    def keep(self, rows: np.ndarray) -> None:
        self.inputs, self.labels = self.inputs[rows], self.labels[rows]


class BatchedNet:
    """R networks of one shape; see the module docstring for the layout.

    flats: R float32 buffers (P,) as FastEngine's `flat.values`; units: [n_in, hidden...,
    n_out]; activation: a config.ACTIVATIONS name; l1/l2: per-run weight and bias
    strengths on the hidden layers, as config fields (l1_weight, l1_bias, l2_weight,
    l2_bias), each a sequence of R floats.
    """

    def __init__(self, flats: list[np.ndarray], units: list[int], activation: str,
                 reg: dict[str, list[float]]) -> None:
        self.units = list(units)
        self.values = np.stack(flats).astype(np.float32)
        self.grads = np.zeros_like(self.values)
        self.act = IN_PLACE_ACTIVATIONS[ACTIVATIONS[activation]]
        self.offsets = _block_offsets(self.units)
        self.l1, self.l2 = _penalty_rows(self.units, self.offsets, reg)
        self._views()

    @property
    def n_runs(self) -> int:
        return len(self.values)

    def _views(self) -> None:
        self.value_blocks = [self._block(self.values, i) for i in range(len(self.offsets))]
        self.grad_blocks = [self._block(self.grads, i) for i in range(len(self.offsets))]
        self._ws = None

    def _block(self, buffer: np.ndarray, i: int) -> np.ndarray:
        start, n_in, n_out = self.offsets[i]
        return buffer[:, start:start + n_out * (n_in + 1)].reshape(-1, n_out, n_in + 1)

    def keep(self, rows: np.ndarray) -> None:
        """Keep only these runs (in this order); their numbers are unaffected."""
        self.values, self.grads = self.values[rows].copy(), self.grads[rows].copy()
        self.l1 = None if self.l1 is None else self.l1[rows]
        self.l2 = None if self.l2 is None else self.l2[rows]
        self._views()

    def run_params(self, flat: np.ndarray) -> list[np.ndarray]:
        """[W1, b1, W2, b2, ...] of one run's flat buffer (P,), as Model.get_params."""
        out = []
        for start, n_in, n_out in self.offsets:
            block = flat[start:start + n_out * (n_in + 1)].reshape(n_out, n_in + 1).copy()
            out += [block[:, :-1].T, block[:, -1][None, :]]
        return out

    # -- one epoch ------------------------------------------------------------------
    def forward_metrics(self, data: BatchedData) -> dict[str, np.ndarray]:
        """Forward pass of every column; per-run (R,) float64 metrics of the weights as
        they are now: loss, data_loss, reg_loss, acc (training), val_loss, val_acc."""
        ws = self._workspace(data)
        a = data.inputs
        for i in range(len(self.offsets) - 1):
            z = ws.acts[i][:, :-1]
            np.matmul(self.value_blocks[i], a, out=z)
            self.act.forward(z, ws)
            a = ws.acts[i]
        np.matmul(self.value_blocks[-1], a, out=ws.out)
        metrics = self._loss_and_accuracy(ws, data)
        metrics["reg_loss"] = self._regularization()
        metrics["loss"] = metrics["data_loss"] + metrics["reg_loss"]
        return metrics

    def backward(self, data: BatchedData) -> None:
        """Gradients of the mean training data loss (+ L1/L2) into `grads`; needs the
        forward_metrics of the same weights just before."""
        ws, n = self._ws, data.n_train
        ws.out.reshape(-1)[ws.train_index] -= 1  # probabilities - one-hot
        np.multiply(ws.out[:, :, :n], 1.0 / n, out=ws.d_out)
        d = ws.d_out
        for i in range(len(self.offsets) - 1, -1, -1):
            a_prev = data.inputs if i == 0 else ws.acts[i - 1]
            np.matmul(d, a_prev[:, :, :n].transpose(0, 2, 1), out=self.grad_blocks[i])
            if i == 0:
                break
            d_prev = ws.deltas[i - 1]
            np.matmul(self.value_blocks[i][:, :, :-1].transpose(0, 2, 1), d, out=d_prev)
            self.act.backward(d_prev, ws.acts[i - 1][:, :-1, :n], ws.scratch[i - 1])
            d = d_prev
        self._add_regularization_gradients()

    def evaluate(self, data: BatchedData) -> dict[str, np.ndarray]:
        """forward_metrics without training afterwards (same numbers)."""
        return self.forward_metrics(data)

    # -- pieces ---------------------------------------------------------------------
    def _loss_and_accuracy(self, ws, data: BatchedData) -> dict[str, np.ndarray]:
        p, n = ws.out, data.n_train
        p -= np.maximum.reduce(p, axis=1)[:, None, :]  # softmax over classes
        np.exp(p, out=p)
        p /= np.add.reduce(p, axis=1)[:, None, :]
        picked = p.reshape(-1).take(ws.picked_index)
        np.minimum(picked, 1 - CLIP, out=picked)
        np.maximum(picked, CLIP, out=picked)
        np.log(picked, out=picked)
        # reduceat over each run's training and validation segments: the summation
        # FastEngine uses, so the losses equal the Trainer's bit for bit.
        sums = np.add.reduceat(picked, ws.segment_starts).reshape(self.n_runs, 2)
        correct = np.equal(self._argmax_classes(ws), data.labels, out=ws.correct)
        out = {}
        for k, (name, cols) in enumerate((("", slice(0, n)), ("val_", slice(n, None)))):
            count = correct[:, cols].shape[1]
            loss = "data_loss" if not name else "val_loss"
            out[loss] = -sums[:, k].astype(np.float64) / count
            out[name + "acc"] = np.count_nonzero(correct[:, cols], axis=1) / count
        return out

    @staticmethod
    def _argmax_classes(ws) -> np.ndarray:
        """p.argmax(axis=1) (first maximum wins) as C - 1 passes over (R, n) rows: numpy's
        argmax along the short, strided class axis measured ~5x slower at 3 classes."""
        p, best, index = ws.out, ws.best, ws.argmax
        np.copyto(best, p[:, 0])
        index.fill(0)
        for c in range(1, p.shape[1]):
            np.greater(p[:, c], best, out=ws.greater)
            np.copyto(index, c, where=ws.greater)
            np.maximum(best, p[:, c], out=best)
        return index

    def _regularization(self) -> np.ndarray:
        """(R,) float64 L1 + L2 penalty of each run's weights (0 where none)."""
        total = np.zeros(self.n_runs)
        p = self.values[:, None, :]
        if self.l1 is not None:
            total += np.matmul(self.l1[:, None, :], np.abs(p).transpose(0, 2, 1))[:, 0, 0]
        if self.l2 is not None:
            total += np.matmul(self.l2[:, None, :] * p, p.transpose(0, 2, 1))[:, 0, 0]
        return total

    def _add_regularization_gradients(self) -> None:
        p, g = self.values, self.grads
        if self.l1 is not None:
            g += self.l1 * np.where(p < 0, -1, 1).astype(p.dtype)  # the book's sign(0) = 1
        if self.l2 is not None:
            g += 2 * self.l2 * p

    def _workspace(self, data: BatchedData):
        if self._ws is None or self._ws.data is not data or self._ws.n_runs != self.n_runs:
            self._ws = _Workspace(self.units, data, self.n_runs)
        return self._ws


class _Workspace:
    """Work arrays for R runs over one BatchedData (see BatchedNet)."""

    def __init__(self, units: list[int], data: BatchedData, n_runs: int) -> None:
        n, n_train, hidden = data.inputs.shape[2], data.n_train, units[1:-1]
        self.data, self.n_runs = data, n_runs
        self.acts = []
        for h in hidden:
            a = np.empty((n_runs, h + 1, n), np.float32)
            a[:, -1] = 1
            self.acts.append(a)
        self.out = np.empty((n_runs, units[-1], n), np.float32)
        self.zero_row = np.zeros(n, np.float32)  # ReluOps.forward reads it
        self.best = np.empty((n_runs, n), np.float32)
        self.argmax = np.empty((n_runs, n), np.int64)
        self.greater = np.empty((n_runs, n), bool)
        self.correct = np.empty((n_runs, n), bool)
        self.d_out = np.empty((n_runs, units[-1], n_train), np.float32)
        self.deltas = [np.empty((n_runs, h, n_train), np.float32) for h in hidden]
        self.scratch = [np.empty((n_runs, h, n_train), np.float32) for h in hidden]
        # Flat index of each column's true-class probability in out.reshape(-1).
        runs = np.arange(n_runs)[:, None]
        index = (runs * units[-1] + data.labels) * n + np.arange(n)[None, :]
        self.picked_index = index.reshape(-1)
        self.train_index = index[:, :n_train].reshape(-1)
        self.segment_starts = (np.arange(n_runs)[:, None] * n + [0, n_train]).reshape(-1)


def _block_offsets(units: list[int]) -> list[tuple[int, int, int]]:
    """(start, n_in, n_out) of each layer's [W^T | b] block, as FlatParams lays them."""
    out, start = [], 0
    for n_in, n_out in zip(units[:-1], units[1:], strict=True):
        out.append((start, n_in, n_out))
        start += n_out * (n_in + 1)
    return out


def _penalty_rows(units, offsets, reg) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Per-run, per-element L1 and L2 strengths (R, P) float32 (None if all zero);
    hidden layers only, as FastEngine's penalty vectors."""
    n_runs, size = len(reg["l1_weight"]), sum(o * (i + 1) for _, i, o in offsets)
    rows = []
    for weight, bias in (("l1_weight", "l1_bias"), ("l2_weight", "l2_bias")):
        vec = np.zeros((n_runs, size), np.float32)
        for start, n_in, n_out in offsets[:-1]:
            block = vec[:, start:start + n_out * (n_in + 1)].reshape(n_runs, n_out, n_in + 1)
            block[:, :, :-1] = np.asarray(reg[weight], np.float32)[:, None, None]
            block[:, :, -1] = np.asarray(reg[bias], np.float32)[:, None]
        rows.append(vec if vec.any() else None)
    return rows[0], rows[1]


class BatchedOptimizer:
    """Adam or SGD (with momentum) over (R, P) buffers; per-run hyperparameters.

    The update is the single-run optimizer's `step_in_place` (optimizers.py), written
    with per-run scalars: Python floats per run, then one float32 (R, 1) array.
    """

    def __init__(self, configs: list) -> None:
        names = {c.optimizer for c in configs}
        if len(names) != 1 or next(iter(names)) not in BATCHED_OPTIMIZERS:
            raise ValueError(f"one batched optimizer per batch, got {sorted(names)}")
        self.name = names.pop()
        self.configs = list(configs)
        self.iterations = 0
        self.state: dict[str, np.ndarray] = {}

    def current_learning_rates(self) -> list[float]:
        """The rate each run's next update uses (the single-run decay formula)."""
        it = self.iterations
        return [c.learning_rate * (1.0 / (1.0 + c.decay * it)) if c.decay else c.learning_rate
                for c in self.configs]

    def keep(self, rows: np.ndarray) -> None:
        self.configs = [self.configs[i] for i in rows]
        self.state = {k: v[rows].copy() for k, v in self.state.items()}

    def step(self, values: np.ndarray, grads: np.ndarray) -> list[float]:
        """One update in place; returns the learning rates it used."""
        lrs = self.current_learning_rates()
        for key in ("m", "v", "work") if self.name == "adam" else ("m", "work"):
            if key not in self.state:
                self.state[key] = np.zeros_like(values)
        (self._adam if self.name == "adam" else self._sgd)(values, grads, lrs)
        self.iterations += 1
        return lrs

    def _adam(self, p, g, lrs) -> None:
        m, v, work, t = self.state["m"], self.state["v"], self.state["work"], \
            self.iterations + 1
        b1 = _column([c.beta1 for c in self.configs])
        b2 = _column([c.beta2 for c in self.configs])
        m *= b1
        np.multiply(g, _column([1 - c.beta1 for c in self.configs]), out=work)
        m += work
        v *= b2
        np.multiply(g, g, out=work)
        work *= _column([1 - c.beta2 for c in self.configs])
        v += work
        roots = [math.sqrt(1 - c.beta2 ** t) for c in self.configs]
        np.sqrt(v, out=work)
        work += _column([c.epsilon * r for c, r in zip(self.configs, roots, strict=True)])
        np.divide(m, work, out=work)
        work *= _column([-lr * r / (1 - c.beta1 ** t)
                         for lr, r, c in zip(lrs, roots, self.configs, strict=True)])
        p += work

    def _sgd(self, p, g, lrs) -> None:
        work = self.state["work"]
        np.multiply(g, _column([-lr for lr in lrs]), out=work)
        if any(c.momentum for c in self.configs):
            update = self.state["m"]
            update *= _column([c.momentum for c in self.configs])
            update += work
            work = update
        p += work


def _column(values: list[float]) -> np.ndarray:
    """(R, 1) float32: each Python float rounded as numpy rounds a scalar operand."""
    return np.array(values, np.float32)[:, None]
