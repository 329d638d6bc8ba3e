# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CSV / XLSX upload of order lines over HTTP: into the current draft (quantities merged) or a
new one, a per-row report, never failing the file for one bad row, limits, the template.

Prices as in test_quick_order (Gold, no taxes): milk 10+ 93.00 / 50+ 91.00, doi 10+ 88.35.
"""

import io
import re

from odoo.tests import HttpCase, tagged

from ..lib import order_lines
from .test_quick_order import QuickOrderMixin

GOOD_AND_BAD = (
    "sku,quantity\n"
    "T-LM1,36\n"  # 2: ok (merged with the draft's 24 -> 60)
    "T-MD5,10\n"  # 3: ok, new line
    "NOPE-9,5\n"  # 4: unknown SKU
    "T-LS2,abc\n"  # 5: not a number
    "T-LS2,0\n"  # 6: not above 0
    "T-LM1,13\n"  # 7: not a multiple of 12
    "T-LM1,6\n"  # 8: below the minimum of 12
    "T-SEC,5\n"  # 9: not sold to this partner
    "T-BT2,36\n"  # 10: 30 in stock -> backorder of 6, or 30 only
)


@tagged("post_install", "-at_install")
class TestOrderUpload(QuickOrderMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quick_order_world()

    def setUp(self):
        super().setUp()
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")

    def _upload(self, content, name="order.csv", target="current"):
        page = self.url_open("/b2b/quick-order")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        res = self.url_open(
            "/b2b/quick-order/upload",
            data={"csrf_token": token, "target": target},
            files={"upload": (name, content)},
        )
        self.assertEqual(res.status_code, 200, res.text[:500])
        return res.text

    @staticmethod
    def _report(html):
        """``{row: (code, text)}`` of the report table."""
        rows = {}
        for code, body in re.findall(
            r'<tr data-code="([a-z_]+)" class="o_b2b_qo_report_row[^"]*">(.*?)</tr>', html, re.S
        ):
            cells = [
                re.sub(r"<[^>]+>|\s+", " ", c).strip()
                for c in re.findall(r"<td>(.*?)</td>", body, re.S)
            ]
            rows[int(cells[0])] = (code, cells[3])
        return rows

    def _draft(self, qty=24):
        order, _priced = self._quick(self.buyer_a)._b2b_submit(
            self.buyer_a, self._lines(("T-LM1", str(qty)))
        )
        return order.sudo()

    def test_into_current_draft_merges_and_reports_every_row(self):
        draft = self._draft(24)
        html = self._upload(GOOD_AND_BAD.encode())
        report = self._report(html)
        self.assertEqual(
            {row: code for row, (code, _text) in report.items()},
            {
                2: "ok",
                3: "ok",
                4: "unknown_sku",
                5: "bad_quantity",
                6: "bad_quantity",
                7: "not_multiple",
                8: "below_minimum",
                9: "not_sellable",
                10: "short_stock",
            },
        )
        self.assertIn("unknown SKU", report[4][1])
        self.assertIn("is not a number", report[5][1])
        self.assertIn("must be above 0", report[6][1])
        self.assertIn("packs of 12", report[7][1])
        self.assertIn("minimum order", report[8][1])
        self.assertIn("not sold to your company", report[9][1])
        self.assertIn("30 ship now and 6 follow as a backorder", report[10][1])
        self.assertIn(draft.name, html)
        # the good rows went into the SAME draft, quantities merged
        self.assertEqual(
            self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)]), draft
        )
        lines = {line.product_id: line for line in draft.order_line}
        self.assertEqual(set(lines), {self.milk, self.doi, self.butter})
        self.assertEqual(lines[self.milk].product_uom_qty, 60)
        self.assertEqual(lines[self.milk].price_unit, 91.0)  # 60 units: the 50+ break now
        self.assertEqual(lines[self.doi].product_uom_qty, 10)
        self.assertEqual(lines[self.butter].product_uom_qty, 36)  # backorder by default
        # 60 x 91.00 + 10 x 88.35 + 36 x 186.00
        self.assertEqual(draft.amount_untaxed, 13039.5)

        # the other offer: only what is in stock (30 = 5 packs of 6)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        self.assertIn("o_b2b_qo_only_available", html)
        res = self.url_open(
            "/b2b/quick-order/available",
            data={
                "csrf_token": token,
                "order_id": draft.id,
                "product_id": self.butter.id,
                "quantity": "30.0",
            },
        )
        self.assertEqual(res.status_code, 200)
        self.assertEqual(lines[self.butter].product_uom_qty, 30)
        # not more than there was, not a broken pack
        self.url_open(
            "/b2b/quick-order/available",
            data={
                "csrf_token": token,
                "order_id": draft.id,
                "product_id": self.butter.id,
                "quantity": "29",
            },
        )
        self.assertEqual(lines[self.butter].product_uom_qty, 30)

    def test_into_new_draft_leaves_current_alone(self):
        draft = self._draft(24)
        html = self._upload(b"sku;quantity\nT-MD5;12\nT-LM1;12\n", target="new")
        orders = self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        self.assertEqual(len(orders), 2)
        new = orders - draft
        self.assertIn(new.name, html)
        self.assertEqual(draft.order_line.product_uom_qty, 24)
        self.assertEqual(
            {(line.product_id, line.product_uom_qty) for line in new.order_line},
            {(self.doi, 12), (self.milk, 12)},
        )
        # 12 x 88.35 + 12 x 93.00
        self.assertEqual(new.amount_untaxed, 2176.2)

    def test_xlsx_upload(self):
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(["SKU", "Quantity"])
        book.active.append(["T-LM1", 24])
        book.active.append(["T-XX", 1])
        buf = io.BytesIO()
        book.save(buf)
        report = self._report(self._upload(buf.getvalue(), name="order.xlsx"))
        self.assertEqual([code for code, _text in report.values()], ["ok", "unknown_sku"])
        order = self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        self.assertEqual(order.order_line.product_uom_qty, 24)

    def test_only_bad_rows_nothing_written(self):
        html = self._upload(b"sku,quantity\nNOPE,1\nT-LM1,5\n")
        self.assertIn("No valid line", html)
        self.assertEqual(len(self._report(html)), 2)
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        )

    def test_file_limits_and_type(self):
        big = b"sku,quantity\n" + b"T-LM1,12\n" * (order_lines.MAX_FILE_BYTES // 9 + 10)
        self.assertIn("the limit is 512 KB", self._upload(big))
        many = b"sku,quantity\n" + b"T-LM1,12\n" * (order_lines.MAX_ROWS + 1)
        self.assertIn("more than 1000 order lines", self._upload(many))
        self.assertIn("sku", self._upload(b"product,amount\nT-LM1,12\n"))
        self.assertIn("Upload a .csv or .xlsx file", self._upload(b"\xd0\xcf\x11\xe0", "a.xls"))
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        )

    def test_upload_on_hold_shows_why_and_writes_nothing(self):
        self._invoice(self.partner_a, 500, 75)
        html = self._upload(b"sku,quantity\nT-LM1,24\n")
        self.assertIn("on hold for credit", html)
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        )

    def test_template_and_viewer(self):
        res = self.url_open("/b2b/quick-order/template.csv")
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.headers["Content-Type"].startswith("text/csv"))
        self.assertEqual(res.text.splitlines()[0], "sku,quantity")
        self.assertEqual(len(order_lines.read_csv(res.content)), 2)
        self.authenticate(self.viewer_a.login, self.viewer_a.login + "-pw-1234")
        page = self.url_open("/b2b/catalog")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        res = self.url_open(
            "/b2b/quick-order/upload",
            data={"csrf_token": token.group(1) if token else ""},
            files={"upload": ("o.csv", b"sku,quantity\nT-LM1,24\n")},
        )
        self.assertEqual(res.status_code, 403)
        self.assertFalse(
            self.env["sale.order"].search([("partner_id.parent_id", "=", self.partner_a.id)])
        )
