"""Sweeps (issue 12): which settings generalize? One spec, many runs, one table.

A sweep spec (SWEEP.json)::

    {"base": "ch11-overfit" | {config object}, "vary": {"<field>": [values], ...},
     "seeds": [0, 1], "epochs": 2000, "patience": null | 200}

- ``base``: a preset name (bundled or the user's own, core/files/presets.py) or a whole
  config object.
- ``vary``: one or two fields, each with a list of values. Any numeric Config field
  (learning_rate, l2_weight, samples, batch_size, epochs, ...); ``hidden`` takes
  whole layer lists ([[16], [64, 64]]); two conveniences: ``width`` sets every hidden
  layer of the base to that many neurons, ``depth`` repeats the base's first hidden
  width that many times. L1/L2 fields are set as given (vary l2_bias too if wanted).
- ``seeds``: repeats (data and weights both follow the seed); default the base's seed.
- ``epochs``: the last epoch's number, as Config.epochs (2000 trains 0..2000); default
  the base's. ``patience``: early stopping on validation loss, or null.

Expansion order (RunSpec.index): the first varied field outermost, then the second,
seeds innermost, each in the order given. Bad specs raise SweepError, one line.

In the results table ``hidden`` values are written as layer widths joined by "-"
("64", "64-64").
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import io
import itertools
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnfs_gui.core.config import MAX_HIDDEN_LAYERS, Config, ConfigError, spec
from nnfs_gui.core.files.atomic import write_text_atomic
from nnfs_gui.core.files.jsonio import JsonFileError, read_json_file
from nnfs_gui.core.files.presets import PresetError, load_preset
from nnfs_gui.training.lab.runs import RunResult, shape_key

SPEC_KEYS = ("base", "vary", "seeds", "epochs", "patience")
MAX_VARIED = 2
MAX_RUNS = 10_000
MAX_MESSAGE = 200
BATCH_BYTES = 3 * 2**19  # 1.5 MiB; see batch_size_for
MAX_BATCH = 16
CONVENIENCES = ("width", "depth")
COLUMNS_AFTER_VALUES = ("seed", "best_epoch", "best_val_loss", "final_val_loss",
                        "final_train_loss", "final_val_acc", "final_train_acc", "verdict",
                        "epochs_per_s")


class SweepError(ValueError):
    """A sweep spec is wrong; str() is one line naming the problem."""

    def __init__(self, message: str) -> None:
        line = " ".join(str(message).split())
        if len(line) > MAX_MESSAGE:
            line = line[:MAX_MESSAGE - 3] + "..."
        super().__init__(line)


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its place in the table, full config (seed and epochs set),
    seed, and the varied values as written in the spec (width/depth by that name)."""

    index: int
    config: Config
    seed: int
    values: dict[str, Any]


@dataclass(frozen=True)
class SweepSpec:
    base: Config
    vary: dict[str, tuple]
    seeds: tuple[int, ...]
    epochs: int
    patience: int | None

    def to_dict(self) -> dict[str, Any]:
        """The spec as run: the base as a whole config object, so it reruns anywhere."""
        vary = {k: [list(v) if isinstance(v, tuple) else v for v in vals]
                for k, vals in self.vary.items()}
        return {"base": self.base.to_dict(), "vary": vary, "seeds": list(self.seeds),
                "epochs": self.epochs, "patience": self.patience}

    def runs(self) -> list[RunSpec]:
        return expand(self)


# -- parsing ---------------------------------------------------------------------------
def parse_sweep(data: Any) -> SweepSpec:
    """Validate a sweep spec (a dict as read from JSON); raises SweepError."""
    if not isinstance(data, dict):
        raise SweepError(f"sweep: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        names = ", ".join(_suggest(k, SPEC_KEYS) for k in unknown)
        raise SweepError(f"sweep: unknown key(s) {names}; allowed: {', '.join(SPEC_KEYS)}")
    if "base" not in data or "vary" not in data:
        raise SweepError("sweep: needs 'base' (a preset name or config object) and 'vary'")
    base = _parse_base(data["base"])
    epochs = _parse_count("epochs", data.get("epochs", base.epochs), spec("epochs").hi)
    patience = data.get("patience", base.patience or None)  # default: the base's
    if patience is not None:
        patience = _parse_count("patience", patience, 10**9)
    seeds = _parse_seeds(data.get("seeds", [base.seed]))
    vary = _parse_vary(data["vary"], base.replace(epochs=epochs))
    sweep = SweepSpec(base, vary, seeds, epochs, patience)
    n_runs = math.prod(len(v) for v in vary.values()) * len(seeds)
    if n_runs > MAX_RUNS:
        raise SweepError(f"sweep: {n_runs} runs is more than {MAX_RUNS}")
    expand(sweep)  # every combination must make a valid config
    return sweep


def load_sweep(path: str | Path) -> SweepSpec:
    """The sweep in a JSON file, read by the app's one JSON reader (regular files only,
    size, nesting and number limits); every problem is one SweepError line."""
    try:
        data = read_json_file(path, "sweep file")
    except JsonFileError as e:
        raise SweepError(str(e)) from None
    return parse_sweep(data)


def _parse_base(base: Any) -> Config:
    try:
        if isinstance(base, str):
            return load_preset(base)
        if isinstance(base, dict):
            return Config.from_dict(base)
    except (PresetError, ConfigError) as e:
        raise SweepError(f"base: {e}") from None
    raise SweepError(f"base: expected a preset name or a config object, got {base!r}")


def _parse_count(name: str, value: Any, hi: float) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
        raise SweepError(f"{name}: expected a whole number in 1..{hi:g}, got {value!r}")
    return value


def _parse_seeds(seeds: Any) -> tuple[int, ...]:
    if not isinstance(seeds, list) or not seeds:
        raise SweepError(f"seeds: expected a non-empty list of whole numbers, got {seeds!r}")
    hi = int(spec("seed").hi)
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= hi:
            raise SweepError(f"seeds: {s!r} is not a whole number in 0..{hi}")
    if len(set(seeds)) != len(seeds):
        raise SweepError(f"seeds: repeated values in {seeds!r}")
    return tuple(seeds)


def varyable_fields() -> tuple[str, ...]:
    """Numeric Config fields (seed excluded: seeds are their own list) and hidden."""
    numeric = tuple(f.name for f in dataclasses.fields(Config)
                    if f.type in ("int", "float", int, float)
                    and f.name not in ("seed", "patience"))  # one patience per sweep
    return (*numeric, "hidden", *CONVENIENCES)


def _parse_vary(vary: Any, base: Config) -> dict[str, tuple]:
    if not isinstance(vary, dict) or not 1 <= len(vary) <= MAX_VARIED:
        raise SweepError(f"vary: expected an object with 1 or {MAX_VARIED} fields, "
                         f"got {_short(vary)}")
    allowed = varyable_fields()
    out = {}
    for name, values in vary.items():
        if name not in allowed:
            hint = _suggest(name, allowed)
            raise SweepError(f"vary: {hint} cannot be varied; choose a numeric setting "
                             f"or hidden, width, depth")
        if not isinstance(values, list) or not values:
            raise SweepError(f"vary.{name}: expected a non-empty list of values, "
                             f"got {_short(values)}")
        values = [tuple(v) if isinstance(v, list) else v for v in values]
        if len(set(map(repr, values))) != len(values):
            raise SweepError(f"vary.{name}: repeated values in {_short(vary[name])}")
        for i, v in enumerate(values):
            _changes(base, name, v, f"vary.{name}[{i}]")
        out[name] = tuple(values)
    if len({"hidden", *CONVENIENCES} & set(out)) > 1:
        raise SweepError("vary: hidden, width and depth all set the layers; vary one of them")
    return out


def _changes(base: Config, name: str, value: Any, where: str) -> dict[str, Any]:
    """Config changes for one varied value (validated: raises SweepError)."""
    if name == "width":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SweepError(f"{where}: width must be a whole number, got {value!r}")
        changes = {"hidden": tuple(value for _ in base.hidden)}
    elif name == "depth":
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 1 <= value <= MAX_HIDDEN_LAYERS:
            raise SweepError(f"{where}: depth must be a whole number in "
                             f"1..{MAX_HIDDEN_LAYERS}, got {value!r}")
        changes = {"hidden": (base.hidden[0],) * value}
    elif name == "hidden" and isinstance(value, int) and not isinstance(value, bool):
        changes = {"hidden": (value,)}
    else:
        changes = {name: value}
    try:
        base.replace(**changes)
    except ConfigError as e:
        raise SweepError(f"{where}: {e}") from None
    return changes


# -- expansion -------------------------------------------------------------------------
def expand(sweep: SweepSpec) -> list[RunSpec]:
    """RunSpecs in the documented order: first varied field outermost, seeds innermost."""
    names = list(sweep.vary)
    # A run's config says how it ran: the sweep's epochs and patience (0: off).
    base = sweep.base.replace(epochs=sweep.epochs, patience=sweep.patience or 0)
    runs = []
    for index, combo in enumerate(itertools.product(*sweep.vary.values(), sweep.seeds)):
        *values, seed = combo
        changes: dict[str, Any] = {"seed": seed}
        for name, value in zip(names, values, strict=True):
            changes.update(_changes(base, name, value, f"vary.{name}"))
        try:
            config = base.replace(**changes)
        except ConfigError as e:
            raise SweepError(f"run {index} ({_short(dict(zip(names, values, strict=True)))}): "
                             f"{e}") from None
        runs.append(RunSpec(index, config, seed, dict(zip(names, values, strict=True))))
    return runs


def plan_batches(runs: list[RunSpec], n_workers: int, max_batch: int | None = None
                 ) -> list[list]:
    """Split runs into the tasks executors submit: runs of one shape together, in index
    order, in chunks of at most `max_batch` (default: batch_size_for), at least
    `n_workers` chunks per shape when there are runs enough. Only speed depends on
    this, never a run's numbers."""
    groups: dict[Any, list[RunSpec]] = {}
    for run in runs:
        key = shape_key(run.config)
        groups.setdefault(("alone", run.index) if key is None else key, []).append(run)
    tasks = []
    for group in groups.values():
        limit = max_batch or batch_size_for(group[0].config)
        n_chunks = max(min(n_workers, len(group)), math.ceil(len(group) / limit))
        size = math.ceil(len(group) / n_chunks)
        tasks += [group[i:i + size] for i in range(0, len(group), size)]
    return tasks


def batch_size_for(config: Config) -> int:
    """Runs per batch whose work arrays fit BATCH_BYTES (about one core's L2 cache).

    Measured on this 2-core machine (1 MiB L2 per core), 16 ch11 runs, 2 worker
    processes: batches of 4 runs (~1.3 MB of work arrays) trained at 14,700-20,100
    model-epochs/s, batches of 8 at 9,800-14,200: two processes with larger batches
    evict each other's arrays from the caches.
    """
    n_train = config.samples * config.classes * (1 + config.augment_copies)
    n_all = n_train + config.samples * config.classes
    units = sum(config.hidden)
    floats = n_all * (units + len(config.hidden)) + 2 * n_train * units \
        + config.classes * (n_all + n_train)
    return max(1, min(MAX_BATCH, BATCH_BYTES // (4 * floats)))


# -- results ---------------------------------------------------------------------------
def result_row(result: RunResult, varied: Iterable[str]) -> dict[str, Any]:
    """One table row: each varied field, then COLUMNS_AFTER_VALUES."""
    row = {name: _cell(result.values[name]) for name in varied}
    for name in COLUMNS_AFTER_VALUES:
        row[name] = getattr(result, name)
    return row


def _cell(value: Any) -> Any:
    return "-".join(str(v) for v in value) if isinstance(value, tuple) else value


def write_sweep_results(results: list[RunResult], out_dir: str | Path,
                        sweep: SweepSpec) -> dict[str, Path]:
    """results.csv, results.json (rows in run order, plus per-run details) and
    sweep.json (the spec as run) in out_dir, each written atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = sorted(results, key=lambda r: r.index)
    rows = [result_row(r, sweep.vary) for r in results]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*sweep.vary, *COLUMNS_AFTER_VALUES],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    details = [dict(row, index=r.index, epochs_run=r.epochs_run, stopped_early=r.stopped_early,
                    diverged=r.diverged, verdict_text=r.verdict_text,
                    train_seconds=r.train_seconds) for row, r in zip(rows, results, strict=True)]
    expected = len(sweep.runs())
    doc = {"runs": details, "complete": len(results) == expected, "n_runs": expected}
    return {
        "results.csv": write_text_atomic(out / "results.csv", buf.getvalue()),
        "results.json": write_text_atomic(out / "results.json", _json(doc)),
        "sweep.json": write_text_atomic(out / "sweep.json", _json(sweep.to_dict())),
    }


def run_sweep_to_dir(sweep: SweepSpec | dict, out_dir: str | Path, scheduler: str | None = None,
                     progress=None, executor=None) -> list[RunResult]:
    """Run a whole sweep (local processes, or Dask at `scheduler`) and write its files.
    progress(done, total, seconds_left | None) is called as runs finish. Partial results
    are written if the sweep stops early (KeyboardInterrupt, a failed run)."""
    from nnfs_gui.training.lab.executors import make_executor, run_all

    sweep = sweep if isinstance(sweep, SweepSpec) else parse_sweep(sweep)
    results: list[RunResult] = []
    executor = executor or make_executor(scheduler)
    try:
        results = run_all(executor, sweep, progress)
    finally:
        executor.close()
        write_sweep_results(executor.results or results, out_dir, sweep)
    return results


def _json(doc: Any) -> str:
    """Strict JSON: NaN and infinities (a diverged run) become null."""
    return json.dumps(_finite(doc), indent=2, allow_nan=False, default=str) + os.linesep


def _finite(doc: Any) -> Any:
    if isinstance(doc, float):
        return doc if math.isfinite(doc) else None
    if isinstance(doc, dict):
        return {k: _finite(v) for k, v in doc.items()}
    if isinstance(doc, (list, tuple)):
        return [_finite(v) for v in doc]
    return doc


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    return f"{name!r} (did you mean {close[0]}?)" if close else repr(name)

