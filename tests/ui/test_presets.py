"""Start-up config: arguments, last session, default preset; failures become messages."""

import shutil
from types import SimpleNamespace

import pytest

from nnfs_gui.core.config import Config
from nnfs_gui.core.files import paths, presets
from nnfs_gui.core.files.presets import PresetError as PresetNameError
from nnfs_gui.ui.run import startup_config


def _args(**kw):
    return SimpleNamespace(**{"config": None, "preset": None, **kw})


def test_default_is_the_overfit_preset_on_the_spiral():
    config, note = startup_config(_args(), None)
    assert config.name == "ch11-overfit" and config.dataset == "spiral" and note == ""


def test_last_session_is_restored():
    saved = Config(learning_rate=0.003, name="mine").to_json()
    config, _ = startup_config(_args(), saved)
    assert config.learning_rate == 0.003


def test_broken_saved_settings_fall_back_with_a_message():
    config, note = startup_config(_args(), '{"learning_rate": -1}')
    assert config.name == "ch11-overfit"
    assert "last session" in note and "learning_rate" in note


def test_unknown_preset_is_a_message(tmp_path):
    config, note = startup_config(_args(preset="nope"), None)
    assert "nope" in note and config.name == "ch11-overfit"


def test_saved_preset_is_listed_and_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(presets, "user_presets_dir", lambda: tmp_path)
    presets.save_preset(Config(learning_rate=0.007), "my-run")
    assert "my-run" in presets.scan_presets()[0]
    assert presets.load_preset("my-run").learning_rate == 0.007


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """A copy of the bundled presets and an empty user folder, both under tmp_path."""
    bundled, user = tmp_path / "bundled", tmp_path / "user"
    shutil.copytree(paths.presets_dir(), bundled)
    user.mkdir()
    monkeypatch.setattr(presets, "_bundled_dir", lambda: bundled)
    monkeypatch.setattr(presets, "user_presets_dir", lambda: user)
    return SimpleNamespace(bundled=bundled, user=user, root=tmp_path)


@pytest.mark.parametrize("name", ["a/b", "../../x", "..", ".hidden", "", "   ", "a\\b",
                                  "two\nlines", "x" * 101])
def test_a_preset_name_that_is_not_a_file_name_is_refused(folders, name):
    before = sorted(folders.root.rglob("*"))
    with pytest.raises(PresetNameError) as info:
        presets.save_preset(Config(), name)
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 300
    assert sorted(folders.root.rglob("*")) == before   # nothing written anywhere


def test_a_plain_name_with_spaces_and_accents_is_a_preset(folders):
    path = presets.save_preset(Config(), "  Spirale für Anna 2  ")
    assert path == folders.user / "Spirale für Anna 2.json"
    assert "Spirale für Anna 2" in presets.scan_presets()[0]


def test_a_broken_preset_is_skipped_with_a_note_and_does_not_hide_the_bundled_one(folders):
    (folders.user / "ch11-generalize.json").write_bytes(b"\xff\xfe garbage")
    (folders.user / "mine.json").write_text('{"hidden": "many"}')
    (folders.user / ".mine.json.nnfs-gui-tmp.1.abcdefgh.json").write_text("{")
    found, notes = presets.scan_presets()
    assert found["ch11-generalize"].parent == folders.bundled
    assert "mine" not in found and not any(n.startswith(".") for n in found)
    assert len(notes) == 2
    assert any("ch11-generalize" in n and "UTF-16" in n for n in notes)
    assert any("mine" in n and "hidden" in n for n in notes)


def test_a_broken_bundled_default_preset_still_starts_and_says_so(folders):
    (folders.bundled / "ch11-overfit.json").write_text("[1, 2, 3]")
    config, note = startup_config(_args(), None)
    assert config == Config()
    assert "ch11-overfit" in note and "JSON object" in note and "\n" not in note


@pytest.mark.parametrize(("saved", "words"), [
    (["1", "2", "3"], ("list", "'1'")),               # config=1, 2, 3 in the INI file
    ("{not json", ("not valid JSON",)),
    ("[" * 10_000 + "]" * 10_000, ("nested",)),
    (42, ("int",)),
    ('{"hidden": "64"}', ("hidden",)),
    ('{"bad\\nkey": 1}', ("bad\\nkey",)),
])
def test_a_broken_settings_value_is_ignored_with_a_note(saved, words):
    config, note = startup_config(_args(), saved)
    assert config.name == "ch11-overfit"
    assert "last session" in note and "\n" not in note and len(note) < 700
    for word in words:
        assert word in note, note
