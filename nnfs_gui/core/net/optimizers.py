"""Optimizers (book ch. 10). Each owns its state; parameters are updated in place.

`step(params, grads)` applies one update to a list of parameter arrays given the
matching gradients; state (momentums, caches) is kept per list position and
created as zeros on first use. The learning rate decays as
`lr * (1 / (1 + decay * iterations))`, the counter growing after each update;
`current_learning_rate` is the rate the latest update used (the book's value).
The update expressions keep the book's operation order and numpy's ordinary
type promotion, which book mode relies on for exact results. Normal mode updates its
one flat parameter buffer with `step_in_place`: the same formulas written with
`out=` into one work array (no temporaries; equal up to float rounding).

`state_dict()` / `load_state_dict(d)` read and write everything an update depends on
(iterations, rates, hyperparameters and the `slots` arrays: moments and caches), so a
saved run continues with the same next update.
"""

from __future__ import annotations

import math

import numpy as np


class Optimizer:
    """Shared decay schedule and per-parameter state; subclasses define `_update`."""

    name = ""
    defaults: dict[str, float] = {}
    slots: tuple[str, ...] = ()  # names of the per-parameter state arrays

    def __init__(self, learning_rate: float | None = None, decay: float = 0.0,
                 **hyper: float) -> None:
        self.learning_rate = self.defaults["learning_rate"] if learning_rate is None \
            else learning_rate
        self.current_learning_rate = self.learning_rate
        self.decay = decay
        self.iterations = 0
        self.state: list[dict[str, np.ndarray]] = []
        for key, value in self.defaults.items():
            if key != "learning_rate":
                setattr(self, key, hyper.get(key, value))

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One update of every parameter array (in place), then count the iteration."""
        self._decay_learning_rate()
        if len(self.state) != len(params):
            self.state = [{} for _ in params]
        for param, grad, state in zip(params, grads, self.state, strict=True):
            self._update(param, grad, state)
        self.iterations += 1

    def step_in_place(self, param: np.ndarray, grad: np.ndarray) -> None:
        """`step([param], [grad])` for one flat array, computed in a reused work array."""
        self._decay_learning_rate()
        if len(self.state) != 1:
            self.state = [{}]
        state = self.state[0]
        work = state.get("_work")
        if work is None or work.shape != param.shape or work.dtype != param.dtype:
            work = state["_work"] = np.empty_like(param)
        self._update_in_place(param, grad, state, work)
        self.iterations += 1

    def _decay_learning_rate(self) -> None:
        if self.decay:
            self.current_learning_rate = \
                self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))

    def set_hyperparameters(self, learning_rate: float, decay: float, **hyper: float) -> None:
        """Change settings live; the state and the iteration count stay."""
        self.learning_rate = learning_rate
        self.decay = decay
        self.current_learning_rate = learning_rate * (1.0 / (1.0 + decay * self.iterations))
        for key in self.defaults:
            if key != "learning_rate" and key in hyper:
                setattr(self, key, hyper[key])

    def state_dict(self) -> dict:
        """{"name", "iterations", "learning_rate", "current_learning_rate", "decay",
        "hyperparameters": {name: float}, "arrays": {slot: [array per state entry]}}:
        JSON-able scalars plus copies of the moments/caches (none before the first update).
        """
        entries = self.state
        arrays = {slot: [entry[slot].copy() for entry in entries] for slot in self.slots
                  if entries and all(slot in entry for entry in entries)}
        return {"name": self.name, "iterations": int(self.iterations),
                "learning_rate": float(self.learning_rate),
                "current_learning_rate": float(self.current_learning_rate),
                "decay": float(self.decay), "hyperparameters": self._hyperparameters(),
                "arrays": arrays}

    def load_state_dict(self, state: dict) -> None:
        """Restore what state_dict() gave; ValueError for another optimizer's state, an
        unknown slot or non-float arrays. The arrays are copied."""
        if state.get("name") != self.name:
            raise ValueError(f"optimizer state is for {state.get('name')!r}, not {self.name!r}")
        arrays = state.get("arrays", {})
        _check_state_arrays(arrays, self.slots)
        scalars = {key: float(state[key]) for key in
                   ("learning_rate", "current_learning_rate", "decay")}
        hyper = {key: float(value) for key, value in state.get("hyperparameters", {}).items()
                 if key in self.defaults and key != "learning_rate"}
        iterations = int(state["iterations"])
        # Everything converted before anything is set: a bad value loads nothing.
        self.iterations = iterations
        for key, value in {**scalars, **hyper}.items():
            setattr(self, key, value)
        n = len(next(iter(arrays.values()), ()))
        self.state = [{slot: np.array(v[i], copy=True) for slot, v in arrays.items()}
                      for i in range(n)]

    def _hyperparameters(self) -> dict[str, float]:
        return {key: float(getattr(self, key)) for key in self.defaults
                if key != "learning_rate"}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def _update_in_place(self, param, grad, state: dict, work: np.ndarray) -> None:
        raise NotImplementedError


def _check_state_arrays(arrays: dict, slots: tuple[str, ...]) -> None:
    unknown = sorted(set(arrays) - set(slots))
    if unknown:
        raise ValueError(f"unknown optimizer state {unknown[:4]} (expected {list(slots)})")
    if len({len(v) for v in arrays.values()}) > 1:
        raise ValueError("optimizer state arrays differ in number")
    for slot, values in arrays.items():
        if not all(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in values):
            raise ValueError(f"optimizer state {slot!r} must be float arrays")


def check_state_shapes(state: dict, shapes: list[tuple[int, ...]]) -> None:
    """ValueError unless each slot of a state_dict holds one float array per parameter,
    shaped like it (the engine-independent layout engines.py saves and loads)."""
    for slot, arrays in state.get("arrays", {}).items():
        if not all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays):
            raise ValueError(f"optimizer state {slot!r} must be float arrays")
        got = [tuple(np.shape(a)) for a in arrays]
        if got != [tuple(s) for s in shapes]:
            raise ValueError(f"optimizer state {slot!r} has shapes {got[:8]}, the "
                             f"parameters have {[tuple(s) for s in shapes][:8]}")


def _zeros_like_once(state: dict, key: str, param: np.ndarray) -> np.ndarray:
    if key not in state:
        state[key] = np.zeros_like(param)
    return state[key]


class SGD(Optimizer):
    """p += momentum * m - lr * g (m holds the previous update); plain SGD when momentum == 0."""

    name = "sgd"
    defaults = {"learning_rate": 1.0, "momentum": 0.0}
    slots = ("momentum",)

    def _update(self, param, grad, state):
        if self.momentum:
            update = self.momentum * _zeros_like_once(state, "momentum", param) \
                - self.current_learning_rate * grad
            state["momentum"] = update
        else:
            update = -self.current_learning_rate * grad
        param += update

    def _update_in_place(self, param, grad, state, work):
        np.multiply(grad, -self.current_learning_rate, out=work)
        if self.momentum:
            update = _zeros_like_once(state, "momentum", param)
            update *= self.momentum
            update += work
            work = update
        param += work


class Adagrad(Optimizer):
    """cache += g**2; p += -lr * g / (sqrt(cache) + eps)."""

    name = "adagrad"
    defaults = {"learning_rate": 1.0, "epsilon": 1e-7}
    slots = ("cache",)

    def _update(self, param, grad, state):
        cache = _zeros_like_once(state, "cache", param)
        cache += grad ** 2  # in place, as the book does (keeps the cache's dtype)
        param += -self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)

    def _update_in_place(self, param, grad, state, work):
        cache = _zeros_like_once(state, "cache", param)
        np.multiply(grad, grad, out=work)
        cache += work
        _scaled_step(param, grad, cache, self.current_learning_rate, self.epsilon, work)


class RMSprop(Optimizer):
    """cache = rho * cache + (1 - rho) * g**2; p += -lr * g / (sqrt(cache) + eps)."""

    name = "rmsprop"
    defaults = {"learning_rate": 0.001, "epsilon": 1e-7, "rho": 0.9}
    slots = ("cache",)

    def _update(self, param, grad, state):
        cache = self.rho * _zeros_like_once(state, "cache", param) + (1 - self.rho) * grad ** 2
        state["cache"] = cache
        param += -self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)

    def _update_in_place(self, param, grad, state, work):
        cache = _zeros_like_once(state, "cache", param)
        cache *= self.rho
        np.multiply(grad, grad, out=work)
        work *= 1 - self.rho
        cache += work
        _scaled_step(param, grad, cache, self.current_learning_rate, self.epsilon, work)


class Adam(Optimizer):
    """Momentum m and cache v, both bias-corrected by 1 - beta**(iterations + 1);
    p += -lr * m_hat / (sqrt(v_hat) + eps)."""

    name = "adam"
    defaults = {"learning_rate": 0.001, "epsilon": 1e-7, "beta1": 0.9, "beta2": 0.999}
    slots = ("m", "v")

    def _update(self, param, grad, state):
        m = self.beta1 * _zeros_like_once(state, "m", param) + (1 - self.beta1) * grad
        v = self.beta2 * _zeros_like_once(state, "v", param) + (1 - self.beta2) * grad ** 2
        state["m"], state["v"] = m, v
        t = self.iterations + 1
        m_hat = m / (1 - self.beta1 ** t)
        v_hat = v / (1 - self.beta2 ** t)
        param += -self.current_learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def _update_in_place(self, param, grad, state, work):
        m = _zeros_like_once(state, "m", param)
        v = _zeros_like_once(state, "v", param)
        m *= self.beta1
        np.multiply(grad, 1 - self.beta1, out=work)
        m += work
        v *= self.beta2
        np.multiply(grad, grad, out=work)
        work *= 1 - self.beta2
        v += work
        # lr * (m / c1) / (sqrt(v / c2) + eps) == lr * sqrt(c2) / c1 * m / (sqrt(v) +
        # eps * sqrt(c2)): the bias corrections become two scalars.
        t = self.iterations + 1
        root_c2 = math.sqrt(1 - self.beta2 ** t)
        np.sqrt(v, out=work)
        work += self.epsilon * root_c2
        np.divide(m, work, out=work)
        work *= -self.current_learning_rate * root_c2 / (1 - self.beta1 ** t)
        param += work


def _scaled_step(param, grad, cache, lr, epsilon, work) -> None:
    """param += -lr * grad / (sqrt(cache) + epsilon), through `work`."""
    np.sqrt(cache, out=work)
    work += epsilon
    np.divide(grad, work, out=work)
    work *= -lr
    param += work


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam)
}


def optimizer_from_config(config) -> Optimizer:
    """A fresh optimizer of `config.optimizer` with the config's hyperparameters."""
    return OPTIMIZERS[config.optimizer](config.learning_rate, config.decay,
                                        **hyperparameters(config))


def hyperparameters(config) -> dict[str, float]:
    """The optimizer settings of a Config other than learning rate and decay."""
    return {"momentum": config.momentum, "rho": config.rho, "beta1": config.beta1,
            "beta2": config.beta2, "epsilon": config.epsilon}
