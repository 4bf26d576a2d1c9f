"""Split CSV and JSON Lines catalogues into numbered records, isolating every bad one.

DuckDB's CSV reader, given hostile files, refuses or misreads whole files: a field that
opens a quote and never closes it makes its sniffer drop quoting altogether (every good
row then has too many columns), one line over its 2 MB limit among the first rows stops
the sniff ("CSV Error on Line: 1"), and with a fixed dialect the unterminated quote also
swallows the next record unreported. So the record boundaries are found here, with
Python's C-coded ``csv`` module in strict mode, one record at a time: a record that does
not parse is rejected alone, as the first physical line it started on, and reading
resumes on the next line. DuckDB still validates JSON and does all classification.

Memory stays bounded: lines are read with a size limit (a longer line is drained, not
held), fields are capped by ``csv.field_size_limit`` and records are handed over in
batches.
"""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

# Longest record accepted, as DuckDB's default max_line_size: longer ones are rejected
# as line_size_over_maximum.
MAX_RECORD_BYTES = 2 * 1024 * 1024
# How much of an over-long line is kept in product_rejects.raw (head and tail).
_KEEP = 1000
_DELIMITERS = (",", ";", "\t", "|")
# A bare carriage return inside an unquoted field (Python's csv writer leaves it bare with
# its default minimal quoting) would end the record for the csv module; it is swapped for
# a noncharacter while parsing and restored in the fields.
_CR_STANDIN = "\uffff"


@dataclass(frozen=True)
class Line:
    """One physical line: its text (undecodable bytes surrogate-escaped) and flags."""

    text: str
    bad_encoding: bool
    oversize: bool

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Record:
    """One input row: ``text`` is its JSON document (CSV) or its line (JSONL) when readable."""

    source_row: int
    text: str | None
    raw: str | None
    error: str | None
    detail: str | None


def physical_lines(handle: BinaryIO, limit: int = MAX_RECORD_BYTES) -> Iterator[Line]:
    """Lines of a binary file, each decoded as UTF-8, at most ``limit`` bytes held at once.

    A longer line is drained in pieces and stands in as its first and last ``_KEEP`` bytes,
    with one quote character added when the part dropped held an odd number of them (so a
    CSV parser keeps its quoting state across it); it is flagged ``oversize``.
    """
    first = True
    while True:
        data = handle.readline(limit + 1)
        if not data:
            return
        oversize = len(data) > limit and not data.endswith(b"\n")
        if oversize:
            data = _drain(handle, data)
        if first and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        first = False
        try:
            text, bad = data.decode("utf-8"), False
        except UnicodeDecodeError:
            text, bad = data.decode("utf-8", "surrogateescape"), True
        yield Line(text, bad, oversize)


def _drain(handle: BinaryIO, start: bytes) -> bytes:
    """The stand-in for an over-long line whose first ``limit + 1`` bytes are ``start``."""
    head, middle_quotes = start[:_KEEP], start[_KEEP:].count(b'"')
    tail = start[-_KEEP:]
    middle_quotes -= tail.count(b'"')
    while not tail.endswith(b"\n"):
        piece = handle.readline(1 << 20)
        if not piece:
            break
        joined = tail + piece
        middle_quotes += joined[:-_KEEP].count(b'"')
        tail = joined[-_KEEP:]
    # Cut on character boundaries so the stand-in stays decodable where the line was.
    head = head.decode("utf-8", "ignore").encode()
    tail = tail.decode("utf-8", "ignore").encode()
    return head + (b'"' if middle_quotes % 2 else b"") + b" ... " + tail


class _CarriageReturns(io.RawIOBase):
    """A file whose lines end in bare carriage returns (old Mac exports), read as newlines."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer)).replace(b"\r", b"\n")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_lines(path: Path) -> BinaryIO:
    """Open ``path`` for ``physical_lines``; bare carriage returns as line ends are read as
    newlines when the file's first 64 KB hold carriage returns and no newline."""
    handle = path.open("rb")
    head = handle.peek(1 << 16)[: 1 << 16]
    if b"\r" in head and b"\n" not in head:
        return io.BufferedReader(_CarriageReturns(handle))  # type: ignore[return-value]
    return handle  # type: ignore[return-value]


def safe_text(text: str) -> str:
    """``text`` with surrogate-escaped bytes shown as U+FFFD (storable as UTF-8)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _clip(text: str) -> str:
    return text if len(text) <= 2 * _KEEP else text[:_KEEP] + " ... " + text[-_KEEP:]


def jsonl_records(path: Path) -> Iterator[Record]:
    """One record per non-blank line, numbered by line; DuckDB judges the JSON later."""
    with open_lines(path) as handle:
        for number, line in enumerate(physical_lines(handle), start=1):
            if line.blank:
                continue
            text = line.text.rstrip("\r\n")
            if line.oversize:
                yield Record(
                    number,
                    None,
                    safe_text(text),
                    "line_size_over_maximum",
                    f"line longer than {MAX_RECORD_BYTES} bytes",
                )
            elif line.bad_encoding:
                yield Record(
                    number,
                    None,
                    _clip(safe_text(text)),
                    "invalid_encoding",
                    "line is not valid UTF-8",
                )
            else:
                yield Record(number, text, None, None, None)


def sniff_delimiter(header: str, suffix: str) -> str:
    """The delimiter: tab for .tsv, else the candidate the header line uses most."""
    if suffix.lower() == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Feed:
    """The line source of a csv.reader: remembers the lines each record takes and lets
    the caller push lines back to be read again (resynchronising after a bad record)."""

    def __init__(self, lines: Iterator[Line]) -> None:
        self.lines = lines
        self.pending: deque[Line] = deque()
        self.taken: list[Line] = []

    def peek(self) -> Line | None:
        if not self.pending:
            nxt = next(self.lines, None)
            if nxt is None:
                return None
            self.pending.append(nxt)
        return self.pending[0]

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.pending.popleft() if self.pending else next(self.lines)
        self.taken.append(line)
        text = line.text
        body = text.rstrip("\r\n")
        if "\r" in body and _CR_STANDIN not in text:
            text = body.replace("\r", _CR_STANDIN) + text[len(body) :]
        return text


def csv_records(path: Path) -> tuple[list[str], Iterator[Record]]:
    """The header's column names and the records of a CSV file.

    Records are numbered from 1 after the header; blank lines between records count but
    are not rows, and a quoted multi-line record counts once. Quotes follow RFC 4180
    (``"`` around a field, doubled inside it).

    Raises:
        ValueError: the file has no non-blank line, or its header does not parse.
    """
    handle = open_lines(path)
    feed = _Feed(physical_lines(handle))
    try:
        while (first := feed.peek()) is not None and first.blank:
            next(feed)
        if first is None:
            raise ValueError("empty file (only white space)")
        delimiter = sniff_delimiter(first.text, path.suffix)
        header = _parse_header(feed, delimiter)
    except BaseException:
        handle.close()
        raise
    return header, _records(handle, feed, delimiter, header)


def _reader(feed: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    return csv.reader(feed, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)


def _parse_header(feed: _Feed, delimiter: str) -> list[str]:
    try:
        names = next(_reader(feed, delimiter))
    except csv.Error as exc:
        raise ValueError(f"the header line does not parse: {exc}") from None
    if any(line.bad_encoding for line in feed.taken):
        raise ValueError("the header line is not valid UTF-8")
    if any(ord(c) < 32 and c not in "\t\r\n" for c in "".join(names)):
        raise ValueError("the header line holds control characters (a binary file?)")
    feed.taken = []
    # Empty and repeated names get DuckDB's spelling: column<i>, name_1, name_2, ...
    seen: set[str] = set()
    header = []
    for index, name in enumerate(names):
        name = name.replace(_CR_STANDIN, "\r").strip() or f"column{index}"
        unique, n = name, 0
        while unique in seen:
            n += 1
            unique = f"{name}_{n}"
        seen.add(unique)
        header.append(unique)
    return header


def _records(handle: BinaryIO, feed: _Feed, delimiter: str, header: list[str]) -> Iterator[Record]:
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_RECORD_BYTES)
    number = 0
    try:
        reader = _reader(feed, delimiter)
        while (nxt := feed.peek()) is not None:
            number += 1
            if nxt.blank:
                next(feed)
                feed.taken = []
                continue
            try:
                fields = next(reader)
            except csv.Error as exc:
                taken, feed.taken = feed.taken, []
                first = _clip(safe_text(taken[0].text.rstrip("\r\n")))
                reader = _reader(feed, delimiter)
                if "field larger" in str(exc) and not _is_record(taken[1:2], delimiter, header):
                    # One genuinely huge quoted field: skip to the record's end, reject it.
                    _skip_record(feed, sum(line.text.count('"') for line in taken))
                    yield Record(
                        number,
                        None,
                        first,
                        "line_size_over_maximum",
                        f"a field longer than {MAX_RECORD_BYTES} bytes",
                    )
                    continue
                # A quote opened and never closed (or closed out of place): reject the line
                # the record started on and read on from the next line.
                feed.pending.extendleft(reversed(taken[1:]))
                yield Record(
                    number,
                    None,
                    first,
                    "malformed_quoting",
                    f"{exc}; the record is read as its first line alone",
                )
                continue
            yield _record(number, fields, feed.taken, header)
            feed.taken = []
    finally:
        csv.field_size_limit(previous_limit)
        handle.close()


def _is_record(lines: list[Line], delimiter: str, header: list[str]) -> bool:
    """Whether ``lines`` (one line) reads alone as a complete record of the header's width."""
    if not lines:
        return False
    try:
        return len(next(_reader(iter([lines[0].text]), delimiter))) == len(header)
    except (csv.Error, StopIteration):
        return False


def _skip_record(feed: _Feed, quotes: int) -> None:
    """Read on, holding nothing, until the record's quotes balance at a line end."""
    while quotes % 2:
        try:
            next(feed)
        except StopIteration:
            return
        quotes += feed.taken.pop().text.count('"')


def _record(number: int, fields: list[str], lines: list[Line], header: list[str]) -> Record:
    raw_text = "".join(line.text for line in lines).rstrip("\r\n")
    size = sum(len(line.text.encode("utf-8", "surrogateescape")) for line in lines)
    if any(line.oversize for line in lines) or size > MAX_RECORD_BYTES:
        return Record(
            number,
            None,
            _clip(safe_text(raw_text)),
            "line_size_over_maximum",
            f"record longer than {MAX_RECORD_BYTES} bytes",
        )
    if any(line.bad_encoding for line in lines):
        return Record(
            number,
            None,
            _clip(safe_text(raw_text)),
            "invalid_encoding",
            "record is not valid UTF-8",
        )
    if len(fields) != len(header):
        reason = "too_many_columns" if len(fields) > len(header) else "missing_columns"
        return Record(
            number,
            None,
            _clip(raw_text),
            reason,
            f"expected {len(header)} columns, found {len(fields)}",
        )
    swapped = "\r" in raw_text and _CR_STANDIN not in raw_text
    values = [f.replace(_CR_STANDIN, "\r") for f in fields] if swapped else fields
    doc = json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False)
    return Record(number, doc, None, None, None)


def batches(records: Iterator[Record], size: int = 20_000) -> Iterator[list[Record]]:
    """``records`` in lists of at most ``size``."""
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
