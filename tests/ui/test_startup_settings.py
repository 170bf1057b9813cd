"""A hand-broken settings file never stops the window: it says what it ignored,
and the bad entries are replaced when the window saves its settings."""

from types import SimpleNamespace

from PySide6.QtCore import QSettings

from nnfs_gui.core.config import Config
from nnfs_gui.ui.main_window import MainWindow
from nnfs_gui.ui.run import startup_config

BROKEN = """[General]
config=1, 2, 3
window/size=banana
export/last_folder=a, b
"""


def test_broken_settings_start_the_window_and_are_replaced_on_close(qtbot, tmp_path):
    path = tmp_path / "nnfs-gui.conf"
    path.write_text(BROKEN)
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    assert isinstance(settings.value("config"), list)   # what Qt makes of "1, 2, 3"
    config, note = startup_config(SimpleNamespace(config=None, preset=None),
                                  settings.value("config"))
    assert config.name == "ch11-overfit" and "last session" in note and "list" in note
    window = MainWindow(config, settings, message=note)
    qtbot.addWidget(window)
    window.show()
    assert "last session" in window.statusBar().currentMessage()
    assert window.export_controller.last_folder().is_dir()   # the list is ignored
    window.close()
    saved = QSettings(str(path), QSettings.Format.IniFormat)
    assert Config.from_json(saved.value("config")) == window.config
    config, note = startup_config(SimpleNamespace(config=None, preset=None),
                                  saved.value("config"))
    assert note == "" and config == window.config
