# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""lib/order_lines.py without a database: reading files, row checks, merging, hints."""

import io
import unittest

from odoo.addons.smart_dairy_b2b.lib import order_lines as ol


class TestParseQuantity(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(ol.parse_quantity("12"), (12.0, None))
        self.assertEqual(ol.parse_quantity(" 24 "), (24.0, None))
        self.assertEqual(ol.parse_quantity("1,200"), (1200.0, None))
        self.assertEqual(ol.parse_quantity("12,000.5"), (12000.5, None))
        self.assertEqual(ol.parse_quantity("2,5"), (2.5, None))
        self.assertEqual(ol.parse_quantity(36), (36.0, None))
        self.assertEqual(ol.parse_quantity(7.5), (7.5, None))

    def test_bad(self):
        for text, why in [
            ("", "missing"),
            (None, "missing"),
            ("abc", "not a number"),
            ("1,2,3", "not a number"),
            ("0", "above 0"),
            ("-12", "above 0"),
            ("nan", "not a number"),
            ("inf", "not a number"),
            (True, "not a number"),
        ]:
            value, error = ol.parse_quantity(text)
            self.assertIsNone(value, text)
            self.assertIn(why, error, text)


class TestReadFiles(unittest.TestCase):
    def test_csv_comma_bom_blank_rows(self):
        data = "\ufeffSKU,Quantity\nT-LM1,24\n\nT-MD5, 10\n".encode()
        lines = ol.read_csv(data)
        self.assertEqual(lines, [ol.RawLine(2, "T-LM1", "24"), ol.RawLine(4, "T-MD5", " 10")])

    def test_csv_semicolon_and_tab_and_extra_columns(self):
        data = b"note;qty;sku\nx;12;A-1\n"
        self.assertEqual(ol.read_csv(data), [ol.RawLine(2, "A-1", "12")])
        data = b"sku\tquantity\nB-2\t6\n"
        self.assertEqual(ol.read_csv(data), [ol.RawLine(2, "B-2", "6")])

    def test_csv_short_row_keeps_going(self):
        lines = ol.read_csv(b"sku,quantity\nA-1\nB-2,3\n")
        self.assertEqual(lines, [ol.RawLine(2, "A-1", ""), ol.RawLine(3, "B-2", "3")])

    def test_whole_file_errors(self):
        with self.assertRaisesRegex(ol.UploadError, "'sku' and 'quantity'"):
            ol.read_csv(b"product,amount\nA,1\n")
        with self.assertRaisesRegex(ol.UploadError, "empty"):
            ol.read_csv(b"\n\n")
        with self.assertRaisesRegex(ol.UploadError, "no order lines"):
            ol.read_csv(b"sku,quantity\n")
        with self.assertRaisesRegex(ol.UploadError, "more than 3 order lines"):
            ol.read_csv(b"sku,quantity\n" + b"A,1\n" * 4, max_rows=3)
        with self.assertRaisesRegex(ol.UploadError, "limit is 1 KB"):
            ol.read_upload("big.csv", b"sku,quantity\n" + b"A,1\n" * 600, max_bytes=1024)
        with self.assertRaisesRegex(ol.UploadError, "Choose"):
            ol.read_upload("x.csv", b"")
        with self.assertRaisesRegex(ol.UploadError, "xlsx"):
            ol.read_upload("old.xls", b"\xd0\xcf\x11\xe0 binary")
        with self.assertRaisesRegex(ol.UploadError, "not a CSV"):
            ol.read_upload("x.csv", b"sku,quantity\x00\n")

    def test_xlsx(self):
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["SKU", "Quantity"])
        sheet.append(["T-LM1", 24])
        sheet.append([None, None])
        sheet.append([1001, "12"])  # a numeric SKU typed in Excel
        buf = io.BytesIO()
        book.save(buf)
        lines = ol.read_upload("order.xlsx", buf.getvalue())
        self.assertEqual(lines, [ol.RawLine(2, "T-LM1", 24), ol.RawLine(4, "1001", "12")])
        with self.assertRaisesRegex(ol.UploadError, "cannot be read"):
            ol.read_upload("order.xlsx", b"PK\x03\x04 not really a zip")

    def test_pasted(self):
        text = "T-LM1\t24\r\nT-MD5\t10\n\nT-LS2;5\nLONE\n"
        self.assertEqual(
            ol.parse_pasted(text),
            [
                ol.RawLine(1, "T-LM1", "24"),
                ol.RawLine(2, "T-MD5", "10"),
                ol.RawLine(4, "T-LS2", "5"),
                ol.RawLine(5, "LONE", ""),
            ],
        )

    def test_template(self):
        lines = ol.read_csv(ol.template_csv().encode())
        self.assertEqual([line.sku for line in lines], ["SKU-001", "SKU-002"])


class TestCheckRow(unittest.TestCase):
    def test_codes(self):
        self.assertEqual(ol.check_row("12", None).code, ol.UNKNOWN_SKU)
        self.assertEqual(ol.check_row("12", "hidden", name="Ghee").code, ol.NOT_SELLABLE)
        self.assertEqual(ol.check_row("x", True).code, ol.BAD_QUANTITY)
        self.assertEqual(ol.check_row("0", True).code, ol.BAD_QUANTITY)
        below = ol.check_row("6", True, min_qty=12, multiple=12, name="Milk")
        self.assertEqual((below.code, below.extra["suggested"]), (ol.BELOW_MINIMUM, 12))
        self.assertIn("minimum order of Milk is 12", below.message)
        odd = ol.check_row("30", True, min_qty=12, multiple=12)
        self.assertEqual((odd.code, odd.extra["suggested"]), (ol.NOT_MULTIPLE, 36))
        ok = ol.check_row("36", True, min_qty=12, multiple=12, free_qty=100)
        self.assertEqual((ok.code, ok.quantity, ok.is_error), (ol.OK, 36.0, False))
        self.assertEqual(ol.check_row("36", True, free_qty=None).code, ol.OK)

    def test_short_stock_offers_full_packs(self):
        # 30 free, crates of 12: 24 ship now, 24 follow (backorder) or order 24 only
        short = ol.check_row("48", True, min_qty=12, multiple=12, free_qty=30)
        self.assertEqual((short.code, short.available, short.is_error), (ol.SHORT_STOCK, 24, False))
        self.assertIn("24 ship now and 24 follow as a backorder", short.message)
        # less than the minimum in stock: nothing ships now
        self.assertEqual(
            ol.check_row("24", True, min_qty=24, multiple=12, free_qty=20).available, 0
        )

    def test_suggest_and_merge(self):
        self.assertEqual(ol.suggest(13, 12, 12), 24)
        self.assertEqual(ol.suggest(5, 10, 0), 10)
        existing = {1: 24.0}
        merged = ol.merge_quantities([(1, 12.0), (2, 5.0), (2, 5.0)], existing)
        self.assertEqual(merged, {1: 36.0, 2: 10.0})
        self.assertEqual(existing, {1: 24.0})


class TestPriceAndHint(unittest.TestCase):
    TABLE = [(1.0, 100.0, 0.0), (24.0, 97.0, 3.0), (48.0, 90.0, 10.0)]

    def test_price_for_quantity(self):
        self.assertEqual(ol.price_for_quantity(self.TABLE, 12, 100.0), 100.0)
        self.assertEqual(ol.price_for_quantity(self.TABLE, 24, 100.0), 97.0)
        self.assertEqual(ol.price_for_quantity(self.TABLE, 47.5, 100.0), 97.0)
        self.assertEqual(ol.price_for_quantity(self.TABLE, 480, 100.0), 90.0)
        self.assertEqual(ol.price_for_quantity([], 480, 55.0), 55.0)

    def test_hint(self):
        self.assertEqual(
            ol.break_hint(self.TABLE, 12), {"from_qty": 24.0, "price": 97.0, "pct": 3.0}
        )
        self.assertEqual(ol.break_hint(self.TABLE, 24)["from_qty"], 48.0)
        self.assertIsNone(ol.break_hint(self.TABLE, 48))
        self.assertIsNone(ol.break_hint([], 1))
