"""CSV, XLSX and JSON of exactly the tables the PDF prints.

Every format walks the same :class:`~reporting.stats.report.ReportView` as the PDF: the same tables,
rows, cells and marks. A hidden cell has no count in any format, only its mark (``<5`` or ``x``), so a
spreadsheet never holds more than the printed report.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reporting.stats.report import MIN_PERCENT_BASE, ReportView, TableView

EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "json")
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}
CSV_HEADER: tuple[str, ...] = (
    "table",
    "table_title",
    "row",
    "row_label",
    "row_kind",
    "column",
    "column_label",
    "count",
    "display",
    "share",
)
SUMMARY_TABLE = "summary"


@dataclass(frozen=True)
class ExportRecord:
    """One printed number in long form."""

    table: str
    table_title: str
    row: str
    row_label: str
    row_kind: str
    column: str
    column_label: str
    count: int | None
    display: str
    share: str | None


def export_records(view: ReportView) -> Iterator[ExportRecord]:
    """Every number of the report, key numbers first, then each table cell by cell in printed order."""
    for number in view.key_numbers:
        yield ExportRecord(
            SUMMARY_TABLE,
            view.summary_heading,
            number.code,
            number.caption,
            "data",
            "value",
            "",
            number.value,
            number.display,
            None,
        )
    for table in view.tables():
        for row in table.rows:
            for position, cell in enumerate(row.cells):
                yield ExportRecord(
                    table.key,
                    table.title,
                    row.code,
                    row.label,
                    row.kind,
                    cell.column,
                    table.columns[position],
                    cell.value,
                    cell.mark,
                    cell.share,
                )


def export_csv(view: ReportView) -> bytes:
    """Long-form CSV (one printed number per line), UTF-8 with BOM so spreadsheet programs read umlauts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for record in export_records(view):
        writer.writerow(
            (
                record.table,
                record.table_title,
                record.row,
                record.row_label,
                record.row_kind,
                record.column,
                record.column_label,
                "" if record.count is None else record.count,
                record.display,
                record.share or "",
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _table_json(table: TableView) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "row_heading": table.row_heading,
        "columns": list(table.columns),
        "notes": list(table.notes),
        "rows": [
            {
                "code": row.code,
                "label": row.label,
                "kind": row.kind,
                "cells": [
                    {"column": cell.column, "count": cell.value, "display": cell.mark, "share": cell.share}
                    for cell in row.cells
                ],
            }
            for row in table.rows
        ],
    }


def export_json(view: ReportView) -> bytes:
    statistics = view.statistics
    document = {
        "title": view.title,
        "year": view.year,
        "previous_year": statistics.previous_year,
        "language": view.lang,
        "k": view.k,
        "min_percent_base": MIN_PERCENT_BASE,
        "excluded_no_consent": {
            "count": statistics.excluded_no_consent.value,
            "display": statistics.excluded_no_consent.display,
        },
        "key_numbers": [
            {"code": number.code, "caption": number.caption, "count": number.value, "display": number.display}
            for number in view.key_numbers
        ],
        "method": list(view.method_paragraphs()),
        "left_out_tables": list(statistics.left_out),
        "below_minimum_tables": list(statistics.below_minimum),
        "tables": [_table_json(table) for table in view.tables()],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _sheet_name(key: str, used: set[str]) -> str:
    name = key[:31]
    number = 2
    while name in used:
        suffix = f"_{number}"
        name, number = key[: 31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def export_xlsx(view: ReportView) -> bytes:
    """One sheet per table laid out as printed, plus the summary and the method; counts as numbers."""
    _ = view.translate
    # openpyxl is imported here, not at start-up: workers that never export need not load it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    bold = Font(bold=True)
    info = workbook.active
    info.title = "info"
    info.append([view.title])
    info["A1"].font = Font(bold=True, size=14)
    info.append([])
    for number in view.key_numbers:
        info.append([number.caption, number.value if number.value is not None else number.display])
    info.append([])
    info.append([_("Method")])
    info.cell(row=info.max_row, column=1).font = bold
    for paragraph in view.method_paragraphs():
        info.append([paragraph])
        info.cell(row=info.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = 100
    info.column_dimensions["B"].width = 18

    used = {info.title}
    for table in view.tables():
        sheet = workbook.create_sheet(_sheet_name(table.key, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        header = [table.row_heading, *table.columns] + ([_("Share")] if table.show_share else [])
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            values: list[Any] = [row.label]
            values += [cell.value if cell.value is not None else cell.mark for cell in row.cells]
            if table.show_share:
                values.append((row.cells[0].share or "–") if row.kind == "data" else "")
            sheet.append(values)
            if row.kind != "data":
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
            for cell in sheet[sheet.max_row][1:]:
                cell.alignment = Alignment(horizontal="right")
        for note in table.notes:
            sheet.append([note])
        sheet.column_dimensions["A"].width = 50
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_tables(view: ReportView, export_format: str) -> bytes:
    """The protected tables of ``view`` in ``export_format`` (one of :data:`EXPORT_FORMATS`)."""
    if export_format == "csv":
        return export_csv(view)
    if export_format == "xlsx":
        return export_xlsx(view)
    if export_format == "json":
        return export_json(view)
    raise ValueError(f"unknown export format {export_format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
