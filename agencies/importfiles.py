"""Reading a staff import file (CSV, XLSX, JSON) into a dataset, or refusing it with one clear line.

The admin and `manage.py import_data` both read files here, so a hostile or broken file gets the same
message in both: an empty file, a renamed or corrupt spreadsheet, a zip bomb, JSON of the wrong
shape, an encoding that is not ours to guess, text that decoded to garbage, NUL bytes, a header
without rows. Nothing is written before a file has passed."""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator

import tablib
from import_export.formats import base_formats

FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX, "json": base_formats.JSON}
TEXT_FORMATS = {"csv", "json"}
#: encodings staff may choose for a file that is not UTF-8 (what Excel in China saves)
ENCODING_CHOICES = [("gb18030", "GB18030 / GBK (Excel in mainland China)"), ("big5", "Big5 (Taiwan, Hong Kong)")]
#: every encoding a file may be read in (by its codec's canonical name)
SUPPORTED_ENCODINGS = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "big5hkscs"}
#: an XLSX is a zip archive: refuse one that would expand beyond this (a "zip bomb")
MAX_XLSX_EXPANDED_BYTES = 200 * 1024 * 1024
NO_ROWS = "The file has a header row but no rows to import: nothing was imported."


class FileRefused(ValueError):
    """The file cannot be imported; the message says why (and where: row, column)."""


class EncodingError(FileRefused):
    """The file is not UTF-8: staff must say which encoding it is in, never a silent guess."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__(
            "This file is not UTF-8. Choose the encoding it was saved in (Excel in mainland China saves "
            "GB18030) and check the preview before importing."
        )

    def preview(self, encoding: str = "gb18030", lines: int = 3) -> str:
        return "\n".join(self.data.decode(encoding, errors="replace").splitlines()[:lines])


def encoding_checked(encoding: str) -> str:
    """The canonical name of a supported encoding; FileRefused for unknown or unsupported ones."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise FileRefused(f"Unknown encoding '{encoding}'. Use UTF-8, gb18030 or big5.") from None
    if name not in SUPPORTED_ENCODINGS:
        raise FileRefused(f"Encoding '{encoding}' is not supported for imports. Use UTF-8, gb18030 or big5.")
    return name


def encoding_name(encoding: str | None) -> str:
    """What an ImportBatch records: the codec's name, 'utf-8' when none was chosen."""
    return encoding_checked(encoding) if encoding else "utf-8"


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """Strict UTF-8 (with or without BOM) unless staff chose an encoding; raises EncodingError."""
    if encoding:
        name = encoding_checked(encoding)
        try:
            return data.decode("utf-8-sig" if name == "utf-8" else name)
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise FileRefused(f"This file is not valid {encoding} (line {line}): choose another encoding.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EncodingError(data) from None


#: a NUL, a replacement character or a private-use character (Unicode category Co): what a wrong
#: encoding leaves behind
SUSPICIOUS = re.compile("[\x00\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


def _cells(dataset: tablib.Dataset) -> Iterator[tuple[int, str, object]]:
    headers = [str(header) for header in dataset.headers or []]
    for header in headers:
        yield 1, "header", header
    for number, row in enumerate(dataset, start=1):
        for i, value in enumerate(row):
            yield number, headers[i] if i < len(headers) else f"#{i + 1}", value


def _check_cells(dataset: tablib.Dataset, encoding: str | None) -> None:
    for number, column, value in _cells(dataset):
        if not isinstance(value, str) or not SUSPICIOUS.search(value):
            continue
        where = "the header row" if column == "header" else f"row {number}, {column}"
        if "\x00" in value:
            raise FileRefused(f"{where}: contains a NUL character (\\x00); remove it and import again.")
        read_as = f"read as {encoding}" if encoding else "as UTF-8"
        raise FileRefused(
            f"{where}: contains characters that are unprintable {read_as} (private-use or replacement "
            "characters): the file is probably in another encoding. Nothing was imported."
        )


def _read_json(text: str) -> tablib.Dataset:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRefused(f"This is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                          "is the file complete?") from None
    if not isinstance(rows, list):
        raise FileRefused("The JSON must be a list of objects, one per row (e.g. [{\"slug\": ...}]), "
                          f"not {type(rows).__name__ if rows is not None else 'null'}.")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise FileRefused(f"row {number}: each JSON row must be an object with column names, "
                              f"not a {type(row).__name__}.")
        for column, value in row.items():
            if isinstance(value, (dict, list)):
                raise FileRefused(f"row {number}, {column}: a cell must be text, a number or null.")
    dataset = tablib.Dataset()
    if rows:
        headers = list(dict.fromkeys(column for row in rows for column in row))
        dataset.headers = headers
        for row in rows:
            dataset.append([row.get(column) for column in headers])
    return dataset


def _read_csv(text: str) -> tablib.Dataset:
    try:
        return base_formats.CSV().create_dataset(text)
    except csv.Error as error:
        raise FileRefused(f"This CSV cannot be read: {error}.") from None


def _read_xlsx(data: bytes) -> tablib.Dataset:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRefused("This is not an XLSX workbook (it is not a zip archive): check the file and its format.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileRefused(f"This XLSX workbook is damaged: {error}.") from None
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise FileRefused(
            f"This XLSX workbook expands to {expanded // 2**20} MB (more than "
            f"{MAX_XLSX_EXPANDED_BYTES // 2**20} MB): refused. Save it as CSV instead."
        )
    try:
        return base_formats.XLSX().create_dataset(data)
    except StopIteration:
        return tablib.Dataset()  # an empty sheet
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(f"This XLSX workbook cannot be read ({type(error).__name__}): is it really XLSX?") from None


def dataset_read(*, data: bytes, file_format: str, encoding: str | None = None,
                 allow_empty: bool = False) -> tablib.Dataset:
    """The file as a dataset, or FileRefused (EncodingError for text that is not UTF-8)."""
    if file_format not in FORMATS:
        raise FileRefused(f"Unknown format '{file_format}': use csv, xlsx or json.")
    if encoding and file_format not in TEXT_FORMATS:
        encoding = None  # an XLSX workbook carries its own encoding
    if file_format in TEXT_FORMATS:
        text = decode_text(data, encoding)
        if not text.strip():
            raise FileRefused("The file is empty: nothing was imported.")
        dataset = _read_json(text) if file_format == "json" else _read_csv(text)
    else:
        if not data:
            raise FileRefused("The file is empty: nothing was imported.")
        dataset = _read_xlsx(data)
    if not dataset.headers or not any(header not in (None, "") for header in dataset.headers):
        if file_format == "json" and allow_empty:
            return dataset  # an empty JSON list: nothing to do
        raise FileRefused("The file has no header row: nothing was imported.")
    _check_cells(dataset, encoding)
    if not len(dataset) and not allow_empty:
        raise FileRefused(NO_ROWS)
    return dataset


def dataset_write(*, dataset: tablib.Dataset, file_format: str) -> bytes:
    """CSV gets a BOM so that Excel reads it as UTF-8."""
    exported = FORMATS[file_format]().export_data(dataset)
    if file_format == "csv":
        return exported.encode("utf-8-sig")
    if isinstance(exported, str):
        return exported.encode("utf-8")
    return exported
