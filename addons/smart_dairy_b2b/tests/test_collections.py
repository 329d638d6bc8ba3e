# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Collections: level per oldest overdue invoice, one reminder per customer, the edited
preview is what is sent, cron idempotence, the hold notice through the credit status API and
its hold lifted when the customer pays (a hold set by hand stays).

Levels (data): friendly 1-30 days (sent by the cron), firm 31-60, hold notice 61+ (puts on
hold); repeat window 7 days. Amounts hand-computed in the comments (no taxes).
"""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from ..models.b2b_collection import select_level
from .test_credit_odoo import CreditMixin


@tagged("post_install", "-at_install")
class TestSelectLevel(TransactionCase):
    def test_select_level_by_oldest_overdue_days(self):
        ranges = [("friendly", 1, 30), ("firm", 31, 60), ("hold", 61, 0)]
        expected = {
            -3: None,
            0: None,
            1: "friendly",
            30: "friendly",
            31: "firm",
            60: "firm",
            61: "hold",
            400: "hold",
        }
        for days, level in expected.items():
            with self.subTest(days=days):
                self.assertEqual(select_level(ranges, days), level)
        # a gap in the ranges selects nothing; overlapping ranges: the later start wins
        self.assertIsNone(select_level([("a", 1, 10), ("b", 20, 0)], 15))
        self.assertEqual(select_level([("a", 1, 0), ("b", 20, 40)], 25), "b")


@tagged("post_install", "-at_install")
class TestCollections(CreditMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        env = cls.env
        env["ir.config_parameter"].sudo().set_param("smart_dairy_b2b.collection_repeat_days", "7")
        cls.friendly = env.ref("smart_dairy_b2b.collection_level_friendly")
        cls.firm = env.ref("smart_dairy_b2b.collection_level_firm")
        cls.hold = env.ref("smart_dairy_b2b.collection_level_hold")
        (cls.friendly | cls.firm | cls.hold).write({"active": True})
        cls.friendly.write({"min_days": 1, "max_days": 30, "auto_send": True, "set_hold": False})
        cls.firm.write({"min_days": 31, "max_days": 60, "auto_send": False, "set_hold": False})
        cls.hold.write({"min_days": 61, "max_days": 0, "auto_send": False, "set_hold": True})
        env["smart.dairy.b2b.collection.level"].search(
            [("id", "not in", (cls.friendly | cls.firm | cls.hold).ids)]
        ).active = False
        cls.manager = env["res.users"].create(
            {
                "name": "T Credit Manager",
                "login": "t_coll_manager",
                "email": "credit@example.com",
                "company_id": cls.company.id,
                "company_ids": [Command.set([cls.company.id])],
                "groups_id": [
                    Command.set(
                        [
                            env.ref("base.group_user").id,
                            env.ref("account.group_account_invoice").id,
                            env.ref("smart_dairy_base.group_b2b_manager").id,
                        ]
                    )
                ],
            }
        )
        cls.Reminder = env["smart.dairy.b2b.collection.reminder"]

    def _customer(self, name, email=True):
        partner = self._partner(name, email=f"{name.lower().replace(' ', '.')}@example.com")
        self._limit(partner, 1000000)
        if not email:
            partner.email = False
        return partner

    def _prepare(self, partners, today=None):
        return self.Reminder.with_user(self.manager)._b2b_prepare(today or self.today, partners)

    # ------------------------------------------------------------------ gathering
    def test_one_reminder_per_customer_listing_all_overdue_invoices(self):
        rahim = self._customer("T Rahim Store")
        shop = self.env["res.partner"].create({"name": "T Rahim branch", "parent_id": rahim.id})
        karim = self._customer("T Karim Mart")
        inv1 = self._invoice(rahim, 100, 5)
        inv2 = self._invoice(shop, 250, 12)  # a contact's invoice belongs to its company
        inv3 = self._invoice(rahim, 400, 20)
        self._invoice(rahim, 999, -3)  # not due yet: not in the reminder
        inv_k = self._invoice(karim, 70, 2)
        reminders = self._prepare(rahim | karim)
        self.assertEqual(len(reminders), 2)
        r_rahim = reminders.filtered(lambda r: r.partner_id == rahim)
        self.assertEqual(r_rahim.invoice_ids, inv1 | inv2 | inv3)
        self.assertAlmostEqual(r_rahim.amount, 750.0)  # 100 + 250 + 400
        self.assertEqual(r_rahim.oldest_days, 20)
        self.assertEqual(r_rahim.level_id, self.friendly)
        self.assertEqual(r_rahim.state, "draft")
        for inv in inv1 | inv2 | inv3:
            self.assertIn(inv.name, r_rahim.body)
        self.assertIn("750", r_rahim.body)
        self.assertIn(rahim.name, r_rahim.subject)
        r_karim = reminders.filtered(lambda r: r.partner_id == karim)
        self.assertEqual(r_karim.invoice_ids, inv_k)
        self.assertNotIn(inv1.name, r_karim.body)

    def test_level_follows_oldest_overdue_invoice(self):
        cases = {"T Lvl A": (10, self.friendly), "T Lvl B": (45, self.firm)}
        cases["T Lvl C"] = (61, self.hold)
        for name, (days, level) in cases.items():
            with self.subTest(name=name):
                partner = self._customer(name)
                self._invoice(partner, 100, 3)
                self._invoice(partner, 200, days)
                reminder = self._prepare(partner)
                self.assertEqual(reminder.level_id, level)
                self.assertEqual(reminder.oldest_days, days)
                self.assertAlmostEqual(reminder.amount, 300.0)
        paid_up = self._customer("T Lvl none")
        self._invoice(paid_up, 100, -1)
        self.assertFalse(self._prepare(paid_up))

    # ------------------------------------------------------------------ sending
    def test_edited_preview_is_what_gets_sent(self):
        partner = self._customer("T Edit Store")
        accounts = self.env["res.partner"].create(
            {
                "name": "T Edit accounts",
                "type": "invoice",
                "parent_id": partner.id,
                "email": "accounts@edit.example.com",
            }
        )
        self._invoice(partner, 500, 15)
        reminder = self._prepare(partner)
        self.assertEqual(reminder.email_to_partner_id, accounts)
        edited = "<p>Dear Rahim bhai, please pay 500 by Thursday. EDITED-7731</p>"
        reminder.with_user(self.manager).write({"body": edited, "subject": "Edited subject"})
        reminder.with_user(self.manager).action_send()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.user_id, self.manager)
        message = reminder.mail_message_id
        self.assertEqual(message.model, "res.partner")
        self.assertEqual(message.res_id, partner.id)
        self.assertIn("EDITED-7731", message.body)
        self.assertEqual(message.subject, "Edited subject")
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(len(mails), 1)
        self.assertIn("EDITED-7731", str(mails.body_html))
        self.assertNotIn("Perhaps this has escaped your attention", str(mails.body_html))
        self.assertEqual(mails.recipient_ids, accounts)
        # the log is on the partner and cannot be edited any more
        self.assertIn(reminder, partner.b2b_collection_reminder_ids)
        with self.assertRaises(UserError):
            reminder.with_user(self.manager).write({"body": "<p>changed afterwards</p>"})
        with self.assertRaises(UserError):
            reminder.with_user(self.manager).action_send()

    def test_prepare_wizard_opens_the_previews(self):
        partner = self._customer("T Wizard Store")
        self._invoice(partner, 120, 33)
        wizard = (
            self.env["smart.dairy.b2b.collection.wizard"]
            .with_user(self.manager)
            .create({"partner_ids": [Command.set(partner.ids)]})
        )
        action = wizard.action_prepare()
        self.assertEqual(action["res_model"], "smart.dairy.b2b.collection.reminder")
        drafts = self.Reminder.search(action["domain"] + [("partner_id", "=", partner.id)])
        self.assertEqual((len(drafts), drafts.level_id, drafts.amount), (1, self.firm, 120.0))
        wizard.action_prepare()  # twice: still one preview
        self.assertEqual(self.Reminder.search_count([("partner_id", "=", partner.id)]), 1)

    def test_only_credit_managers_send(self):
        partner = self._customer("T Rights Store")
        self._invoice(partner, 100, 5)
        reminder = self._prepare(partner)
        clerk = self.env["res.users"].create(
            {
                "name": "T B2B clerk",
                "login": "t_coll_clerk",
                "company_id": self.company.id,
                "company_ids": [Command.set([self.company.id])],
                "groups_id": [Command.set([self.env.ref("smart_dairy_base.group_b2b_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            reminder.with_user(clerk).action_send()
        self.assertEqual(reminder.state, "draft")

    def test_no_email_refused_and_nothing_half_written(self):
        partner = self._customer("T Mailless", email=False)
        self._invoice(partner, 100, 5)
        reminder = self._prepare(partner)
        with self.assertRaisesRegex(UserError, "no e-mail"):
            reminder.with_user(self.manager).action_send()
        self.assertEqual(reminder.state, "draft")
        self.assertFalse(reminder.mail_message_id)

    # ------------------------------------------------------------------ cron idempotence
    def _cron(self, partners, today):
        self.Reminder.with_context(b2b_no_commit=True)._cron_b2b_collections(today, partners)
        return self.Reminder.search([("partner_id", "in", partners.ids)], order="id")

    def test_cron_is_idempotent(self):
        partner = self._customer("T Cron Store")
        inv1 = self._invoice(partner, 300, 5)
        first = self._cron(partner, self.today)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.state, "sent")  # friendly level is sent unattended
        self.assertEqual(first.invoice_ids, inv1)
        # run again the same day and 6 days later (oldest 11 days, still friendly): nothing new
        self.assertEqual(self._cron(partner, self.today), first)
        self.assertEqual(self._cron(partner, self.today + timedelta(days=6)), first)
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "comment"),
            ]
        )
        self.assertEqual(len(messages), 1)
        # a new overdue invoice: a new reminder listing both
        inv2 = self._invoice(partner, 200, 1)
        after_new = self._cron(partner, self.today)
        self.assertEqual(len(after_new), 2)
        self.assertEqual(after_new[-1].invoice_ids, inv1 | inv2)
        self.assertAlmostEqual(after_new[-1].amount, 500.0)
        # after the 7-day repeat window the same level is sent again (oldest 5 + 8 = 13 days)
        later = self._cron(partner, self.today + timedelta(days=8))
        self.assertEqual(len(later), 3)
        self.assertEqual(later[-1].oldest_days, 13)
        self.assertEqual(self._cron(partner, self.today + timedelta(days=8)), later)

    def test_cron_leaves_reviewed_levels_as_one_draft(self):
        partner = self._customer("T Firm Store")
        self._invoice(partner, 800, 40)
        drafts = self._cron(partner, self.today)
        self.assertEqual((drafts.level_id, drafts.state), (self.firm, "draft"))
        self.assertEqual(self._cron(partner, self.today), drafts)
        # escalation: 25 days later the oldest is 65 days late -> the firm draft is replaced
        later = self._cron(partner, self.today + timedelta(days=25))
        self.assertEqual(later.mapped("state"), ["cancel", "draft"])
        self.assertEqual(later[-1].level_id, self.hold)

    # ------------------------------------------------------------------ hold notice
    def test_hold_notice_puts_partner_on_hold(self):
        # automatic hold only after 90 days here, so that the hold notice makes the change
        self.env["ir.config_parameter"].sudo().set_param(
            "smart_dairy_b2b.credit_hold_overdue_days", "90"
        )
        partner = self._customer("T Hold Store")
        self._invoice(partner, 1200, 70)
        partner._b2b_credit_refresh()
        self.assertEqual(partner.b2b_credit_status, "active")
        reminder = self._prepare(partner)
        self.assertEqual(reminder.level_id, self.hold)
        reminder.with_user(self.manager).action_send()
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_status, "on_hold")
        self.assertEqual(partner.b2b_credit_status_manual, "on_hold")
        self.assertEqual(partner.b2b_credit_hold_reminder_id, reminder)
        history = partner.b2b_credit_history_ids.filtered(lambda h: h.event == "override")
        self.assertEqual(len(history), 1)
        self.assertEqual((history.old_value, history.new_value), ("active", "on_hold"))
        self.assertIn("Hold notice", history.reason)
        self.assertIn("70 days", history.reason)
        self.assertEqual(history.user_id, self.manager)
        # the credit gate now refuses new orders of this partner
        with self.assertRaisesRegex(Exception, "on hold"):
            partner._b2b_check_credit_hold()

    def test_hold_notice_keeps_a_suspension(self):
        partner = self._customer("T Suspended Store")
        partner.b2b_set_credit_status("suspended", "fraud check")
        self._invoice(partner, 100, 80)
        reminder = self._prepare(partner)
        reminder.with_user(self.manager).action_send()
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_status, "suspended")
        self.assertEqual(
            len(partner.b2b_credit_history_ids.filtered(lambda h: h.event == "override")), 1
        )

    # ------------------------------------------------------------------ collections hold lifted
    def _held_customer(self, name):
        """On hold by a sent hold notice: 1,200 due 70 days ago and 300 due 20 days ago.

        The automatic hold comes only after 90 days here, so the status is the notice's.
        """
        self.env["ir.config_parameter"].sudo().set_param(
            "smart_dairy_b2b.credit_hold_overdue_days", "90"
        )
        partner = self._customer(name)
        old = self._invoice(partner, 1200, 70)
        young = self._invoice(partner, 300, 20)
        reminder = self._prepare(partner)
        self.assertEqual(reminder.level_id, self.hold)
        reminder.with_user(self.manager).action_send()
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_status, "on_hold")
        self.assertEqual(partner.b2b_credit_hold_reminder_id, reminder)
        return partner, old, young, reminder

    def _pay(self, invoice, amount=None):
        """A payment registered by the credit manager with the register-payment wizard."""
        wizard = (
            self.env["account.payment.register"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount} if amount else {})
        )
        payment = wizard._create_payments()
        self.assertIn(invoice, payment.reconciled_invoice_ids)
        return payment

    def _lift_notes(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("body", "ilike", "Collections hold lifted"),
            ]
        )

    def _credit_note(self, invoice, amount):
        """A posted credit note of ``amount`` matched with ``invoice``."""
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "company_id": self.company.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "T returned", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        (invoice | refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()
        return refund

    def test_paying_the_old_invoices_lifts_the_collections_hold(self):
        partner, old, young, reminder = self._held_customer("T Paying Store")
        self._pay(old)
        self.assertIn(old.payment_state, ("paid", "in_payment"))
        partner.invalidate_recordset()
        # back to the automatic status (the 300 due 20 days ago is under the notice's 61 days)
        self.assertEqual(partner.b2b_credit_status, "active")
        self.assertFalse(partner.b2b_credit_status_manual)
        self.assertFalse(partner.b2b_credit_hold_reminder_id)
        self.assertEqual(young.payment_state, "not_paid")
        history = partner.b2b_credit_history_ids.filtered(lambda h: h.event == "override")
        history = history.sorted("id")
        self.assertEqual(
            [(h.old_value, h.new_value) for h in history],
            [("active", "on_hold"), ("on_hold", "automatic")],
        )
        lift = history[-1]
        self.assertEqual(lift.user_id, self.manager)
        self.assertIn(reminder.name, lift.reason)
        self.assertIn("overdue 61 days or more", lift.reason)
        self.assertIn("oldest overdue now: 20 days", lift.reason)
        note = self._lift_notes(partner)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.manager.partner_id)
        self.assertIn("reconciled by T Credit Manager", note.body)
        self.assertIn("Credit status now: Active", note.body)
        # an internal note: the customer is not e-mailed about it
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(self.env["mail.mail"].sudo().search([("mail_message_id", "=", note.id)]))
        partner._b2b_check_credit_hold()  # the credit gate lets orders through again

    def test_partial_payment_keeps_the_collections_hold(self):
        partner, old, young, reminder = self._held_customer("T Partial Store")
        self._pay(old, 1000.0)  # 200 of the 1,200 still open, 70 days late
        self.assertEqual(old.payment_state, "partial")
        self._pay(young)  # the invoice 20 days late paid in full does not change that
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_status, "on_hold")
        self.assertEqual(partner.b2b_credit_status_manual, "on_hold")
        self.assertEqual(partner.b2b_credit_hold_reminder_id, reminder)
        self.assertFalse(self._lift_notes(partner))
        # a credit note for the 200 left settles the old invoice: lifted
        self._credit_note(old, 200.0)
        self.assertIn(old.payment_state, ("paid", "in_payment"))
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_status, "active")
        self.assertFalse(partner.b2b_credit_hold_reminder_id)
        self.assertIn("oldest overdue now: 0 days", self._lift_notes(partner).body)

    def test_hold_set_by_a_credit_manager_stays_after_payment(self):
        partner, old, young, _reminder = self._held_customer("T Confirmed Store")
        # the credit manager confirms the hold by hand: now it is his, not the notice's
        partner.with_user(self.manager).b2b_set_credit_status(
            "on_hold", "cheques bounced twice; talk to the owner first"
        )
        self.assertFalse(partner.b2b_credit_hold_reminder_id)
        manual = self._customer("T Manual Store")
        inv = self._invoice(manual, 500, 70)
        manual.with_user(self.manager).b2b_set_credit_status("on_hold", "disputed deliveries")
        for invoice in (old, young, inv):
            self._pay(invoice)
        self._cron(partner | manual, self.today)
        for customer in (partner, manual):
            with self.subTest(customer=customer.name):
                customer.invalidate_recordset()
                self.assertEqual(customer.b2b_credit_status_manual, "on_hold")
                self.assertEqual(customer.b2b_credit_status, "on_hold")
                self.assertFalse(self._lift_notes(customer))

    def test_cron_lifts_a_hold_no_reconciliation_ended(self):
        partner, old, _young, reminder = self._held_customer("T Cancelled Store")
        # the old invoice was raised in error and is cancelled: nothing is reconciled
        old.button_draft()
        old.button_cancel()
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_hold_reminder_id, reminder)
        still_late = self._customer("T Still Late Store")
        self._invoice(still_late, 100, 75)
        self._prepare(still_late).with_user(self.manager).action_send()
        self.assertTrue(still_late.b2b_credit_hold_reminder_id)
        # the daily cron over every collections hold
        Reminder = self.Reminder.with_context(b2b_no_commit=True)
        Reminder._cron_b2b_collections(self.today)
        partner.invalidate_recordset()
        self.assertEqual(partner.b2b_credit_status, "active")
        self.assertFalse(partner.b2b_credit_hold_reminder_id)
        note = self._lift_notes(partner)
        self.assertEqual(len(note), 1)
        self.assertIn("by the daily collections run", note.body)
        # an invoice still 75 days late keeps its collections hold
        still_late.invalidate_recordset()
        self.assertEqual(still_late.b2b_credit_status_manual, "on_hold")
        self.assertTrue(still_late.b2b_credit_hold_reminder_id)
        self.assertFalse(self._lift_notes(still_late))
        Reminder._cron_b2b_collections(self.today)  # idempotent: no second note
        self.assertEqual(len(self._lift_notes(partner)), 1)

    def test_paid_before_sending_cancels(self):
        partner = self._customer("T Paid Store")
        inv = self._invoice(partner, 100, 5)
        reminder = self._prepare(partner)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=inv.ids
        ).create({})._create_payments()
        self.assertIn(inv.payment_state, ("paid", "in_payment"))
        reminder.with_user(self.manager).action_send()
        self.assertEqual(reminder.state, "cancel")
        self.assertFalse(reminder.mail_message_id)

    def test_seed_demo_is_idempotent(self):
        partner = self._customer("T Seed Store")
        self._invoice(partner, 100, 5)
        Partner = self.env["res.partner"]
        first = Partner._b2b_seed_collections_demo(self.today)
        second = Partner._b2b_seed_collections_demo(self.today)
        self.assertEqual(first, second)
        self.assertTrue(first.filtered(lambda r: r.partner_id == partner))
