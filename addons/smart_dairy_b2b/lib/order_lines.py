# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order lines typed on the quick order pad or uploaded as CSV / XLSX, independent of Odoo.

* reading a file: CSV (comma, semicolon or tab; UTF-8 with or without BOM) or XLSX (first
  sheet), a header row with ``sku`` and ``quantity`` (``qty`` accepted), a size and a row
  limit; a problem with the *file* raises :class:`UploadError`, a problem with a *row* never
  does - it is reported on that row;
* checking one row against what the server knows of the product (pack minimum and multiple,
  free stock, sellable to this partner) -> an :class:`RowCheck` with a code and a message;
* merging quantities of the same SKU (within a file, and into an existing draft order);
* the quantity-break hint ("order 24 for 10 % off") from a product's break table.
"""

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "RawLine",
    "RowCheck",
    "UploadError",
    "break_hint",
    "check_row",
    "merge_quantities",
    "parse_pasted",
    "parse_quantity",
    "price_for_quantity",
    "read_csv",
    "read_upload",
    "read_xlsx",
    "template_csv",
]

MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 1000
SKU_HEADERS = ("sku", "default_code", "code", "product code")
QTY_HEADERS = ("quantity", "qty")

# row codes (errors leave the row out of the order; "short_stock" is offered a choice)
OK = "ok"
UNKNOWN_SKU = "unknown_sku"
BAD_QUANTITY = "bad_quantity"
NOT_MULTIPLE = "not_multiple"
BELOW_MINIMUM = "below_minimum"
NOT_SELLABLE = "not_sellable"
SHORT_STOCK = "short_stock"
HIDDEN = "hidden"  # a product that exists but is not sold to this partner
ERROR_CODES = (UNKNOWN_SKU, BAD_QUANTITY, NOT_MULTIPLE, BELOW_MINIMUM, NOT_SELLABLE)


class UploadError(ValueError):
    """The file as a whole cannot be read (size, type, header, too many rows)."""


@dataclass(frozen=True)
class RawLine:
    line_no: int  # row number in the file (header = 1) or on the pad (1-based)
    sku: str
    quantity: str


@dataclass
class RowCheck:
    code: str
    message: str = ""
    quantity: float | None = None
    available: float | None = None  # short stock: what ships now (full packs)
    extra: dict = field(default_factory=dict)

    @property
    def is_error(self):
        return self.code in ERROR_CODES


# ---------------------------------------------------------------------- reading
def parse_quantity(text):
    """``(quantity, None)`` or ``(None, message)``; accepts ``12``, ``12.0``, ``1,200``."""
    if isinstance(text, bool):
        return None, "the quantity is not a number"
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
        if not raw:
            return None, "the quantity is missing"
        groups = raw.split(",")
        if len(groups) > 1:
            if all(len(g) == 3 for g in groups[1:-1]) and len(groups[-1].split(".")[0]) == 3:
                raw = raw.replace(",", "")  # thousands separators: 1,200 / 12,000.5
            elif len(groups) == 2 and "." not in raw:
                raw = raw.replace(",", ".")  # decimal comma: 2,5
            else:
                return None, f"'{str(text).strip()}' is not a number"
        try:
            value = float(raw)
        except ValueError:
            return None, f"'{str(text).strip()}' is not a number"
    if not math.isfinite(value):
        return None, "the quantity is not a number"
    if value <= 0:
        return None, "the quantity must be above 0"
    return value, None


def _header_index(cells):
    names = [str(c or "").strip().lower() for c in cells]
    sku = next((i for i, n in enumerate(names) if n in SKU_HEADERS), None)
    qty = next((i for i, n in enumerate(names) if n in QTY_HEADERS), None)
    if sku is None or qty is None:
        raise UploadError(
            "The first row must name the columns 'sku' and 'quantity' (download the template)."
        )
    return sku, qty


def _rows_to_lines(rows, max_rows):
    lines = []
    header = None
    for number, cells in enumerate(rows, start=1):
        cells = list(cells or ())
        if not any(str(c).strip() for c in cells if c is not None):
            continue  # blank rows are not rows
        if header is None:
            header = _header_index(cells)
            continue
        if len(lines) >= max_rows:
            raise UploadError(
                f"The file has more than {max_rows} order lines; split it into several files."
            )
        sku_i, qty_i = header
        sku = cells[sku_i] if sku_i < len(cells) else ""
        qty = cells[qty_i] if qty_i < len(cells) else ""
        if isinstance(sku, float) and sku.is_integer():
            sku = int(sku)  # a numeric SKU typed in a spreadsheet
        lines.append(RawLine(number, str(sku if sku is not None else "").strip(), qty))
    if header is None:
        raise UploadError("The file is empty.")
    if not lines:
        raise UploadError("The file has a header but no order lines.")
    return lines


def read_csv(data, max_rows=MAX_ROWS):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UploadError("The CSV file is not UTF-8 text.") from None
    if "\x00" in text:
        raise UploadError("This is not a CSV file.")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return _rows_to_lines(csv.reader(io.StringIO(text), delimiter=delimiter), max_rows)


def read_xlsx(data, max_rows=MAX_ROWS):
    import openpyxl  # an Odoo dependency; imported here to keep the module light

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UploadError(f"The Excel file cannot be read ({exc.__class__.__name__}).") from None
    try:
        sheet = book.worksheets[0]
        # rows beyond the limit are never materialised: stop one past it
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > max_rows + 50:
                break
        return _rows_to_lines(rows, max_rows)
    finally:
        book.close()


def read_upload(filename, data, max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS):
    """Lines of an uploaded CSV or XLSX file (type from the content, not only the name)."""
    if not data:
        raise UploadError("Choose a CSV or Excel file to upload.")
    if len(data) > max_bytes:
        raise UploadError(
            f"The file is {len(data) / 1024:,.0f} KB; the limit is {max_bytes / 1024:,.0f} KB "
            f"({max_rows} lines)."
        )
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        if name and not name.endswith((".xlsx", ".xlsm")):
            raise UploadError("Upload a .csv or .xlsx file.")
        return read_xlsx(data, max_rows)
    if name.endswith((".xls", ".xlsx", ".ods", ".pdf", ".doc", ".docx")):
        raise UploadError("Upload a .csv or .xlsx file (old .xls files: save as .xlsx).")
    return read_csv(data, max_rows)


def parse_pasted(text, start=1):
    """Lines pasted from a spreadsheet: ``SKU<TAB>quantity`` (or ``;`` / ``,``) per line."""
    lines = []
    for number, row in enumerate((text or "").splitlines(), start=start):
        if not row.strip():
            continue
        for sep in ("\t", ";", ","):
            if sep in row:
                sku, _sep, qty = row.partition(sep)
                break
        else:
            sku, qty = row, ""
        lines.append(RawLine(number, sku.strip(), qty.strip()))
    return lines


def template_csv():
    return "sku,quantity\nSKU-001,24\nSKU-002,12\n"


# ---------------------------------------------------------------------- checking
def check_row(quantity_text, product=None, min_qty=0.0, multiple=0.0, free_qty=None, name=""):
    """Check one line. ``product`` is ``None`` (unknown), ``"hidden"`` (exists but not
    sellable to this partner) or anything truthy (known and sellable).

    ``free_qty`` is ``None`` when stock does not matter (not a stocked product).
    """
    label = name or "This product"
    if product is None or product is False:
        return RowCheck(UNKNOWN_SKU, "unknown SKU")
    if isinstance(product, str) and product == HIDDEN:
        return RowCheck(NOT_SELLABLE, f"{label} is not sold to your company")
    quantity, error = parse_quantity(quantity_text)
    if error:
        return RowCheck(BAD_QUANTITY, error)
    if min_qty and quantity < min_qty - 1e-9:
        return RowCheck(
            BELOW_MINIMUM,
            f"the minimum order of {label} is {min_qty:g}",
            quantity,
            extra={"suggested": suggest(quantity, min_qty, multiple)},
        )
    if multiple:
        ratio = quantity / multiple
        if abs(ratio - round(ratio)) > 1e-9:
            return RowCheck(
                NOT_MULTIPLE,
                f"{label} is sold in packs of {multiple:g}: {quantity:g} is not a multiple",
                quantity,
                extra={"suggested": suggest(quantity, min_qty, multiple)},
            )
    if free_qty is not None and quantity > free_qty + 1e-9:
        now = max(0.0, free_qty)
        if multiple:
            now = math.floor(now / multiple + 1e-9) * multiple
        if min_qty and now < min_qty:
            now = 0.0
        return RowCheck(
            SHORT_STOCK,
            f"only {now:g} available now: {now:g} ship now and {quantity - now:g} follow as a "
            f"backorder, or order {now:g} only",
            quantity,
            available=now,
        )
    return RowCheck(OK, "", quantity)


def suggest(quantity, min_qty=0.0, multiple=0.0):
    """Smallest valid quantity not below ``quantity`` (full packs, at least the minimum)."""
    qty = max(quantity, min_qty or 0.0, multiple or 0.0)
    if multiple:
        qty = math.ceil(qty / multiple - 1e-9) * multiple
    return qty


def merge_quantities(pairs, existing=None):
    """``{key: total quantity}`` adding ``(key, quantity)`` pairs to ``existing`` (kept intact)."""
    totals = dict(existing or {})
    for key, quantity in pairs:
        totals[key] = totals.get(key, 0.0) + quantity
    return totals


# ---------------------------------------------------------------------- prices
def price_for_quantity(breaks, quantity, unit_price):
    """Unit price from a break table ``[(from_qty, price, pct), ...]`` (ascending)."""
    price = unit_price
    for from_qty, row_price, _pct in breaks or ():
        if quantity + 1e-9 >= from_qty:
            price = row_price
    return price


def break_hint(breaks, quantity):
    """The next break above ``quantity`` as ``{"from_qty", "price", "pct"}`` or ``None``."""
    for from_qty, price, pct in breaks or ():
        if from_qty > quantity + 1e-9:
            return {"from_qty": from_qty, "price": price, "pct": pct}
    return None
