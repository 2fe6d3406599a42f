"""Opening a MIS export: CSV or Excel (.xlsx) into a header and rows of text cells (issue 17).

No checks of meaning here (that is `mis_rows`): this module only turns the bytes into cells.

- CSV as the MIS and Excel write it: UTF-8 with or without a byte-order mark, or Windows-1252
  (Excel on Windows), CRLF or LF, quoted fields with commas (the standard `csv` module).
- Excel workbooks are read with openpyxl (read-only, values not formulas), the first sheet.
  openpyxl parses the workbook's XML with defusedxml when it is installed (it is a pinned
  dependency), so a crafted workbook cannot expand entities ("billion laughs") or reach out
  for external ones. Date cells arrive as dates and are given as ISO text; a number in a
  date column of a sheet that was not formatted as a date stays a number, and `mis_rows`
  reads it as a spreadsheet serial date and flags it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

# Every .xlsx is a zip archive: its first bytes say so whatever the file is called.
XLSX_MAGIC = b"PK\x03\x04"
# A worksheet's declared size can be anything: refuse files that would not fit a school.
MAX_XLSX_ROWS = 250_000
MAX_XLSX_COLUMNS = 300
# What the workbook's parts may add up to once unzipped (a "zip bomb" is refused unread).
MAX_XLSX_UNZIPPED = 200_000_000


class FileUnreadable(Exception):
    """The file cannot be opened as CSV or .xlsx; the message is for the office."""


@dataclass
class Table:
    """The cells of a file: the header row, then each row with its line as a spreadsheet
    shows it (the header is line 1). `kind` is "csv" or "xlsx"; `encoding` for CSV."""

    kind: str
    encoding: str
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    has_nul: bool = False


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then Windows-1252, as MIS exports come."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict"), "windows-1252"


def is_xlsx(data: bytes) -> bool:
    return data[:4] == XLSX_MAGIC


def open_table(data: bytes) -> Table:
    """The header and rows of a CSV or .xlsx file; FileUnreadable when it is neither."""
    if is_xlsx(data):
        return _xlsx(data)
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise FileUnreadable(
            "The file is not a CSV file in UTF-8 or Windows-1252, nor an Excel .xlsx workbook."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileUnreadable("The file is empty.") from None
    except csv.Error as exc:
        raise FileUnreadable(f"Not a readable CSV file: {exc}.") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        # reader.line_num counts physical lines; a spreadsheet shows records, so count them.
        yield from enumerate(reader, start=2)

    return Table("csv", encoding, headers, rows(), has_nul="\x00" in text)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # A date cell (time of day 00:00) is a date; anything else keeps its time.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported here: only .xlsx uploads need it

    try:
        unzipped = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError):
        raise FileUnreadable(
            "The file looks like an Excel workbook but cannot be opened. Save it again as .xlsx "
            "or CSV."
        ) from None
    if unzipped > MAX_XLSX_UNZIPPED:
        raise FileUnreadable(
            f"The workbook unpacks to more than {MAX_XLSX_UNZIPPED // 1_000_000} MB: export "
            "only the students and their contacts."
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileUnreadable(
            f"The file looks like an Excel workbook but cannot be opened ({type(exc).__name__})."
            " Save it again as .xlsx or CSV."
        ) from None
    except Exception as exc:  # defusedxml refuses entity tricks with its own errors
        raise FileUnreadable(
            f"The workbook was refused: {type(exc).__name__}. Save it again as .xlsx or CSV."
        ) from None
    sheet = workbook.worksheets[0]
    if (sheet.max_row or 0) > MAX_XLSX_ROWS or (sheet.max_column or 0) > MAX_XLSX_COLUMNS:
        workbook.close()
        raise FileUnreadable(
            f"The first sheet is larger than {MAX_XLSX_ROWS:,} rows or {MAX_XLSX_COLUMNS} "
            "columns: export only the students and their contacts."
        )
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        workbook.close()
        raise FileUnreadable("The workbook's first sheet is empty.") from None
    headers = [_cell_text(v).strip() for v in first]
    while headers and not headers[-1]:
        headers.pop()  # formatting can stretch a sheet's width past the header
    width = len(headers)
    rows_read: list[tuple[int, list[str]]] = []
    has_nul = False
    for line, row in enumerate(values, start=2):
        cells = [_cell_text(v) for v in row]
        extra = cells[width:]
        cells = cells[:width] + [""] * (width - len(cells))
        if any(c.strip() for c in extra):
            cells += extra  # a value right of the header: reported as a bad row
        has_nul = has_nul or any("\x00" in c for c in cells)
        rows_read.append((line, cells))
    workbook.close()
    return Table("xlsx", "", headers, iter(rows_read), has_nul=has_nul)
