"""Progress of long loops: a tqdm bar on a terminal, plain periodic lines elsewhere.

One convention for every stage. On a terminal (stderr is a TTY) a loop shows a tqdm bar
with its rate and ETA; when stderr is a file or a pipe (CI logs, ``nohup``, ``2> log``) it
prints one plain line every ``interval`` seconds and a last line when it ends, because a
redrawn bar turns into thousands of carriage returns in a log. ``attrdb --quiet`` (or
``set_quiet(True)`` from Python) silences all of it; results and errors still print.

Usage in a stage::

    from attrdb.progress import progress, track

    for item in track(items, desc="saliency", unit="img"):
        ...

    with progress(total=n_images, desc="extract", unit="img") as bar:
        ...
        bar.update(len(batch))

Library functions keep their own ``progress: bool`` argument and pass it as ``enabled``;
the global quiet setting wins over it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, TextIO, TypeVar

T = TypeVar("T")

# Seconds between plain lines when stderr is not a terminal: often enough to see a stage
# is alive in a log, rarely enough that a 10-minute stage writes a screenful, not a file.
DEFAULT_INTERVAL = 10.0

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence (or restore) every progress bar and progress line of this process."""
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    """Whether progress output is silenced (``attrdb --quiet``)."""
    return _quiet


class Progress:
    """One loop's progress: tqdm on a terminal, plain lines otherwise, nothing when quiet.

    Args:
        total: number of items expected (None when unknown: no percentage or ETA).
        desc: what is being done, first on every line (e.g. the stage name).
        unit: what one item is ("img", "word", "product").
        enabled: False silences this loop (the caller's own ``progress`` flag).
        nested: an inner loop of another bar: a transient bar on a terminal and no plain
            lines (the outer loop's lines already say the stage is alive).
        interval: seconds between plain lines.
        stream: where to write (default: stderr; stdout stays for data).
    """

    def __init__(
        self,
        total: int | None = None,
        *,
        desc: str,
        unit: str = "it",
        enabled: bool = True,
        nested: bool = False,
        interval: float = DEFAULT_INTERVAL,
        stream: TextIO | None = None,
    ) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.n = 0
        self.interval = interval
        self.stream = stream if stream is not None else sys.stderr
        self._start = time.monotonic()
        self._last_line = self._start
        self._bar: Any = None
        self._closed = False
        shown = enabled and not _quiet
        self._plain = shown and not nested and not _is_terminal(self.stream)
        if shown and _is_terminal(self.stream):
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=desc, unit=unit, file=self.stream, leave=not nested,
                dynamic_ncols=True,
            )

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items done."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._plain:
            now = time.monotonic()
            if now - self._last_line >= self.interval:
                self._last_line = now
                self._write(self._line(now))

    def close(self) -> None:
        """End the loop: close the bar, or print the last plain line (count, time, rate)."""
        if self._closed:
            return
        self._closed = True
        if self._bar is not None:
            self._bar.close()
        elif self._plain and self.n:  # a loop with nothing to do prints nothing
            elapsed = time.monotonic() - self._start
            of = f"/{self.total}" if self.total is not None else ""
            self._write(
                f"{self.desc}: {self.n}{of} {self.unit} in {_duration(elapsed)}"
                f" ({_rate(self.n, elapsed, self.unit)})"
            )

    def _line(self, now: float) -> str:
        elapsed = now - self._start
        line = f"{self.desc}: {self.n}"
        if self.total:
            line += f"/{self.total} {self.unit} ({self.n / self.total:.0%})"
        else:
            line += f" {self.unit}"
        line += f", {_rate(self.n, elapsed, self.unit)}"
        if self.total and self.n:
            remaining = (self.total - self.n) * elapsed / self.n
            line += f", ETA {_duration(remaining)}"
        return line

    def _write(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def progress(
    total: int | None = None,
    *,
    desc: str,
    unit: str = "it",
    enabled: bool = True,
    nested: bool = False,
    interval: float = DEFAULT_INTERVAL,
) -> Progress:
    """A :class:`Progress` for a loop the caller counts with ``update(n)``."""
    return Progress(
        total, desc=desc, unit=unit, enabled=enabled, nested=nested, interval=interval
    )


def track(
    iterable: Iterable[T],
    *,
    desc: str,
    unit: str = "it",
    total: int | None = None,
    enabled: bool = True,
    nested: bool = False,
    interval: float = DEFAULT_INTERVAL,
) -> Iterator[T]:
    """Yield from ``iterable``, counting one item each (total: ``len()`` when it has one)."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    with Progress(
        total, desc=desc, unit=unit, enabled=enabled, nested=nested, interval=interval
    ) as bar:
        for item in iterable:
            yield item
            bar.update()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _rate(n: int, elapsed: float, unit: str) -> str:
    return f"{n / elapsed:.1f} {unit}/s" if elapsed > 0 else f"- {unit}/s"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
