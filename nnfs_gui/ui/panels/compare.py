"""Model B beside the window's model A: the book's Fig 11.01, live.

B is a RunSession of its own (its own training process) whose config is A's
data settings (``DATA_FIELDS``) plus B's own network, optimizer and
regularization, and which trains on exactly A's points: its StartRun carries
A's DataSplit. Whenever A starts a new run, B starts over on A's points, so the
two always stand at about the same epoch.
The pane shows B's decision regions and one line of figures (losses,
accuracies, the overfitting verdict). Play, Pause, Step and Reset of the window
drive both models; each trains to its own epoch limit. B's settings come from a
preset, or from a copy of A's current settings ("Copy A").
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from nnfs_gui.core.config import DATA_FIELDS, Config, ConfigError
from nnfs_gui.core.files import presets
from nnfs_gui.core.formatting import epoch_text
from nnfs_gui.training.process.protocol import RunPoints
from nnfs_gui.training.run.verdict import short_verdict
from nnfs_gui.ui.panels.status import SteadyVerdict
from nnfs_gui.ui.session import RunSession
from nnfs_gui.ui.views.decision_view import DecisionView

PAIRS = {"ch11-overfit": "ch11-generalize", "ch11-generalize": "ch11-overfit"}
COPY_OF_A = "(copy of A)"


def partner_config(config: Config) -> Config:
    """B's settings when comparing starts: a preset's partner (ch. 11's overfitting
    run against its generalizing variant, and back), else a copy of A."""
    name = PAIRS.get(config.name)
    if name in presets.scan_presets()[0]:
        try:
            return presets.load_preset(name)
        except (KeyError, ValueError):
            pass
    return config


def with_data_of(own: Config, data: Config) -> Config:
    """``own`` with ``data``'s data settings (DATA_FIELDS); ConfigError if they clash
    (e.g. a binary loss with three classes)."""
    return own.replace(**{f: getattr(data, f) for f in DATA_FIELDS})


def figures_text(row: dict | None, epochs_done: int, verdict=None) -> str:
    """One line: the last epoch trained, its losses and accuracies, and the verdict
    (training.verdict.Verdict, in a few words; the whole sentence is the tooltip)."""
    if row is None:
        return "No epoch trained yet."
    train, val = row["data_loss"], row["val_loss"]
    if not (math.isfinite(train) and math.isfinite(val)):
        return f"{epoch_text(epochs_done)}: no finite loss"
    text = (f"{epoch_text(epochs_done)} · loss {train:.3f} / validation {val:.3f} · "
            f"accuracy {row['acc']:.3f} / {row['val_acc']:.3f}")
    return text if verdict is None else f"{text} · {short_verdict(verdict)}"


def n_classes(session: RunSession) -> int:
    """Classes of the session's run (its points say; before them, its config)."""
    return session.points.n_classes if session.points is not None else session.config.classes


class ComparePane(QWidget):
    """B's title, preset picker, decision view and figures; owns B's RunSession.

    config: B's own chosen settings (a preset or a copy of A); ``session.config``
    is what B trains: those with A's data settings.
    """

    changed = Signal()          # B got a new config (a status message is due)

    def __init__(self, a: RunSession, config: Config, copied: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.a = a
        self.config = config
        self.copied = copied    # B's config is a copy of A's (not a preset as such)
        self.copy_a = QPushButton("Copy A")
        self.copy_a.setToolTip("Make B a copy of A's current settings: then change one "
                               "thing in A and compare.")
        self.picker = QComboBox()
        self.picker.setToolTip("B's settings: a preset, or a copy of A.")
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.view = DecisionView()
        # While the window's epoch cursor is away from live (ui/cursor_control.py), the
        # view shows the cursor's epoch, not each frame's regions, and these figures.
        self.live_regions = True
        self.cursor_text: str | None = None
        self.steady = SteadyVerdict()
        self._build()
        self._fill_picker()
        self.picker.textActivated.connect(self._picked)
        self.session = RunSession("B", config, parent=self)
        self._subscribe(self.session)
        a.run_started.connect(self._a_started)
        self.new_run()

    def _build(self) -> None:
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>B</b>"))
        head.addWidget(self.picker, 1)
        head.addWidget(self.copy_a)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(head)
        box.addWidget(self.view, 1)
        box.addWidget(self.figures)

    def _subscribe(self, b: RunSession) -> None:
        b.run_started.connect(self.view.reset)
        b.run_started.connect(lambda _points: self.steady.reset())
        b.regions_changed.connect(
            lambda: self.live_regions and self.view.show_regions(b.latest_grid, b.extent,
                                                                  b.val_pred))
        b.state_changed.connect(self._show_figures)
        b.error.connect(lambda text: self.figures.setText(f"B: {text}"))
        b.died.connect(lambda text: self.figures.setText(f"B: {text}"))

    def _fill_picker(self) -> None:
        self.picker.clear()
        self.picker.addItems([COPY_OF_A, *presets.scan_presets()[0]])
        self._show_name()

    def _show_name(self) -> None:
        i = 0 if self.copied else self.picker.findText(self.config.name)
        if i < 0:   # settings of B's own (a sweep's run, a script): named, not "copy of A"
            self.picker.addItem(self.config.name)
            i = self.picker.count() - 1
        self.picker.setCurrentIndex(i)

    @property
    def label(self) -> str:
        """What B is, in words: a preset's name or "a copy of A"."""
        return "a copy of A" if self.copied else self.config.name

    @property
    def epoch(self) -> int:
        return self.session.epoch

    # -- commands (the window calls these with A's) ---------------------------------------
    def set_config(self, config: Config, copied: bool = False) -> None:
        """Train ``config`` as B, from fresh weights; ``copied``: it is a copy of A's."""
        self.config, self.copied = config, copied
        self._show_name()
        self.new_run()
        self.changed.emit()

    def new_run(self) -> None:
        """A new run of B on A's current points (once A has points)."""
        points = self.a.points
        if points is None:
            return   # A's first run has not started yet: B starts with it (_a_started)
        try:
            config = with_data_of(self.config, points.config or self.a.config)
        except ConfigError as e:
            self.figures.setText(f"B cannot train on A's data: {e}")
            return
        self.session.new_run(config, points.split())

    def _a_started(self, _points: RunPoints) -> None:
        """A started a new run (Reset, a preset, a restart setting, a model opened...):
        B starts over too, on A's points, so the two are compared at equal epochs."""
        self.new_run()

    def stop(self) -> None:
        self.session.stop(900)

    def _picked(self, name: str) -> None:
        if name == COPY_OF_A:
            self.copy_a.click()
            return
        if name == self.config.name and name not in presets.scan_presets()[0]:
            return   # B's own settings, already running
        try:
            self.set_config(presets.load_preset(name))
        except (KeyError, ValueError) as e:
            self.figures.setText(f"Preset {name} could not be loaded: {e}")

    def _show_figures(self) -> None:
        b = self.session
        verdict = self.steady.update(b.history, n_classes(b), b.playing)
        self.figures.setText(b.diverged or self.cursor_text
                             or figures_text(b.last_row(), b.epoch, verdict))
        self.figures.setToolTip("" if verdict is None else verdict.text)
