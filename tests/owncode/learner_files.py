"""Learner files for the own-code tests: the correct set (book_classes.py) and copies
of it with one planted change, written where a test wants them."""

from __future__ import annotations

from pathlib import Path

BOOK_CLASSES = Path(__file__).with_name("book_classes.py")
SOURCE = BOOK_CLASSES.read_text(encoding="utf-8")

# name: (the preset that uses the planted code, [(correct text, planted text)])
PLANTED = {
    "relu_backward_keeps_negatives": (
        "book-ch11", [("        self.dinputs[self.inputs <= 0] = 0\n", "")]),
    "softmax_without_max": (
        "book-ch11", [("np.exp(inputs - np.max(inputs, axis=1, keepdims=True))",
                       "np.exp(inputs)")]),
    "adam_without_bias_correction": (
        "book-ch11", [(" / (1 - b1 ** t)", ""), (" / (1 - b2 ** t)", "")]),
    "l2_gradient_without_factor_2": (
        "book-ch14", [("2 * self.weight_regularizer_l2", "self.weight_regularizer_l2"),
                      ("2 * self.bias_regularizer_l2", "self.bias_regularizer_l2")]),
    "dropout_mask_not_rescaled": (
        "book-ch15", [("size=inputs.shape) / self.keep", "size=inputs.shape)")]),
}


def planted(folder: Path, name: str, changes: list[tuple[str, str]] | None = None) -> Path:
    """``folder/name.py``: the correct set with ``changes`` (default: PLANTED[name])."""
    text = SOURCE
    for correct, wrong in PLANTED[name][1] if changes is None else changes:
        assert correct in text, correct
        text = text.replace(correct, wrong)
    path = folder / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


def with_lines(folder: Path, name: str, after: str, lines: str) -> Path:
    """The correct set with ``lines`` inserted after the text ``after``."""
    return planted(folder, name, [(after, after + lines)])
