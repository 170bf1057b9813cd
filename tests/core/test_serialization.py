"""Saving and loading a model: identical predictions back; broken files give a clear error."""

import io
import json
import zipfile

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files.serialization import (
    ModelFileError,
    SavedModel,
    load_model,
    read_model,
    save_model,
)
from nnfs_gui.core.net.model import Model


class DictScaler:
    """Stands in for a scaling.py scaler: only to_dict() is used when saving."""

    def to_dict(self):
        return {"kind": "maxabs", "center": [0.0, 0.0], "scale": [2.0, 4.0]}


@pytest.fixture
def trained():
    config = Config(hidden=(16, 8), activation="tanh", l2_weight=1e-4, dropout=0.1,
                    classes=3, samples=50)
    rng = np.random.default_rng(0)
    model = Model.from_config(config, 2, 3, rng)
    x = rng.normal(size=(150, 2)).astype(np.float32)
    y = rng.integers(0, 3, size=150)
    for _ in range(20):
        model.train_epoch(x, y, rng=rng)
    return model, config, x


def test_round_trip_gives_identical_predictions(tmp_path, trained):
    model, config, x = trained
    path = save_model(tmp_path / "run.npz", model, config, None)
    loaded, loaded_config, scaler = load_model(path)
    assert loaded_config == config and scaler is None
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [d.reg.l2_weight for d in loaded.dense] == [1e-4, 1e-4, 0.0]


def test_scaler_is_saved_with_the_model(tmp_path, trained):
    model, config, _ = trained
    from nnfs_gui.core.data import scaling

    save_model(tmp_path / "run.npz", model, config, DictScaler())
    _, _, scaler = load_model(tmp_path / "run.npz")
    assert scaler == scaling.Scaler.from_dict(DictScaler().to_dict())
    np.testing.assert_allclose(scaler.transform(np.array([[2.0, 2.0]])), [[1.0, 0.5]])


def test_binary_and_book_mode_models_round_trip(tmp_path):
    config = Config(classes=2, loss="binary_crossentropy", book_mode=True)
    model = Model.from_config(config, 2, 2)
    x = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
    model.train_epoch(x, (x[:, 0] > 0).astype(np.int64))
    save_model(tmp_path / "b.model", model, config)  # any suffix works
    loaded, _, _ = load_model(tmp_path / "b.model")
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_file_holds_no_pickles(tmp_path, trained):
    model, config, _ = trained
    save_model(tmp_path / "run.npz", model, config)
    with np.load(tmp_path / "run.npz", allow_pickle=False) as npz:
        params = [f"param_{i}" for i in range(6)]
        moments = [f"optimizer_{s}_{i}" for s in "mv" for i in range(6)]
        assert sorted(npz.files) == sorted(["meta", *params, *moments])
        meta = json.loads(npz["meta"].tobytes())
        assert all(npz[name].dtype == np.float32 for name in params + moments)
    assert meta["format"] == "nnfs-gui-model" and meta["version"] == 2
    assert meta["optimizer"]["name"] == "adam" and meta["optimizer"]["iterations"] == 20
    assert meta["optimizer"]["slots"] == ["m", "v"]
    assert meta["param_shapes"] == [[2, 16], [1, 16], [16, 8], [1, 8], [8, 3], [1, 3]]


def _rewrite(path, change):
    """Rewrite the saved npz with `change(arrays)` applied."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def _set_meta(key, value):
    def change(arrays):
        meta = json.loads(arrays["meta"].tobytes())
        meta[key] = value
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return change


BREAKAGES = {
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[:200]), "not a readable"),
    "text file": (lambda p: p.write_text("hello"), "not a readable"),
    "empty": (lambda p: p.write_bytes(b""), "not a readable"),
    "foreign npz": (lambda p: _rewrite(p, lambda a: a.pop("meta")), "no 'meta'"),
    "foreign format": (lambda p: _rewrite(p, _set_meta("format", "keras")), "not an nnfs"),
    "newer version": (lambda p: _rewrite(p, _set_meta("version", 9)), "version 9"),
    "bad config": (lambda p: _rewrite(p, _set_meta("config", {"classes": 99})), "classes"),
    "missing array": (lambda p: _rewrite(p, lambda a: a.pop("param_3")), "param_3"),
    "wrong shape": (lambda p: _rewrite(p, lambda a: a.update(param_0=np.ones((3, 16)))),
                    "param_0"),
    "nan weights": (lambda p: _rewrite(p, lambda a: a.update(param_2=np.full((16, 8), np.nan))),
                    "NaN"),
    "bad json": (lambda p: _rewrite(p, lambda a: a.update(meta=np.frombuffer(b"{x", np.uint8))),
                 "JSON"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_files_raise_a_clear_error(tmp_path, trained, breakage):
    model, config, _ = trained
    path = tmp_path / "run.npz"
    save_model(path, model, config)
    damage, message = BREAKAGES[breakage]
    damage(path)
    before = path.read_bytes()
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before  # loading changed nothing


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "nope.npz")


def test_failed_save_leaves_the_old_file(tmp_path, trained):
    model, config, _ = trained
    path = tmp_path / "run.npz"
    save_model(path, model, config)
    before = path.read_bytes()

    class BrokenScaler:
        def to_dict(self):
            return {"kind": object()}  # not JSON-serializable

    with pytest.raises(TypeError):
        save_model(path, model, config, BrokenScaler())
    assert path.read_bytes() == before
    assert zipfile.is_zipfile(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]


def test_read_model_restores_optimizer_state_and_epoch(tmp_path, trained):
    """Continuing a read model gives the very numbers the saved one would have given."""
    model, config, x = trained
    y = np.random.default_rng(5).integers(0, 3, len(x))
    save_model(tmp_path / "run.npz", model, config, epoch=20)
    saved = read_model(tmp_path / "run.npz")
    assert isinstance(saved, SavedModel) and saved.epoch == 20
    loaded = saved.model
    assert loaded.optimizer.iterations == model.optimizer.iterations == 20
    assert loaded.optimizer.current_learning_rate == model.optimizer.current_learning_rate
    for slot in ("m", "v"):
        for a, b in zip(loaded.optimizer_state()["arrays"][slot],
                        model.optimizer_state()["arrays"][slot], strict=True):
            np.testing.assert_array_equal(a, b)
    for _ in range(3):  # dropout masks from equal generators
        rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
        assert loaded.train_epoch(x, y, rng=rng_a) == model.train_epoch(x, y, rng=rng_b)


def _as_version_1(arrays):
    """What the first format wrote: no optimizer arrays, no epoch, version 1."""
    meta = json.loads(arrays["meta"].tobytes())
    for key in ("epoch", "optimizer"):
        meta.pop(key)
    meta["version"] = 1
    for name in [k for k in arrays if k.startswith("optimizer_")]:
        arrays.pop(name)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)


def test_version_1_files_load_with_a_fresh_optimizer(tmp_path, trained):
    model, config, x = trained
    path = save_model(tmp_path / "old.npz", model, config)
    _rewrite(path, _as_version_1)
    saved = read_model(path)
    assert saved.epoch == 0
    assert (saved.model.optimizer.iterations, saved.model.optimizer.state) == (0, [])
    np.testing.assert_array_equal(saved.model.predict_proba(x), model.predict_proba(x))


def test_an_object_without_optimizer_state_saves_weights_only(tmp_path, trained):
    """save_model takes anything with get_params(), n_inputs, n_classes (the training
    process's ModelState); without optimizer_state() the file loads with a fresh one."""
    model, config, x = trained

    class Weights:
        n_inputs, n_classes = model.n_inputs, model.n_classes

        def get_params(self):
            return model.get_params()

    saved = read_model(save_model(tmp_path / "w.npz", Weights(), config, epoch=7))
    assert saved.epoch == 7 and saved.model.optimizer.iterations == 0
    np.testing.assert_array_equal(saved.model.predict(x), model.predict(x))


def test_book_mode_model_continues_exactly(tmp_path):
    """Book mode (layer engine, its own arithmetic) restores its per-layer state too."""
    config = Config(book_mode=True, hidden=(8,), learning_rate=0.05)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    model = Model.from_config(config, 2, 3)
    for _ in range(5):
        model.train_epoch(x, y)
    loaded = read_model(save_model(tmp_path / "book.npz", model, config, epoch=5)).model
    for _ in range(3):
        assert loaded.train_epoch(x, y) == model.train_epoch(x, y)
