"""The pace of training: at most so many epochs a second, so a learner can watch.

A credit of epochs grows at ``epochs_per_second`` and each trained epoch spends one;
the credit is capped at ``burst_seconds`` worth (at least one epoch), so a slow
moment never turns into a burst. Qt-free, like everything under ``training/``.
"""

from __future__ import annotations

import time

UNLIMITED = 2**62   # epochs allowed at full speed


class Pace:
    """``allowed()`` epochs may be trained now; ``spend(n)`` after training them."""

    def __init__(self, burst_seconds: float) -> None:
        self.burst_seconds = burst_seconds
        self.epochs_per_second: float | None = None   # None: full speed
        self.restart()

    def set(self, epochs_per_second: float | None) -> None:
        eps = epochs_per_second
        self.epochs_per_second = None if eps is None else max(float(eps), 0.1)
        self.restart()

    def restart(self) -> None:
        """Count from now (on Play): a pause never saves up epochs for later."""
        self._credit, self._at = 1.0, time.perf_counter()

    def allowed(self) -> int:
        """Whole epochs the pace allows now (UNLIMITED at full speed)."""
        eps = self.epochs_per_second
        if eps is None:
            return UNLIMITED
        now = time.perf_counter()
        cap = max(1.0, eps * self.burst_seconds)
        self._credit = min(cap, self._credit + (now - self._at) * eps)
        self._at = now
        return int(self._credit)

    def spend(self, epochs: int) -> None:
        self._credit -= epochs

    def wait(self, longest: float) -> float:
        """Seconds until the next epoch is allowed (0 now), at most ``longest``."""
        eps = self.epochs_per_second
        if eps is None or self._credit >= 1:
            return 0.0
        return min(longest, (1.0 - self._credit) / eps)
