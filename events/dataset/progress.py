"""The build's progress bar on a terminal: percentage, bar, counts, rate and time left, never wider than 80 columns.

`ProgressBar` is the `progress` callback of `events.dataset.builder.build`: it adds up each batch's counts and is told how
many bytes of the inputs have been read of how many, from which it gets the percentage and the estimated time left
(the time so far, scaled by the bytes still to read). The line is rebuilt to fit the terminal, at most 80 columns:
the bar shrinks first, then the least useful fields go.
"""

from __future__ import annotations

import shutil
import time

MAX_WIDTH = 80
MIN_BAR = 10


def count(n: int) -> str:
    """A count in at most six characters.

    >>> count(999), count(12_345), count(1_234_567), count(2_500_000_000)
    ('999', '12.3k', '1.23M', '2.50G')
    """
    if n < 10_000:
        return f"{n:,}"
    if n < 999_950:
        return f"{n / 1e3:.1f}k"
    if n < 999_995_000:
        return f"{n / 1e6:.2f}M"
    return f"{n / 1e9:.2f}G"


def duration(seconds: float) -> str:
    """m:ss or h:mm:ss.

    >>> duration(5), duration(754), duration(7384)
    ('0:05', '12:34', '2:03:04')
    """
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def render(width: int, elapsed: float, done: int, total: int, documents: int, sentences: int, mentions: int,
           rejected: int, note: str = "") -> str:
    """The progress line, at most `width` (and 80) columns; `note` is the engine's (a cluster's size: '2 workers').

    >>> line = render(80, 30.0, 250, 1000, 1234, 56789, 4321, 7)
    >>> line
    ' 25% |█████▊                 | 1,234 docs 1,893 sent/s 4,321 ment 7 rej ETA 1:30'
    >>> len(line) <= 80, len(render(40, 30.0, 250, 1000, 1234, 56789, 4321, 7)) <= 40
    (True, True)
    >>> render(80, 30.0, 250, 1000, 1234, 56789, 4321, 7, "2 workers")
    ' 25% |███▎         | 1,234 docs 1,893 sent/s 4,321 ment 7 rej ETA 1:30 2 workers'
    >>> render(60, 30.0, 250, 1000, 1234, 56789, 4321, 7, "2 workers")
    ' 25% |████            | 1,234 docs 4,321 ment 7 rej ETA 1:30'
    """
    width = max(20, min(width, MAX_WIDTH))
    rate = sentences / elapsed if elapsed > 0 else 0.0
    fraction = min(done / total, 1.0) if total > 0 else None
    left = f"{fraction:4.0%} " if fraction is not None else ""
    eta = ""
    if fraction is not None:
        eta = f"ETA {duration(elapsed * (1 - fraction) / fraction)}" if fraction > 0 else "ETA -:--"
    fields = [f"{count(documents)} docs", f"{count(round(rate))} sent/s", f"{count(mentions)} ment", f"{count(rejected)} rej", eta,
              note]
    optional = [5, 1, 3, 2]  # what goes first when the line is too wide: the note, the rate, rejects, mentions
    while True:
        right = " ".join(f for f in fields if f)
        room = width - len(left) - len(right) - 3  # "|", "|" and a space
        if fraction is None or room >= MIN_BAR or not optional:
            break
        fields[optional.pop(0)] = ""
    if fraction is None or room < MIN_BAR:
        return (left + right)[:width]
    return f"{left}|{_bar(fraction, room)}| {right}"


def _bar(fraction: float, width: int) -> str:
    """A bar of `width` cells filled to `fraction`, in eighths of a cell.

    >>> _bar(0.5, 4), _bar(0.3, 4)
    ('██  ', '█▏  ')
    """
    eighths = int(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(width)[:width]


class ProgressBar:
    """The `progress` callback of a build: redraws one line on `stream` at most ten times a second."""

    def __init__(self, stream, clock=time.monotonic, note=None):
        self.stream, self.clock, self.note = stream, clock, note  # note(): a few words from the engine, or None
        self.start = clock()
        self.last = float("-inf")
        self.documents = self.sentences = self.mentions = self.rejected = self.done = self.total = 0
        self.shown = 0

    def __call__(self, documents: int, sentences: int, mentions: int, rejected: int, done: int, total: int) -> None:
        self.documents += documents
        self.sentences += sentences
        self.mentions += mentions
        self.rejected, self.done, self.total = rejected, done, total
        now = self.clock()
        if now - self.last >= 0.1 or (total and done >= total):
            self.last = now
            self.draw()

    def line(self) -> str:
        width = shutil.get_terminal_size((MAX_WIDTH, 24)).columns - 1  # the last column would wrap on some terminals
        return render(width, self.clock() - self.start, self.done, self.total, self.documents, self.sentences,
                      self.mentions, self.rejected, self.note() if self.note is not None else "")

    def draw(self) -> None:
        text = self.line()
        self.stream.write("\r" + text + " " * max(0, self.shown - len(text)))
        self.stream.flush()
        self.shown = len(text)

    def close(self) -> None:
        if self.shown:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
