"""``python main.py --headless``: train without a window, print as the book does.

This module sits above ``training/`` and ``ui/`` (DESIGN.md): it is the one place
that joins a Trainer with the UI's exporters, so neither layer names the other.

Progress lines copy the book's format and timing. The book prints each line
*before* that epoch's update, so epoch e shows the metrics of the weights epoch e
started from and the learning rate the previous update used (epoch 0: the
initial rate)::

    epoch: 100, acc: 0.670, loss: 0.705, lr: 0.04999752512250644
    epoch: 100, acc: 0.713, loss: 0.768 (data_loss: 0.707, reg_loss: 0.061), lr: ...

The second form (ch. 14) is used when any L1/L2 strength is nonzero. ``--epochs
N`` (like ``config.epochs``) names the last epoch: epochs 0..N run, as the book's
``range(N + 1)``, so ``--preset book-ch11 --print-every 100`` prints epochs 0,
100, ..., 10000. After training, ``validation, acc: ..., loss: ...`` reports the
final weights on the validation data. Standard output stays the book's lines, so
it can be compared with the book's script line by line; the pace goes to
metrics.json.

``--init-model FILE`` continues a saved run (weights, optimizer state, epoch and
settings from the file): ``--epochs N`` then means N *more* epochs (default: as
many as the saved run's config names again), numbered on from the saved epoch.

Exit codes: 0 done; 1 the training diverged (files are still written) or writing
a file failed; 2 a usage error. Errors are one line on stderr, no traceback.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

from nnfs_gui.core.config import Config, ConfigError
from nnfs_gui.core.data.splits import DataSplit, describe_source
from nnfs_gui.core.files.atomic import write_text_atomic
from nnfs_gui.core.files.formats import (
    DRAWN,
    FORMATS,
    ExportFormat,
    ExportSource,
    headless_requests,
    parse_cli_list,
)
from nnfs_gui.core.files.presets import PresetError, load_preset_run, read_preset_file
from nnfs_gui.core.files.saving import ExportError
from nnfs_gui.core.files.serialization import ModelFileError, SavedModel, read_model
from nnfs_gui.training.run.trainer import Trainer
from nnfs_gui.training.run.verdict import judge_history

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

ALWAYS_WRITTEN = ("history_csv", "model")  # with --out, whatever --export asks
TRAIN_CHUNK = 1000  # epochs per train() call between progress lines


class UsageError(Exception):
    """A problem with the command line or its files, shown as one line."""


def run_headless(args, own_code=None) -> int:
    """Run the argparse namespace of ``nnfs_gui.app`` headless; returns the exit code.
    ``own_code``: train the learner's classes (core.learner.sandbox.OwnCode); only the
    child process of cli/owncode.py passes it (it runs their file)."""
    try:
        init = load_init_model(args.init_model)
        config, preset_split = run_config(args, init)
        config, split = own_data(args, config, init, preset_split)
        rows = parse_exports(args.export)
        out_dir = output_dir(args.out, rows)
        export_figures = figure_exporter(rows)
    except UsageError as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return EXIT_USAGE
    trainer = Trainer(config, split=split, init=init, own_code=own_code)
    train_printing(trainer, args.print_every)
    final = trainer.evaluate_final()
    print(validation_line(final["val_acc"], final["val_loss"]))
    if trainer.diverged:
        print(trainer.message, file=sys.stderr)
    if out_dir is not None and not write_files(trainer, out_dir, rows, final,
                                               export_figures):
        return EXIT_FAILED
    return EXIT_FAILED if trainer.diverged else EXIT_OK


# -- command line --------------------------------------------------------------------
def load_init_model(path: str | None) -> SavedModel | None:
    """The saved model ``--init-model`` names; a bad file is a one-line usage error."""
    if path is None:
        return None
    try:
        return read_model(path)
    except ModelFileError as e:
        raise UsageError(str(e)) from None


def run_config(args, init: SavedModel | None) -> tuple[Config, DataSplit | None]:
    """(the run's Config, the preset's own points or None): the saved model's config
    (it wins), else --preset/--config (with the points saved in it)/defaults."""
    if init is None:
        return load_run_config(args)
    if args.preset or args.config:
        given = f"--preset {args.preset}" if args.preset else f"--config {args.config}"
        raise UsageError(f"--init-model uses the settings saved in {args.init_model}; "
                         f"drop {given}")
    more = init.config.epochs + 1 if args.epochs is None else args.epochs
    try:
        return init.config.replace(epochs=init.epoch + more - 1), None
    except ConfigError as e:
        raise UsageError(f"--epochs {more} after the saved epoch {init.epoch}: {e}") from None


def load_run_config(args) -> tuple[Config, DataSplit | None]:
    """(the Config named by --preset or --config (default settings otherwise), --epochs
    applied; the points saved in that file, or None)."""
    source = args.preset or args.config
    try:
        if args.preset:
            config, split = load_preset_run(args.preset)
        elif args.config:
            config, split = read_preset_file(args.config)
        else:
            config, split = Config(), None
    except (PresetError, ConfigError) as e:
        text = str(e)
        raise UsageError(text if source in text else f"{source}: {text}") from None
    if args.epochs is None:
        return config, split
    try:
        return config.replace(epochs=args.epochs), split
    except ConfigError as e:
        raise UsageError(f"--epochs {args.epochs}: {e}") from None


def own_data(args, config: Config, init: SavedModel | None,
             preset_split: DataSplit | None = None):
    """(config, split): with ``--data``, the file's points (classes set to the file's
    count; validation from --val-data or the config's strategy); with ``--init-model``,
    the points saved with the model (None: its config's data set), else the points saved
    in the preset or config file (None: its data set).
    A bad file is a one-line usage error naming the file, the line and the column."""
    if init is not None and getattr(args, "data", None):
        raise UsageError("--init-model continues on its own data; drop --data")
    if init is not None:   # a model trained on imported or drawn points goes on on them
        return config, init.split
    if not getattr(args, "data", None):
        return config, preset_split
    from nnfs_gui.core.data.tabular import DataFileError, load_data

    features = args.features.split(",") if args.features else None
    try:
        data = load_data(args.data, args.label_column, features, args.val_data)
        config = config.replace(classes=data.n_classes)
    except (DataFileError, ConfigError) as e:
        raise UsageError(str(e)) from None
    rng = np.random.default_rng(config.seed)
    return config, data.split(config.validation, config.val_fraction, rng)


def parse_exports(text: str | None) -> list[ExportFormat]:
    """The format table's rows named by ``--export``."""
    try:
        return parse_cli_list(text)
    except ValueError as e:
        raise UsageError(str(e)) from None


def output_dir(out: str | None, rows: list[ExportFormat]) -> Path | None:
    if out is None:
        if rows:
            raise UsageError("--export needs --out DIR (where to write the files)")
        return None
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {out}: {e.strerror or e}") from None
    return path


def figure_exporter(rows: list[ExportFormat]):
    """The UI's offscreen figure exporter when a figure or animation is asked for.

    Imported only then: a run without figures never loads Qt.
    """
    if not any(f.kind in DRAWN for f in rows):
        return None
    try:
        from nnfs_gui.ui.export.headless import export_figures
    except ImportError as e:
        raise UsageError(f"figure export is not available ({e})") from None
    return export_figures


# -- training and printing -----------------------------------------------------------
def train_printing(trainer: Trainer, print_every: int) -> None:
    """Train to the end, printing every ``print_every`` epochs."""
    while not trainer.finished and not trainer.diverged:
        first = trainer.epoch
        trainer.train(TRAIN_CHUNK)
        print_progress(trainer, range(first, trainer.epoch), print_every)


def print_progress(trainer: Trainer, epochs: range, print_every: int) -> None:
    if print_every <= 0:
        return
    for e in epochs:
        if e % print_every == 0:
            print(progress_line(trainer, e))
    sys.stdout.flush()  # a piped run shows progress as it goes


def progress_line(trainer: Trainer, e: int) -> str:
    """The book's line for epoch e, from the history row numbered e."""
    h = trainer.history
    row = e - int(h.column("epoch")[0])  # a continued run's rows start at its saved epoch
    acc, loss = h.column("acc")[row], h.column("loss")[row]
    lr = float(h.column("lr")[max(row - 1, 0)])  # the rate shown before update e
    parts = f"epoch: {e}, acc: {acc:.3f}, loss: {loss:.3f}"
    if has_regularization(trainer.config):
        parts += (f" (data_loss: {h.column('data_loss')[row]:.3f}, "
                  f"reg_loss: {h.column('reg_loss')[row]:.3f})")
    return f"{parts}, lr: {lr!r}"


def has_regularization(config: Config) -> bool:
    return any((config.l1_weight, config.l1_bias, config.l2_weight, config.l2_bias))


def validation_line(acc: float, loss: float) -> str:
    return f"validation, acc: {acc:.3f}, loss: {loss:.3f}"


# -- files ---------------------------------------------------------------------------
def write_files(trainer: Trainer, out_dir: Path, rows: list[ExportFormat], final: dict,
                export_figures) -> bool:
    """The data files and the model, then the figures if asked for; a failure is one
    line on stderr naming the file. Returns success."""
    data_rows = [FORMATS[name] for name in ALWAYS_WRITTEN]
    data_rows += [f for f in rows if f.kind not in DRAWN and f not in data_rows]
    figure_rows = [f for f in rows if f.kind in DRAWN]
    try:
        write_data(trainer, out_dir, data_rows, final)
        if export_figures is not None:
            export_figures(trainer, out_dir, figure_rows)
    except ExportError as e:  # its text names the file and the reason
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return False
    except OSError as e:
        where = e.filename2 or e.filename or out_dir  # replace() names the target second
        print(f"nnfs-gui: cannot write {where}: {e.strerror or e}", file=sys.stderr)
        return False
    return True


def write_data(trainer: Trainer, out_dir: Path, rows: list[ExportFormat],
               final: dict) -> None:
    """The format table's data and model rows, then metrics.json and config.json."""
    source = ExportSource(
        config=trainer.config, history=trainer.history, points=trainer.split,
        model=lambda: SavedModel(trainer.model, trainer.config, trainer.scaler,
                                 trainer.epoch, trainer.split))
    for fmt in rows:
        for request in headless_requests(fmt, out_dir):
            fmt.write(source, request)
    text = json.dumps(run_metrics(trainer, final), indent=2, allow_nan=False)
    write_text_atomic(out_dir / "metrics.json", text + "\n")
    write_text_atomic(out_dir / "config.json",
                      trainer.config.to_json(data=describe_source(trainer.split.source)) + "\n")


def run_metrics(trainer: Trainer, final: dict) -> dict:
    """Final train/validation numbers, the best validation epoch, the gap and the pace.

    Losses are data losses of the final weights (no L1/L2 penalty, so training and
    validation compare). overfit_gap_percent is (val_loss - train_loss) / train_loss
    * 100: the book's rule of thumb calls a gap over about 10% serious overfitting.
    acc_gap_points is training minus validation accuracy in percentage points.
    verdict is training.verdict.judge() of the whole history (the window's status bar
    says the same): kind, best_epoch, rise, gap_ratio, since_epoch, text.
    last_epoch is the number of the last history row: the epoch the window, the
    figures' titles and the last line of history.csv show (epochs are numbered from
    0, so a run with limit 10,000 ends at epoch 10,000 after 10,001 updates).
    epochs_per_second is the one definition the window shows too: epochs trained
    divided by the seconds spent inside ``Trainer.train`` (trainer.train_seconds), so
    printing, evaluation and file writing never count.
    """
    best = trainer.best_epoch()
    history = trainer.history
    trained = len(history)  # epochs trained by this process (a continued run's new ones)
    loss = final["loss"]
    metrics = {
        "final_train_loss": final["loss"], "final_train_acc": final["acc"],
        "final_val_loss": final["val_loss"], "final_val_acc": final["val_acc"],
        "best_epoch": best,
        "best_val_loss": None if best is None else float(
            history.column("val_loss")[best - int(history.column("epoch")[0])]),
        "first_epoch": int(history.column("epoch")[0]) if trained else trainer.epoch,
        "last_epoch": int(history.column("epoch")[-1]) if trained else None,
        "epochs_run": trained,
        "train_seconds": trainer.train_seconds,
        "epochs_per_second": epochs_per_second(trained, trainer.train_seconds),
        "diverged": trainer.diverged,
        "message": trainer.message,
        "overfit_gap_percent": (final["val_loss"] - loss) / loss * 100 if loss > 0 else None,
        "acc_gap_points": (final["acc"] - final["val_acc"]) * 100,
    }
    metrics = {k: _finite_or_none(v) for k, v in metrics.items()}
    metrics["verdict"] = run_verdict(trainer)
    return metrics


def run_verdict(trainer: Trainer) -> dict:
    """The verdict on the whole run as metrics.json's ``verdict`` object."""
    verdict = judge_history(trainer.history, trainer.config.classes).to_dict()
    return {k: _finite_or_none(v) for k, v in verdict.items()}


def epochs_per_second(epochs: int, train_seconds: float) -> float | None:
    return epochs / train_seconds if train_seconds > 0 else None


def _finite_or_none(value):
    """JSON has no NaN: a non-finite number is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
