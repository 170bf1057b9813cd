"""What the window says about a run on its own points (imported or drawn).

Such a run's config still names a generated data set (Config has no field for
points), so the panel's Data set box would claim "spiral" while moons are shown.
While A's session holds its own points the box shows an extra item, "(your data)",
which cannot be chosen (its tooltip says where the points came from); choosing a
data set from the list, even the one the config names, goes back to generated data.
The decision view's axes keep the imported features' names meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from nnfs_gui.core.data.splits import describe_source, source_stem

OWN_DATA_ITEM = "(your data)"


def own_data_words(session) -> str:
    """"imported from moons.csv", "drawn points", or "" for generated data."""
    split = session.split
    return "" if split is None else describe_source(split.source)


def export_stem(window) -> str:
    """A default file-name stem for exports of A's run: the imported file's stem or
    "drawn-points" for own points, else the config's (preset's) name."""
    split = window.session.split
    return (split is not None and source_stem(split.source)) or window.config.name


def install_own_data(window) -> None:
    """Keep the Data set box and the axes true to A's points after every new run."""
    window.session.run_started.connect(lambda _: show_data_source(window))
    box = window.controls.controls["dataset"].widget
    box.activated.connect(lambda i: _chosen(window, box.itemText(i)))


def show_data_source(window) -> None:
    words = own_data_words(window.session)
    show_own_data(window.controls.controls["dataset"].widget, words,
                  window.controls.config.dataset)
    if not words:   # generated data again (a preset, a new data set): the usual names
        window.decision_view.plot.setLabel("bottom", "x1")
        window.decision_view.plot.setLabel("left", "x2")


def show_own_data(box, words: str, dataset: str) -> None:
    """``box`` (the Data set combo) shows "(your data)" (disabled, ``words`` as its
    tooltip) when ``words``, else the config's ``dataset``; emits nothing."""
    i = box.findText(OWN_DATA_ITEM)
    blocked = box.blockSignals(True)
    if words:
        if i < 0:
            box.addItem(OWN_DATA_ITEM)
            i = box.count() - 1
            box.model().item(i).setEnabled(False)
        box.setItemData(i, f"The run trains on {words}, not on a generated data set.",
                        Qt.ItemDataRole.ToolTipRole)
        box.setCurrentIndex(i)
    else:
        if i >= 0:
            box.removeItem(i)
        box.setCurrentText(dataset)
    box.blockSignals(blocked)


def _chosen(window, text: str) -> None:
    """The config's own data set chosen while own points are shown: the panel sees no
    change of setting, so the new run on generated data is started here (another data
    set is a restart field: the session sets the points aside itself)."""
    if window.session.split is None or text != window.config.dataset:
        return
    window.session.new_run(window.config)
    window.status.message(f"Data set = {text}: a new run on generated data (the "
                          f"imported or drawn points are set aside).")
