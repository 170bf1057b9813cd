"""The check of a learner's classes against the app's book-mode engine, step by step.

On the settings' training data (one batch of it, drawn with the settings' seed) the
learner's network and the app's layer engine (engines.LayerEngine in the book's
arithmetic) start from the same weights, the learner's. Each step feeds both the
same input, the app's values from the step before, so a mistake shows in the step
that makes it and nowhere after:

1. each layer's ``forward`` (dropout masks from the same stream);
2. the loss: output activation, ``calculate``/``forward``, the fused class, and the
   optional classes the file has (``Activation_Softmax``, ``Loss_*``); softmax also on
   logits shifted by +1000 (it must not change: the book subtracts each row's max);
   ``regularization_loss`` of each hidden layer when the settings use L1/L2;
3. each layer's ``backward``: ``dinputs``, ``dweights``, ``dbiases``;
4. three optimizer updates from the same gradients (the change of each parameter);
5. a few whole epochs from the same start (loss, accuracy, learning rate, weights);
6. the learner's backward against central finite differences of their own forward
   and regularization loss, in float64 with plain numpy (dropout masks held fixed).

Every comparison reports the largest relative difference (differences.py) and passes
at differences.TOLERANCE; the first failing one is explained. Runs in the process
the check starts (it imports the learner's file), never in the window's or the CLI's.
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
from dataclasses import dataclass, field

import numpy as np

from nnfs_gui.core.config import Config
from nnfs_gui.core.learner import bookapi as api
from nnfs_gui.core.learner.sandbox import LearnerCodeError, LearnerLoadError, OwnCode
from nnfs_gui.core.net.activations import Softmax
from nnfs_gui.core.net.bookmode import make_book_run
from nnfs_gui.core.net.layers import Dense, Dropout
from nnfs_gui.core.net.losses import CategoricalCrossentropy
from nnfs_gui.core.net.model import Model
from nnfs_gui.core.net.numerics import BookRandom
from nnfs_gui.training.learner.differences import TOLERANCE, relative_difference, what_differs
from nnfs_gui.training.process.child import die_with_parent, python_child
from nnfs_gui.training.run.trainer import Trainer

CHECK_EPOCHS = 5
OPTIMIZER_STEPS = 3
SOFTMAX_SHIFT = 1000.0    # exp(1000) overflows even in float64
# Finite differences: a step this small rarely moves a ReLU input across 0 (which
# would make the difference quotient wrong, not their backward); float64 keeps the
# quotient's rounding near 1e-9 of the gradient. Checked at this share of the largest
# analytic gradient entry: their mistakes measured 0.03 (L2 factor) to 1 (ReLU).
FD_STEP = 1e-7
FD_TOLERANCE = 1e-3
FD_SAMPLES = 8


@dataclass
class Row:
    """One comparison (several with the same step and place are merged)."""

    step: str          # "Activation_ReLU.backward"
    where: str         # "layer 1", "layer 1 dweights", "output layer"
    rel: float         # largest relative difference (nan: their code raised)
    ok: bool
    detail: str = ""   # what differs, for a failing row
    details: str = ""  # the learner's traceback, when their code raised


@dataclass
class CheckReport:
    own: OwnCode
    settings: str
    batch: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first_failure(self) -> Row | None:
        return next((r for r in self.rows if not r.ok), None)

    @property
    def exit_code(self) -> int:
        return 0 if self.first_failure is None else 1

    def text(self) -> str:
        head = [f"Checking {self.own.path} against the app's book-mode engine",
                f"settings: {self.settings}; one batch of {self.batch:,} training points",
                f"tolerance: largest relative difference (max |yours - expected| / "
                f"max |expected|) <= {TOLERANCE:g}; finite differences <= {FD_TOLERANCE:g}; "
                f"time limit {self.own.time_limit:g} s per epoch", *self.notes, ""]
        width = max([len(r.step) for r in self.rows] + [4])
        places = max([len(r.where) for r in self.rows] + [5])
        lines = [f"{'step':<{width}}  {'where':<{places}}  rel. diff  result"]
        for r in self.rows:
            lines.append(f"{r.step:<{width}}  {r.where:<{places}}  {_number(r.rel):>9}  "
                         f"{'ok' if r.ok else 'FAIL'}")
        first = self.first_failure
        if first is None:
            end = ["", f"All {len(self.rows)} comparisons match: your classes compute what "
                       f"the app's engine computes."]
        else:
            end = ["", f"FAIL: {first.step} differs first ({first.where}): {first.detail}"]
            if first.details:
                end.append(first.details)
        return "\n".join(head + lines + end)


def _number(rel: float) -> str:
    if math.isnan(rel):
        return "-"
    return "0" if rel == 0 else f"{rel:.1e}"


class Check:
    """The learner's network (built by a Trainer, which also draws the data) beside
    the app's book-mode model holding the learner's initial weights."""

    def __init__(self, own: OwnCode, config: Config, settings: str) -> None:
        self.config = config
        self.trainer = Trainer(config, own_code=own)   # LearnerLoadError: cannot load
        self.mine = self.trainer.model
        self.start = self.mine.get_params()
        self.app = Model.from_config(config, 2, config.classes, rng=BookRandom(config.seed))
        self.app.set_params(self.start)
        x, y = self.trainer.x_train, self.trainer.y_train
        if 0 < config.batch_size < len(x):
            x, y = x[:config.batch_size], y[:config.batch_size]
        self.x, self.y = np.array(x, dtype=np.float32), np.asarray(y)
        self.report = CheckReport(own, settings, len(self.x))
        self.pairs = self._pairs()

    def _pairs(self) -> list[tuple[object, object, str]]:
        """(the app's layer, the learner's, where) in forward order."""
        app_layers, pairs = self.app.layers, []
        for i, block in enumerate(self.mine.blocks):
            for k, layer in enumerate(block):
                if layer is not None:
                    pairs.append((app_layers[3 * i + k], layer, f"layer {i + 1}"))
        pairs.append((app_layers[-1], self.mine.output_layer, "output layer"))
        return pairs

    # -- comparing ---------------------------------------------------------------------
    def compare(self, step: str, where: str, got, expected, **context) -> None:
        rel = relative_difference(got, expected)
        ok = rel <= TOLERANCE
        self._add(Row(step, where, rel, ok, "" if ok else what_differs(got, expected, **context)))

    def _add(self, row: Row) -> None:
        """Merge into the row of the same step and place: the worst difference, the
        first explanation."""
        for r in self.report.rows:
            if (r.step, r.where) == (row.step, row.where):
                r.rel = row.rel if math.isnan(row.rel) else max(r.rel, row.rel)
                if r.ok and not row.ok:
                    r.ok, r.detail, r.details = False, row.detail, row.details
                return
        self.report.rows.append(row)

    def theirs(self, step: str, where: str, work):
        """``work()`` inside the learner's environment (their code in the book's numpy);
        a failure of their code is a failing row (with their traceback) and None."""
        return self.catching(step, where, lambda: self._inside(work))

    def _inside(self, work):
        with self.mine.running():
            return work()

    def catching(self, step: str, where: str, work):
        """``work()``; a LearnerCodeError is a failing row and None."""
        try:
            return work()
        except LearnerCodeError as e:
            self._add(Row(step, where, math.nan, False, e.summary, e.details))
            return None

    # -- the steps ---------------------------------------------------------------------
    def run(self) -> CheckReport:
        self.note_initial_weights()
        z, inputs = self.forward_steps()
        d = self.loss_steps(z)
        grads = self.backward_steps(d, inputs)
        self.optimizer_steps(grads)
        self.epoch_steps()
        self.gradient_steps()
        return self.report

    def note_initial_weights(self) -> None:
        """Whether their Layer_Dense drew the book's initial weights (a note: other
        weights are fine for the check, but training then cannot repeat the book)."""
        if not (self.config.book_mode and self.config.init == "book"):
            return
        book = make_book_run(self.config).model.get_params()
        same = all(np.array_equal(a, b) for a, b in zip(book, self.start, strict=True))
        self.report.notes.append(
            "weights: your Layer_Dense draws the book's initial weights" if same else
            "weights: your Layer_Dense draws other initial weights than the book's "
            "scripts (0.01 * np.random.randn(n_inputs, n_neurons)); the check compares "
            "from yours, but training will not repeat the book's numbers")

    def forward_steps(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each layer's forward on the app's input to it; returns the app's logits and
        each layer's input."""
        a, inputs = self.x, []
        for app_layer, layer, where in self.pairs:
            inputs.append(a)
            if isinstance(app_layer, Dropout):   # the same mask draws
                self.mine.num.rng.state.set_state(self.app.num.rng.state.get_state())
            expected = app_layer.forward(a.copy(), True)
            step = f"{type(layer).__name__}.forward"
            got = self.theirs(step, where,
                              lambda layer=layer, a=a: self.mine.layer_forward(layer, a.copy(),
                                                                               True))
            if got is not None:
                self.compare(step, where, got, expected)
            a = expected
        return a, inputs

    def loss_steps(self, z: np.ndarray) -> np.ndarray:
        """The loss and its gradient; returns the app's gradient of the logits."""
        head, targets = self.app.head, self.mine.targets(self.y)
        output, data_loss = head.forward(z.copy(), targets)
        if self.mine.fused is not None:
            self.optional_softmax_steps(z, output, targets)
            self.fused_steps(z, output, data_loss, targets)
        else:
            self.separate_loss_steps(z, output, data_loss, targets)
        self.regularization_steps()
        return head.backward(output, targets)

    def optional_softmax_steps(self, z, output, targets) -> None:
        """Activation_Softmax and Loss_CategoricalCrossentropy on their own, when the
        file has them (the fused class is what trains)."""
        classes = self.mine.classes
        if api.SOFTMAX in classes:
            softmax = self.theirs(f"{api.SOFTMAX}.__init__", "output layer",
                                  lambda: self.mine.construct(api.SOFTMAX))
            if softmax is not None:
                self.softmax_steps(softmax, z, output, targets)
        loss_name = api.LOSS_CLASSES["categorical_crossentropy"][1]
        if loss_name in classes:
            loss = self.theirs(f"{loss_name}.__init__", "output layer",
                               lambda: self.mine.construct(loss_name))
            if loss is not None:
                reference = CategoricalCrossentropy()
                self.loss_object_steps(loss, output, targets,
                                       np.mean(reference.forward(output, self.y)),
                                       reference.backward(output, self.y))

    def softmax_steps(self, softmax, z, output, targets) -> None:
        step, reference = f"{api.SOFTMAX}.forward", Softmax()
        for shifted, where in ((z, "output layer"), (shift(z), "logits + 1000")):
            got = self.theirs(step, where, lambda s=shifted: self.mine.layer_forward(
                softmax, s.copy(), True))
            if got is not None:
                with np.errstate(all="ignore"):
                    self.compare(step, where, got, reference.forward(shifted.copy()))
        reference.forward(z.copy())
        d = CategoricalCrossentropy().backward(output, self.y)
        step = f"{api.SOFTMAX}.backward"
        got = self.theirs(step, "output layer",
                          lambda: self.mine.layer_backward(softmax, d.copy(), d.shape))
        if got is not None:
            self.compare(step, "output layer", got, reference.backward(d))

    def fused_steps(self, z, output, data_loss, targets) -> None:
        name = type(self.mine.fused).__name__
        got = self.theirs(f"{name}.forward", "output layer",
                          lambda: self.mine.loss_forward(z.copy(), targets))
        if got is not None:
            self.compare(f"{name}.forward", "probabilities", got[0], output)
            self.compare(f"{name}.forward", "mean loss", got[1], data_loss)
        shifted = shift(z)
        got = self.theirs(f"{name}.forward", "logits + 1000",
                          lambda: self.mine.loss_forward(shifted.copy(), targets))
        if got is not None:
            with np.errstate(all="ignore"):
                self.compare(f"{name}.forward", "logits + 1000", got[0],
                             Softmax().forward(shifted.copy()))
        expected = self.app.head.backward(output, targets)
        got = self.theirs(f"{name}.backward", "output layer",
                          lambda: self.mine.loss_backward(output.copy(), targets))
        if got is not None:
            self.compare(f"{name}.backward", "output layer", got, expected)

    def separate_loss_steps(self, z, output, data_loss, targets) -> None:
        """Output activation and loss classes (binary cross-entropy, MSE, MAE)."""
        activation, head = self.mine.output_activation, self.app.head
        step = f"{type(activation).__name__}.forward"
        got = self.theirs(step, "output layer",
                          lambda: self.mine.layer_forward(activation, z.copy(), True))
        if got is not None:
            self.compare(step, "output layer", got, output)
        d_loss = head.loss.backward(output, targets)
        self.loss_object_steps(self.mine.loss, output, targets, data_loss, d_loss)
        step = f"{type(activation).__name__}.backward"
        got = self.theirs(step, "output layer",
                          lambda: self.mine.layer_backward(activation, d_loss.copy(),
                                                           d_loss.shape))
        if got is not None:
            self.compare(step, "output layer", got, head.activation.backward(d_loss))

    def loss_object_steps(self, loss, output, targets, data_loss, d_loss) -> None:
        name = type(loss).__name__
        got = self.theirs(f"{name}.calculate", "mean loss",
                          lambda: self.mine.call(loss, "calculate", output.copy(), targets))
        if got is not None:
            self.compare(f"{name}.calculate", "mean loss", got, data_loss)

        def backward():
            self.mine.call(loss, "backward", output.copy(), targets)
            return self.mine.result(loss, "dinputs", "backward", output.shape)

        got = self.theirs(f"{name}.backward", "output layer", backward)
        if got is not None:
            self.compare(f"{name}.backward", "output layer", got, d_loss)

    def regularization_steps(self) -> None:
        if not api.has_regularization(self.config):
            return
        loss = self.mine.loss
        step = f"{type(loss).__name__}.regularization_loss"
        app_dense = [p[0] for p in self.pairs if isinstance(p[0], Dense)][:-1]
        for i, (app_layer, layer) in enumerate(zip(app_dense, self.mine.hidden_dense,
                                                   strict=True)):
            got = self.theirs(step, f"layer {i + 1}",
                              lambda layer=layer: self.mine.call(loss, "regularization_loss",
                                                                 layer))
            if got is not None:
                self.compare(step, f"layer {i + 1}", got, app_layer.regularization_loss())

    def backward_steps(self, d: np.ndarray, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Each layer's backward from the app's gradient; returns the app's gradients
        of the parameters."""
        for (app_layer, layer, where), x in zip(reversed(self.pairs), reversed(inputs),
                                                 strict=True):
            expected = app_layer.backward(d.copy())
            step = f"{type(layer).__name__}.backward"
            got = self.theirs(step, where, lambda layer=layer, x=x, d=d:
                              self.mine.layer_backward(layer, d.copy(), x.shape))
            if got is not None:
                dense = isinstance(app_layer, Dense)
                self.compare(step, f"{where} dinputs" if dense else where, got, expected,
                             inputs=None if dense else x)
                if dense:
                    self.parameter_gradients(step, where, app_layer, layer)
            d = expected
        return [g.copy() for layer in self.app.dense for g in layer.grads]

    def parameter_gradients(self, step, where, app_layer, layer) -> None:
        r = app_layer.reg
        for attribute, ref, strengths in (
                ("dweights", app_layer.weights, {"weight_regularizer_l2": r.l2_weight}),
                ("dbiases", app_layer.biases, {"bias_regularizer_l2": r.l2_bias})):
            got = getattr(layer, attribute, None)
            if not isinstance(got, np.ndarray):
                self._add(Row(step, f"{where} {attribute}", math.nan, False,
                              f"left no array in .{attribute}"))
                continue
            self.compare(step, f"{where} {attribute}", got, getattr(app_layer, attribute),
                         proportional=("the " + attribute[1:], ref, strengths))

    def optimizer_steps(self, grads: list[np.ndarray]) -> None:
        """OPTIMIZER_STEPS updates from the same gradients: the change each update
        makes to each parameter, and the learning rate it used."""
        optimizer = self.mine.optimizer
        name = type(optimizer.obj).__name__
        names = [f"{where} {kind}" for where in self._dense_places() for kind in
                 ("weights", "biases")]
        for _ in range(OPTIMIZER_STEPS):
            before = self.app.get_params()
            self.app.optimizer.step(self.app.params, [g.copy() for g in grads])
            for layer, dw, db in zip(self.mine.dense, grads[::2], grads[1::2], strict=True):
                layer.dweights, layer.dbiases = dw.copy(), db.copy()
            if self.theirs(f"{name}.update_params", "update",
                           lambda: optimizer.update(self.mine.dense) or True) is None:
                return
            after = self.mine.get_params()
            for label, b, mine, app in zip(names, before, after, self.app.params, strict=True):
                self.compare(f"{name}.update_params", label, mine - b, app - b)
            self.compare(f"{name}.pre_update_params", "learning rate",
                         optimizer.current_learning_rate,
                         self.app.optimizer.current_learning_rate)
            self.mine.set_params(self.app.get_params())   # the next update from the same

    def _dense_places(self) -> list[str]:
        return [where for app_layer, _, where in self.pairs if isinstance(app_layer, Dense)]

    def epoch_steps(self) -> None:
        """CHECK_EPOCHS whole epochs of both from the same start and random streams."""
        config, mine, app = self.config, self.mine, self.app
        step = "a whole epoch"
        if self.catching(step, "start", lambda: self._restart() or True) is None:
            return
        rngs = [np.random.default_rng(config.seed) for _ in range(2)]
        for e in range(CHECK_EPOCHS):
            expected = app.train_epoch(self.x, self.y, config.batch_size, config.shuffle,
                                       rngs[0])
            try:
                got = mine.train_epoch(self.x, self.y, config.batch_size, config.shuffle,
                                       rngs[1])
            except LearnerCodeError as err:   # named by the method that failed
                self._add(Row(err.where or step, f"epoch {e}", math.nan, False, err.summary,
                              err.details))
                return
            for what in ("loss", "acc"):
                self.compare(step, f"{'accuracy' if what == 'acc' else what}",
                             getattr(got, what), getattr(expected, what))
            self.compare(step, "learning rate", mine.optimizer.current_learning_rate,
                         app.optimizer.current_learning_rate)
            for where, a, b in zip(self._param_names(), mine.params, app.params, strict=True):
                self.compare(step, where, a, b)

    def _restart(self) -> None:
        """Both from the learner's initial weights with fresh optimizers; the learner's
        stream where the app's is (the dropout masks)."""
        self.app.set_params(self.start)
        self.app.fresh_optimizer(self.config)
        self.mine.set_params(self.start)
        self.mine.fresh_optimizer(self.config)
        self.mine.num.rng.state.set_state(self.app.num.rng.state.get_state())

    def _param_names(self) -> list[str]:
        return [f"{where} {kind} after it" for where in self._dense_places()
                for kind in ("weights", "biases")]

    def gradient_steps(self) -> None:
        """Their backward against finite differences of their forward + regularization
        loss, at the weights the epochs reached, in float64 (plain numpy)."""
        mine = self.mine
        step = f"{api.DENSE}.backward"
        for layer in mine.dense:
            layer.weights = np.array(layer.weights, dtype=np.float64)
            layer.biases = np.array(layer.biases, dtype=np.float64)
        x, targets = self.x.astype(np.float64), mine.targets(self.y)
        if targets.dtype.kind == "f":   # one-hot or column targets; labels stay labels
            targets = targets.astype(np.float64)
        stream = mine.num.rng.state.get_state()

        def total_loss() -> float:
            mine.num.rng.state.set_state(stream)   # the same dropout masks every time
            with mine.running(book=False):
                _, data_loss = mine.loss_forward(mine.forward(x, True), targets)
                return float(data_loss + mine.regularization_loss())

        def analytic() -> list[np.ndarray]:
            mine.num.rng.state.set_state(stream)
            with mine.running(book=False):
                output, _ = mine.loss_forward(mine.forward(x, True), targets)
                mine.backward(mine.loss_backward(output, targets))
            return [np.array(getattr(layer, a), dtype=np.float64)
                    for layer in mine.dense for a in ("dweights", "dbiases")]

        grads = self.catching(step, "finite differences", analytic)
        if grads is None:
            return
        sampler = np.random.default_rng(0)
        places = [f"{where} {kind}, finite diff." for where in self._dense_places()
                  for kind in ("dweights", "dbiases")]
        for place, grad, (layer, attribute) in zip(
                places, grads, [(layer, a) for layer in mine.dense
                                for a in ("weights", "biases")], strict=True):
            array = getattr(layer, attribute)
            picks = _sample(grad, sampler)
            numeric = self.catching(step, place, lambda a=array, p=picks: [
                _difference_quotient(a, i, total_loss) for i in p])
            if numeric is None:
                continue
            analytic_values = np.array([grad[i] for i in picks])
            self._finite_difference_row(step, place, analytic_values, np.array(numeric),
                                        picks, float(np.max(np.abs(grad))))

    def _finite_difference_row(self, step, place, analytic_values, numeric, picks, scale):
        diff = np.abs(analytic_values - numeric)
        rel = float(np.max(diff)) / scale if scale > 0 else (0.0 if not diff.any()
                                                               else math.inf)
        ok = rel <= FD_TOLERANCE
        detail = ""
        if not ok:
            k = int(np.argmax(diff))
            detail = (f"at {picks[k]} your backward gives {analytic_values[k]:.7g}, the "
                      f"finite difference of your loss {numeric[k]:.7g}")
        self._add(Row(step, place, rel, ok, detail))


def shift(z: np.ndarray) -> np.ndarray:
    """Logits moved by SOFTMAX_SHIFT: the same probabilities, unless exp overflows."""
    return z + z.dtype.type(SOFTMAX_SHIFT)


def _sample(grad: np.ndarray, sampler: np.random.Generator) -> list[tuple[int, ...]]:
    """The largest entry and FD_SAMPLES others drawn at random (without repeats)."""
    flat = [int(np.argmax(np.abs(grad)))]
    flat += [int(i) for i in sampler.choice(grad.size, min(FD_SAMPLES, grad.size),
                                            replace=False) if int(i) != flat[0]]
    return [tuple(int(j) for j in np.unravel_index(i, grad.shape)) for i in flat]


def _difference_quotient(array: np.ndarray, index: tuple[int, ...], loss) -> float:
    original = array[index]
    array[index] = original + FD_STEP
    up = loss()
    array[index] = original - FD_STEP
    down = loss()
    array[index] = original
    return (up - down) / (2 * FD_STEP)


def run_check(own: OwnCode, config: Config, settings: str) -> CheckReport:
    """Check ``own`` on ``config`` (``settings``: how to name them in the report).
    Raises LearnerLoadError when the file cannot be loaded; a failure of the learner's
    constructors is a failing row."""
    try:
        check = Check(own, config, settings)
    except LearnerLoadError:
        raise
    except LearnerCodeError as e:
        report = CheckReport(own, settings, 0)
        report.rows.append(Row(e.where or "building the network", "constructing", math.nan,
                               False, e.summary, e.details))
        return report
    return check.run()


# -- the process the check runs in ------------------------------------------------------
def start_check(own: OwnCode, config: Config, settings: str, **popen) -> subprocess.Popen:
    """Start a process that checks ``own`` on ``config``: it prints the report on its
    standard output (a file that cannot be loaded: one line and the learner's
    traceback on its standard error) and exits 0 (all match), 1 (a difference) or 2
    (the file cannot be loaded). ``popen``: more subprocess.Popen arguments."""
    argv = python_child(__name__, own.path, repr(own.time_limit), settings, config.to_json())
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, **popen)


def main(argv: list[str] | None = None) -> int:
    """The check's process: ``argv == [FILE, TIME_LIMIT, SETTINGS, CONFIG_JSON]``."""
    path, limit, settings, config_json = sys.argv[1:] if argv is None else argv
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the command line decides
    try:
        report = run_check(OwnCode(path, float(limit)), Config.from_json(config_json),
                           settings)
    except LearnerLoadError as e:
        print(f"nnfs-gui: {e}", file=sys.stderr)
        return 2
    print(report.text(), flush=True)
    return report.exit_code
