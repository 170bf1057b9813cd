"""Chapter 13 scalers: ranges, round trips, zero spread, and no validation leakage."""

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnfs_gui.core import config
from nnfs_gui.core.config import Config
from nnfs_gui.core.data import pipeline, scaling
from nnfs_gui.core.data.scaling import SCALERS, Scaler, fit_scaler
from nnfs_gui.core.data.splits import make_split

# Two features with different ranges: x0 in [-1, 4], x1 in [10, 30].
X = np.array([[-1.0, 10.0], [4.0, 30.0], [0.0, 20.0], [2.0, 12.0]], dtype=np.float32)


def test_registry_matches_config_choices():
    assert tuple(SCALERS) == config.SCALERS


@pytest.mark.parametrize(("name", "expected"), [
    ("none", X),
    ("maxabs", X / [4.0, 30.0]),
    ("minmax_sym", (X - [1.5, 20.0]) / [2.5, 10.0]),
    ("minmax01", (X - [-1.0, 10.0]) / [5.0, 20.0]),
    ("standard", (X - X.mean(axis=0)) / X.std(axis=0)),
])
def test_known_values(name, expected):
    out = fit_scaler(name, X).transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_training_data_lands_in_the_stated_ranges():
    x = make_split(Config(dataset="vertical"), np.random.default_rng(0)).x_train
    maxabs = fit_scaler("maxabs", x).transform(x)
    np.testing.assert_allclose(np.abs(maxabs).max(axis=0), [1, 1], rtol=1e-6)
    sym = fit_scaler("minmax_sym", x).transform(x)
    np.testing.assert_allclose([sym.min(axis=0), sym.max(axis=0)], [[-1, -1], [1, 1]],
                               atol=1e-6)
    unit = fit_scaler("minmax01", x).transform(x)
    np.testing.assert_allclose([unit.min(axis=0), unit.max(axis=0)], [[0, 0], [1, 1]],
                               atol=1e-6)
    std = fit_scaler("standard", x).transform(x)
    np.testing.assert_allclose(std.mean(axis=0), [0, 0], atol=1e-6)
    np.testing.assert_allclose(std.std(axis=0), [1, 1], rtol=1e-5)


@pytest.mark.parametrize("name", config.SCALERS)
def test_round_trip_through_json_and_inverse(name):
    scaler = fit_scaler(name, X)
    text = json.dumps(scaler.to_dict())  # JSON-safe: plain lists and floats
    again = Scaler.from_dict(json.loads(text))
    assert type(again) is type(scaler) and again == scaler
    assert again.to_dict()["kind"] == name
    probe = np.array([[7.0, -3.0], [0.5, 25.0]], dtype=np.float32)
    assert np.array_equal(again.transform(probe), scaler.transform(probe))
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(probe)), probe,
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", config.SCALERS)
def test_constant_feature_gives_no_nan(name):
    x = np.array([[3.0, 0.0], [3.0, 0.0], [3.0, 0.0]], dtype=np.float32)
    out = fit_scaler(name, x).transform(np.array([[3.0, 0.0], [4.0, 1.0]]))
    assert np.isfinite(out).all()
    if name in ("minmax_sym", "minmax01", "standard"):
        assert out[0].tolist() == [0.0, 0.0]  # the constant itself maps to 0
    if name == "maxabs":
        assert out[0].tolist() == [1.0, 0.0]


def test_single_training_point_is_fine():
    scaler = fit_scaler("standard", X[:1])
    assert np.isfinite(scaler.transform(X)).all()


@pytest.mark.parametrize("bad", [
    {"kind": "log", "center": [0.0], "scale": [1.0]},
    {"kind": "maxabs", "center": [0.0, 0.0], "scale": [1.0]},
    {"kind": "maxabs", "center": [0.0], "scale": [float("nan")]},
    {"kind": "maxabs", "center": "0", "scale": [1.0]},
    ["maxabs"],
])
def test_from_dict_rejects_broken_descriptions(bad):
    with pytest.raises(ValueError, match="scaler"):
        Scaler.from_dict(bad)


def test_fit_rejects_unknown_names_and_bad_data():
    with pytest.raises(ValueError, match="log"):
        fit_scaler("log", X)
    with pytest.raises(ValueError, match="shape"):
        fit_scaler("maxabs", np.zeros((0, 2)))
    with pytest.raises(ValueError, match="NaN"):
        fit_scaler("maxabs", np.array([[np.nan, 1.0]]))


@settings(max_examples=30, deadline=None)
@given(x=hnp.arrays(np.float32, st.tuples(st.integers(1, 30), st.just(2)),
                    elements=st.floats(-100, 100, width=32)))
def test_any_training_data_maps_into_range(x):
    unit = fit_scaler("minmax01", x).transform(x)
    assert unit.min() >= -1e-6 and unit.max() <= 1 + 1e-6
    sym = fit_scaler("minmax_sym", x).transform(x)
    assert np.abs(sym).max() <= 1 + 1e-6
    assert np.abs(fit_scaler("maxabs", x).transform(x)).max() <= 1 + 1e-6


# -- validation data never influences the fit ---------------------------------

@pytest.mark.parametrize("name", config.SCALERS)
def test_changing_validation_data_leaves_the_fit_unchanged(name):
    split = make_split(Config(validation="holdout"), np.random.default_rng(0))
    wild = dataclasses.replace(split, x_val=split.x_val * 1000 + 50)
    assert fit_scaler(name, split.x_train) == fit_scaler(name, wild.x_train)


@pytest.mark.parametrize("strategy", config.VALIDATIONS)
def test_pipeline_fits_on_the_training_points_only(strategy, monkeypatch):
    seen = []
    real_fit = scaling.fit_scaler
    monkeypatch.setattr(scaling, "fit_scaler",
                        lambda name, x: seen.append(np.array(x)) or real_fit(name, x))
    cfg = Config(validation=strategy, scaler="minmax01", augment_copies=2,
                 augment_jitter=0.3)
    data = pipeline.prepare_data(cfg, np.random.default_rng(4))
    assert len(seen) == 1 and np.array_equal(seen[0], data.split.x_train)
    assert data.scaler == real_fit("minmax01", data.split.x_train)


def test_pipeline_applies_the_training_fit_to_wild_validation_data(monkeypatch):
    real_split = pipeline.splits.make_split

    def wild_split(config_, rng):
        split = real_split(config_, rng)
        return dataclasses.replace(split, x_val=split.x_val * 100)

    monkeypatch.setattr(pipeline.splits, "make_split", wild_split)
    data = pipeline.prepare_data(Config(scaler="maxabs"), np.random.default_rng(0))
    # the scaler saw only training data, so validation points are far outside [-1, 1]
    assert np.abs(data.x_train).max() == pytest.approx(1.0)
    assert np.abs(data.x_val).max() > 50
    np.testing.assert_allclose(data.x_val, data.scaler.transform(data.split.x_val))


def test_pipeline_output_shapes_and_augmented_training_set():
    cfg = Config(samples=50, classes=3, augment_copies=2, augment_rotation=30.0,
                 scaler="standard")
    data = pipeline.prepare_data(cfg, np.random.default_rng(1))
    assert data.x_train.shape == (450, 2) and data.y_train.shape == (450,)
    assert data.x_val.shape == (150, 2) and data.y_val.dtype == np.int64
    assert data.x_train.dtype == data.x_val.dtype == np.float32
    np.testing.assert_allclose(data.x_train[:150], data.scaler.transform(data.split.x_train))
    assert not data.x_train.flags.writeable and not data.x_val.flags.writeable
