"""A sheet of cases as a creditor exports it (CSV or XLSX), and the ZIP of evidence that
goes with it: read row by row, never loaded whole.

The first row names the columns, in any order, by their English key or their Chinese
name (:data:`HEADERS`); the columns the case form requires for a submission must all be
there, and no column may be unknown (the refusal names them). Every other non-blank row
is a case: its cells become the text the case form would have received
(:func:`form_values`), so the import reads each row exactly as the form reads a
submission. A cell is only ever text: a formula (``=HYPERLINK(...)``) is read as the
characters it is written with and never evaluated; :func:`escape_cell` keeps it from
becoming a formula again when the report is opened in a spreadsheet.

A CSV is UTF-8 (with or without the byte-order mark spreadsheet programs write) or, when
it is not, GB 18030 (which includes GBK and GB 2312), as Excel saves "CSV" on a Chinese
system. An XLSX is read with openpyxl in read-only mode (its rows stream from the
archive), after the same checks of its archive as a ZIP of evidence.

The ZIP is read from its central directory: a member whose name climbs out of the
archive (``../``, an absolute path, a drive) is refused, as is one that is encrypted or
compressed beyond :attr:`ZipLimits.max_ratio`; an archive whose members would unpack to
more than :attr:`ZipLimits.max_total_bytes` is refused whole. A member is then read only
when a row names it, as a stream whose size and ratio are checked again while it is read
(a ZIP's directory can lie), within a budget for the whole archive.
"""

from __future__ import annotations

import contextlib
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any, BinaryIO, ClassVar

from app.rules.errors import InvalidInput

# Each column's key and its Chinese name, in the template's order; either may head it.
HEADERS: dict[str, str] = {
    "debtor_name": "债务人姓名",
    "debtor_id_type": "证件类型",
    "debtor_id_number": "证件号码",
    "debtor_phone": "手机号码",
    "debtor_email": "电子邮箱",
    "debtor_address": "地址",
    "contract_number": "合同编号",
    "contract_date": "合同签订日期",
    "principal_lent": "借款本金",
    "annual_rate": "合同年利率",
    "term_months": "借款期限（月）",
    "outstanding_principal": "剩余本金",
    "interest": "利息",
    "penalty": "罚息",
    "fees": "费用",
    "overdue_since": "逾期起始日",
    "is_assignee": "是否受让债权",
    "original_lender": "原债权人",
    "assignment_date": "债权转让日期",
    "debtor_notified": "是否已通知债务人",
    "receiving_account_name": "收款账户名",
    "receiving_bank": "开户行",
    "receiving_account_number": "收款账号",
    "evidence": "证据文件",
}
COLUMNS = tuple(HEADERS)
# The columns a submission needs (the case form's ``REQUIRED``; a test holds them equal).
REQUIRED_COLUMNS = (
    "debtor_name",
    "debtor_id_type",
    "debtor_id_number",
    "debtor_phone",
    "contract_number",
    "contract_date",
    "principal_lent",
    "annual_rate",
    "term_months",
    "outstanding_principal",
    "interest",
    "penalty",
    "fees",
    "overdue_since",
)
ENCODINGS = ("utf-8-sig", "gb18030")
# Several evidence files in one cell: separated by semicolons (either width) or new lines.
_EVIDENCE_SEPARATORS = (";", "；", "\n", "\r")
# A cell a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ID_TYPES = {
    "居民身份证": "resident_id",
    "身份证": "resident_id",
    "护照": "passport",
    "其他": "other",
    "其他证件": "other",
}
_YES_NO = {"是": "yes", "否": "no", "y": "yes", "n": "no", "yes": "yes", "no": "no"}
_ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 64 * 1024


class SheetRefused(InvalidInput):
    """The sheet or its ZIP cannot be imported at all; ``code`` says why. The words are
    the cases feature's (lazy gettext strings keyed by code)."""

    messages: ClassVar[dict[str, Any]] = {}


class RowRefused(InvalidInput):
    """One row cannot become a case for a reason of the sheet itself (a repeated
    contract number, an evidence file the ZIP lacks); ``params`` carry the details."""

    messages: ClassVar[dict[str, Any]] = {}


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its line (1 is the header) and its cells by column key, as
    written (trimmed); ``extra`` when it has more cells than the header names."""

    line: int
    cells: dict[str, str]
    extra: bool = False


@dataclass(frozen=True)
class SheetScan:
    kind: str  # csv or xlsx
    encoding: str | None  # of a CSV
    columns: tuple[str | None, ...]  # each position's column key
    total: int  # rows below the header


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 20_000
    max_total_bytes: int = 2 * 1024**3
    max_member_bytes: int = 20 * 1024**2
    max_ratio: int = 100


# -- the sheet --------------------------------------------------------------------------


def kind_of(stream: BinaryIO) -> str:
    """``xlsx`` when the file is a ZIP archive (by its first bytes), else ``csv``."""
    head = stream.read(4)
    stream.seek(0)
    return "xlsx" if head == _ZIP_MAGIC else "csv"


def scan_sheet(stream: BinaryIO, *, max_rows: int, limits: ZipLimits) -> SheetScan:
    """Read the whole sheet once, as a stream: its kind, encoding, columns and row count.
    :class:`SheetRefused` when it cannot be imported: ``sheet_not_text``,
    ``sheet_malformed``, ``sheet_columns_missing``/``sheet_columns_unknown`` (naming
    them), ``sheet_columns_repeated``, ``sheet_empty``, ``sheet_too_many_rows``
    (refused as soon as the row past the limit is read)."""
    kind = kind_of(stream)
    if kind == "xlsx":
        check_archive(stream, limits)
        return _count(stream, kind, None, max_rows)
    head = stream.read(CHUNK)
    stream.seek(0)
    if b"\x00" in head:
        raise SheetRefused("sheet_not_text")
    for encoding in ENCODINGS:
        try:
            return _count(stream, kind, encoding, max_rows)
        except UnicodeDecodeError:
            stream.seek(0)
    raise SheetRefused("sheet_not_text")


def _count(stream: BinaryIO, kind: str, encoding: str | None, max_rows: int) -> SheetScan:
    records = _records(stream, kind, encoding)
    try:
        header = next(records, None)
        if header is None:
            raise SheetRefused("sheet_empty")
        columns = read_header(header[1])
        total = 0
        for _line, fields in records:
            if any(fields):
                total += 1
                if total > max_rows:
                    raise SheetRefused("sheet_too_many_rows", max=f"{max_rows:,}")
    finally:
        records.close()
    stream.seek(0)
    if total == 0:
        raise SheetRefused("sheet_empty")
    return SheetScan(kind, encoding, columns, total)


def read_header(fields: list[str]) -> tuple[str | None, ...]:
    """Each position's column key; refused naming the missing or unknown columns."""
    known = {_header_key(k): k for k in COLUMNS} | {_header_key(v): k for k, v in HEADERS.items()}
    columns: list[str | None] = []
    unknown = []
    for raw in fields:
        if not raw.strip():
            columns.append(None)  # an empty header cell: its column must stay empty
            continue
        key = known.get(_header_key(raw))
        if key is None:
            unknown.append(raw.strip())
        columns.append(key)
    if unknown:
        raise SheetRefused("sheet_columns_unknown", columns="、".join(unknown))
    named = [c for c in columns if c]
    if len(named) != len(set(named)):
        repeated = sorted({c for c in named if named.count(c) > 1})
        raise SheetRefused(
            "sheet_columns_repeated", columns="、".join(f"{HEADERS[c]} ({c})" for c in repeated)
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in named]
    if missing:
        raise SheetRefused(
            "sheet_columns_missing", columns="、".join(f"{HEADERS[c]} ({c})" for c in missing)
        )
    return tuple(columns)


def _header_key(raw: str) -> str:
    """How header names compare: NFKC (full-width brackets), no spaces or marks of a
    required column, lower case."""
    flat = unicodedata.normalize("NFKC", raw).strip().lower().strip("*").strip()
    return flat.replace(" ", "")


def layout(stream: BinaryIO, total: int, encoding: str | None) -> SheetScan:
    """The layout of a sheet accepted before (:func:`scan_sheet`): only its header is read."""
    kind = kind_of(stream)
    records = _records(stream, kind, encoding)
    try:
        header = next(records, None)
    finally:
        records.close()
    stream.seek(0)
    return SheetScan(kind, encoding, read_header(header[1] if header else []), total)


def read_rows(stream: BinaryIO, scan: SheetScan, *, after: int = 0) -> Iterator[SheetRow]:
    """The sheet's non-blank rows below the header (those after line ``after``), one at a
    time."""
    records = _records(stream, scan.kind, scan.encoding)
    try:
        next(records, None)  # the header, checked by the scan
        for line, fields in records:
            if line <= after or not any(fields):
                continue
            cells = {}
            extra = False
            for position, value in enumerate(fields):
                key = scan.columns[position] if position < len(scan.columns) else None
                if key is None:
                    extra = extra or bool(value)
                else:
                    cells[key] = value
            yield SheetRow(line, cells, extra)
    finally:
        records.close()


def _records(stream: BinaryIO, kind: str, encoding: str | None) -> Iterator[tuple[int, list[str]]]:
    if kind == "xlsx":
        return _xlsx_records(stream)
    assert encoding is not None
    return _csv_records(stream, encoding)


def _csv_records(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, trimmed fields), decoding as the file streams."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")
    try:
        reader = csv.reader(text, strict=True)
        start = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise SheetRefused("sheet_malformed") from None
            yield start, [f.strip() for f in fields]
            start = reader.line_num + 1
    finally:
        with contextlib.suppress(ValueError):  # the caller's stream stays open
            text.detach()


def _xlsx_records(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported only where a spreadsheet is read

    stream.seek(0)
    try:
        # data_only=False: a formula comes as its text, never as a value computed by
        # whoever saved the file last (nothing is ever evaluated here).
        book = load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise SheetRefused("sheet_malformed") from None
    try:
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(v) for v in values]
    except SheetRefused:
        raise
    except Exception:
        raise SheetRefused("sheet_malformed") from None
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a form field would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def form_values(row: SheetRow) -> dict[str, str]:
    """The row's cells as the case form posts them: the same keys, the select fields'
    values (a Chinese ``证件类型`` or ``是``/``否`` becomes the option's value)."""
    values = {k: v for k, v in row.cells.items() if k != "evidence"}
    id_type = values.get("debtor_id_type", "")
    values["debtor_id_type"] = _ID_TYPES.get(id_type, id_type.lower())
    for name in ("is_assignee", "debtor_notified"):
        raw = values.get(name, "")
        values[name] = _YES_NO.get(raw.lower(), raw)
    return values


def evidence_names(row: SheetRow) -> list[str]:
    """The evidence files the row names, each once, in order."""
    text = row.cells.get("evidence", "")
    for separator in _EVIDENCE_SEPARATORS[1:]:
        text = text.replace(separator, _EVIDENCE_SEPARATORS[0])
    names = [n.strip() for n in text.split(_EVIDENCE_SEPARATORS[0])]
    return list(dict.fromkeys(n for n in names if n))


def escape_cell(value: Any) -> Any:
    """A value written to a report: text that a spreadsheet would take for a formula
    (starting with ``= + - @``, a tab or a carriage return) is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# -- the ZIP of evidence ----------------------------------------------------------------


def check_archive(
    stream: BinaryIO, limits: ZipLimits, *, container: bool = True
) -> zipfile.ZipFile:
    """Open a ZIP (from its central directory: nothing is unpacked) and refuse it whole
    when it is none, has too many members or would unpack beyond the limit. A
    ``container`` (an XLSX, whose parts openpyxl unpacks) is refused whole too when any
    part is compressed beyond the ratio; a ZIP of evidence refuses such a member alone."""
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetRefused("zip_not_zip") from None
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise SheetRefused("zip_too_many_files", max=f"{limits.max_members:,}")
    unpacked = sum(info.file_size for info in infos)
    mb = limits.max_total_bytes // 1024**2
    if unpacked > limits.max_total_bytes:
        raise SheetRefused("zip_too_large_unpacked", mb=mb)
    if container and any(_too_compressed(info, limits) for info in infos):
        raise SheetRefused("zip_too_large_unpacked", mb=mb)
    return archive


def _too_compressed(info: zipfile.ZipInfo, limits: ZipLimits) -> bool:
    # Below one chunk, a high ratio is a small text part, not a bomb.
    return info.file_size > CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1)


@dataclass
class Evidence:
    """The ZIP's members by the names a row may use (the path, or the file's name alone
    when no other member has it): each a member to read, or the code of its refusal."""

    archive: zipfile.ZipFile
    limits: ZipLimits
    members: dict[str, zipfile.ZipInfo | str] = field(default_factory=dict)
    unpacked: int = 0  # bytes read so far, against ``limits.max_total_bytes``

    def find(self, name: str) -> zipfile.ZipInfo:
        """The member a row names, or :class:`RowRefused` saying why it cannot be used."""
        key = _member_key(name)
        found = self.members.get(key) if key else None
        if key is None or _unsafe(name):
            raise RowRefused("evidence_name_unsafe", name=name)
        if found is None:
            raise RowRefused("evidence_not_in_zip", name=name)
        if isinstance(found, str):
            raise RowRefused(found, name=name)
        return found

    def open(self, info: zipfile.ZipInfo, name: str) -> BinaryIO:
        """The member's bytes as a stream, checked while they are read (``name``: as the
        row gives it, for a refusal)."""
        return _Capped(self, info, name)  # type: ignore[return-value]


def index_evidence(stream: BinaryIO, limits: ZipLimits) -> Evidence:
    """The ZIP's directory checked (:func:`check_archive`) and its members indexed; a
    member refused keeps the reason under its names, for the rows that name it."""
    archive = check_archive(stream, limits, container=False)
    index = Evidence(archive, limits)
    bases: dict[str, list[zipfile.ZipInfo | str]] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = _member_name(info)
        entry: zipfile.ZipInfo | str = _member_refusal(info, name, limits) or info
        key = _member_key(name)
        if key is not None:
            index.members[key] = entry
        base = _member_key(name.replace("\\", "/").rsplit("/", 1)[-1])
        if base is not None and base != key:
            bases.setdefault(base, []).append(entry)
    for base, entries in bases.items():
        if base not in index.members:  # a full path wins over a bare name
            index.members[base] = entries[0] if len(entries) == 1 else "evidence_ambiguous"
    return index


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; one saved without the UTF-8 flag by a Chinese system's archiver
    is GBK, which :mod:`zipfile` decoded as code page 437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name


def _member_refusal(info: zipfile.ZipInfo, name: str, limits: ZipLimits) -> str | None:
    if _unsafe(name):
        return "evidence_name_unsafe"
    if info.flag_bits & 0x1:
        return "evidence_encrypted"
    if info.file_size > limits.max_member_bytes:
        return "evidence_too_large"
    if info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return "evidence_ratio"
    return None


def _unsafe(name: str) -> bool:
    """A name that would climb out of a folder it is unpacked into."""
    flat = name.replace("\\", "/")
    if "\x00" in flat or flat.startswith("/") or (len(flat) > 1 and flat[1] == ":"):
        return True
    return ".." in PurePosixPath(flat).parts


def _member_key(name: str) -> str | None:
    """How names compare: NFC, forward slashes, no leading ``./``, case kept."""
    flat = unicodedata.normalize("NFC", name.strip()).replace("\\", "/")
    while flat.startswith("./"):
        flat = flat[2:]
    return flat or None


class _Capped(io.RawIOBase):
    """A member's bytes, refused (:class:`RowRefused`) as soon as it unpacks beyond its
    size limit or ratio, or the archive's budget."""

    def __init__(self, evidence: Evidence, info: zipfile.ZipInfo, name: str) -> None:
        self._evidence = evidence
        self._info = info
        self._name = name
        self._source = evidence.archive.open(info)
        self._read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(CHUNK if size is None or size < 0 else size)
        self._read += len(chunk)
        self._evidence.unpacked += len(chunk)
        limits = self._evidence.limits
        if self._read > limits.max_member_bytes:
            raise RowRefused("evidence_too_large", name=self._name)
        if self._read > limits.max_ratio * max(self._info.compress_size, 1):
            raise RowRefused("evidence_ratio", name=self._name)
        if self._evidence.unpacked > limits.max_total_bytes:
            raise RowRefused("evidence_budget", name=self._name)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._source.close()
        super().close()
