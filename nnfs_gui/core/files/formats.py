"""The one table of export formats.

Every place that offers or writes an export reads :data:`FORMATS`: the export dialog
(its format list and file filters), the Export and File menus (tooltips, the model
file filter), the recording (which animations it can save), the headless ``--export``
list and the command line's ``--help``. Adding a format is one row here plus its
writer.

A writer is ``write(source, request) -> Path``: the :class:`ExportSource` says where
the run's pieces come from (the window's run or a headless trainer), the
:class:`ExportRequest` which file and which options. The writers of numbers (history,
data set, model: ``datafiles.py``) need nothing but numpy and are in the table from
the start. Pictures and animations are drawn by the window's views, so their writers
live with those views (``nnfs_gui/ui/export/``) and register themselves when loaded
(:func:`register_writer`, as pyqtgraph's exporters do): this table never imports the
UI, and ``--help`` or a headless run without figures never loads Qt.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnfs_gui.core.files import datafiles
from nnfs_gui.core.files.saving import ExportError

KINDS = ("figure", "data", "animation", "model")
DRAWN = ("figure", "animation")   # drawn by the window's views: the only kinds needing Qt
VIEWS = {"dashboard": "Dashboard (regions and curves)", "decision": "Decision regions",
         "curves": "Loss and accuracy curves"}
DEFAULT_WIDTH = 1600  # px of a PNG export

# progress(done, total) -> keep going?  False cancels the export.
Progress = Callable[[int, int], bool]
Writer = Callable[["ExportSource", "ExportRequest"], Path]


@dataclass(frozen=True)
class ExportSource:
    """Where an export reads the run from; the window and headless each build one.

    ``history`` is the run's History; ``points`` its raw DataSplit (or RunPoints);
    ``targets(view)`` the drawn views of a picture (``view`` a key of VIEWS);
    ``title`` one line naming the run and its numbers (a PDF page's head);
    ``model()`` a core.files.serialization.SavedModel; ``animation()`` the frames of an
    animation and their rate, ``(frames, fps)``.
    """

    config: Any
    history: Any = None
    points: Any = None
    targets: Callable[[str], Sequence[object]] | None = None
    title: str = ""
    model: Callable[[], Any] | None = None
    animation: Callable[[], tuple[Sequence[object], float]] | None = None


@dataclass(frozen=True)
class ExportRequest:
    """One file to write: the format's name, the path, and the options that apply."""

    kind: str
    path: Path
    view: str = "dashboard"
    width: int = DEFAULT_WIDTH
    background: str = "white"
    progress: Progress | None = field(default=None, compare=False)


def _always() -> bool:
    return True


def _mp4_available() -> bool:
    return importlib.util.find_spec("imageio_ffmpeg") is not None


# format name -> writer; the numbers' writers now, pictures' when their module loads
_WRITERS: dict[str, Writer] = {
    "history_csv": datafiles.write_history_csv,
    "history_json": datafiles.write_history_json,
    "dataset_csv": datafiles.write_dataset_csv,
    "model": datafiles.write_model,
}


def register_writer(name: str, write: Writer) -> None:
    """Make ``write`` the writer of the table's row ``name`` (called by the modules
    that draw pictures and animations, when they load)."""
    if name not in FORMATS:
        raise KeyError(f"no export format {name!r} in the table")
    _WRITERS[name] = write


@dataclass(frozen=True)
class ExportFormat:
    """One row of the table."""

    name: str          # the key: ExportRequest.kind, the dialog's choice
    extension: str     # ".png"
    kind: str          # one of KINDS
    label: str         # "PNG image"; the file filter is "PNG image (*.png)"
    description: str   # one line for --help and tooltips
    cli: str | None = None          # its word in --export (None: not asked for by name)
    views: tuple[str, ...] = ()     # views it can show; headless writes <view><ext> each
    stem: str = ""                  # file stem when it shows no view (headless, dialog)
    sized: bool = False             # a pixel width applies
    available: Callable[[], bool] = _always

    @property
    def file_filter(self) -> str:
        return f"{self.label} (*{self.extension})"

    def write(self, source: ExportSource, request: ExportRequest) -> Path:
        write = _WRITERS.get(self.name)
        if write is None:
            raise ExportError(f"Cannot write {Path(request.path).name}: {self.label} is "
                              "drawn by the window's views, which are not loaded here.")
        return write(source, request)


ALL_VIEWS = tuple(VIEWS)
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("png", ".png", "figure", "PNG image",
                 "decision.png, curves.png, dashboard.png (1600 px wide)",
                 cli="png", views=ALL_VIEWS, sized=True),
    ExportFormat("svg", ".svg", "figure", "SVG vector image",
                 "decision.svg, curves.svg, dashboard.svg", cli="svg", views=ALL_VIEWS),
    ExportFormat("pdf", ".pdf", "figure", "PDF page (dashboard)",
                 "dashboard.pdf, one vector page", cli="pdf", views=("dashboard",)),
    ExportFormat("history_csv", ".csv", "data", "Training history (CSV)",
                 "history.csv, one row per epoch (always written with --out)",
                 cli="csv", stem="history"),
    ExportFormat("history_json", ".json", "data", "Training history (JSON)",
                 "history.json, the same columns with the run's config", cli="json",
                 stem="history"),
    ExportFormat("dataset_csv", ".csv", "data",
                 "Data set: training and validation points (CSV)",
                 "dataset.csv, the raw points with labels and split", cli="dataset",
                 stem="dataset"),
    ExportFormat("gif", ".gif", "animation", "Animated GIF",
                 "training.gif, the run from its checkpoints (100 frames)", cli="gif",
                 stem="training"),
    ExportFormat("mp4", ".mp4", "animation", "MP4 video",
                 "training.mp4 (needs the optional package imageio-ffmpeg)", cli="mp4",
                 stem="training", available=_mp4_available),
    ExportFormat("model", ".npz", "model", "nnfs-gui model",
                 "model.npz: weights, optimizer state, config, scaler (always with --out)",
                 stem="model"),
)}


def formats_of(*kinds: str, available_only: bool = True) -> list[ExportFormat]:
    """Rows of the given kinds, in table order (only those usable here, by default)."""
    return [f for f in FORMATS.values()
            if f.kind in kinds and (not available_only or f.available())]


def by_extension(extension: str, kind: str) -> ExportFormat | None:
    """The row of ``kind`` whose extension is ``extension`` (any case), or None."""
    matches = [f for f in formats_of(kind, available_only=False)
               if f.extension == extension.lower()]
    return matches[0] if matches else None


def cli_formats() -> dict[str, ExportFormat]:
    """``--export`` word -> row."""
    return {f.cli: f for f in FORMATS.values() if f.cli}


def cli_help() -> str:
    """The ``--export`` help: every word and what it writes."""
    items = "; ".join(f"{f.cli}: {f.description}" for f in cli_formats().values())
    return f"headless: also export, a comma list of {','.join(cli_formats())} ({items})"


def parse_cli_list(text: str | None) -> list[ExportFormat]:
    """The rows named by a ``--export`` list; ValueError naming unknown words."""
    words = [w.strip().lower() for w in (text or "").split(",") if w.strip()]
    known = cli_formats()
    unknown = [w for w in words if w not in known]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}; "
                         f"known: {','.join(known)}")
    return list(dict.fromkeys(known[w] for w in words))


def headless_requests(fmt: ExportFormat, out_dir: Path) -> list[ExportRequest]:
    """The files a headless run writes for ``fmt``: one per view, or one named by its stem."""
    if fmt.views:
        return [ExportRequest(fmt.name, out_dir / f"{view}{fmt.extension}", view)
                for view in fmt.views]
    return [ExportRequest(fmt.name, out_dir / f"{fmt.stem}{fmt.extension}")]


def picture_names(*kinds: str) -> str:
    """"PNG, SVG, PDF": the extensions of the kinds' rows, for menu tooltips."""
    return ", ".join(dict.fromkeys(f.extension[1:].upper() for f in formats_of(*kinds)))
