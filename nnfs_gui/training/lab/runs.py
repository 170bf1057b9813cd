"""The worker side of a sweep: train a list of runs and return their RunResults.

`run_batch(runs, patience)` is what every executor calls (local processes, Dask), so
a run's numbers depend only on its config and seed: runs of one shape train together
in a core.batched.BatchedNet, whose per-run arithmetic does not depend on which other
runs share the batch (tests/core/test_batched.py); other runs train with the Trainer.
Both start from a Trainer's data and weights, so a run sees the window's data rules.

History rows follow trainer.py: row e holds the metrics of the weights epoch e starts
from and the learning rate its update used; `epochs` is the last epoch's number.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnfs_gui.core.net.batched import BatchedData, BatchedNet, BatchedOptimizer, batchable
from nnfs_gui.training.run.early_stopping import EarlyStopping
from nnfs_gui.training.run.history import COLUMNS
from nnfs_gui.training.run.trainer import Trainer
from nnfs_gui.training.run.verdict import judge

REG_FIELDS = ("l1_weight", "l1_bias", "l2_weight", "l2_bias")


@dataclass(frozen=True)
class RunResult:
    """One finished run of a sweep.

    best_epoch / best_val_loss: the history row of the lowest validation loss.
    final_*: data loss and accuracy of the weights training ended with (after the last
    update, as Trainer.evaluate_final). params_best: the weights of the best epoch (what
    early stopping keeps); params_final: the weights at the end; both [W1, b1, ...].
    epochs_per_s: epochs over this run's training seconds (runs of a batch share them).
    """

    index: int
    values: dict[str, Any]
    seed: int
    config: Any
    best_epoch: int
    best_val_loss: float
    final_val_loss: float
    final_train_loss: float
    final_val_acc: float
    final_train_acc: float
    verdict: str
    verdict_text: str
    epochs_run: int
    stopped_early: bool
    diverged: bool
    train_seconds: float
    epochs_per_s: float
    extent: tuple[float, float, float, float]
    params_best: list = field(repr=False)
    params_final: list = field(repr=False)
    history: dict = field(repr=False)


def run_batch(runs: list, patience: int | None = None) -> list[RunResult]:
    """Train `runs` (RunSpec: index, config, seed, values); results in the same order."""
    results: dict[int, RunResult] = {}
    for group in _shape_groups(runs):
        if batchable(group[0].config):
            out = _train_batched(group, patience)
        else:
            out = [_train_alone(run, patience) for run in group]
        results.update((r.index, r) for r in out)
    return [results[run.index] for run in runs]


def shape_key(config) -> tuple | None:
    """Runs with equal keys can share a BatchedNet; None: train alone."""
    if not batchable(config):
        return None
    return (config.hidden, config.activation, config.optimizer, config.classes,
            config.dataset, config.samples, config.validation, config.val_fraction,
            config.augment_copies)


def _shape_groups(runs: list) -> list[list]:
    groups: dict[Any, list] = {}
    for run in runs:
        key = shape_key(run.config)
        groups.setdefault(("alone", run.index) if key is None else key, []).append(run)
    return list(groups.values())


# -- batched ---------------------------------------------------------------------------
class _BatchedRuns:
    """The arrays of a batch while it trains; `active` maps batch rows to runs."""

    def __init__(self, runs: list, patience: int | None) -> None:
        self.runs = runs
        self.trainers = [Trainer(run.config) for run in runs]
        ts = self.trainers
        self.data = BatchedData([t.x_train for t in ts], [t.y_train for t in ts],
                                [t.x_val for t in ts], [t.y_val for t in ts])
        self.full_data = copy.copy(self.data)  # keep() rebinds self.data's arrays
        units = [2, *runs[0].config.hidden, runs[0].config.classes]
        self.reg = {f: [getattr(r.config, f) for r in runs] for f in REG_FIELDS}
        self.units, self.activation = units, runs[0].config.activation
        self.net = BatchedNet([t.model.engine.flat.values for t in ts], units,
                              self.activation, self.reg)
        self.opt = BatchedOptimizer([r.config for r in runs])
        self.stopper = EarlyStopping(len(runs), patience)
        self.active = np.arange(len(runs))
        self.last_epoch = np.array([r.config.epochs for r in runs])
        n_rows = int(self.last_epoch.max()) + 1
        self.table = np.full((len(COLUMNS), n_rows, len(runs)), np.nan)
        self.rows = np.zeros(len(runs), np.int64)
        self.best = self.net.values.copy()
        self.final = self.net.values.copy()
        self.seconds = np.zeros(len(runs))
        self.stopped_early = np.zeros(len(runs), bool)
        self.diverged = np.zeros(len(runs), bool)

    def train(self) -> None:
        start, epoch, previous_start = time.perf_counter(), 0, self.net.values.copy()
        while len(self.active):
            epoch_start = self.net.values.copy()
            m = self.net.forward_metrics(self.data)
            finite = np.isfinite(m["loss"]) & np.isfinite(m["val_loss"])
            self._record(epoch, m, finite)
            improved = self.stopper.update(epoch, np.where(finite, m["val_loss"], np.nan))
            self.best[self.active[improved]] = epoch_start[improved]
            self.net.backward(self.data)
            self.table[COLUMNS.index("lr"), epoch, self.active] = self.opt.step(
                self.net.values, self.net.grads)
            exhausted = self.stopper.exhausted(epoch) & finite
            done = ~finite | exhausted | (epoch >= self.last_epoch[self.active])
            if done.any():
                self._finish(done, exhausted & (epoch < self.last_epoch[self.active]),
                             finite, previous_start, time.perf_counter() - start)
            previous_start = epoch_start[~done]
            epoch += 1

    def _record(self, epoch: int, m: dict, finite: np.ndarray) -> None:
        rows = self.active[finite]
        m = dict(m, epoch=np.full(len(finite), float(epoch)))
        for i, name in enumerate(COLUMNS):
            if name != "lr":
                self.table[i, epoch, rows] = m[name][finite]
        self.rows[rows] = epoch + 1

    def _finish(self, done, stopped, finite, previous_start, seconds: float) -> None:
        """Take finished runs out of the batch; a diverged run ends on the weights its
        last finite epoch started from (as the Trainer restores them)."""
        runs = self.active[done]
        self.final[runs] = np.where(finite[done][:, None], self.net.values[done],
                                    previous_start[done])
        self.seconds[runs] = seconds
        self.stopped_early[runs] = stopped[done]
        self.diverged[runs] = ~finite[done]
        keep = np.flatnonzero(~done)
        for part in (self.net, self.opt, self.stopper, self.data):
            part.keep(keep)
        self.active = self.active[keep]

    def results(self) -> list[RunResult]:
        final_net = BatchedNet(list(self.final), self.units, self.activation, self.reg)
        final = final_net.evaluate(self.full_data)
        out = []
        for k, run in enumerate(self.runs):
            history = {name: self.table[i, :self.rows[k], k] for i, name in enumerate(COLUMNS)}
            out.append(_result(run, history, {
                "loss": final["data_loss"][k], "acc": final["acc"][k],
                "val_loss": final["val_loss"][k], "val_acc": final["val_acc"][k]},
                final_net.run_params(self.best[k]), final_net.run_params(self.final[k]),
                self.seconds[k], bool(self.stopped_early[k]), bool(self.diverged[k]),
                self.trainers[k].extent))
        return out


def _train_batched(runs: list, patience: int | None) -> list[RunResult]:
    batch = _BatchedRuns(runs, patience)
    with np.errstate(over="ignore", invalid="ignore"):
        batch.train()
    return batch.results()


# -- alone (mini-batches, dropout, other losses, book mode) --------------------------
def _train_alone(run, patience: int | None) -> RunResult:
    trainer = Trainer(run.config)
    stopper = EarlyStopping(1, patience)
    best = trainer.model.get_params()
    seconds, stopped = 0.0, False
    while not trainer.finished and not trainer.diverged:
        start_params, t0 = trainer.model.get_params(), time.perf_counter()
        ran = trainer.train(1)
        seconds += time.perf_counter() - t0
        if not ran:
            break
        epoch = trainer.epoch - 1
        if stopper.update(epoch, [trainer.history.column("val_loss")[-1]])[0]:
            best = start_params
        if stopper.exhausted(epoch)[0] and not trainer.finished:
            stopped = True
            break
    stopped = stopped or trainer.stopped_early  # the config's patience (== the sweep's)
    history = {name: np.array(trainer.history.column(name)) for name in COLUMNS}
    return _result(run, history, trainer.evaluate_final(), best, trainer.model.get_params(),
                   seconds, stopped, trainer.diverged, trainer.extent)


def _result(run, history, final, params_best, params_final, seconds, stopped, diverged,
            extent) -> RunResult:
    val = history["val_loss"]
    best = int(np.argmin(val)) if len(val) else -1
    verdict = judge(history, run.config.classes)
    n = len(val)
    return RunResult(
        index=run.index, values=dict(run.values), seed=run.seed, config=run.config,
        best_epoch=int(history["epoch"][best]) if n else -1,
        best_val_loss=float(val[best]) if n else float("nan"),
        final_val_loss=float(final["val_loss"]), final_train_loss=float(final["loss"]),
        final_val_acc=float(final["val_acc"]), final_train_acc=float(final["acc"]),
        verdict=verdict.kind, verdict_text=verdict.text, epochs_run=n,
        stopped_early=stopped, diverged=diverged, train_seconds=float(seconds),
        epochs_per_s=n / seconds if seconds > 0 else float("nan"), extent=extent,
        params_best=params_best, params_final=params_final, history=history)
