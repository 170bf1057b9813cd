"""A long full-batch epoch runs over row chunks (core/fastpath.py): the same update as
one pass over all rows, and it can be cut short between chunks without a trace.

What a user would notice if this broke: a large data set trains to other weights than
the book's full batch would (wrong chunk scaling, regularization added per chunk), or
Pause in the middle of a long epoch leaves half-updated weights behind.
"""

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.net.model import Model


def twin_models(**settings):
    """Two identical models (same weights) and a data set of 600 rows, 3 classes."""
    config = Config(hidden=(16, 16), **settings)
    a = Model.from_config(config, n_outputs=3, rng=np.random.default_rng(1))
    b = Model.from_config(config, n_outputs=3, rng=np.random.default_rng(1))
    rng = np.random.default_rng(2)
    x = rng.normal(size=(600, 2)).astype(np.float32)
    y = rng.integers(0, 3, size=600)
    return a, b, x, y


def chunked(model, columns=128):
    """The model's fast engine cut to chunks of `columns` rows (600 rows: 5 chunks)."""
    model.engine.chunk_columns = lambda: columns
    return model


@pytest.mark.parametrize("settings", [
    {}, {"l2_weight": 1e-3, "l1_bias": 1e-4}, {"loss": "mse"},
    {"optimizer": "sgd", "momentum": 0.9}])
def test_chunked_full_batch_is_the_full_batch_update(settings):
    whole, parts, x, y = twin_models(**settings)
    chunked(parts)
    for _ in range(3):
        s1 = whole.train_epoch(x, y, 0, False, np.random.default_rng(0), x[:50], y[:50])
        s2 = parts.train_epoch(x, y, 0, False, np.random.default_rng(0), x[:50], y[:50])
        for field in ("loss", "data_loss", "reg_loss", "acc", "val_loss", "val_acc"):
            assert getattr(s2, field) == pytest.approx(getattr(s1, field), rel=1e-5,
                                                       abs=1e-7)
    assert (120, 120) in parts.engine.workspaces   # it did run in five chunks
    for p1, p2 in zip(whole.get_params(), parts.get_params(), strict=True):
        np.testing.assert_allclose(p2, p1, rtol=1e-4, atol=1e-6)


def test_a_wrong_scale_would_be_seen():
    """The comparison above can fail: chunks each divided by their own size differ."""
    whole, parts, x, y = twin_models()
    chunked(parts)
    engine = parts.engine
    original = engine._output_gradient
    engine._output_gradient = lambda ws, yy, n_total: original(ws, yy, ws.n_train)
    whole.train_epoch(x, y, 0, False, None)
    parts.train_epoch(x, y, 0, False, None)
    assert not np.allclose(whole.get_params()[0], parts.get_params()[0], rtol=1e-4)


@pytest.mark.parametrize("batch_size", [0, 64])
def test_stopping_between_chunks_or_batches(batch_size):
    model, _, x, y = twin_models()
    chunked(model)
    before = model.get_params()
    asked = []

    def stop_at_third():
        asked.append(1)
        return len(asked) >= 3

    stats = model.train_epoch(x, y, batch_size, False, None, x[:50], y[:50],
                              should_stop=stop_at_third)
    assert stats is None and len(asked) == 3
    if batch_size == 0:   # nothing updated before the one update at the end
        for p0, p1 in zip(before, model.get_params(), strict=True):
            np.testing.assert_array_equal(p0, p1)
        assert model.optimizer.iterations == 0
    else:                 # two batches ran: the caller (Trainer) restores
        assert model.optimizer.iterations == 2


def test_heavy_network_gets_small_chunks():
    """4x512 hidden: chunks of a few hundred rows, not the whole 440,000."""
    config = Config(hidden=(512, 512, 512, 512), classes=8)
    model = Model.from_config(config, n_outputs=8, rng=np.random.default_rng(0))
    assert 256 <= model.engine.chunk_columns() <= 1024
