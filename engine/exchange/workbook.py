"""Reading the first worksheet of an Excel workbook (.xlsx) into rows, once the file has shown that it is what
a spreadsheet program writes and no more than one import can take.

An .xlsx is a zip of XML parts: a few KB can unpack to gigabytes, and XML can declare entities that expand a
line into gigabytes ("billion laughs") or read files of the server (external entities). So, before openpyxl
parses anything, every part is inflated once, a chunk at a time (memory stays flat whatever it holds):

- its prolog is read by expat as far as the first element, and a DOCTYPE there is refused at its first word,
  before any entity in it is declared. Spreadsheets never write one. openpyxl reads worksheets and shared
  strings with the same expat, and its other parts with lxml with entities off;
- the bytes it declares (all parts together, before anything is inflated) and the bytes it actually inflates
  to are held to ``Limits.unpacked_bytes``;
- the longest text between two tags is held to what one cell can take, before such a cell is built in memory;
- its row and cell tags are counted, so a worksheet without the dimension openpyxl looks for (which openpyxl
  would read whole to find it, before one row is given) is refused before it is parsed.

Then the worksheet's dimension, and rows and cells counted while openpyxl streams them (read-only mode). Over
all of it runs a clock: every read openpyxl makes of the file checks it.
"""
from __future__ import annotations

import io
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from openpyxl import load_workbook

from engine.exchange.readers import UnreadableFile

CHUNK = 64 * 1024
#: Excel's own limit for the text of one cell.
CELL_CHARACTERS = 32_767
#: The most bytes that text can take in the XML (UTF-8, or '&amp;' for '&': never more than 8 a character).
#: It must exceed ``CHUNK``: only text running from one chunk into the next is measured.
CELL_BYTES = 8 * CELL_CHARACTERS
#: Far more parts than a workbook has (a sheet, its rels, styles, strings, a few images): a zip of millions of
#: empty parts is refused before each is opened.
MAX_PARTS = 2_000
#: The tags counted in a part, by the name of its root element: rows and cells of a worksheet; the strings of
#: the shared strings, and their runs of rich text (each becomes an object when read), as cells. Counting
#: bytes is cheap, and exact for what Excel writes; the rows openpyxl gives are counted again below.
COUNTED = {"worksheet": ((b"row ",), (b"c ",)), "sst": ((), (b"si>", b"r>"))}
#: What every "too big" message ends with.
SPLIT = "split it into several files of fewer rows and import them one after another."
#: What zipfile, zlib, expat, lxml and openpyxl raise on a damaged or truncated file (openpyxl reports a
#: malformed part with whatever its descriptors raise). ``UnreadableFile`` is none of these: it passes.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
           KeyError, OSError, ValueError, IndexError, TypeError, AttributeError, SyntaxError)


@dataclass(frozen=True)
class Limits:
    """What one import takes: bytes unpacked, rows, cells (rows times columns), and seconds of reading."""
    unpacked_bytes: int
    rows: int
    cells: int
    seconds: float


class _Clock:
    """The time a read may take, from when it starts."""

    def __init__(self, filename: str, limits: Limits):
        self.filename, self.seconds = filename, limits.seconds
        self.deadline = time.monotonic() + limits.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnreadableFile(f"{self.filename} took more than {self.seconds:g} seconds to read, more than one "
                                 f"import can take: {SPLIT}")


class _ClockedBytes(io.BytesIO):
    """The file as openpyxl reads it: each read checks the clock, so no step of openpyxl runs on past it."""

    def __init__(self, data: bytes, clock: _Clock):
        super().__init__(data)
        self.clock = clock

    def read(self, size: int | None = -1) -> bytes:
        self.clock.check()
        return super().read(size)


def too_big(filename: str, limit: str) -> str:
    return f"{filename} is more than one import can take (up to {limit}): {SPLIT}"


def first_sheet(data: bytes, filename: str, limits: Limits) -> list[list[Any]]:
    """The rows of the workbook's first worksheet, cells typed (a date cell is a date); ``UnreadableFile``
    saying why when the file is not a workbook, is damaged, uses XML a spreadsheet does not, or is more
    than ``limits`` allow."""
    clock = _Clock(filename, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            _inspect(package, filename, limits, clock)
        book = load_workbook(_ClockedBytes(data, clock), read_only=True, data_only=True)
    except DAMAGED:
        raise UnreadableFile(f"{filename} is not an Excel workbook (.xlsx): open it in Excel and save it "
                             f"again as .xlsx or CSV.") from None
    try:
        return _rows(book.worksheets[0], filename, limits, clock)
    except DAMAGED:
        raise UnreadableFile(f"{filename} has a damaged worksheet: save it again from Excel.") from None
    finally:
        book.close()


def _rows(sheet, filename: str, limits: Limits, clock: _Clock) -> list[list[Any]]:
    """Every row, counted as openpyxl streams it: the dimension the worksheet declares can be missing or
    wrong, and openpyxl pads each row to the widest it has seen."""
    if (sheet.max_row or 0) > limits.rows:
        raise UnreadableFile(too_big(filename, f"{limits.rows:,} rows"))
    if (sheet.max_row or 0) * (sheet.max_column or 0) > limits.cells:
        raise UnreadableFile(too_big(filename, f"{limits.cells:,} cells"))
    grid: list[list[Any]] = []
    cells = 0
    for row in sheet.iter_rows(values_only=True):
        cells += len(row)
        if cells > limits.cells:
            raise UnreadableFile(too_big(filename, f"{limits.cells:,} cells"))
        if len(grid) == limits.rows:
            raise UnreadableFile(too_big(filename, f"{limits.rows:,} rows"))
        if len(grid) % 1024 == 0:
            clock.check()
        grid.append(list(row))
    return grid


def _inspect(package: zipfile.ZipFile, filename: str, limits: Limits, clock: _Clock) -> None:
    """One pass over every part, refusing the file at the first thing no import takes (see the module)."""
    parts = package.infolist()
    if len(parts) > MAX_PARTS:
        raise UnreadableFile(f"{filename} holds more than {MAX_PARTS:,} parts, far more than a workbook has: "
                             "open it in Excel and save it again as .xlsx or CSV.")
    if sum(part.file_size for part in parts) > limits.unpacked_bytes:
        raise UnreadableFile(too_big(filename, _megabytes(limits.unpacked_bytes)))
    inflated = 0
    for part in parts:
        with package.open(part) as stream:
            inflated = _Part(filename, limits, clock, inflated).read(stream)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB of data once unpacked"


class _Part:
    """One part read through: its prolog, its text runs, its rows and cells, and the bytes it inflates to
    (``inflated``: all parts so far)."""

    def __init__(self, filename: str, limits: Limits, clock: _Clock, inflated: int):
        self.filename, self.limits, self.clock, self.inflated = filename, limits, clock, inflated
        self.prolog = _Prolog(filename)
        self.run = self.rows = self.cells = 0
        self.row_tags: tuple[bytes, ...] = ()
        self.cell_tags: tuple[bytes, ...] = ()

    def read(self, stream) -> int:
        while chunk := stream.read(CHUNK):
            self.inflated += len(chunk)
            if self.inflated > self.limits.unpacked_bytes:
                raise UnreadableFile(too_big(self.filename, _megabytes(self.limits.unpacked_bytes)))
            self.clock.check()
            if self.prolog.is_xml is None:
                self.prolog.feed(chunk)
                self._count_for(self.prolog.root)
            if self.prolog.is_xml is not False:     # an image or other binary part holds no cells
                self._measure(chunk)
        return self.inflated

    def _count_for(self, root: str) -> None:
        """The tags to count, with the root's namespace prefix if it has one (some programs write
        <x:worksheet> and <x:c r="A1">)."""
        prefix, colon, name = root.rpartition(":")
        rows, cells = COUNTED.get(name, ((), ()))
        start = b"<" + (prefix + colon).encode()
        self.row_tags, self.cell_tags = (tuple(start + tag for tag in rows), tuple(start + tag for tag in cells))

    def _measure(self, chunk: bytes) -> None:
        self.rows += sum(chunk.count(tag) for tag in self.row_tags)
        self.cells += sum(chunk.count(tag) for tag in self.cell_tags)
        if self.rows > self.limits.rows:
            raise UnreadableFile(too_big(self.filename, f"{self.limits.rows:,} rows"))
        if self.cells > self.limits.cells:
            raise UnreadableFile(too_big(self.filename, f"{self.limits.cells:,} cells"))
        first = chunk.find(b"<")
        if first < 0:
            self.run += len(chunk)
        else:
            self._check_run(self.run + first)
            self.run = len(chunk) - 1 - chunk.rfind(b"<")
        self._check_run(self.run)

    def _check_run(self, run: int) -> None:
        if run > CELL_BYTES:
            raise UnreadableFile(f"{self.filename} has a cell of more than {CELL_CHARACTERS:,} characters, "
                                 "more than Excel allows in one cell: shorten it, or save the sheet as CSV.")


class _Prolog:
    """Feeds a part to expat up to its first element, the ``root``; a DOCTYPE on the way is refused.
    ``is_xml`` is None while still before the root, True once it is reached, and False when expat cannot read
    the part from its first bytes: an image, or a damaged part, which openpyxl reports if it is one it reads."""

    class _Reached(Exception):
        pass

    class _Doctype(Exception):
        pass

    def __init__(self, filename: str):
        self.filename = filename
        self.is_xml: bool | None = None
        self.root = ""
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._element

    def _doctype(self, *_: Any) -> None:
        raise self._Doctype

    def _element(self, name: str, *_: Any) -> None:
        self.root = name
        raise self._Reached

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except self._Reached:
            self.is_xml = True
        except self._Doctype:
            raise UnreadableFile(f"{self.filename} contains XML features that spreadsheets do not use "
                                 "(a DOCTYPE), so it was not read: open it in Excel and save it again.") from None
        except expat.ExpatError:
            self.is_xml = False
        if self.is_xml is not None:
            self.parser = None      # done with: expat keeps what it was fed
