"""Book mode, chapter 15 (dropout 0.1, L2 5e-4, 1,000 points per class): the trainer
behind ``main.py --headless --preset book-ch15`` prints what the book's script prints.

Two independent witnesses, over the first 1,001 epochs (epochs 0..1000):
- the lines the book's own chapter-15 script printed when run on this machine's
  numpy (2.4.6), captured as test data;
- tests/book_reference.py, the book's loop written out from DESIGN.md's rules,
  compared with every history row to the last bit.
"""

import numpy as np
import pytest

from nnfs_gui.cli.headless import progress_line, validation_line
from nnfs_gui.core.config import Config
from nnfs_gui.core.files.paths import presets_dir
from nnfs_gui.training.run.trainer import Trainer
from tests.book_reference import book_reference_run

LAST_EPOCH = 1000

# Output of the book's Chapter_15/Ch15_Final.py on numpy 2.4.6 with its loop cut to
# range(1001): epochs 0..1000 and the test set drawn after those epochs' masks.
BOOK_CH15_LINES = [
    "epoch: 0, acc: 0.324, loss: 1.099 (data_loss: 1.099, reg_loss: 0.000), lr: 0.05",
    "epoch: 100, acc: 0.564, loss: 0.917 (data_loss: 0.894, reg_loss: 0.023), "
    "lr: 0.04975371909050202",
    "epoch: 200, acc: 0.595, loss: 0.870 (data_loss: 0.840, reg_loss: 0.030), "
    "lr: 0.049507401356502806",
    "epoch: 300, acc: 0.623, loss: 0.844 (data_loss: 0.814, reg_loss: 0.030), "
    "lr: 0.0492635105177595",
    "epoch: 400, acc: 0.651, loss: 0.823 (data_loss: 0.795, reg_loss: 0.028), "
    "lr: 0.04902201088288642",
    "epoch: 500, acc: 0.647, loss: 0.829 (data_loss: 0.802, reg_loss: 0.026), "
    "lr: 0.048782867456949125",
    "epoch: 600, acc: 0.631, loss: 0.838 (data_loss: 0.812, reg_loss: 0.026), "
    "lr: 0.04854604592455945",
    "epoch: 700, acc: 0.664, loss: 0.798 (data_loss: 0.773, reg_loss: 0.025), "
    "lr: 0.048311512633460556",
    "epoch: 800, acc: 0.644, loss: 0.821 (data_loss: 0.797, reg_loss: 0.024), "
    "lr: 0.04807923457858551",
    "epoch: 900, acc: 0.627, loss: 0.812 (data_loss: 0.788, reg_loss: 0.024), "
    "lr: 0.04784917938657352",
    "epoch: 1000, acc: 0.657, loss: 0.811 (data_loss: 0.789, reg_loss: 0.023), "
    "lr: 0.04762131530072861",
]
BOOK_CH15_VALIDATION_AFTER_1001 = "validation, acc: 0.703, loss: 0.776"


@pytest.fixture(scope="module")
def ch15_trainer():
    """The book-ch15 preset cut to epochs 0..1000, trained to its end (about 15 s)."""
    config = Config.load(presets_dir() / "book-ch15.json").replace(epochs=LAST_EPOCH)
    trainer = Trainer(config)
    trainer.train(LAST_EPOCH + 1)
    assert trainer.finished and not trainer.diverged
    return trainer


@pytest.fixture(scope="module")
def reference():
    return book_reference_run(1000, 3, LAST_EPOCH + 1, dropout=0.1, l2=5e-4, lr=0.05,
                              decay=5e-5)


@pytest.mark.slow
def test_printed_lines_are_the_book_scripts(ch15_trainer):
    lines = [progress_line(ch15_trainer, e) for e in range(0, LAST_EPOCH + 1, 100)]
    assert lines == BOOK_CH15_LINES


@pytest.mark.slow
def test_validation_line_uses_the_books_test_set_drawn_after_training(ch15_trainer):
    """The book tests on a fresh 100-per-class spiral drawn after all the masks."""
    final = ch15_trainer.evaluate_final()
    assert validation_line(final["val_acc"], final["val_loss"]) == \
        BOOK_CH15_VALIDATION_AFTER_1001


@pytest.mark.slow
def test_every_epoch_equals_the_reference_loop_bit_for_bit(ch15_trainer, reference):
    h = ch15_trainer.history
    for column in ("acc", "data_loss", "reg_loss", "loss", "lr"):
        mine = h.column(column)
        theirs = np.array(getattr(reference, column))
        differing = np.flatnonzero(mine != theirs)
        assert differing.size == 0, f"{column} differs first at epoch {differing[0]}"
    for mine, theirs in zip(ch15_trainer.model.get_params(), reference.params, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    final = ch15_trainer.evaluate_final()
    assert (final["val_acc"], final["val_loss"]) == (reference.test_acc, reference.test_loss)


@pytest.mark.slow
def test_the_curve_validation_set_is_the_books_test_size(ch15_trainer):
    """The per-epoch validation set is 100 points per class (the book's test size),
    while training uses the preset's 1,000 per class."""
    assert np.bincount(ch15_trainer.y_val).tolist() == [100, 100, 100]
    assert np.bincount(ch15_trainer.y_train).tolist() == [1000, 1000, 1000]
