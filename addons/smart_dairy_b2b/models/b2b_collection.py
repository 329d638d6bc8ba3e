# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Collections: reminders per aging bucket with escalation (friendly → firm → hold notice).

* ``smart.dairy.b2b.collection.level`` — the escalation levels as data (overdue days from / to,
  mail template, whether it puts the partner on hold, whether the cron sends it unattended).
* ``smart.dairy.b2b.collection.reminder`` — ONE reminder per customer (commercial partner and
  company) listing ALL its overdue invoices. A *draft* reminder is the editable preview (the
  rendered body can be changed before sending); a *sent* one is the log (level, date, invoices,
  amount, mail message, user).

The level of a customer is chosen by the age of its oldest overdue invoice. The daily cron
prepares the due reminders (drafts for review) and sends those whose level is sent
unattended; it is idempotent: the same level is not sent twice for the same invoices within
``smart_dairy_b2b.collection_repeat_days`` days (a new overdue invoice or a higher level does
give a new reminder). Sending a hold-notice level puts the partner on hold through the credit
status API (``res.partner.b2b_set_credit_status``), with the reminder as the reason, and records
that reminder on the partner (``b2b_credit_hold_reminder_id``). Such a collections hold is lifted
by itself (back to the automatic status, logged in the credit history and the chatter) once no
invoice of the customer is overdue by the notice level's days any more: right after a payment or
credit note is reconciled (``account.partial.reconcile`` creation) and by the daily cron (for
what reconciliation does not see: a cancelled invoice, a changed level). A status set by a
credit manager by hand is never lifted by itself.

OCA ``account_credit_control`` (18.0 exists) was evaluated: its communications are one per
partner and level too, but keep no editable body and know nothing of the B2B credit status;
see the README.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from ..lib import credit
from .b2b_credit import CREDIT_MANAGER_GROUP

_logger = logging.getLogger(__name__)
DEFAULT_REPEAT_DAYS = 7


def select_level(levels, days):
    """The level for a customer whose oldest overdue invoice is ``days`` days late.

    ``levels``: ``[(key, min_days, max_days), ...]`` with ``max_days`` 0 for "and more".
    Among the levels whose range contains ``days``, the one starting latest wins; ``None``
    when nothing is overdue or no range matches.
    """
    if days <= 0:
        return None
    best = None
    for key, low, high in levels:
        if days >= low and (not high or days <= high) and (best is None or low > best[1]):
            best = (key, low)
    return best and best[0]


class B2bCollectionLevel(models.Model):
    _name = "smart.dairy.b2b.collection.level"
    _description = "B2B Collection Reminder Level"
    _order = "min_days, id"

    name = fields.Char(required=True, translate=True)
    min_days = fields.Integer(
        "Overdue from (days)", required=True, default=1, help="Oldest overdue invoice at least…"
    )
    max_days = fields.Integer(
        "Overdue to (days)", default=0, help="…and at most this many days late (0: no upper end)."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        required=True,
        domain="[('model', '=', 'res.partner')]",
        help="Rendered on the customer with `invoices`, `amount`, `currency`, `days` and "
        "`level` in the rendering context.",
    )
    set_hold = fields.Boolean(
        "Puts the partner on hold",
        help="Sending this reminder sets the partner's credit status to On hold.",
    )
    auto_send = fields.Boolean(
        "Sent by the cron",
        help="The daily cron sends it unattended; otherwise it waits as a draft for review.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "b2b_collection_level_days",
            "CHECK (min_days >= 1 AND (max_days = 0 OR max_days >= min_days))",
            "A level starts at 1 day overdue or later and ends after it starts.",
        )
    ]


class B2bCollectionReminder(models.Model):
    _name = "smart.dairy.b2b.collection.reminder"
    _description = "B2B Collection Reminder"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    level_id = fields.Many2one(
        "smart.dairy.b2b.collection.level", required=True, readonly=True, ondelete="restrict"
    )
    set_hold = fields.Boolean(related="level_id.set_hold")
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    state = fields.Selection(
        [("draft", "To send"), ("sent", "Sent"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        index=True,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "smart_dairy_b2b_collection_reminder_move_rel",
        "reminder_id",
        "move_id",
        string="Overdue invoices",
        readonly=True,
        check_company=True,
    )
    amount = fields.Monetary("Overdue amount", currency_field="currency_id", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    oldest_days = fields.Integer("Oldest overdue (days)", readonly=True)
    email_to_partner_id = fields.Many2one("res.partner", string="Send to", readonly=True)
    subject = fields.Char()
    body = fields.Html(sanitize_style=True)
    mail_message_id = fields.Many2one("mail.message", readonly=True, ondelete="set null")
    user_id = fields.Many2one("res.users", string="Sent by", readonly=True)
    sent_at = fields.Datetime(readonly=True)

    @api.depends("partner_id", "level_id", "date")
    def _compute_name(self):
        for reminder in self:
            reminder.name = (
                f"{reminder.level_id.name} - {reminder.partner_id.name} ({reminder.date})"
            )

    def write(self, vals):
        if {"subject", "body"} & set(vals) and self.filtered(lambda r: r.state != "draft"):
            raise UserError(self.env._("A sent reminder cannot be changed."))
        return super().write(vals)

    # ------------------------------------------------------------------ gathering
    @api.model
    def _b2b_repeat_days(self):
        icp = self.env["ir.config_parameter"].sudo()
        return int(icp.get_param("smart_dairy_b2b.collection_repeat_days", DEFAULT_REPEAT_DAYS))

    @api.model
    def _b2b_overdue_by_customer(self, today, partners=None):
        """``{(commercial partner, company): account.move}`` of open overdue customer invoices."""
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("amount_residual", ">", 0),
        ]
        if partners is not None:
            domain.append(("commercial_partner_id", "in", partners.commercial_partner_id.ids))
        groups = {}
        moves = self.env["account.move"].search(domain, order="invoice_date_due, id")
        for move in moves:
            key = (move.commercial_partner_id, move.company_id)
            groups.setdefault(key, self.env["account.move"])
            groups[key] |= move
        return groups

    @api.model
    def _b2b_prepare(self, today=None, partners=None):
        """Create the draft reminders due at ``today``; returns them (idempotent).

        Nothing is created for a customer who already got this level within the repeat window
        for the same invoices, or who already has the same draft waiting.
        """
        today = today or fields.Date.context_today(self)
        levels = self.env["smart.dairy.b2b.collection.level"].search([])
        ranges = [(level.id, level.min_days, level.max_days) for level in levels]
        since = today - timedelta(days=self._b2b_repeat_days())
        created = self.browse()
        for (partner, company), invoices in self._b2b_overdue_by_customer(today, partners).items():
            oldest = max((today - inv.invoice_date_due).days for inv in invoices)
            level = levels.browse(select_level(ranges, oldest))
            if not level:
                continue
            previous = self.search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "in", ("draft", "sent")),
                    "|",
                    ("state", "=", "draft"),
                    ("date", ">", since),
                ]
            )
            if any(
                r.level_id == level and not (invoices - r.invoice_ids)
                for r in previous.filtered(lambda r: r.state == "sent")
            ):
                continue
            drafts = previous.filtered(lambda r: r.state == "draft")
            if any(r.level_id == level and r.invoice_ids == invoices for r in drafts):
                continue
            # an older preview (other level or other invoices) is superseded
            drafts.write({"state": "cancel"})
            created |= self._b2b_create_draft(partner, company, level, invoices, oldest, today)
        return created

    @api.model
    def _b2b_create_draft(self, partner, company, level, invoices, oldest, today):
        amount = sum(invoices.mapped("amount_residual_signed"))
        recipient = self.env["res.partner"].browse(partner.address_get(["invoice"])["invoice"])
        template = level.mail_template_id
        context = {
            "invoices": invoices,
            "amount": amount,
            "currency": company.currency_id,
            "days": oldest,
            "level": level,
            "today": today,
        }
        body = template._render_field(
            "body_html", partner.ids, compute_lang=True, add_context=context
        )[partner.id]
        subject = template._render_field(
            "subject", partner.ids, compute_lang=True, add_context=context
        )[partner.id]
        return self.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "level_id": level.id,
                "date": today,
                "invoice_ids": [fields.Command.set(invoices.ids)],
                "amount": amount,
                "oldest_days": oldest,
                "email_to_partner_id": recipient.id,
                "subject": subject,
                "body": body,
            }
        )

    # ------------------------------------------------------------------ sending
    def _b2b_check_manager(self):
        if not (self.env.su or self.env.user.has_group(CREDIT_MANAGER_GROUP)):
            raise AccessError(self.env._("Only a credit manager may send collection reminders."))

    def action_send(self):
        """Send these draft reminders as they are now (edited body included)."""
        self._b2b_check_manager()
        for reminder in self:
            reminder._b2b_send_one()
        return True

    def action_cancel(self):
        self._b2b_check_manager()
        self.filtered(lambda r: r.state == "draft").write({"state": "cancel"})
        return True

    def _b2b_send_one(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("%s was already sent or cancelled.", self.name))
        recipient = self.email_to_partner_id or self.partner_id
        if not recipient.email:
            raise UserError(
                self.env._("%s has no e-mail address for reminders.", recipient.display_name)
            )
        if not html2plaintext(self.body or "").strip():
            raise UserError(self.env._("The reminder to %s is empty.", self.partner_id.name))
        still_open = self.invoice_ids.filtered(
            lambda inv: inv.payment_state in ("not_paid", "partial")
        )
        if not still_open:
            self.state = "cancel"
            return self.env["mail.message"]
        partner = self.partner_id
        # sudo: the credit manager (checked) posts on the customer's chatter whatever his
        # rights on contacts; the message is the reviewed body, unchanged.
        message = partner.sudo().message_post(
            body=self.body,
            subject=self.subject,
            partner_ids=recipient.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            mail_auto_delete=False,
            email_layout_xmlid="mail.mail_notification_light",
        )
        self.write(
            {
                "state": "sent",
                "mail_message_id": message.id,
                "user_id": self.env.user.id,
                "sent_at": fields.Datetime.now(),
                "invoice_ids": [fields.Command.set(still_open.ids)],
            }
        )
        if self.level_id.set_hold and partner.b2b_status != "none":
            status = partner.sudo().b2b_credit_status
            if status not in credit.HOLD_STATUSES:
                partner.sudo().b2b_set_credit_status(
                    "on_hold",
                    self.env._(
                        "Collections: %(level)s sent on %(date)s for %(count)s overdue "
                        "invoice(s), oldest %(days)s days late.",
                        level=self.level_id.name,
                        date=self.date,
                        count=len(still_open),
                        days=self.oldest_days,
                    ),
                )
                # after the API call, which forgets any earlier origin: this hold is ours
                partner.sudo().b2b_credit_hold_reminder_id = self
        return message

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_b2b_collections(self, today=None, partners=None):
        """Lift the collections holds no longer due, prepare the due reminders and send those of
        unattended levels, one customer at a time."""
        commit = not self.env.context.get("b2b_no_commit")
        held = partners
        if held is None:
            # sudo: the cron looks at every collections hold whatever its user may read
            held = (
                self.env["res.partner"]
                .sudo()
                .search([("b2b_credit_hold_reminder_id", "!=", False)])
            )
        held._b2b_lift_collection_holds(today, self.env._("by the daily collections run"))
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        drafts = self._b2b_prepare(today, partners)
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        for reminder in drafts.filtered(lambda r: r.level_id.auto_send):
            try:
                with self.env.cr.savepoint():
                    reminder._b2b_send_one()
            except UserError as exc:
                _logger.warning("Collection reminder %s not sent: %s", reminder.name, exc)
            if commit:
                # one customer per transaction: a failure keeps the reminders already sent
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return True


class ResPartner(models.Model):
    _inherit = "res.partner"

    b2b_collection_reminder_ids = fields.One2many(
        "smart.dairy.b2b.collection.reminder",
        "partner_id",
        string="Collection reminders",
        groups=CREDIT_MANAGER_GROUP,
    )
    b2b_credit_hold_reminder_id = fields.Many2one(
        "smart.dairy.b2b.collection.reminder",
        string="On hold by reminder",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="smart_dairy_base.group_b2b_user",
        help="The hold notice that put this customer on hold. This hold is lifted by itself "
        "once no invoice is overdue past that level any more; a status set by a credit "
        "manager by hand is not.",
    )

    def b2b_set_credit_status(self, status, reason):
        """A status set through the API is a person's decision: never lifted by itself.

        The hold notice calls it too and records itself as the origin afterwards.
        """
        result = super().b2b_set_credit_status(status, reason)
        # sudo: the caller passed the credit manager check above
        self.sudo().filtered("b2b_credit_hold_reminder_id").b2b_credit_hold_reminder_id = False
        return result

    def _b2b_lift_collection_holds(self, today=None, trigger=""):
        """Lift the holds put on these customers by hold notices once they are paid.

        A collections hold (``b2b_credit_hold_reminder_id`` set, status still On hold) is lifted
        when no invoice of the customer, in any company, is overdue by the notice level's
        ``min_days`` or more any more (paid, credited or cancelled; a partial payment leaves
        the invoice overdue). The partner goes back to the automatic status through
        ``b2b_set_credit_status`` (credit history) and a note in its chatter says who, what and
        why (``trigger``). Returns the partners lifted.
        """
        today = today or fields.Date.context_today(self)
        # sudo: a payment being reconciled by an accountant (or the cron) decides on the
        # customer's credit fields and all its overdue invoices; only these few partners,
        # nothing is returned to the caller but them, and every change is logged with its reason.
        held = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("id", "in", self.commercial_partner_id.ids),
                    ("b2b_credit_hold_reminder_id", "!=", False),
                    ("b2b_credit_status_manual", "=", "on_hold"),
                ]
            )
        )
        if not held:
            return self.browse()
        Reminder = self.env["smart.dairy.b2b.collection.reminder"].sudo()
        oldest = {}
        for (partner, _company), invoices in Reminder._b2b_overdue_by_customer(today, held).items():
            days = max((today - inv.invoice_date_due).days for inv in invoices)
            oldest[partner.id] = max(oldest.get(partner.id, 0), days)
        lifted = self.env["res.partner"]
        for partner in held:
            reminder = partner.b2b_credit_hold_reminder_id
            days = oldest.get(partner.id, 0)
            if days >= reminder.level_id.min_days:
                continue
            reason = self.env._(
                "Collections hold lifted automatically: %(reminder)s had put the account on "
                "hold; no invoice is overdue %(days)s days or more any more (oldest overdue "
                "now: %(oldest)s days). Checked %(trigger)s.",
                reminder=reminder.name,
                days=reminder.level_id.min_days,
                oldest=days,
                trigger=trigger,
            )
            partner.b2b_set_credit_status(False, reason)
            partner.message_post(
                body=self.env._(
                    "%(reason)s Credit status now: %(status)s.",
                    reason=reason,
                    status=dict(credit.STATUSES)[partner.b2b_credit_status],
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            lifted |= partner
        return lifted.with_env(self.env)

    @api.model
    def _b2b_seed_collections_demo(self, today=None):
        """Demo collections (idempotent): the due reminders of today as drafts, one sent.

        Relies on the open invoices of the credit demo (``b2b_seed_demo``); with none, does
        nothing. Sends one friendly reminder so the log is not empty.
        """
        Reminder = self.env["smart.dairy.b2b.collection.reminder"].sudo()
        drafts = Reminder._b2b_prepare(today)
        if not Reminder.search_count([("state", "=", "sent")]):
            friendly = drafts.filtered(
                lambda r: not r.level_id.set_hold and (r.email_to_partner_id or r.partner_id).email
            )[:1]
            if friendly:
                friendly._b2b_send_one()
        return Reminder.search([("state", "in", ("draft", "sent"))])


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """A payment or credit note just matched invoices: lift the collections holds it ends."""
        partials = super().create(vals_list)
        lines = partials.debit_move_id | partials.credit_move_id
        partners = lines.partner_id.commercial_partner_id
        if partners:
            partners._b2b_lift_collection_holds(
                trigger=self.env._(
                    "after a payment or credit note reconciled by %s", self.env.user.name
                )
            )
        return partials
