"""Running a learner's own file: loading it, the book's numpy around every call into
it, a time limit, and errors that show the learner's own traceback.

Loading runs the file, as ``python FILE.py`` would (top-level code runs, the file's
folder is first on ``sys.path``), except that its ``if __name__ == "__main__":`` block
does not: the module is named ``nnfs_gui_learner_N``. Only a child process ever does
this (the training process, or the process a check or a headless run starts): never
the window's process and never the command line's own.

The book's scripts call ``nnfs.init()`` first. It changes numpy for the whole process:
``np.random.seed(0)``; ``np.dot`` casts its arguments to float64 and rounds the result
to float32; ``np.zeros`` and ``np.eye`` given only a shape default to float32;
``np.random.randn`` rounds its draws to float32. ``book_numpy`` applies exactly those
rules while the learner's code runs and puts numpy back afterwards, so the app's own
code in the same process (data, grids, the timeline) runs on plain numpy. While their
code runs, numpy.random's functions draw from the run's ``BookRandom`` stream: their
``Layer_Dense`` draws its weights, and their ``Layer_Dropout`` its masks, from the same
place in the stream as the book's scripts do (bookmode.py draws in that order).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnfs_gui.core.errors import bounded, file_problem
from nnfs_gui.core.net.numerics import BookRandom

# One epoch of the learner's code (or loading their file) may take this long before it
# is stopped. A 4 x 512 network on 40,000 points takes about 10 s per epoch in the book's
# float64 dot products on this project's machine; an endless loop is stopped after this.
DEFAULT_TIME_LIMIT = 30.0
MAX_SOURCE_BYTES = 10 * 2**20


@dataclass(frozen=True)
class OwnCode:
    """A learner's Python file of the book's classes, and the seconds one epoch of it
    (or loading it) may take."""

    path: str
    time_limit: float = DEFAULT_TIME_LIMIT

    @property
    def name(self) -> str:
        return Path(self.path).name


class LearnerCodeError(Exception):
    """The learner's code failed. ``summary``: one line naming the file, the
    class.method and what happened; ``details``: the learner's traceback (their frames
    only), or ""; ``where``: the class.method, when one is to blame. ``str()`` is the
    summary, then the traceback."""

    def __init__(self, summary: str, details: str = "", where: str = "") -> None:
        self.summary = bounded(summary)
        self.details = details.rstrip()
        self.where = where
        super().__init__(self.summary + ("\n" + self.details if self.details else ""))

    def during(self, when: str) -> LearnerCodeError:
        """The same error, its summary saying when it happened ("epoch 12")."""
        return type(self)(f"{self.summary} ({when})", self.details, self.where)


class LearnerLoadError(LearnerCodeError):
    """The file cannot be used at all: missing, not Python, failing while it loads,
    or without a class or method the settings need."""


class LearnerTimeout(BaseException):
    """Raised inside the learner's code when the time limit is up (a BaseException, so
    a bare ``except Exception`` in their code does not swallow it)."""


# -- the book's numpy -----------------------------------------------------------------
_PLAIN = (np.dot, np.zeros, np.eye)
# numpy.random's functions (randn, binomial, seed, ...) are methods of one global
# RandomState. They are pointed at the run's stream while the learner's code runs: 60 us
# in and out, where copying the global generator's state in and back out took 650 us
# (measured with timeit; a chapter-11 epoch takes about 1 ms). A function taken out of
# numpy.random before (``from numpy.random import randn`` at the top of their file)
# keeps drawing from the global generator instead.
_GLOBAL_RANDOM = np.random.randn.__self__
# numpy.random's name -> the RandomState method: its bound methods, and the functions
# that act on the global generator without being its methods.
RANDOM_FUNCTIONS = {name: name for name in dir(np.random)
                    if getattr(getattr(np.random, name), "__self__", None) is _GLOBAL_RANDOM}
RANDOM_FUNCTIONS |= {"seed": "seed", "ranf": "random_sample", "sample": "random_sample"}


def _book_dot(*args, **kwargs):
    """float64 arithmetic, float32 result (the book's answer to numpy issue 15591)."""
    result = _PLAIN[0](*[np.asarray(a).astype(np.float64) for a in args], **kwargs)
    return result.astype(np.float32)


def _book_zeros(*args, **kwargs):
    if len(args) <= 1 and "dtype" not in kwargs:
        kwargs["dtype"] = np.float32
    return _PLAIN[1](*args, **kwargs)


def _book_eye(*args, **kwargs):
    if len(args) <= 1 and "dtype" not in kwargs:
        kwargs["dtype"] = np.float32
    return _PLAIN[2](*args, **kwargs)


@contextmanager
def book_numpy(stream: BookRandom, book: bool = True) -> Iterator[None]:
    """Inside: numpy as the book's ``nnfs.init()`` leaves it (``book``; else plain), its
    random functions drawing from ``stream``. Outside: numpy as it was, whatever the
    learner's code did to it (their own ``nnfs.init()`` included)."""
    module_attrs = (np.dot, np.zeros, np.eye)
    outer = {name: getattr(np.random, name) for name in RANDOM_FUNCTIONS}
    for name, method in RANDOM_FUNCTIONS.items():
        setattr(np.random, name, getattr(stream.state, method))
    if book:
        np.dot, np.zeros, np.eye = _book_dot, _book_zeros, _book_eye
        np.random.randn = stream.randn   # rounded to float32
    try:
        yield
    finally:
        np.dot, np.zeros, np.eye = module_attrs
        for name, function in outer.items():
            setattr(np.random, name, function)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise LearnerTimeout in this (main) thread after ``seconds``. Where no alarm
    signal can be used (another thread, no SIGALRM) there is no limit."""
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise LearnerTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- calls into the learner's code ------------------------------------------------------
def invoke(own: OwnCode, where: str, function, *args, **kwargs):
    """``function(*args, **kwargs)``, a piece of the learner's code named ``where``
    ("Layer_Dense.backward"); any failure is a LearnerCodeError naming it."""
    try:
        return function(*args, **kwargs)
    except LearnerTimeout as e:
        raise LearnerCodeError(
            f"{own.name}: {where} was stopped: one epoch of your code took longer than "
            f"the time limit of {own.time_limit:g} s", learner_traceback(own, e),
            where) from None
    except (Exception, SystemExit) as e:  # noqa: BLE001 - whatever their code raises
        raise LearnerCodeError(f"{own.name}: {where} raised {exception_words(e)}",
                               learner_traceback(own, e), where) from None


def exception_words(e: BaseException) -> str:
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def learner_traceback(own: OwnCode, e: BaseException) -> str:
    """The traceback of ``e`` from the first frame in the learner's file on (the app's
    frames before it are of no use to them); for a timeout, where their code was when
    it was stopped."""
    target = os.path.realpath(own.path)
    tb = e.__traceback__
    while tb is not None and os.path.realpath(tb.tb_frame.f_code.co_filename) != target:
        tb = tb.tb_next
    if tb is None:  # not raised in their file (e.g. a call with the wrong arguments)
        return "".join(traceback.format_exception_only(type(e), e))
    if not isinstance(e, LearnerTimeout):
        return "".join(traceback.format_exception(type(e), e, tb))
    frames = [f for f in traceback.extract_tb(tb) if f.filename != __file__]
    return ("Traceback (most recent call last):\n"
            + "".join(traceback.format_list(frames)) + "stopped here by the time limit")


# -- loading ----------------------------------------------------------------------------
_COUNTER = itertools.count(1)


def load_classes(own: OwnCode) -> dict:
    """Run the learner's file and return its namespace. LearnerLoadError: the file is
    missing or unreadable, does not compile, fails or takes too long while loading."""
    path = Path(own.path)
    try:
        problem = file_problem(path.stat(), MAX_SOURCE_BYTES)
    except OSError as e:
        raise LearnerLoadError(f"{own.path}: {e.strerror or e}") from None
    if problem:
        raise LearnerLoadError(f"{own.path} {problem}")
    name = f"nnfs_gui_learner_{next(_COUNTER)}"
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    sys.modules[name] = module   # dataclasses and pickle in their file look it up
    sys.path.insert(0, str(path.resolve().parent))   # as `python FILE.py` does
    try:
        with book_numpy(BookRandom(0)), time_limit(own.time_limit):
            loader.exec_module(module)
    except SyntaxError as e:
        raise LearnerLoadError(f"{own.path}, line {e.lineno}: {e.msg}",
                               "".join(traceback.format_exception_only(type(e), e))) from None
    except LearnerTimeout as e:
        raise LearnerLoadError(
            f"{own.path}: loading took longer than the time limit of {own.time_limit:g} s "
            f"(does the file train at the top level? keep that under "
            f"if __name__ == \"__main__\":)", learner_traceback(own, e)) from None
    except (Exception, SystemExit) as e:  # noqa: BLE001 - their code, their error
        raise LearnerLoadError(f"{own.path}: loading it raised {exception_words(e)}"
                               f"{_hint(e)}", learner_traceback(own, e)) from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    return vars(module)


def _hint(e: BaseException) -> str:
    if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] == "nnfs":
        return (" (the nnfs package is not installed here; the app applies nnfs.init()'s "
                "rules itself and makes the data, so the import can go)")
    return ""
