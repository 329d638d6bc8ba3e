# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standing orders: lines + a recurrence; one sales order per occurrence.

Idempotent by construction: a unique index on (standing order, occurrence date) of
``sale.order`` makes a second order for the same occurrence impossible, whether the cron runs
twice, in two workers, or after a crash halfway. Each occurrence is generated in its own
savepoint and committed on its own by the cron; a failure is kept on the standing order
(message, count) and notifies the salesperson with an activity, and the others go on.
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import standing
from ..lib.errors import error_message

_logger = logging.getLogger(__name__)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class B2bStandingOrder(models.Model):
    _name = "smart.dairy.b2b.standing.order"
    _description = "B2B Standing Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True, tracking=True)
    partner_shipping_id = fields.Many2one("res.partner", string="Delivery address")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one("res.users", string="Salesperson", default=lambda s: s.env.user)
    line_ids = fields.One2many("smart.dairy.b2b.standing.order.line", "standing_order_id")
    rule = fields.Selection(standing.RULES, required=True, default="weekly", tracking=True)
    mon = fields.Boolean()
    tue = fields.Boolean()
    wed = fields.Boolean()
    thu = fields.Boolean()
    fri = fields.Boolean()
    sat = fields.Boolean()
    sun = fields.Boolean()
    day_of_month = fields.Integer(default=1)
    date_start = fields.Date(required=True, default=fields.Date.context_today)
    date_end = fields.Date()
    skip_ids = fields.One2many("smart.dairy.b2b.standing.order.skip", "standing_order_id")
    state = fields.Selection(
        [("active", "Active"), ("paused", "Paused")], default="active", tracking=True
    )
    auto_confirm = fields.Boolean(help="Confirm generated orders; otherwise leave for review.")
    order_ids = fields.One2many("sale.order", "b2b_standing_order_id", string="Orders")
    last_error = fields.Text(readonly=True)
    error_count = fields.Integer(readonly=True)

    @api.constrains("rule", "day_of_month", "date_start", "date_end", *WEEKDAYS)
    def _check_recurrence(self):
        for so in self:
            if so.rule in ("weekly", "biweekly") and not so._weekdays():
                raise ValidationError(self.env._("Choose at least one weekday."))
            if so.rule == "monthly" and not 1 <= so.day_of_month <= 31:
                raise ValidationError(self.env._("The day of the month is between 1 and 31."))
            if so.date_end and so.date_end < so.date_start:
                raise ValidationError(self.env._("The end date is before the start date."))

    def _weekdays(self):
        return tuple(i for i, name in enumerate(WEEKDAYS) if self[name])

    def _due_dates(self, today):
        self.ensure_one()
        return standing.due_occurrences(
            self.rule,
            self.date_start,
            today,
            self.order_ids.mapped("b2b_occurrence_date"),
            weekdays=self._weekdays(),
            day_of_month=self.day_of_month,
            end=self.date_end,
            skip=set(self.skip_ids.mapped("date")),
        )

    def _prepare_order(self, day):
        return {
            "partner_id": self.partner_id.id,
            "partner_shipping_id": (self.partner_shipping_id or self.partner_id).id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "b2b_standing_order_id": self.id,
            "b2b_occurrence_date": day,
            "commitment_date": fields.Datetime.to_datetime(day),
            "origin": self.name,
            "order_line": [
                (0, 0, {"product_id": line.product_id.id, "product_uom_qty": line.quantity})
                for line in self.line_ids
            ],
        }

    def _generate(self, today=None, commit=False):
        """Create the due orders; returns the new orders. One savepoint per occurrence."""
        today = today or fields.Date.context_today(self)
        created = self.env["sale.order"]
        for so in self.filtered(lambda s: s.state == "active"):
            for day in so._due_dates(today):
                try:
                    with self.env.cr.savepoint():
                        order = self.env["sale.order"].create(so._prepare_order(day))
                        if so.auto_confirm:
                            order.action_confirm()
                    created |= order
                except (UserError, ValidationError) as exc:
                    so._b2b_record_failure(day, exc)
                if commit:
                    # one transaction per occurrence (crash-safe catch-up)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return created

    def _b2b_record_failure(self, day, exc):
        message = error_message(exc)
        _logger.warning("Standing order %s, occurrence %s failed: %s", self.name, day, message)
        self.write({"last_error": f"{day}: {message}", "error_count": self.error_count + 1})
        self.message_post(
            body=self.env._("Occurrence of %(day)s not generated: %(why)s", day=day, why=message)
        )
        if self.user_id:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id,
                summary=self.env._("Standing order occurrence failed"),
                note=message,
            )

    @api.model
    def _cron_generate(self):
        self.search([("state", "=", "active")])._generate(
            commit=not self.env.context.get("b2b_no_commit")
        )
        return True


class B2bStandingOrderLine(models.Model):
    _name = "smart.dairy.b2b.standing.order.line"
    _description = "B2B Standing Order Line"

    standing_order_id = fields.Many2one(
        "smart.dairy.b2b.standing.order", required=True, ondelete="cascade", index=True
    )
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Float(required=True, default=1.0)


class B2bStandingOrderSkip(models.Model):
    _name = "smart.dairy.b2b.standing.order.skip"
    _description = "B2B Standing Order Skip Date"

    standing_order_id = fields.Many2one(
        "smart.dairy.b2b.standing.order", required=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True)
    reason = fields.Char()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    b2b_standing_order_id = fields.Many2one(
        "smart.dairy.b2b.standing.order", copy=False, readonly=True, index="btree_not_null"
    )
    b2b_occurrence_date = fields.Date(copy=False, readonly=True)

    _sql_constraints = [
        (
            "b2b_standing_occurrence_uniq",
            "unique(b2b_standing_order_id, b2b_occurrence_date)",
            "This standing order already has an order for that date.",
        )
    ]
