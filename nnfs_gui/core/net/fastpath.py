"""Normal mode's fast engine: the same network arithmetic as the layers, with less numpy
overhead per epoch.

What makes it fast (measured with cProfile on the 2-64-3, 300-point Adam case, where
an epoch is ~100 small numpy calls and their Python overhead is most of the time):

- All parameters live in one float32 buffer and all gradients in another
  (`fastarrays.FlatParams`); the layers' `weights`/`biases` are views into it, so the optimizer
  updates every layer with one set of vectorised calls.
- Activations are stored transposed, (units, n): the softmax max/sum over classes
  then runs along contiguous rows (numpy reduces a length-3 last axis ~5x slower).
- A layer's block in the buffer is the matrix [W^T | b] (n_out, n_in + 1), row-major,
  and every layer input carries an extra row of ones, so one matmul computes
  `W^T a + b` and one matmul gives both gradients ([dW^T | db] = d [a; 1]^T): no
  separate bias pass over the (units, n) arrays, no bias-gradient reduction.
  `layer.weights` is the (n_in, n_out) view `block[:, :n_in].T`, `layer.biases` a
  (1, n_out) view of the last column.
- Work arrays are preallocated per batch shape (`Workspace`) and written with
  `out=`; the softmax and the cross-entropy are fused.
- With a full batch and no dropout, training and validation inputs go through one
  forward pass (the same weights give both sets' outputs); only the training
  columns go backward.

Book mode never comes here (`supports` says no; see engines.py): it keeps the
layer-by-layer path whose arithmetic matches the book's bit for bit.
"""

from __future__ import annotations

import numpy as np

from nnfs_gui.core.net.batches import batch_order, mean_over_batches
from nnfs_gui.core.net.fastarrays import (
    IN_PLACE_ACTIVATIONS,
    FlatParams,
    Workspace,
    softmax_columns,
)
from nnfs_gui.core.net.layers import Dense, Dropout
from nnfs_gui.core.net.losses import CLIP, SoftmaxCrossEntropyHead, accuracy
from nnfs_gui.core.net.optimizers import check_state_shapes

MAX_WORKSPACES = 8  # batch shapes kept (train, fused, evaluation, grid chunks...)
# Training and validation share one forward pass up to this many columns in all. It
# saves ~40 numpy calls per epoch, which is most of the time on small sets (ch. 11's
# 600 columns: ~25% faster), while on large sets the backward pass over the strided
# training part of the wider arrays cost more (6,000 columns: ~10% slower).
FUSE_MAX_COLUMNS = 2048
# A long full-batch epoch runs over row chunks of about this many multiply-adds per
# forward pass (columns x weights), gradients summed, one update at the end: the same
# full-batch gradient up to float rounding, a caller's should_stop() asked between
# chunks, and work arrays of a chunk's size instead of the whole set's (4x512 hidden on
# 440,000 rows: ~8 GB). 2**28: ~340 columns of 4x512 (~30 ms), whole sets below
# ~800,000 rows for 2-64-3.
CHUNK_WORK = 2**28
MIN_CHUNK_COLUMNS = 256


class FastEngine:
    """Training, evaluation and prediction of a normal-mode Model on flat buffers."""

    @staticmethod
    def supports(model) -> bool:
        """True for normal-mode [Dense, activation, Dropout]* Dense models."""
        hidden = model.layers[:-1]
        if model.num.book or len(hidden) % 3 or not isinstance(model.layers[-1], Dense):
            return False
        return all(isinstance(hidden[i], Dense) and type(hidden[i + 1]) in IN_PLACE_ACTIVATIONS
                   and isinstance(hidden[i + 2], Dropout) for i in range(0, len(hidden), 3))

    def __init__(self, model) -> None:
        self.model = model
        self.dtype = model.num.dtype
        self.flat = FlatParams(model.dense, self.dtype)
        self.activations = [IN_PLACE_ACTIVATIONS[type(layer)] for layer in model.layers[1::3]]
        self.n_hidden = len(self.activations)
        self.units = [model.n_inputs] + [layer.weights.shape[1] for layer in model.dense]
        self.fused_head = isinstance(model.head, SoftmaxCrossEntropyHead)
        self.workspaces: dict[tuple[int, int], Workspace] = {}
        self._reg_cache: tuple | None = None

    # -- public -------------------------------------------------------------------
    def train_epoch(self, x, y, batch_size, shuffle, rng, x_val=None, y_val=None,
                    should_stop=None):
        """Returns (loss, data_loss, reg_loss, acc, val_loss, val_acc) as floats
        (val_* None without validation data), or None when ``should_stop()`` said yes
        between two chunks or batches. See Model.train_epoch."""
        n = len(x)
        full = batch_size == 0 or batch_size >= n
        long = full and n > self.chunk_columns()
        has_val = x_val is not None
        if full and has_val and not long and not self._dropout_active() \
                and n + len(x_val) <= FUSE_MAX_COLUMNS:
            return self._train_step(x, y, rng, x_val, y_val)
        val = self.evaluate(x_val, y_val) if has_val else (None, None)
        if should_stop is not None and should_stop():
            return None
        if long:
            stats = self._train_chunked(x, y, rng, should_stop)
        elif full:
            stats = self._train_step(x, y, rng)[:4]
        else:
            stats = self._train_batches(x, y, batch_size, shuffle, rng, should_stop)
        return None if stats is None else (*stats, *val)

    def chunk_columns(self) -> int:
        """Columns of one chunk of a long full-batch epoch (see CHUNK_WORK)."""
        weights = sum(a * b for a, b in zip(self.units[:-1], self.units[1:], strict=True))
        return max(MIN_CHUNK_COLUMNS, CHUNK_WORK // weights)

    def evaluate(self, x, y) -> tuple[float, float]:
        """(mean data loss, accuracy) on (x (n, n_in), y (n,)), no dropout."""
        ws = self._inference_pass(x)
        (loss,), (acc,) = self._metrics(ws, (y,))
        return loss, acc

    def output(self, x) -> np.ndarray:
        """(n, n_out) head activation outputs (softmax probabilities, sigmoid, linear)."""
        ws = self._inference_pass(x)
        if self.fused_head:
            softmax_columns(ws.out)
            return ws.out.T.copy()
        with np.errstate(over="ignore"):
            return np.array(self.model.head.activation.forward(ws.out.T.copy()))

    # -- parameters and optimizer state ------------------------------------------
    @property
    def params(self) -> list[np.ndarray]:
        """The layers' weights and biases: views into the flat buffer."""
        return [p for layer in self.model.dense for p in layer.params]

    def get_params(self) -> list[np.ndarray]:
        return self.flat.copies()

    def optimizer_state(self) -> dict:
        """The optimizer's state with each flat array split into one per parameter."""
        state = self.model.optimizer.state_dict()
        state["arrays"] = {slot: self.flat.unpack(flat) for (slot, (flat,))
                           in state["arrays"].items()}
        return state

    def load_optimizer_state(self, state: dict) -> None:
        """Per-parameter arrays (optimizer_state's layout) packed into flat buffers."""
        check_state_shapes(state, self.model.param_shapes())
        arrays = {slot: [self.flat.pack(params)] for slot, params
                  in state.get("arrays", {}).items()}
        self.model.optimizer.load_state_dict({**state, "arrays": arrays})

    def _inference_pass(self, x) -> Workspace:
        """Forward pass of x (n, n_in) without dropout; the logits are in ws.out (n_out, n)."""
        ws = self._workspace(len(x), 0)
        np.copyto(ws.inputs[:-1], x.T)
        self._forward(ws, training=False, rng=None)
        return ws

    # -- training -----------------------------------------------------------------
    def _train_batches(self, x, y, batch_size, shuffle, rng, should_stop=None):
        order = batch_order(len(x), shuffle, rng, self.model.num.rng)
        return mean_over_batches(len(x), batch_size, order,
                                 lambda idx: self._train_step(x[idx], y[idx], rng),
                                 should_stop)

    def _train_chunked(self, x, y, rng, should_stop):
        """One full-batch update from gradients summed over row chunks; the output
        gradient of every chunk is divided by the whole set's size, the L1/L2 gradient
        added once. Dropout masks are drawn per chunk. None (weights and optimizer
        untouched) if should_stop() says yes between chunks."""
        n = len(x)
        total = np.zeros_like(self.flat.grads)
        loss_sum = correct = 0.0
        for start, stop in chunk_bounds(n, self.chunk_columns()):
            if should_stop is not None and start and should_stop():
                return None
            m = stop - start
            ws = self._workspace(m, m)
            np.copyto(ws.inputs[:-1], x[start:stop].T)
            self._forward(ws, training=True, rng=rng)
            (loss,), (acc,) = self._metrics(ws, (y[start:stop],))
            loss_sum, correct = loss_sum + loss * m, correct + acc * m
            self._backward(ws, y[start:stop], n_total=n)
            total += self.flat.grads
        np.copyto(self.flat.grads, total)
        penalties = self._penalties()
        reg_loss = self._regularization(penalties)
        self._add_regularization_gradients(penalties)
        self.model.optimizer.step_in_place(self.flat.values, self.flat.grads)
        data_loss = loss_sum / n
        return data_loss + reg_loss, data_loss, reg_loss, correct / n

    def _train_step(self, x, y, rng, x_val=None, y_val=None):
        """Forward (training columns, then validation columns if given), metrics, backward,
        update. Returns (loss, data_loss, reg_loss, acc, val_loss, val_acc)."""
        n = len(x)
        n_val = 0 if x_val is None else len(x_val)
        ws = self._workspace(n + n_val, n)
        np.copyto(ws.inputs[:-1, :n], x.T)
        if n_val:
            np.copyto(ws.inputs[:-1, n:], x_val.T)
        self._forward(ws, training=True, rng=rng)
        losses, accs = self._metrics(ws, (y, y_val) if n_val else (y,))
        penalties = self._penalties()
        reg_loss = self._regularization(penalties)
        self._backward(ws, y)
        self._add_regularization_gradients(penalties)
        self.model.optimizer.step_in_place(self.flat.values, self.flat.grads)
        val = (losses[1], accs[1]) if n_val else (None, None)
        return losses[0] + reg_loss, losses[0], reg_loss, accs[0], *val

    def _forward(self, ws: Workspace, training: bool, rng) -> None:
        """ws.inputs -> ws.out logits (n_out, n); dropout on the training columns."""
        blocks, a = self.flat.value_blocks, ws.inputs
        for i, ops in enumerate(self.activations):
            z = ws.acts[i][:-1]
            np.matmul(blocks[i], a, out=z)
            ops.forward(z, ws)
            a = self._dropout(ws, i, rng) if training else ws.acts[i]
        np.matmul(blocks[-1], a, out=ws.out)

    def _dropout(self, ws: Workspace, i: int, rng) -> np.ndarray:
        """Hidden outputs i (with ones row) after this step's inverted-dropout mask
        (training columns only), or the outputs themselves when layer i has none."""
        rate = self.model.dropouts[i].rate
        if rate <= 0:
            return ws.acts[i]
        keep = 1.0 - rate
        rng = rng if rng is not None else self.model.num.rng
        uniform, mask, dropped = ws.dropout_arrays(i)
        rng.random(dtype=np.float32, out=uniform)
        np.less(uniform, keep, out=mask, casting="unsafe")
        mask *= 1.0 / keep
        np.multiply(ws.acts[i][:-1, :ws.n_train], mask, out=dropped[:-1])
        return dropped

    def _dropout_active(self) -> bool:
        return any(layer.rate > 0 for layer in self.model.dropouts)

    def _backward(self, ws: Workspace, y: np.ndarray, n_total: int | None = None) -> None:
        """Gradients of the mean training data loss into flat.grads; with ``n_total``
        those of this chunk's share of the mean over n_total rows."""
        n = ws.n_train
        d = self._output_gradient(ws, y, n_total or n)
        grads, values = self.flat.grad_blocks, self.flat.value_blocks
        for i in range(self.n_hidden, -1, -1):
            a_prev = ws.inputs if i == 0 else self._layer_input(ws, i)
            np.matmul(d, a_prev[:, :n].T, out=grads[i])
            if i == 0:
                break
            d_prev = ws.deltas[i - 1]
            np.matmul(values[i][:, :-1].T, d, out=d_prev)
            if self.model.dropouts[i - 1].rate > 0:
                d_prev *= ws.masks[i - 1]
            self.activations[i - 1].backward(d_prev, ws.acts[i - 1][:-1, :n],
                                             ws.scratch[i - 1])
            d = d_prev

    def _layer_input(self, ws: Workspace, i: int) -> np.ndarray:
        """What Dense layer i (i >= 1) saw in the last training forward pass."""
        return ws.dropped[i - 1] if self.model.dropouts[i - 1].rate > 0 else ws.acts[i - 1]

    def _output_gradient(self, ws: Workspace, y: np.ndarray, n_total: int) -> np.ndarray:
        """d(mean training loss over n_total rows)/d(logits) of this batch's rows in
        ws.d_out (n_out, n_train); uses ws.out."""
        n = ws.n_train
        if self.fused_head:
            # ws.out holds the probabilities and ws.picked_index[:n] the flat index of
            # each training column's true class (set by _metrics): (p - onehot) / n,
            # copied out contiguous (the matmuls on a strided slice are ~2x slower).
            ws.out.reshape(-1)[ws.picked_index[:n]] -= 1
            np.multiply(ws.out[:, :n], 1.0 / n_total, out=ws.d_out)
            return ws.d_out
        head = self.model.head
        targets = head.targets(y, self.model.n_classes, self.dtype)
        # The head's activation keeps its last output for backward: run it on the
        # training columns again (they may not have been the last ones evaluated).
        output, _ = head.forward(ws.out[:, :n].T.copy(), targets)
        np.copyto(ws.d_out, head.backward(output, targets).T)
        if n_total != n:
            ws.d_out *= n / n_total   # the head divided by this batch's n
        return ws.d_out

    # -- metrics ------------------------------------------------------------------
    def _metrics(self, ws: Workspace, label_sets) -> tuple[list[float], list[float]]:
        """Mean data loss and accuracy of each consecutive column group of ws.out
        (training columns first). The fused head leaves probabilities in ws.out.

        The softmax head's loss and accuracy are written out here instead of calling
        losses.py (as _head_metrics does): on preallocated arrays, both column groups in
        one pass, which is a large part of the fast path's gain on small sets; the
        formulas are the same (checked against a float64 reference in
        tests/core/test_fast_engine.py).
        """
        if not self.fused_head:
            return self._head_metrics(ws, label_sets)
        p = ws.out
        softmax_columns(p)
        bounds = _group_bounds(label_sets)
        for (start, stop), labels in zip(bounds, label_sets, strict=True):
            np.copyto(ws.labels[start:stop], labels, casting="unsafe")
        n = bounds[-1][1]
        np.multiply(ws.labels[:n], ws.n, out=ws.picked_index[:n])
        ws.picked_index[:n] += ws.columns[:n]
        picked = p.reshape(-1).take(ws.picked_index[:n])
        np.minimum(picked, 1 - CLIP, out=picked)  # np.clip, without its Python wrapper
        np.maximum(picked, CLIP, out=picked)
        np.log(picked, out=picked)
        sums = np.add.reduceat(picked, [start for start, _ in bounds])
        np.equal(p.argmax(axis=0)[:n], ws.labels[:n], out=ws.correct[:n])
        losses = [-float(s) / (stop - start) for s, (start, stop)
                  in zip(sums, bounds, strict=True)]
        accs = [np.count_nonzero(ws.correct[start:stop]) / (stop - start)
                for start, stop in bounds]
        return losses, accs

    def _head_metrics(self, ws: Workspace, label_sets):
        """Other heads (sigmoid, linear): their own forward on (n, n_out) views."""
        head, losses, accs = self.model.head, [], []
        for (start, stop), labels in zip(_group_bounds(label_sets), label_sets, strict=True):
            targets = head.targets(labels, self.model.n_classes, self.dtype)
            output, loss = head.forward(ws.out[:, start:stop].T.copy(), targets)
            losses.append(float(loss))
            accs.append(accuracy(head.classes(output), labels))
        return losses, accs

    # -- L1 / L2 ------------------------------------------------------------------
    def _penalties(self):
        """Per-element (l1, l2) strength vectors over the flat buffer (None when zero),
        rebuilt only when a layer's regularization changes."""
        key = tuple((r.l1_weight, r.l1_bias, r.l2_weight, r.l2_bias)
                    for r in (layer.reg for layer in self.model.dense))
        if self._reg_cache is None or self._reg_cache[0] != key:
            self._reg_cache = (key, self._penalty_vectors(key))
        return self._reg_cache[1]

    def _penalty_vectors(self, key):
        vectors = []
        for weight, bias in ((0, 1), (2, 3)):  # positions of L1's strengths, then L2's
            vec = np.zeros_like(self.flat.values)
            for i, strengths in enumerate(key):
                w_t, b = self.flat.layer_views(vec, i)
                w_t[...], b[...] = strengths[weight], strengths[bias]
            vectors.append(vec if vec.any() else None)
        return tuple(vectors)

    def _regularization(self, penalties) -> float:
        """L1/L2 penalty of the current weights (float); penalties from _penalties()."""
        l1, l2 = penalties
        p = self.flat.values
        total = 0.0
        if l1 is not None:
            total += float(np.dot(l1, np.abs(p)))
        if l2 is not None:
            total += float(np.dot(l2 * p, p))
        return total

    def _add_regularization_gradients(self, penalties) -> None:
        l1, l2 = penalties
        p, g = self.flat.values, self.flat.grads
        if l1 is not None:
            # The book's sign: -1 where p < 0, else 1 (also at 0).
            g += l1 * np.where(p < 0, -1, 1).astype(p.dtype)
        if l2 is not None:
            g += 2 * l2 * p

    # -- work arrays --------------------------------------------------------------
    def _workspace(self, n: int, n_train: int) -> Workspace:
        key = (n, n_train)
        ws = self.workspaces.get(key)
        if ws is None:
            if len(self.workspaces) >= MAX_WORKSPACES:
                self.workspaces.clear()  # e.g. many grid sizes: do not grow without bound
            ws = self.workspaces[key] = Workspace(self.units, n, n_train, self.dtype)
        return ws


def chunk_bounds(n: int, columns: int) -> list[tuple[int, int]]:
    """[(start, stop)] of near-equal chunks of at most `columns` rows covering range(n)
    (at most two chunk sizes, so at most two work-array shapes)."""
    count = -(-n // columns)
    edges = [n * i // count for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _group_bounds(label_sets) -> list[tuple[int, int]]:
    """[(start, stop)] of consecutive column groups of the given label arrays."""
    bounds, start = [], 0
    for labels in label_sets:
        bounds.append((start, start + len(labels)))
        start += len(labels)
    return bounds
