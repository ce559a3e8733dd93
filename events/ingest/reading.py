"""Bounded reading of input files: physical lines and CSV records, never more than a limit in memory.

An input file may hold anything: a 1 GiB line inside a 4 MB gzip file, a billion blank lines, a quote that never
closes. The readers here keep memory bounded by the record limit (plus one read block) whatever the file holds,
and take time linear in its size:

* `LineReader` cuts a byte stream into lines of at most `limit` bytes; a longer line comes as pieces the caller
  discards (and rejects), never as one string; runs of blank lines are skipped by C-speed searches, not a
  Python loop per line. A UTF-8 byte order mark at the start of the file is dropped, for every input kind.
* `csv_records` splits CSV text into records exactly where Python's `csv` module would (RFC 4180 quoting: a
  newline inside a quoted field belongs to the field), so each record can be parsed on its own and a record
  over the limit, or a malformed one, is rejected alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 20
JSONL_BREAKS = re.compile(rb"\n")
CSV_BREAKS = re.compile(rb"\r\n?|\n")  # the csv module's universal newlines: \r\n, \r and \n end a line
_NON_BLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")


@dataclass(frozen=True, slots=True)
class Piece:
    line: int  # 1-based number of the line the piece belongs to
    data: bytes  # the bytes, with the line break if the piece has one
    brk: int  # length of the line break at the end of `data` (0: none)
    ends: bool  # the piece ends its line (with a break, or at the end of the file); False: the line goes on


class LineReader:
    """Lines of a binary stream, read in blocks: at most `limit` bytes of one line are held at a time.

    >>> import io
    >>> r = LineReader(io.BytesIO(BOM + b'a\\n\\n  \\n\\nbb\\ncccccc\\nd'), limit=4)
    >>> r.skip_blank(); r.next()
    Piece(line=1, data=b'a\\n', brk=1, ends=True)
    >>> r.skip_blank(); r.next()
    Piece(line=5, data=b'bb\\n', brk=1, ends=True)
    >>> r.next(), r.next()
    (Piece(line=6, data=b'cccc', brk=0, ends=False), Piece(line=6, data=b'cc\\n', brk=1, ends=True))
    >>> r.next(), r.next()
    (Piece(line=7, data=b'd', brk=0, ends=True), None)
    """

    def __init__(self, handle: BinaryIO, limit: int, breaks: re.Pattern = JSONL_BREAKS, block: int = BLOCK):
        self.handle, self.limit, self.breaks, self.block = handle, max(1, limit), breaks, max(block, 1)
        self.buffer = b""
        self.pos = 0
        self.line = 1
        self.eof = False
        self.read_bytes = 0  # bytes read from the stream so far (read ahead of what the lines returned have used)
        self._fill()
        if self.buffer.startswith(BOM):
            self.pos = len(BOM)

    def _fill(self) -> None:
        data = self.handle.read(self.block)
        self.read_bytes += len(data)
        if not data:
            self.eof = True
        self.buffer = self.buffer[self.pos:] + data
        self.pos = 0

    @property
    def consumed(self) -> int:
        """Bytes of the stream up to the end of what has been returned or skipped (the byte order mark included)."""
        return self.read_bytes - (len(self.buffer) - self.pos)

    def _count_breaks(self, start: int, stop: int) -> int:
        buffer = self.buffer
        lf = buffer.count(b"\n", start, stop)
        if self.breaks is JSONL_BREAKS:
            return lf
        return lf + buffer.count(b"\r", start, stop) - buffer.count(b"\r\n", start, stop)

    def skip_blank(self) -> None:
        """Skip lines that hold only white space, counting them, at the speed of a byte search.

        The white space that starts the next non-blank line stays (a CSV field may begin with it); a blank stretch
        longer than the limit without a line break stops the skipping, and `next` reports it as an over-long line.
        """
        while True:
            found = _NON_BLANK.search(self.buffer, self.pos)
            if found is not None:
                start = self._line_start(found.start())
                self.line += self._count_breaks(self.pos, start)
                self.pos = start
                return
            end = len(self.buffer) if self.eof else self._line_start(len(self.buffer))
            if not self.eof and end == len(self.buffer) and self.buffer.endswith(b"\r"):
                end -= 1  # a \r\n may straddle two blocks: count it once, with the next block
            self.line += self._count_breaks(self.pos, end)
            self.pos = end
            if self.eof or len(self.buffer) - self.pos > self.limit:
                return
            self._fill()

    def _line_start(self, index: int) -> int:
        last = self.buffer.rfind(b"\n", self.pos, index)
        if self.breaks is not JSONL_BREAKS:
            last = max(last, self.buffer.rfind(b"\r", self.pos, index))
        return self.pos if last < 0 else last + 1

    def next(self) -> Piece | None:
        """The next line, or for a line longer than the limit its next piece of `limit` bytes; None at the end."""
        while True:
            found = self.breaks.search(self.buffer, self.pos, self.pos + self.limit + 2)
            if found is not None and found.start() - self.pos <= self.limit:
                if found.group() == b"\r" and found.end() == len(self.buffer) and not self.eof:
                    self._fill()  # \r\n or a lone \r? read on to know
                    continue
                return self._take(found.end(), found.end() - found.start(), True)
            if len(self.buffer) - self.pos > self.limit:
                return self._take(self.pos + self.limit, 0, False)
            if self.eof:
                return self._take(len(self.buffer), 0, True) if self.pos < len(self.buffer) else None
            self._fill()

    def _take(self, end: int, brk: int, ends: bool) -> Piece:
        piece = Piece(self.line, self.buffer[self.pos:end], brk, ends)
        self.pos = end
        if ends:
            self.line += 1
        return piece


@dataclass(frozen=True, slots=True)
class Record:
    """One line or CSV record: its bytes, or, when it is over the limit, only its first `limit` bytes and its size."""

    line: int  # the line it starts on
    data: bytes  # without the final line break
    size: int  # bytes, line breaks included
    oversize: bool


def _record(line: int, parts: list[bytes], head: bytes, size: int, brk: int) -> Record:
    if head:
        return Record(line, head, size, True)
    data = b"".join(parts)
    return Record(line, data[: len(data) - brk], size, False)


def lines(reader: LineReader) -> Iterator[Record]:
    """The non-blank lines of a stream; a line longer than the limit is one oversize `Record`, read through, not kept.

    >>> import io
    >>> [(r.line, r.data, r.oversize) for r in lines(LineReader(io.BytesIO(b'{}\\n\\n' + b'x' * 9 + b'\\n[]'), 4))]
    [(1, b'{}', False), (3, b'xxxx', True), (4, b'[]', False)]
    """
    while True:
        reader.skip_blank()
        piece = reader.next()
        if piece is None:
            return
        line, head, size = piece.line, b"", len(piece.data)
        if not piece.ends:
            head = piece.data
            while not piece.ends and (piece := reader.next()) is not None:
                size += len(piece.data)
        yield _record(line, [] if head else [piece.data], head, size, 0 if head else piece.brk)


# -- CSV ------------------------------------------------------------------------------------------------------
_START, _FIELD, _QUOTED, _QUOTE_IN_QUOTED = range(4)
_FIELD_STOP = re.compile(rb"[,\r\n]")


def _scan(data: bytes, state: int) -> int:
    """The csv module's quoting state after reading `data` (no line break inside it) from `state`."""
    i, n = 0, len(data)
    while i < n:
        if state == _QUOTED:
            j = data.find(b'"', i)
            if j < 0:
                return _QUOTED
            state, i = _QUOTE_IN_QUOTED, j + 1
            continue
        c = data[i]
        if state == _QUOTE_IN_QUOTED:  # a closing quote, or the first of a doubled one
            state = _QUOTED if c == 0x22 else _START if c == 0x2C else _FIELD
            i += 1
            continue
        if state == _START and c == 0x22:
            state, i = _QUOTED, i + 1
            continue
        found = _FIELD_STOP.search(data, i)  # inside an unquoted field a quote is an ordinary character
        if found is None:
            return _FIELD
        state, i = _START, found.end()
    return state


def csv_records(reader: LineReader) -> Iterator[Record]:
    """CSV records, split where `csv.reader` splits them: at a line break outside quotes.

    >>> import io
    >>> data = b'id,text\\n1,"two\\nlines"\\n\\n2,"a ""quoted"" word"\\r\\n3,b"c\\n'
    >>> [(r.line, r.data) for r in csv_records(LineReader(io.BytesIO(data), 100, CSV_BREAKS))]
    [(1, b'id,text'), (2, b'1,"two\\nlines"'), (5, b'2,"a ""quoted"" word"'), (6, b'3,b"c')]
    """
    limit = reader.limit
    while True:
        reader.skip_blank()
        piece = reader.next()
        if piece is None:
            return
        line, parts, head, size, state = piece.line, [], b"", 0, _START
        while True:
            size += len(piece.data)
            state = _scan(piece.data[: len(piece.data) - piece.brk], state)
            if head:
                pass
            elif size - piece.brk <= limit:
                parts.append(piece.data)
            else:
                head = b"".join([*parts, piece.data])[:limit]
                parts = []
            if piece.ends and (state != _QUOTED or not piece.brk):
                break  # a line break outside quotes, or the end of the file
            following = reader.next()
            if following is None:
                break
            piece = following
        yield _record(line, parts, head, size, piece.brk if piece.ends and state != _QUOTED else 0)


__all__ = ["BOM", "CSV_BREAKS", "JSONL_BREAKS", "LineReader", "Piece", "Record", "csv_records", "lines"]
