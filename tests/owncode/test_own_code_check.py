"""``--own-code FILE.py --check``: the learner's classes against the app's engine,
step by step. A correct set matches everywhere; each planted mistake is named by the
class.method that makes it, with what differs."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files import paths
from nnfs_gui.core.learner.sandbox import OwnCode
from nnfs_gui.training.learner.check import run_check
from tests.owncode.learner_files import BOOK_CLASSES, PLANTED, SOURCE, planted
from tests.owncode.test_own_code_cli import run

DOCS_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "own-code-example.py"

# The first failing step each planted mistake must be reported as, and the words that
# say what differs.
NAMED = {
    "relu_backward_keeps_negatives": ("Activation_ReLU.backward",
                                      "all where the input was <= 0"),
    "softmax_without_max": ("Activation_Softmax.forward", "values are NaN or inf"),
    "adam_without_bias_correction": ("Optimizer_Adam.update_params",
                                     "mostly about 3.0"),
    "l2_gradient_without_factor_2": ("Layer_Dense.backward",
                                     "yours - expected = -0.0005 x the weights "
                                     "(-1 x weight_regularizer_l2)"),
    "dropout_mask_not_rescaled": ("Layer_Dropout.forward", "about 0.9 x expected"),
}
# Their backward contradicts their own forward: the finite differences say so too.
CAUGHT_BY_FINITE_DIFFERENCES = ("relu_backward_keeps_negatives",
                                "l2_gradient_without_factor_2")


def preset(name: str) -> Config:
    return Config.load(paths.presets_dir() / f"{name}.json")


def settings(tmp_path: Path, name: str) -> list[str]:
    """--preset NAME, or for chapter 15 (3,000 points) a --config of it with 300."""
    if name != "book-ch15":
        return ["--preset", name]
    path = tmp_path / "ch15-small.json"
    preset(name).replace(samples=100).save(path)
    return ["--config", str(path)]


def failing_rows(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.endswith("  FAIL")]


@pytest.mark.parametrize("name", list(PLANTED))
def test_the_check_names_each_planted_mistake(tmp_path, name):
    learner = planted(tmp_path, name)
    result = run("--headless", "--own-code", str(learner), "--check",
                 *settings(tmp_path, PLANTED[name][0]))
    assert result.returncode == 1, result.stderr
    step, words = NAMED[name]
    last = result.stdout.splitlines()[-1]
    assert last.startswith(f"FAIL: {step} differs first") and words in last, last
    assert failing_rows(result.stdout)[0].startswith(step)
    fd_failures = [row for row in failing_rows(result.stdout) if "finite diff." in row]
    assert bool(fd_failures) == (name in CAUGHT_BY_FINITE_DIFFERENCES)


def test_the_correct_set_matches_with_dropout_and_l2_through_the_command_line(tmp_path):
    result = run("--headless", "--own-code", str(BOOK_CLASSES), "--check",
                 *settings(tmp_path, "book-ch15"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "weights: your Layer_Dense draws the book's initial weights" in result.stdout
    for row in ("Layer_Dropout.forward", "Loss_CategoricalCrossentropy.regularization_loss",
                "Optimizer_Adam.update_params", "finite diff."):
        assert any(row in line and line.endswith("  ok") for line in
                   result.stdout.splitlines()), row
    assert result.stdout.splitlines()[-1].startswith("All ")
    assert not failing_rows(result.stdout)


@pytest.mark.parametrize("name", ["book-ch11", "book-ch14", "book-ch16", "ch11-overfit"])
def test_the_correct_set_matches_on_other_settings(name):
    report = run_check(OwnCode(str(BOOK_CLASSES)), preset(name), name)
    assert report.exit_code == 0, report.text()


def test_the_docs_example_class_is_one_the_check_accepts(tmp_path):
    # The example's Activation_ReLU in place of the correct set's.
    learner = tmp_path / "with_example.py"
    learner.write_text(SOURCE + "\n\n" + DOCS_EXAMPLE.read_text(encoding="utf-8"))
    report = run_check(OwnCode(str(learner)), preset("book-ch11"), "book-ch11")
    assert report.exit_code == 0, report.text()
    broken = learner.read_text().replace("self.dinputs[self.inputs <= 0] = 0    #", "#")
    learner.write_text(broken)
    report = run_check(OwnCode(str(learner)), preset("book-ch11"), "book-ch11")
    assert report.first_failure.step == "Activation_ReLU.backward"
