"""An independent reference for book mode: the book's training loop for a 2-64-k
softmax classifier on its spiral, written straight from the rules in DESIGN.md with
plain numpy and none of the app's classes.

The rules of the book's `nnfs.init()`: one legacy generator seeded with 0; normal
draws rounded to float32; `dot` computed in float64 and rounded to float32; zeros
are float32. Everything else is numpy's ordinary promotion: a dropout mask
`binomial(1, keep) / keep` is float64, so the hidden layer's output after dropout,
the gradient flowing back through it and the first layer's bias gradient (a sum
of float64 values) are float64, which makes Adam's moments of those biases float64
while the parameters, updated in place, stay float32.

Order of draws: training spiral, W1, W2, per epoch one mask (only with dropout),
and after training the test spiral of 100 points per class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class BookReference:
    """Per-epoch rows (printed before each update) and the final test numbers."""

    acc: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    data_loss: list[float] = field(default_factory=list)
    reg_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)  # rate used by each epoch's update
    params: list[np.ndarray] = field(default_factory=list)
    test_acc: float = 0.0
    test_loss: float = 0.0

    def line(self, e: int) -> str:
        """The book's chapter-14/15 progress line of epoch e."""
        shown = self.lr[e - 1] if e > 0 else self.lr[0]
        return (f"epoch: {e}, acc: {self.acc[e]:.3f}, loss: {self.loss[e]:.3f} "
                f"(data_loss: {self.data_loss[e]:.3f}, reg_loss: {self.reg_loss[e]:.3f}), "
                f"lr: {shown!r}")


class _BookNumpy:
    """The three patched primitives, over one seeded legacy generator."""

    def __init__(self, seed: int = 0) -> None:
        self.gen = np.random.RandomState(seed)

    def normal(self, *shape: int) -> np.ndarray:
        return self.gen.randn(*shape).astype(np.float32)

    @staticmethod
    def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.dot(a.astype(np.float64), b.astype(np.float64)).astype(np.float32)

    def spiral(self, per_class: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
        points = np.zeros((per_class * classes, 2), np.float32)
        labels = np.zeros(per_class * classes, np.uint8)
        for k in range(classes):
            radius = np.linspace(0.0, 1, per_class)
            angle = np.linspace(4 * k, 4 * (k + 1), per_class) + self.normal(per_class) * 0.2
            rows = slice(k * per_class, (k + 1) * per_class)
            points[rows, 0] = radius * np.sin(angle * 2.5)
            points[rows, 1] = radius * np.cos(angle * 2.5)
            labels[rows] = k
        return points, labels


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _mean_nll(probs: np.ndarray, labels: np.ndarray):
    picked = np.clip(probs, 1e-7, 1 - 1e-7)[np.arange(len(labels)), labels]
    return np.mean(-np.log(picked))


def book_reference_run(per_class: int, classes: int, epochs: int, *, dropout: float,
                       l2: float, lr: float, decay: float,
                       test_per_class: int = 100) -> BookReference:
    """Train `epochs` full-batch Adam updates (beta 0.9/0.999, eps 1e-7) the book's way."""
    bn = _BookNumpy(0)
    x, y = bn.spiral(per_class, classes)
    w1, b1 = 0.01 * bn.normal(2, 64), np.zeros((1, 64), np.float32)
    w2, b2 = 0.01 * bn.normal(64, classes), np.zeros((1, classes), np.float32)
    params = [w1, b1, w2, b2]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    keep = 1.0 - dropout
    out = BookReference()
    rate = lr
    for step in range(epochs):
        hidden_in = bn.dot(x, w1) + b1
        hidden = np.maximum(0, hidden_in)
        mask = bn.gen.binomial(1, keep, size=hidden.shape) / keep if dropout else None
        passed = hidden if mask is None else hidden * mask
        probs = _softmax(bn.dot(passed, w2) + b2)
        data = _mean_nll(probs, y)
        penalty = 0
        if l2:
            penalty = penalty + l2 * np.sum(w1 * w1) + l2 * np.sum(b1 * b1)
        out.acc.append(float(np.mean(probs.argmax(axis=1) == y)))
        out.data_loss.append(float(data))
        out.reg_loss.append(float(penalty))
        out.loss.append(float(data + penalty))

        grad_logits = probs.copy()
        grad_logits[np.arange(len(y)), y] -= 1
        grad_logits = grad_logits / len(y)
        grad_w2 = bn.dot(passed.T, grad_logits)
        grad_b2 = np.sum(grad_logits, axis=0, keepdims=True)
        grad_hidden = bn.dot(grad_logits, w2.T)
        if mask is not None:
            grad_hidden = grad_hidden * mask
        grad_hidden = np.where(hidden_in <= 0, 0, grad_hidden)
        grad_w1 = bn.dot(x.T, grad_hidden)
        grad_b1 = np.sum(grad_hidden, axis=0, keepdims=True)
        if l2:
            grad_w1 += 2 * l2 * w1
            grad_b1 += 2 * l2 * b1

        rate = lr * (1.0 / (1.0 + decay * step))
        t = step + 1
        for i, grad in enumerate((grad_w1, grad_b1, grad_w2, grad_b2)):
            first[i] = 0.9 * first[i] + (1 - 0.9) * grad
            second[i] = 0.999 * second[i] + (1 - 0.999) * grad ** 2
            corrected_first = first[i] / (1 - 0.9 ** t)
            corrected_second = second[i] / (1 - 0.999 ** t)
            params[i] += -rate * corrected_first / (np.sqrt(corrected_second) + 1e-7)
        out.lr.append(rate)

    x_test, y_test = bn.spiral(test_per_class, classes)
    test_probs = _softmax(bn.dot(np.maximum(0, bn.dot(x_test, w1) + b1), w2) + b2)
    out.test_loss = float(_mean_nll(test_probs, y_test))
    out.test_acc = float(np.mean(test_probs.argmax(axis=1) == y_test))
    out.params = [p.copy() for p in params]
    return out
