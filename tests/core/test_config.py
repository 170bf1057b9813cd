"""Config: every error names the field, the value and what is allowed; JSON round trip."""

import json

import pytest

from nnfs_gui.core.config import SCHEMA_VERSION, Config, ConfigError, field_names, live_fields
from nnfs_gui.core.files import paths


@pytest.mark.parametrize(("changes", "words"), [
    ({"learning_rate": 50.0}, ("learning_rate", "50.0", "1e-05..10.0")),
    ({"learning_rate": "fast"}, ("learning_rate", "'fast'", "1e-05..10.0")),
    ({"epochs": 1.5}, ("epochs", "1.5", "whole number", "1..1000000")),
    ({"samples": True}, ("samples", "True", "whole number")),
    ({"noise": float("nan")}, ("noise", "nan", "0.0..1.0")),
    ({"book_mode": 1}, ("book_mode", "true or false")),
    ({"dataset": "swirl"}, ("dataset", "'swirl'", "spiral", "moons")),
    ({"hidden": (64, 600)}, ("hidden", "600", "1..512")),
    ({"hidden": (1, 2, 3, 4, 5)}, ("hidden", "1 to 4")),
    ({"hidden": 64}, ("hidden", "64", "list")),
    ({"loss": "binary_crossentropy", "classes": 3}, ("binary_crossentropy", "classes=3")),
    ({"book_mode": True, "dataset": "moons"}, ("book_mode", "'moons'")),
])
def test_invalid_values_name_field_value_and_allowed(changes, words):
    with pytest.raises(ConfigError) as info:
        Config(**changes)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_json_round_trip_keeps_every_field():
    config = Config(hidden=(32, 16), dropout=0.25, scaler="maxabs", name="x")
    again = Config.from_json(config.to_json())
    assert again == config and again.hidden == (32, 16)
    assert json.loads(config.to_json())["schema_version"] == SCHEMA_VERSION


def test_unknown_key_is_an_error_with_a_suggestion():
    data = Config().to_dict() | {"lerning_rate": 0.1}
    with pytest.raises(ConfigError, match=r"unknown key\(s\): lerning_rate \(did you mean "
                                          r"learning_rate\?\)"):
        Config.from_dict(data)
    with pytest.raises(ConfigError, match="unknown setting"):
        Config().replace(speed=2)


def test_other_schema_version_is_refused():
    with pytest.raises(ConfigError, match=r"schema_version: 2 is not supported .* reads 1"):
        Config.from_dict({"schema_version": 2})


def test_not_an_object_and_not_json():
    with pytest.raises(ConfigError, match="expected a JSON object, got list"):
        Config.from_json("[1, 2]")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.from_json("{oops")


def test_restart_and_live_fields():
    base = Config()
    changed = base.replace(learning_rate=0.01, hidden=(8,), name="other")
    assert base.restart_fields_changed(changed) == ["hidden"]
    assert "learning_rate" in live_fields() and "hidden" not in live_fields()


@pytest.mark.parametrize("path", sorted(paths.presets_dir().glob("*.json")), ids=lambda p: p.stem)
def test_presets_load_and_are_complete(path):
    data = json.loads(path.read_text())
    assert set(data) == {"schema_version", *field_names()}
    assert Config.load(path).name == path.stem
