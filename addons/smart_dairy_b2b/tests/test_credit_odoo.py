# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit control in the database: grouped aging, statuses, score, and the hold at every door.

Amounts are computed by hand in the comments (no taxes on the test products).
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import B2bTestMixin


class CreditMixin(B2bTestMixin):
    @classmethod
    def _setup_credit_world(cls):
        cls._setup_b2b_world()
        env = cls.env
        env["account.chart.template"].try_loading("generic_coa", cls.company, install_demo=False)
        cls.today = fields.Date.context_today(env["res.partner"])
        env["ir.config_parameter"].sudo().set_param(
            "smart_dairy_b2b.credit_hold_overdue_days", "60"
        )
        env["ir.config_parameter"].sudo().set_param("smart_dairy_b2b.credit_include_drafts", "0")

    @classmethod
    def _invoice(cls, partner, amount, overdue_days, invoice_age=None):
        """Posted customer invoice of ``amount`` due ``overdue_days`` ago (negative: not due)."""
        due = cls.today - timedelta(days=overdue_days)
        inv_date = min(due, cls.today) - timedelta(days=invoice_age or 0)
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": inv_date,
                "invoice_payment_term_id": False,
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "T goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _order(cls, partner, qty=10, product=None):
        return cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": (product or cls.doi).id,
                            "product_uom_qty": qty,
                            "price_unit": 100.0,
                            "tax_id": [],
                        }
                    )
                ],
            }
        )

    def _internal_approve(self, order):
        """Both internal approval levels (the administrator reviews both)."""
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company
        order.with_user(admin).request_validation()
        for _level in range(2):
            order.invalidate_recordset()
            order.with_user(admin).validate_tier()
        order.invalidate_recordset()
        self.assertEqual(order.validation_status, "validated")

    def _limit(self, partner, limit):
        partner.b2b_set_credit_limit(limit, "test limit")


@tagged("post_install", "-at_install")
class TestCreditFigures(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        cls.salesman = cls.env["res.users"].create(
            {
                "name": "T Salesman",
                "login": "t_credit_salesman",
                "company_id": cls.company.id,
                "company_ids": [Command.set([cls.company.id])],
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("sales_team.group_sale_salesman").id,
                            cls.env.ref("smart_dairy_base.group_b2b_user").id,
                        ]
                    )
                ],
            }
        )

    def test_aging_buckets_hand_computed(self):
        partner = self._partner("T Aging")
        contact = self.env["res.partner"].create({"name": "T Aging shop", "parent_id": partner.id})
        self._limit(partner, 100000)
        self._invoice(partner, 1000, -5)  # not due -> 0-30
        self._invoice(contact, 500, 30)  # child contact counts for its company; 0-30
        self._invoice(partner, 2000, 45)  # 31-60
        self._invoice(partner, 300, 75)  # 61-90
        self._invoice(partner, 700, 120)  # 90+
        partner._b2b_credit_refresh()
        self.assertEqual(
            (
                partner.b2b_aging_0_30,
                partner.b2b_aging_31_60,
                partner.b2b_aging_61_90,
                partner.b2b_aging_90_plus,
            ),
            (1500.0, 2000.0, 300.0, 700.0),
        )
        # receivable 4,500 ; overdue (past due date) = 500 + 2000 + 300 + 700 = 3,500
        self.assertEqual(partner.b2b_receivable, 4500.0)
        self.assertEqual(partner.b2b_overdue, 3500.0)
        self.assertEqual(partner.b2b_max_overdue_days, 120)
        # 4,500 / 100,000 = 4.5 % but 120 days overdue > 60 -> on hold
        self.assertEqual(partner.b2b_credit_utilisation, 4.5)
        self.assertEqual(partner.b2b_credit_available, 95500.0)
        self.assertEqual(partner.b2b_credit_status, "on_hold")

    def test_status_transitions_and_over_limit_search(self):
        partner = self._partner("T Transitions")
        self._limit(partner, 10000)
        self._invoice(partner, 8000, -10)
        partner._b2b_credit_refresh()
        self.assertEqual(
            (partner.b2b_credit_utilisation, partner.b2b_credit_status), (80, "active")
        )
        self._invoice(partner, 1000, -10)  # 9,000 / 10,000 = 90 % -> cash only
        partner._b2b_credit_refresh()
        self.assertEqual(partner.b2b_credit_status, "cash_only")
        self.assertFalse(partner.b2b_over_limit)
        order = self._order(partner, qty=10)  # 1,000 confirmed, uninvoiced
        with self.assertRaises(UserError):  # cash only: not on credit
            order.action_confirm()
        order.action_b2b_credit_release("prepaid by cheque")
        with self.assertRaisesRegex(UserError, "internal approval"):  # 90 % >= 80 %
            order.action_confirm()
        self._internal_approve(order)
        order.action_confirm()
        partner._b2b_credit_refresh()
        # 9,000 receivable + 1,000 uninvoiced = 10,000 = 100 % -> on hold
        self.assertEqual(partner.b2b_uninvoiced, 1000.0)
        self.assertEqual(partner.b2b_exposure, 10000.0)
        self.assertEqual(partner.b2b_credit_status, "on_hold")
        self.assertFalse(partner.b2b_over_limit)  # at the limit, not over
        self._invoice(partner, 1, -10)
        partner._b2b_credit_refresh()
        self.assertTrue(partner.b2b_over_limit)
        over = self.env["res.partner"].search([("b2b_over_limit", "=", True)])
        self.assertIn(partner, over)
        events = partner.b2b_credit_history_ids.filtered(lambda h: h.event == "status")
        self.assertEqual(events.sorted("id").mapped("new_value"), ["cash_only", "on_hold"])
        # manual override with a reason wins and is logged; only a credit manager may do it
        with self.assertRaises(AccessError):
            partner.with_user(self.salesman).b2b_set_credit_status("active", "please")
        with self.assertRaises(UserError):
            partner.b2b_set_credit_status("active", " ")
        partner.b2b_set_credit_status("active", "bank guarantee received")
        self.assertEqual(partner.b2b_credit_status, "active")
        self.assertEqual(partner.b2b_credit_auto_status, "on_hold")
        log = partner.b2b_credit_history_ids.filtered(lambda h: h.event == "override")
        self.assertEqual(log.reason, "bank guarantee received")
        partner.b2b_set_credit_status(False, "guarantee expired")
        self.assertEqual(partner.b2b_credit_status, "on_hold")

    def test_limit_from_tier_and_override_history(self):
        partner = self._partner("T Limit", tier=self.silver)
        self.assertEqual(partner.b2b_credit_limit, self.silver.default_credit_limit)
        with self.assertRaises(AccessError):
            partner.with_user(self.salesman).b2b_set_credit_limit(5, "x")
        partner.b2b_set_credit_limit(12345, "good payer")
        self.assertEqual(partner.b2b_credit_limit, 12345)
        partner.b2b_set_credit_limit(None, "back to tier")
        self.assertEqual(partner.b2b_credit_limit, self.silver.default_credit_limit)
        self.assertEqual(
            partner.b2b_credit_history_ids.filtered(lambda h: h.event == "limit")
            .sorted("id")
            .mapped("reason"),
            ["good payer", "back to tier"],
        )

    def test_grouped_refresh_many_partners_few_queries(self):
        partners = self.env["res.partner"]
        for i in range(6):
            partner = self._partner(f"T Many {i}")
            self._invoice(partner, 100 * (i + 1), 40)
            partners |= partner
        partners.invalidate_recordset()
        with self.assertQueryCount(__system__=12):
            partners._b2b_credit_refresh()
        self.assertEqual(partners.mapped("b2b_aging_31_60"), [100.0 * (i + 1) for i in range(6)])

    def test_score_hand_computed(self):
        partner = self._partner("T Score")
        self._limit(partner, 100000)
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "bank")], limit=1
        )

        def pay(invoice, days_ago):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {"payment_date": self.today - timedelta(days=days_ago), "journal_id": journal.id}
            ).action_create_payments()

        on_time = self._invoice(partner, 1000, 10, invoice_age=20)  # due 10 days ago
        pay(on_time, 20)  # paid 20 days ago: on time
        late = self._invoice(partner, 1000, 40, invoice_age=10)  # due 40 days ago
        pay(late, 5)  # paid 5 days ago: late
        self._invoice(partner, 400, 10)  # open, overdue
        self._invoice(partner, 600, -10)  # open, not due
        partner._b2b_credit_refresh(with_score=True)
        # payment history 1000/2000 = 0.5 ; overdue ratio 1 - 400/1000 = 0.6 ; no orders -> 0 ;
        # partner created today -> age 0.  100 x (0.4x0.5 + 0.25x0.6) = 20 + 15 = 35 -> high
        self.assertAlmostEqual(partner.b2b_score_payment, 0.5)
        self.assertAlmostEqual(partner.b2b_score_overdue, 0.6)
        self.assertEqual(partner.b2b_score_volume, 0.0)
        self.assertEqual(partner.b2b_credit_score, 35)
        self.assertEqual(partner.b2b_credit_band, "high")
        # the score is for credit managers only
        self.assertNotIn(
            "b2b_credit_score", partner.with_user(self.salesman).fields_get(["b2b_credit_score"])
        )

    def test_nightly_cron(self):
        partner = self._partner("T Cron")
        self._limit(partner, 1000)
        self._invoice(partner, 950, -1)
        self.env["res.partner"].with_context(b2b_no_commit=True)._cron_b2b_credit_refresh()
        self.assertEqual(partner.b2b_credit_status, "cash_only")
        self.assertTrue(partner.b2b_credit_band)
