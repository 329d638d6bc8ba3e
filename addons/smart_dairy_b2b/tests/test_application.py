# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PNG, B2bTestMixin


@tagged("post_install", "-at_install")
class TestApplicationWorkflow(B2bTestMixin, TransactionCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_b2b_world()
        env = cls.env
        cls.doc_tl = env.ref("smart_dairy_b2b.doc_type_trade_licence")
        cls.doc_bin = env.ref("smart_dairy_b2b.doc_type_bin_certificate")
        Users = env["res.users"].with_context(no_reset_password=True)
        common = {"company_id": cls.company.id, "company_ids": [Command.set([cls.company.id])]}
        cls.doc_reviewer = Users.create(
            dict(
                common,
                name="Doc Reviewer",
                login="t_doc_reviewer",
                email="docs@example.com",
                groups_id=[Command.set([env.ref("smart_dairy_base.group_b2b_user").id])],
            )
        )
        cls.manager = Users.create(
            dict(
                common,
                name="B2B Manager",
                login="t_b2b_manager",
                email="mgr@example.com",
                groups_id=[Command.set([env.ref("smart_dairy_base.group_b2b_manager").id])],
            )
        )
        cls.dhaka = env.ref("l10n_bd_smart.district_bd_13")

    def _application(self, n=1, docs=True, **vals):
        values = {
            "company_name": f"T Applicant {n}",
            "partner_type": "distributor",
            "contact_name": f"Contact {n}",
            "email": f"applicant{n}@example.com",
            "phone": "01712-345678",
            "trade_licence": f"T-TL-{n:04d}",
            "bd_bin": f"{900000000 + n}-0101",
            "bd_etin": "123456789012",
            "district_id": self.dhaka.id,
            "zip": "1216",
        }
        values.update(vals)
        if docs:
            values["document_ids"] = [
                Command.create(self._doc(self.doc_tl)),
                Command.create(self._doc(self.doc_bin, "bin.png", PNG)),
            ]
        app = self.env["smart.dairy.b2b.application"].create(values)
        app.action_submit(
            delivery_locations=[
                {
                    "name": "Mirpur depot",
                    "street": "Road 1",
                    "bd_district_id": self.dhaka.id,
                    "zip": "1216",
                    "phone": "01812345678",
                    "b2b_opening_hours": "08:00-20:00",
                    "b2b_delivery_window": "06:00-08:00",
                    "b2b_latitude": 23.8223,
                    "b2b_longitude": 90.3654,
                }
            ]
        )
        return app

    def _review(self, app, user, comment="ok"):
        """Validate the current stage as ``user`` through the comment wizard."""
        app = app.with_user(user)
        action = app.validate_tier()
        self.assertEqual(action["res_model"], "comment.wizard", "stages ask for a comment")
        wizard = (
            self.env["comment.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"comment": comment})
        )
        wizard.add_comment()

    def test_submission_creates_pending_partner_and_three_stages(self):
        app = self._application()
        self.assertEqual(app.state, "submitted")
        self.assertEqual(app.phone, "+8801712345678")
        self.assertEqual(app.bd_bin, "9000000010101")
        partner = app.partner_id
        self.assertEqual(partner.b2b_status, "pending")
        self.assertEqual(partner.bd_bin, "9000000010101")
        self.assertEqual(partner.b2b_trade_licence, "T-TL-0001")
        delivery = partner.child_ids.filtered(lambda p: p.type == "delivery")
        self.assertEqual(delivery.b2b_delivery_window, "06:00-08:00")
        self.assertEqual(delivery.phone, "+8801812345678")
        self.assertEqual(
            app.review_ids.sorted("sequence").mapped("name"),
            ["Document verification", "Credit assessment", "Final approval"],
        )
        self.assertEqual(app.validation_status, "pending")
        self.assertEqual(
            app.review_ids.sorted("sequence").mapped("status"), ["pending", "waiting", "waiting"]
        )

    def test_stages_in_order_with_their_reviewers(self):
        app = self._application()
        # the manager cannot jump to credit before documents are verified... but managers are
        # also B2B users (implied group), so they may do stage 1; a plain B2B user may not do 2
        self._review(app, self.doc_reviewer, "licence and BIN certificate checked")
        self.assertFalse(app.with_user(self.doc_reviewer).can_review)
        with self.assertRaises(ValidationError):
            app.with_user(self.manager).action_approve()  # two stages still pending
        app.with_user(self.manager).write(
            {
                "tier_id": self.gold.id,
                "credit_limit": 300000,
                "payment_term_id": self.gold.payment_term_id.id,
            }
        )
        self._review(app, self.manager, "credit checked with bank statement")
        self._review(app, self.manager, "welcome")
        self.assertEqual(app.validation_status, "validated")
        comments = app.review_ids.sorted("sequence").mapped("comment")
        self.assertEqual(comments[0], "licence and BIN certificate checked")

        with self.mock_mail_gateway():
            app.with_user(self.manager).action_approve()
        partner = app.partner_id
        self.assertEqual(app.state, "approved")
        self.assertEqual(partner.b2b_status, "approved")
        self.assertEqual(partner.b2b_tier_id, self.gold)
        self.assertEqual(partner.credit_limit, 300000)
        self.assertEqual(partner.property_payment_term_id, self.gold.payment_term_id)
        self.assertEqual(partner.property_product_pricelist, self.gold.pricelist_id)
        self.assertEqual(partner.b2b_tier_history_ids.new_tier_id, self.gold)
        self.assertEqual(partner.b2b_tier_history_ids.user_id, self.manager)
        # first portal user: the contact person, partner admin, invited by e-mail
        user = app.user_id
        self.assertTrue(user.share)
        self.assertEqual(user.partner_id, app.contact_id)
        self.assertEqual(user.b2b_role, "admin")
        self.assertTrue(user.has_group("smart_dairy_b2b.group_b2b_portal"))
        invitation = [m for m in self._mails if "applicant1@example.com" in str(m["email_to"])]
        self.assertTrue(invitation, "the portal invitation e-mail is sent")
        self.assertIn("/web/signup", invitation[0]["body"])
        # every step is in the chatter
        bodies = " ".join(app.message_ids.mapped("body"))
        self.assertIn("Approved by", bodies)
        self.assertIn("submitted", bodies)

    def test_plain_user_cannot_do_credit_stage_nor_approve(self):
        app = self._application()
        self._review(app, self.doc_reviewer)
        self.assertFalse(app.with_user(self.doc_reviewer).can_review)
        with self.assertRaises(AccessError):
            app.with_user(self.doc_reviewer).partner_id.write({"b2b_status": "approved"})

    def test_missing_documents_block_approval(self):
        app = self._application(docs=False)
        app.write({"tier_id": self.gold.id, "payment_term_id": self.gold.payment_term_id.id})
        for _i in range(3):
            self._review(app, self.manager)
        with self.assertRaisesRegex(
            ValidationError, "Missing mandatory documents: Trade licence, BIN"
        ):
            app.action_approve()
        self.assertEqual(app.state, "submitted")
        self.assertEqual(app.partner_id.b2b_status, "pending")
        self.assertFalse(app.user_id)

    def test_reject_with_reason_mails_applicant(self):
        app = self._application()
        with self.assertRaisesRegex(ValidationError, "reason"):
            app._action_decide("reject", "  ")
        wizard = self.env["smart.dairy.b2b.application.action.wizard"].create(
            {"application_id": app.id, "action": "reject", "reason": "Trade licence expired"}
        )
        wizard.action_confirm()
        self.assertEqual(app.state, "rejected")
        self.assertEqual(app.partner_id.b2b_status, "rejected")
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", app._name),
                ("res_id", "=", app.id),
                ("subject", "ilike", "application"),
            ]
        )
        self.assertTrue(any("Trade licence expired" in m.body_html for m in mail))
        self.assertIn("Trade licence expired", " ".join(app.message_ids.mapped("body")))
        with self.assertRaises(UserError):
            app.action_approve()

    def test_request_documents_then_resubmit(self):
        app = self._application(docs=False)
        self._review(app, self.doc_reviewer)
        app._action_decide("more_info", "Please send the BIN certificate")
        self.assertEqual(app.state, "more_info")
        mail = self.env["mail.mail"].search([("model", "=", app._name), ("res_id", "=", app.id)])
        self.assertTrue(any("/b2b/application/" in (m.body_html or "") for m in mail))
        app.write(
            {
                "document_ids": [
                    Command.create(self._doc(self.doc_tl)),
                    Command.create(self._doc(self.doc_bin)),
                ]
            }
        )
        app.action_submit()
        self.assertEqual(app.state, "submitted")
        self.assertEqual(app.validation_status, "pending", "reviews restart from the first stage")
        self.assertEqual(len(app.review_ids), 3)

    def test_suspend(self):
        app = self._application()
        app.write({"tier_id": self.gold.id, "payment_term_id": self.gold.payment_term_id.id})
        for _i in range(3):
            self._review(app, self.manager)
        app.action_approve()
        app._action_decide("suspend", "Overdue invoices")
        self.assertEqual(app.partner_id.b2b_status, "suspended")
        self.assertFalse(app.user_id._b2b_portal_ok())

    def test_bad_input_nothing_stored(self):
        Application = self.env["smart.dairy.b2b.application"]
        count = Application.search_count([])
        partners = self.env["res.partner"].search_count([])
        cases = {
            "13 digits": {"bd_bin": "12345"},
            "12 digits": {"bd_etin": "1234"},
            "not a Bangladeshi phone": {"phone": "12345"},
            "valid e-mail": {"email": "not-an-email"},
            "4 digits": {"zip": "12"},
        }
        for message, bad in cases.items():
            with self.subTest(message), self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    self._application(50, **bad)
        with self.assertRaisesRegex(ValidationError, "limit is"), self.env.cr.savepoint():
            self._application(
                51,
                docs=False,
                document_ids=[
                    Command.create(self._doc(self.doc_tl, "big.pdf", b"%PDF-" + b"0" * (6 << 20)))
                ],
            )
        with self.assertRaisesRegex(ValidationError, "not a PDF"), self.env.cr.savepoint():
            self._application(
                52,
                docs=False,
                document_ids=[Command.create(self._doc(self.doc_tl, "x.pdf", b"MZ\x90"))],
            )
        self.assertEqual(Application.search_count([]), count)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_duplicate_bin_or_trade_licence(self):
        self._application(60)
        with self.assertRaisesRegex(ValidationError, "BIN"), self.env.cr.savepoint():
            self._application(61, bd_bin="900000060-0101")
        with self.assertRaisesRegex(ValidationError, "Trade licence"), self.env.cr.savepoint():
            self._application(62, trade_licence="t-tl-0060")

    def test_tier_change_wizard_tracks_who_and_why(self):
        partner = self._partner("T Tiered", tier=self.silver)
        wizard = (
            self.env["smart.dairy.b2b.tier.change.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": partner.id,
                    "tier_id": self.gold.id,
                    "reason": "Volume > 1M BDT/month",
                }
            )
        )
        wizard.action_confirm()
        last = partner.b2b_tier_history_ids[0]
        self.assertEqual((last.old_tier_id, last.new_tier_id), (self.silver, self.gold))
        self.assertEqual(last.user_id, self.manager)
        self.assertEqual(last.reason, "Volume > 1M BDT/month")
        self.assertEqual(partner.property_product_pricelist, self.gold.pricelist_id)
        self.assertIn("Volume &gt; 1M", partner.message_ids[0].body)
        with self.assertRaises(AccessError):
            partner.with_user(self.doc_reviewer).write({"b2b_tier_id": self.silver.id})


@tagged("post_install", "-at_install")
class TestSideDoors(B2bTestMixin, TransactionCase):
    """A pending, rejected or suspended partner cannot be sold to, whatever the door."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_b2b_world()
        cls.ok = cls._partner("T Approved")
        cls.pending = cls._partner("T Pending", status="pending")

    def _order_vals(self, partner):
        return {
            "partner_id": partner.id,
            "company_id": self.company.id,
            "order_line": [Command.create({"product_id": self.doi.id, "product_uom_qty": 1})],
        }

    def test_blocked_statuses(self):
        SaleOrder = self.env["sale.order"]
        SaleOrder.create(self._order_vals(self.ok))
        for status in ("pending", "rejected", "suspended"):
            partner = self._partner(f"T {status}", status=status)
            with self.subTest(status=status), self.assertRaisesRegex(ValidationError, status):
                SaleOrder.create(self._order_vals(partner))

    def test_non_b2b_customers_unaffected(self):
        walk_in = self.env["res.partner"].create({"name": "T Walk-in"})
        self.assertEqual(walk_in.b2b_status, "none")
        self.env["sale.order"].create(self._order_vals(walk_in))

    def test_duplicate_order_after_suspension(self):
        order = self.env["sale.order"].create(self._order_vals(self.ok))
        self.ok.action_b2b_suspend()
        with self.assertRaisesRegex(ValidationError, "suspended"):
            order.copy()
        with self.assertRaisesRegex(ValidationError, "suspended"):
            order.write({"partner_id": self.ok.id})

    def test_create_and_edit_child_contact(self):
        # "Create and edit" from the order's customer field: a new contact under the company
        contact = self.env["res.partner"].create(
            {"name": "T New buyer", "parent_id": self.pending.id}
        )
        with self.assertRaisesRegex(ValidationError, "pending"):
            self.env["sale.order"].create(self._order_vals(contact))
        # and as invoice/delivery address of another customer's order
        vals = self._order_vals(self.ok)
        vals["partner_shipping_id"] = contact.id
        with self.assertRaisesRegex(ValidationError, "pending"):
            self.env["sale.order"].create(vals)

    def test_duplicate_partner_needs_approval_again(self):
        self.ok.bd_bin = "123456789-0101"
        self.ok.b2b_trade_licence = "T-DUP-1"
        copy = self.ok.copy()
        self.assertEqual(copy.b2b_status, "pending")
        self.assertFalse(copy.bd_bin)
        self.assertFalse(copy.b2b_trade_licence)
        self.assertFalse(copy.b2b_tier_id)
        with self.assertRaises(ValidationError):
            self.env["sale.order"].create(self._order_vals(copy))
        # a duplicate of an ordinary customer stays an ordinary customer
        walk_in = self.env["res.partner"].create({"name": "T Walk-in 2"})
        self.assertEqual(walk_in.copy().b2b_status, "none")
