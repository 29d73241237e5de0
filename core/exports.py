"""Tables downloaded as CSV or XLSX (the department scores, the 12345 rankings): one writer,
so both read alike in Excel and neither lets a cell run as a formula."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse, HttpResponseBadRequest

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# what a spreadsheet reads as the start of a formula (CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A value for a spreadsheet: text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def bad_request(message):
    """A refused download: the reason as plain text (the link was followed, no page to show)."""
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def table(kind, *, headers, rows, name, sheet, freeze) -> HttpResponse:
    """The rows (lists of values, as long as `headers`) as `name`.csv or `name`.xlsx.

    CSV: UTF-8 with a BOM (Excel then reads it as UTF-8), formula-like text quoted (`cell`).
    XLSX: one sheet titled `sheet`, decimals as numbers, every text typed as text (never a
    formula), panes frozen at `freeze` (e.g. "C2": the header row and two columns)."""
    if kind == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # the BOM: Excel then reads UTF-8
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([cell(v) for v in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        worksheet = book.active
        worksheet.title = sheet
        worksheet.append(headers)
        # row by number, not worksheet[max_row]: openpyxl finds max_row by looking at every
        # cell written so far, which made a 10,000-row sheet take minutes (bench/dual.py)
        for number, row in enumerate(rows, start=2):
            worksheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
            for column in range(1, len(row) + 1):
                written = worksheet.cell(number, column)
                if written.data_type == "f":  # typed text, never a formula
                    written.data_type = "s"
        worksheet.freeze_panes = freeze
        output = io.BytesIO()
        book.save(output)
        response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
