"""Export bundles for inspectors: one file per report (CSV, JSON Lines or one XLSX workbook with a
sheet per report) and a manifest of SHA-256 hashes and the log position they reflect, which
``verify_bundle`` checks with no database."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ledger.errors import IntegrityError, LedgerError
from projections.labels import VI as VALUES_VI
from projections.numbers import ratio_percent
from projections.reports import Column, Report

FORMATS = ("csv", "jsonl", "xlsx")
MANIFEST = "manifest.json"


class ExportError(LedgerError):
    """Raised when an export bundle fails verification. Exit code 3, like any integrity failure."""

    exit_code = 3


def write_bundle(
    reports: list[Report],
    out: Path,
    fmt: str,
    lang: str,
    about: dict[str, Any],
    sign: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Write the reports into ``out`` in ``fmt`` and a manifest that ``sign`` signs (with the
    ledger's checkpoint in ``about``); return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        written = [_write_xlsx(reports, out / "antq-report.xlsx", lang)]
    else:
        writer = _write_csv if fmt == "csv" else _write_jsonl
        written = [writer(report, out / f"{report.name}.{fmt}", lang) for report in reports]
    manifest = {
        **about,
        "format": fmt,
        "lang": lang,
        "files": [
            {"name": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size}
            for path in written
        ],
    }
    manifest = sign(manifest)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return manifest


def verify_bundle(folder: Path, trusted_key: bytes | None = None) -> dict[str, Any]:
    """Check every file of a bundle against its manifest, and the manifest's and checkpoint's
    signatures (by ``trusted_key`` if given, else by the key the checkpoint names). Raises
    ExportError on any mismatch."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ExportError(f"{folder}: no readable {MANIFEST} ({error})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not all(
        isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("sha256"), str)
        for e in files
    ):
        raise ExportError(f"{folder / MANIFEST}: not a manifest (a list of files with sha256)")
    for entry in files:
        path = folder / entry["name"]
        if not path.is_file():
            raise ExportError(f"{path}: listed in the manifest but missing")
        if _sha256(path) != entry["sha256"]:
            raise ExportError(f"{path}: SHA-256 differs from the manifest: the file was changed")
    _check_signatures(manifest, folder / MANIFEST, trusted_key)
    return manifest


def _check_signatures(manifest: dict[str, Any], where: Path, trusted_key: bytes | None) -> None:
    from ledger.signing import Checkpoint, check_document

    if not isinstance(manifest.get("checkpoint"), dict):
        raise ExportError(f"{where}: no signed checkpoint")
    try:
        checkpoint = Checkpoint.from_dict(manifest["checkpoint"], str(where))
        checkpoint.check_signature(trusted_key)
        check_document(manifest, trusted_key or bytes.fromhex(checkpoint.public_key), str(where))
        if checkpoint.log_position != manifest.get("log_position"):
            raise ExportError(
                f"{where}: the reports reflect log position {manifest.get('log_position')}, "
                f"the checkpoint position {checkpoint.log_position}"
            )
    except (IntegrityError, ValueError) as error:
        raise ExportError(str(error)) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _header(column: Column, lang: str) -> str:
    return column.vi if lang == "vi" else column.en


def _human(value: Any, column: Column, lang: str) -> Any:
    """A cell for people: dd/mm/yyyy dates, ratios as percentages, Vietnamese labels."""
    if value is None:
        return ""
    if column.kind == "date":
        return value.strftime("%d/%m/%Y")
    if column.kind == "ratio":
        return ratio_percent(value, lang, digits=2)
    if column.kind == "figure":  # a reported or counted figure: "gần 54.307"
        return value.written(lang)
    if lang == "vi" and isinstance(value, str):
        return VALUES_VI.get(value, value)
    return value


def _write_csv(report: Report, path: Path, lang: str) -> Path:
    # UTF-8 with a byte-order mark: spreadsheet programs then read the Vietnamese correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([_header(c, lang) for c in report.columns])
        for row in report.rows:
            writer.writerow([_human(row.get(c.key), c, lang) for c in report.columns])
    return path


def _write_jsonl(report: Report, path: Path, lang: str) -> Path:
    # Machine-readable: column keys, ISO dates, raw ratios and codes.
    with path.open("w", encoding="utf-8") as file:
        for row in report.rows:
            plain = {c.key: _iso(row.get(c.key)) for c in report.columns}
            file.write(json.dumps(plain, ensure_ascii=False) + "\n")
    return path


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _write_xlsx(reports: list[Report], path: Path, lang: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for report in reports:
        sheet = workbook.create_sheet(report.title(lang)[:31])
        sheet.append([_header(c, lang) for c in report.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in report.rows:
            sheet.append([_cell(row.get(c.key), c, lang) for c in report.columns])
        for index, column in enumerate(report.columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, len(_header(column, lang)) + 2)
            for cell in sheet[letter][1:]:
                if column.kind == "date":
                    cell.number_format = "DD/MM/YYYY"
                elif column.kind == "ratio":
                    cell.number_format = "0.00%"
        sheet.freeze_panes = "A2"
    workbook.save(path)
    return path


def _cell(value: Any, column: Column, lang: str) -> Any:
    """A workbook cell: real dates and numbers (formatted), labels as text."""
    if value is None or column.kind in ("date", "ratio", "int"):
        return value
    return _human(value, column, lang)
