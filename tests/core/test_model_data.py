"""A model trained on its own points (imported or drawn) keeps them in its file: Open
model continues on those points, not on the config's generated data set. The points
are checked like every other member: sizes before allocation, dtypes, finite, labels."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.data.splits import DRAWN, DataSplit, describe_source, source_stem
from nnfs_gui.core.files.serialization import ModelFileError, read_model, save_model
from nnfs_gui.core.net.model import Model
from tests.core.test_model_files import npy, npy_header

CONFIG = Config(hidden=(8,), classes=3, samples=20)


def own_split(source="moons.csv") -> DataSplit:
    rng = np.random.default_rng(3)
    return DataSplit(rng.normal(size=(12, 2)).astype(np.float32), np.arange(12) % 3,
                     rng.normal(size=(5, 2)).astype(np.float32), np.arange(5) % 3,
                     "holdout", source)


def model() -> Model:
    return Model.from_config(CONFIG, 2, 3, np.random.default_rng(0))


@pytest.fixture()
def members(tmp_path):
    path = save_model(tmp_path / "own.npz", model(), CONFIG, epoch=4, split=own_split())
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def meta_of(m) -> dict:
    return json.loads(np.load(io.BytesIO(m["meta.npy"])).tobytes())


def with_data_meta(m, **changes) -> dict:
    meta = meta_of(m)
    meta["data"] = None if changes.get("data", 0) is None else {**meta["data"], **changes}
    return {**m, "meta.npy": npy(np.frombuffer(json.dumps(meta).encode(), np.uint8))}


def write(path, m) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in m.items():
            z.writestr(name, data)


def test_own_points_round_trip(tmp_path):
    split = own_split()
    saved = read_model(save_model(tmp_path / "m.npz", model(), CONFIG, split=split))
    assert saved.split is not None and saved.split.source == "moons.csv"
    for key, dtype in (("x_train", np.float32), ("y_train", np.int64),
                       ("x_val", np.float32), ("y_val", np.int64)):
        got = getattr(saved.split, key)
        assert got.dtype == dtype and np.array_equal(got, getattr(split, key))
        assert not got.flags.writeable
    assert saved.split.strategy == "holdout"


def test_generated_data_is_not_stored_and_old_files_load(tmp_path):
    """A run on the generator's points (source "") stores none: the config remakes
    them; a file without the data entry (older files) loads with split None."""
    path = save_model(tmp_path / "g.npz", model(), CONFIG,
                      split=own_split(source=""))
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("data_")]
    assert read_model(path).split is None
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    meta = meta_of(members)
    del meta["data"]
    write(tmp_path / "old.npz", {**members, "meta.npy": npy(np.frombuffer(
        json.dumps(meta).encode(), np.uint8))})
    assert read_model(tmp_path / "old.npz").split is None


BROKEN = {
    "missing points": (lambda m: {k: v for k, v in m.items() if k != "data_x_val.npy"},
                       "data_x_val"),
    "header declares 10^12 rows": (lambda m: {**m, "data_x_train.npy": npy_header(
        "<f4", (10**12, 2))}, "data_x_train"),
    "meta declares too many rows": (lambda m: with_data_meta(m, n_train=10**9), "n_train"),
    "rows differ from the meta": (lambda m: with_data_meta(m, n_train=11), "data_x_train"),
    "labels beyond the classes": (lambda m: {**m, "data_y_val.npy": npy(
        np.array([0, 1, 2, 3, 0]))}, "labels outside 0..2"),
    "negative labels": (lambda m: {**m, "data_y_train.npy": npy(-np.ones(12, np.int64))},
                        "labels"),
    "float labels": (lambda m: {**m, "data_y_train.npy": npy(np.zeros(12))}, "float64"),
    "infinite point": (lambda m: {**m, "data_x_val.npy": npy(
        np.full((5, 2), 1e300))}, "infinite"),
    "object meta": (lambda m: with_data_meta(m, source=["x"]), "source"),
    "data not an object": (lambda m: {**m, "meta.npy": npy(np.frombuffer(json.dumps(
        {**meta_of(m), "data": 3}).encode(), np.uint8))}, "JSON object"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_points_raise_one_clear_error(tmp_path, members, case):
    make, message = BROKEN[case]
    path = tmp_path / "broken.npz"
    write(path, make(members))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=message) as info:
            read_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value).startswith(str(path)) and "unexpected" not in str(info.value)
    assert peak < 50 * 2**20


def test_the_unbroken_members_load(tmp_path, members):
    write(tmp_path / "ok.npz", members)
    assert read_model(tmp_path / "ok.npz").split.source == "moons.csv"


def test_source_words_and_stems():
    assert describe_source("") == "" and source_stem("") == ""
    assert describe_source(DRAWN) == "drawn points" and source_stem(DRAWN) == "drawn-points"
    assert describe_source("moons.csv") == "imported from moons.csv"
    assert source_stem("moons.csv") == "moons"
    assert source_stem("my data (v2).tsv") == "my-data--v2-"


def test_config_json_notes_own_data_and_still_loads():
    """config.json beside a run on imported points says so; the note is not a setting,
    so the file still loads as that config (and a note that is not text is refused)."""
    from nnfs_gui.core.config import ConfigError

    text = CONFIG.to_json(data="imported from moons.csv")
    assert json.loads(text)["data"] == "imported from moons.csv"
    assert Config.from_json(text) == CONFIG
    assert "data" not in json.loads(CONFIG.to_json())
    with pytest.raises(ConfigError, match="data"):
        Config.from_dict({**CONFIG.to_dict(), "data": 3})
