"""The control panel is generated from the Config specs and synced without echoes."""

from nnfs_gui.core.config import Config, field_names, spec
from nnfs_gui.ui.panels.controls import OPTIMIZER_PARAMS, ControlPanel
from nnfs_gui.ui.panels.sliders import ValueSlider


def _panel(qtbot, config=None):
    panel = ControlPanel(config or Config())
    qtbot.addWidget(panel)
    edits = []
    panel.edited.connect(lambda c, n: edits.append((n, c)))
    return panel, edits


def _shown(panel, name):
    form, widget = panel._rows[name]
    return form.isRowVisible(widget)


def test_every_setting_has_a_control_with_the_spec_tooltip(qtbot):
    panel, _ = _panel(qtbot)
    assert set(panel.controls) == set(field_names()) - {"name"}
    for name, control in panel.controls.items():
        assert spec(name).tooltip in control.widget.toolTip()
    assert isinstance(panel.controls["learning_rate"].widget, ValueSlider)
    assert panel.controls["learning_rate"].widget.scale.log


def test_only_the_optimizers_own_hyperparameters_show(qtbot):
    panel, _ = _panel(qtbot)
    params = {"momentum", "rho", "beta1", "beta2", "epsilon"}
    for opt, own in OPTIMIZER_PARAMS.items():
        panel.set_value("optimizer", opt)
        assert {p for p in params if _shown(panel, p)} == set(own), opt


def test_sync_from_config_emits_nothing(qtbot):
    panel, edits = _panel(qtbot)
    panel.set_config(Config(learning_rate=0.02, dataset="moons", hidden=(8, 8)))
    assert edits == []
    assert panel.controls["learning_rate"].widget.label.text() == "0.02"
    assert panel.controls["hidden"].get() == (8, 8)


def test_moving_a_slider_emits_the_new_config(qtbot):
    panel, edits = _panel(qtbot)
    slider = panel.controls["learning_rate"].widget
    slider.slider.setValue(slider.scale.to_position(0.01))
    name, config = edits[-1]
    assert name == "learning_rate" and abs(config.learning_rate - 0.01) < 2e-4
    assert slider.label.text() == f"{config.learning_rate:.4g}"


def test_hidden_layers_editor_changes_the_architecture(qtbot):
    panel, edits = _panel(qtbot)
    editor = panel.controls["hidden"].widget
    editor.count.setValue(3)
    assert edits[-1][1].hidden == (64, 64, 64)
    assert [b.isVisibleTo(editor) for b in editor.sizes] == [True, True, True, False]


def test_an_invalid_combination_is_a_message_and_reverts(qtbot):
    panel, edits = _panel(qtbot)
    messages = []
    panel.rejected.connect(messages.append)
    panel.set_value("loss", "binary_crossentropy")   # needs 2 classes, config has 3
    assert edits == [] and "classes" in messages[0]
    assert panel.controls["loss"].get() == "categorical_crossentropy"
