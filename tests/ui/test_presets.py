"""Start-up config: arguments, last session, default preset; failures become messages."""

from types import SimpleNamespace

from nnfs_gui.core.config import Config
from nnfs_gui.ui import presets


def _args(**kw):
    return SimpleNamespace(**{"config": None, "preset": None, **kw})


def test_default_is_the_overfit_preset_on_the_spiral():
    config, note = presets.startup_config(_args(), None)
    assert config.name == "ch11-overfit" and config.dataset == "spiral" and note == ""


def test_last_session_is_restored():
    saved = Config(learning_rate=0.003, name="mine").to_json()
    config, _ = presets.startup_config(_args(), saved)
    assert config.learning_rate == 0.003


def test_broken_saved_settings_fall_back_with_a_message():
    config, note = presets.startup_config(_args(), '{"learning_rate": -1}')
    assert config.name == "ch11-overfit"
    assert "last session" in note and "learning_rate" in note


def test_unknown_preset_is_a_message(tmp_path):
    config, note = presets.startup_config(_args(preset="nope"), None)
    assert "nope" in note and config.name == "ch11-overfit"


def test_saved_preset_is_listed_and_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(presets, "user_presets_dir", lambda: tmp_path)
    presets.save_preset(Config(learning_rate=0.007), "my-run")
    assert "my-run" in presets.preset_paths()
    assert presets.load_preset("my-run").learning_rate == 0.007
