"""``python main.py --headless``: train without a window, print as the book does.

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
final weights on the validation data.

Exit codes: 0 done; 1 the training diverged (files are still written) or writing
the files or a figure export failed; 2 a usage error. Errors are one line on stderr, no traceback.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from nnfs_gui.core.atomic import write_text_atomic
from nnfs_gui.core.config import Config, ConfigError
from nnfs_gui.paths import presets_dir
from nnfs_gui.training.trainer import Trainer

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

DATA_EXPORTS = {"csv": "history.csv", "json": "history.json"}
FIGURE_EXPORTS = ("png", "svg", "pdf", "gif", "mp4")
TRAIN_CHUNK = 1000  # epochs per train() call between progress lines


class UsageError(Exception):
    """A problem with the command line or its files, shown as one line."""


def run_headless(args) -> int:
    """Run the argparse namespace of ``nnfs_gui.app`` headless; returns the exit code."""
    try:
        config = load_run_config(args)
        formats = parse_exports(args.export)
        out_dir = output_dir(args.out, formats)
        export_figures = figure_exporter(formats)
    except UsageError as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return EXIT_USAGE
    trainer = Trainer(config)
    seconds = train_printing(trainer, args.print_every)
    final = trainer.evaluate_final()
    print(validation_line(final["val_acc"], final["val_loss"]))
    if trainer.diverged:
        print(trainer.message, file=sys.stderr)
    if out_dir is not None and not write_files(trainer, out_dir, formats, final, seconds,
                                               export_figures):
        return EXIT_FAILED
    return EXIT_FAILED if trainer.diverged else EXIT_OK


# -- command line --------------------------------------------------------------------
def load_run_config(args) -> Config:
    """The Config named by --preset or --config (default settings otherwise), --epochs applied."""
    source = args.preset or args.config
    try:
        if args.preset:
            config = Config.load(preset_path(args.preset))
        elif args.config:
            config = Config.load(args.config)
        else:
            config = Config()
    except ConfigError as e:
        text = str(e)
        raise UsageError(text if source in text else f"{source}: {text}") from None
    if args.epochs is None:
        return config
    try:
        return config.replace(epochs=args.epochs)
    except ConfigError as e:
        raise UsageError(f"--epochs {args.epochs}: {e}") from None


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.json"))


def preset_path(name: str) -> Path:
    path = presets_dir() / f"{name}.json"
    if not path.is_file():
        raise UsageError(f"unknown preset {name!r}; available: {', '.join(preset_names())}")
    return path


def parse_exports(text: str | None) -> list[str]:
    formats = [f.strip().lower() for f in (text or "").split(",") if f.strip()]
    known = (*DATA_EXPORTS, *FIGURE_EXPORTS)
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise UsageError(f"unknown export format(s) {', '.join(unknown)}; "
                         f"known: {','.join(known)}")
    return formats


def output_dir(out: str | None, formats: list[str]) -> Path | None:
    if out is None:
        if formats:
            raise UsageError("--export needs --out DIR (where to write the files)")
        return None
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {out}: {e.strerror or e}") from None
    return path


def figure_exporter(formats: list[str]):
    """The UI's figure exporter when a figure format is asked for, else None.

    Imported lazily: the training layer never loads Qt unless figures are wanted.
    """
    if not any(f in FIGURE_EXPORTS for f in formats):
        return None
    try:
        from nnfs_gui.ui.export.headless import export_figures
    except ImportError as e:
        raise UsageError(f"figure export is not available ({e})") from None
    return export_figures


def write_files(trainer: Trainer, out_dir: Path, formats: list[str], final: dict,
                seconds: float, export_figures) -> bool:
    """The data files, then the figures if asked for; a failure is one line on stderr.
    Returns success."""
    try:
        write_outputs(trainer, out_dir, formats, final, seconds)
    except OSError as e:
        where = e.filename2 or e.filename or out_dir  # replace() names the target second
        print(f"nnfs-gui: cannot write {where}: {e.strerror or e}", file=sys.stderr)
        return False
    return export_figures is None or write_figures(export_figures, trainer, out_dir, formats)


def write_figures(export_figures, trainer: Trainer, out_dir: Path, formats: list[str]) -> bool:
    """Call the UI's exporter; a failure is one line on stderr. Returns success."""
    try:
        export_figures(trainer, out_dir, [f for f in formats if f in FIGURE_EXPORTS])
    except Exception as e:  # noqa: BLE001 - the exporter's errors are sentences for users
        print(f"nnfs-gui: figure export failed: {e}", file=sys.stderr)
        return False
    return True


# -- training and printing -----------------------------------------------------------
def train_printing(trainer: Trainer, print_every: int) -> float:
    """Train to the end, printing every ``print_every`` epochs; returns training seconds."""
    seconds = 0.0
    while not trainer.finished and not trainer.diverged:
        first = trainer.epoch
        start = time.perf_counter()
        trainer.train(TRAIN_CHUNK)
        seconds += time.perf_counter() - start
        print_progress(trainer, range(first, trainer.epoch), print_every)
    return seconds


def print_progress(trainer: Trainer, epochs: range, print_every: int) -> None:
    if print_every <= 0:
        return
    for e in epochs:
        if e % print_every == 0:
            print(progress_line(trainer, e))
    sys.stdout.flush()  # a piped run shows progress as it goes


def progress_line(trainer: Trainer, e: int) -> str:
    """The book's line for epoch e, from history row e."""
    h = trainer.history
    acc, loss = h.column("acc")[e], h.column("loss")[e]
    lr = float(h.column("lr")[e - 1 if e > 0 else 0])  # the rate shown before update e
    parts = f"epoch: {e}, acc: {acc:.3f}, loss: {loss:.3f}"
    if has_regularization(trainer.config):
        parts += (f" (data_loss: {h.column('data_loss')[e]:.3f}, "
                  f"reg_loss: {h.column('reg_loss')[e]:.3f})")
    return f"{parts}, lr: {lr!r}"


def has_regularization(config: Config) -> bool:
    return any((config.l1_weight, config.l1_bias, config.l2_weight, config.l2_bias))


def validation_line(acc: float, loss: float) -> str:
    return f"validation, acc: {acc:.3f}, loss: {loss:.3f}"


# -- files ---------------------------------------------------------------------------
def write_outputs(trainer: Trainer, out_dir: Path, formats: list[str], final: dict,
                  seconds: float) -> None:
    """history.csv, metrics.json and config.json, plus history.json when asked for."""
    trainer.history.to_csv(out_dir / DATA_EXPORTS["csv"])
    if "json" in formats:
        trainer.history.to_json(out_dir / DATA_EXPORTS["json"])
    metrics = run_metrics(trainer, final, seconds)
    text = json.dumps(metrics, indent=2, allow_nan=False)
    write_text_atomic(out_dir / "metrics.json", text + "\n")
    trainer.config.save(out_dir / "config.json")


def run_metrics(trainer: Trainer, final: dict, seconds: float) -> dict:
    """Final train/validation numbers, the best validation epoch and the overfitting gap.

    Losses are data losses of the final weights (no L1/L2 penalty, so training and
    validation compare). overfit_gap_percent is (val_loss - train_loss) / train_loss
    * 100: the book's rule of thumb calls a gap over about 10% serious overfitting.
    acc_gap_points is training minus validation accuracy in percentage points.
    """
    best = trainer.best_epoch()
    val_loss = trainer.history.column("val_loss")
    loss = final["loss"]
    metrics = {
        "final_train_loss": final["loss"], "final_train_acc": final["acc"],
        "final_val_loss": final["val_loss"], "final_val_acc": final["val_acc"],
        "best_epoch": best,
        "best_val_loss": None if best is None else float(val_loss[best]),
        "epochs_run": trainer.epoch,
        "epochs_per_second": trainer.epoch / seconds if seconds > 0 else None,
        "diverged": trainer.diverged,
        "message": trainer.message,
        "overfit_gap_percent": (final["val_loss"] - loss) / loss * 100 if loss > 0 else None,
        "acc_gap_points": (final["acc"] - final["val_acc"]) * 100,
    }
    return {k: _finite_or_none(v) for k, v in metrics.items()}


def _finite_or_none(value):
    """JSON has no NaN: a non-finite number is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
