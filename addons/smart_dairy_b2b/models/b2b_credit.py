# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit control on the commercial partner: limit, exposure, aging, status, score, history.

The figures are stored plain fields (searchable, indexed) refreshed for many partners at once
by :meth:`ResPartner._b2b_credit_refresh` with a handful of grouped SQL queries (like OCA
``account_financial_risk``), by a cron, and for one partner before every credit decision.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import credit

CREDIT_MANAGER_GROUP = "smart_dairy_base.group_b2b_manager"
FIGURES = [
    "b2b_aging_0_30",
    "b2b_aging_31_60",
    "b2b_aging_61_90",
    "b2b_aging_90_plus",
    "b2b_receivable",
    "b2b_overdue",
    "b2b_uninvoiced",
    "b2b_draft_orders",
    "b2b_exposure",
    "b2b_credit_available",
    "b2b_credit_utilisation",
    "b2b_max_overdue_days",
    "b2b_over_limit",
    "b2b_credit_auto_status",
    "b2b_credit_status",
]
SCORE_FIGURES = [
    "b2b_credit_score",
    "b2b_credit_band",
    "b2b_score_payment",
    "b2b_score_overdue",
    "b2b_score_volume",
    "b2b_score_age",
]


class B2bCreditHistory(models.Model):
    """Every change of a partner's credit limit or status and every single-order release."""

    _name = "smart.dairy.b2b.credit.history"
    _description = "B2B Credit History"
    _order = "create_date desc, id desc"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    event = fields.Selection(
        [
            ("limit", "Credit limit"),
            ("status", "Automatic status"),
            ("override", "Manual status"),
            ("release", "Order released"),
        ],
        required=True,
    )
    old_value = fields.Char()
    new_value = fields.Char()
    reason = fields.Text()
    order_id = fields.Many2one("sale.order", ondelete="set null")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, required=True)


class ResPartner(models.Model):
    _inherit = "res.partner"

    b2b_credit_limit_manual = fields.Monetary(
        string="Credit limit override",
        currency_field="currency_id",
        tracking=True,
        help="Overrides the tier's default credit limit when set (see the credit history).",
    )
    b2b_credit_limit_override = fields.Boolean(string="Override tier limit", tracking=True)
    b2b_credit_limit = fields.Monetary(
        currency_field="currency_id",
        compute="_compute_b2b_credit_limit",
        store=True,
        string="Credit limit",
    )
    b2b_aging_0_30 = fields.Monetary("0-30 days", currency_field="currency_id", readonly=True)
    b2b_aging_31_60 = fields.Monetary("31-60 days", currency_field="currency_id", readonly=True)
    b2b_aging_61_90 = fields.Monetary("61-90 days", currency_field="currency_id", readonly=True)
    b2b_aging_90_plus = fields.Monetary("90+ days", currency_field="currency_id", readonly=True)
    b2b_receivable = fields.Monetary(
        "Open receivables", currency_field="currency_id", readonly=True
    )
    b2b_overdue = fields.Monetary("Overdue", currency_field="currency_id", readonly=True)
    b2b_uninvoiced = fields.Monetary(
        "Uninvoiced confirmed orders", currency_field="currency_id", readonly=True
    )
    b2b_draft_orders = fields.Monetary("Quotations", currency_field="currency_id", readonly=True)
    b2b_exposure = fields.Monetary("Credit used", currency_field="currency_id", readonly=True)
    b2b_credit_available = fields.Monetary(
        "Credit available", currency_field="currency_id", readonly=True
    )
    b2b_credit_utilisation = fields.Float("Utilisation (%)", readonly=True, index=True)
    b2b_max_overdue_days = fields.Integer("Oldest overdue (days)", readonly=True)
    b2b_over_limit = fields.Boolean("Over credit limit", readonly=True, index=True)
    b2b_credit_auto_status = fields.Selection(
        credit.STATUSES, string="Automatic credit status", readonly=True
    )
    b2b_credit_status_manual = fields.Selection(
        credit.STATUSES,
        string="Credit status override",
        readonly=True,
        help="Set by a credit manager with a reason; beats the automatic status.",
    )
    b2b_credit_status = fields.Selection(
        credit.STATUSES, string="Credit status", readonly=True, index=True, default="active"
    )
    b2b_credit_refreshed_at = fields.Datetime(readonly=True)
    b2b_credit_score = fields.Integer(readonly=True, groups=CREDIT_MANAGER_GROUP)
    b2b_credit_band = fields.Selection(
        credit.BAND_SELECTION, string="Risk band", readonly=True, groups=CREDIT_MANAGER_GROUP
    )
    b2b_score_payment = fields.Float("Payment history", readonly=True, groups=CREDIT_MANAGER_GROUP)
    b2b_score_overdue = fields.Float("Overdue ratio", readonly=True, groups=CREDIT_MANAGER_GROUP)
    b2b_score_volume = fields.Float("Order volume", readonly=True, groups=CREDIT_MANAGER_GROUP)
    b2b_score_age = fields.Float("Relationship age", readonly=True, groups=CREDIT_MANAGER_GROUP)
    b2b_credit_history_ids = fields.One2many(
        "smart.dairy.b2b.credit.history", "partner_id", string="Credit history"
    )

    _sql_constraints = [
        (
            "b2b_credit_limit_manual_positive",
            "CHECK (b2b_credit_limit_manual IS NULL OR b2b_credit_limit_manual >= 0)",
            "A credit limit cannot be negative.",
        )
    ]

    @api.depends(
        "b2b_tier_id.default_credit_limit", "b2b_credit_limit_override", "b2b_credit_limit_manual"
    )
    def _compute_b2b_credit_limit(self):
        for partner in self:
            partner.b2b_credit_limit = (
                partner.b2b_credit_limit_manual
                if partner.b2b_credit_limit_override
                else partner.b2b_tier_id.default_credit_limit
            )

    # ------------------------------------------------------------------ manager actions
    def _b2b_check_credit_manager(self):
        if not (self.env.su or self.env.user.has_group(CREDIT_MANAGER_GROUP)):
            raise AccessError(self.env._("Only a credit manager may do this."))

    def b2b_set_credit_limit(self, limit, reason):
        """Override the tier's limit (``limit=None`` goes back to the tier), with a reason."""
        self._b2b_check_credit_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason for the credit limit change."))
        if limit is not None and limit < 0:
            raise UserError(self.env._("A credit limit cannot be negative."))
        for partner in self:
            old = partner.b2b_credit_limit
            partner.sudo().write(
                {
                    "b2b_credit_limit_override": limit is not None,
                    "b2b_credit_limit_manual": limit or 0.0,
                }
            )
            self.env["smart.dairy.b2b.credit.history"].sudo().create(
                {
                    "partner_id": partner.id,
                    "event": "limit",
                    "old_value": f"{old:.2f}",
                    "new_value": f"{partner.b2b_credit_limit:.2f}",
                    "reason": reason,
                }
            )
        self._b2b_credit_refresh()
        return True

    def b2b_set_credit_status(self, status, reason):
        """Manual status override by a credit manager (``status=False`` back to automatic)."""
        self._b2b_check_credit_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason for the credit status change."))
        if status and status not in dict(credit.STATUSES):
            raise UserError(self.env._("Unknown credit status %s.", status))
        for partner in self:
            self.env["smart.dairy.b2b.credit.history"].sudo().create(
                {
                    "partner_id": partner.id,
                    "event": "override",
                    "old_value": partner.b2b_credit_status,
                    "new_value": status or "automatic",
                    "reason": reason,
                }
            )
            partner.sudo().b2b_credit_status_manual = status or False
        self._b2b_credit_refresh()
        return True

    def _b2b_check_credit_hold(self):
        """Raise ``ValidationError`` when the partner's credit is on hold or suspended.

        Used by the portal quick order and the REST API before any order is created.
        """
        for partner in self.commercial_partner_id:
            if partner.b2b_status == "none":
                continue
            # sudo: refreshing the customer's own figures to decide; nothing is returned.
            partner.sudo()._b2b_credit_refresh()
            if partner.sudo().b2b_credit_status in credit.HOLD_STATUSES:
                raise ValidationError(
                    self.env._(
                        "Your account is %(status)s for credit (used %(used)s of %(limit)s, "
                        "oldest overdue invoice %(days)s days): please settle your overdue "
                        "invoices or contact us.",
                        status=dict(credit.STATUSES)[partner.sudo().b2b_credit_status].lower(),
                        used=f"{partner.sudo().b2b_exposure:,.2f}",
                        limit=f"{partner.sudo().b2b_credit_limit:,.2f}",
                        days=partner.sudo().b2b_max_overdue_days,
                    )
                )
        return True

    # ------------------------------------------------------------------ grouped computation
    @api.model
    def _b2b_credit_params(self):
        icp = self.env["ir.config_parameter"].sudo()
        return {
            "hold_days": int(
                icp.get_param(
                    "smart_dairy_b2b.credit_hold_overdue_days", credit.DEFAULT_HOLD_OVERDUE_DAYS
                )
            ),
            "include_drafts": icp.get_param("smart_dairy_b2b.credit_include_drafts", "0")
            in ("1", "True", "true"),
            "volume_reference": float(
                icp.get_param("smart_dairy_b2b.credit_score_volume_reference", 1_000_000)
            ),
        }

    def _b2b_credit_figures(self, today=None):
        """Aging, receivable, overdue, uninvoiced and draft amounts of commercial partners.

        Three grouped queries whatever the number of partners. Amounts are in company currency
        (receivables) and order currency (orders; the suite sells in BDT).
        """
        today = today or fields.Date.context_today(self)
        ids = tuple(self.ids) or (0,)
        cr = self.env.cr
        self.env.flush_all()
        figures = {
            pid: dict.fromkeys(
                [f"b2b_aging_{b}" for b in credit.BUCKETS]
                + ["b2b_receivable", "b2b_overdue", "b2b_uninvoiced", "b2b_draft_orders"],
                0.0,
            )
            | {"b2b_max_overdue_days": 0}
            for pid in self.ids
        }
        cr.execute(
            """
            SELECT p.commercial_partner_id,
                   SUM(CASE WHEN %(today)s - COALESCE(l.date_maturity, l.date) <= 30
                            THEN l.amount_residual ELSE 0 END),
                   SUM(CASE WHEN %(today)s - COALESCE(l.date_maturity, l.date) BETWEEN 31 AND 60
                            THEN l.amount_residual ELSE 0 END),
                   SUM(CASE WHEN %(today)s - COALESCE(l.date_maturity, l.date) BETWEEN 61 AND 90
                            THEN l.amount_residual ELSE 0 END),
                   SUM(CASE WHEN %(today)s - COALESCE(l.date_maturity, l.date) > 90
                            THEN l.amount_residual ELSE 0 END),
                   SUM(l.amount_residual),
                   SUM(CASE WHEN COALESCE(l.date_maturity, l.date) < %(today)s
                            THEN l.amount_residual ELSE 0 END),
                   MAX(CASE WHEN l.amount_residual > 0
                             AND COALESCE(l.date_maturity, l.date) < %(today)s
                            THEN %(today)s - COALESCE(l.date_maturity, l.date) ELSE 0 END)
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_account a ON a.id = l.account_id
             WHERE p.commercial_partner_id IN %(ids)s
               AND a.account_type = 'asset_receivable'
               AND l.parent_state = 'posted'
               AND NOT l.reconciled
             GROUP BY p.commercial_partner_id
            """,
            {"today": today, "ids": ids},
        )
        for pid, b0, b1, b2, b3, rec, overdue, max_days in cr.fetchall():
            figures[pid].update(
                b2b_aging_0_30=b0,
                b2b_aging_31_60=b1,
                b2b_aging_61_90=b2,
                b2b_aging_90_plus=b3,
                b2b_receivable=rec,
                b2b_overdue=overdue,
                b2b_max_overdue_days=max_days or 0,
            )
        cr.execute(
            """
            SELECT o.partner_commercial_id,
                   SUM(CASE WHEN o.state = 'sale'
                            THEN GREATEST(sl.product_uom_qty - sl.qty_invoiced, 0)
                                 * sl.price_reduce_taxinc ELSE 0 END),
                   SUM(CASE WHEN o.state IN ('draft', 'sent') THEN sl.price_total ELSE 0 END)
              FROM sale_order_line sl
              JOIN (SELECT so.id, so.state, p.commercial_partner_id AS partner_commercial_id
                      FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                     WHERE p.commercial_partner_id IN %(ids)s
                       AND so.state IN ('draft', 'sent', 'sale')) o ON o.id = sl.order_id
             WHERE sl.display_type IS NULL AND sl.is_downpayment IS NOT TRUE
             GROUP BY o.partner_commercial_id
            """,
            {"ids": ids},
        )
        for pid, uninvoiced, drafts in cr.fetchall():
            figures[pid].update(b2b_uninvoiced=uninvoiced or 0.0, b2b_draft_orders=drafts or 0.0)
        return figures

    def _b2b_credit_refresh(self, today=None, with_score=False):
        """Recompute and store the credit figures and status of these commercial partners."""
        partners = self.commercial_partner_id
        if not partners:
            return
        params = self._b2b_credit_params()
        figures = partners._b2b_credit_figures(today)
        cr = self.env.cr
        cr.execute(
            """SELECT id, b2b_credit_limit, b2b_credit_status_manual, b2b_credit_status
                 FROM res_partner WHERE id IN %s""",
            (tuple(partners.ids),),
        )
        rows = []
        history = []
        for pid, limit, manual, old_status in cr.fetchall():
            fig = figures[pid]
            limit = limit or 0.0
            exp = credit.exposure(
                fig["b2b_receivable"],
                fig["b2b_uninvoiced"],
                fig["b2b_draft_orders"],
                params["include_drafts"],
            )
            util = credit.utilisation(exp, limit) if limit > 0 else 0.0
            auto = credit.auto_status(util, fig["b2b_max_overdue_days"], params["hold_days"])
            status = credit.effective_status(auto, manual)
            if old_status and status != old_status and not manual:
                history.append(
                    {
                        "partner_id": pid,
                        "event": "status",
                        "old_value": old_status,
                        "new_value": status,
                        "reason": f"utilisation {util:.1f} %, oldest overdue "
                        f"{fig['b2b_max_overdue_days']} days",
                    }
                )
            rows.append(
                (
                    pid,
                    fig["b2b_aging_0_30"],
                    fig["b2b_aging_31_60"],
                    fig["b2b_aging_61_90"],
                    fig["b2b_aging_90_plus"],
                    fig["b2b_receivable"],
                    fig["b2b_overdue"],
                    fig["b2b_uninvoiced"],
                    fig["b2b_draft_orders"],
                    exp,
                    limit - exp if limit > 0 else 0.0,
                    util,
                    fig["b2b_max_overdue_days"],
                    limit > 0 and exp > limit,
                    auto,
                    status,
                )
            )
        # One UPDATE for all partners: plain stored fields nothing depends on (cache invalidated
        # below), so going round the ORM is safe and keeps 5,000 partners to a few queries.
        values = ",".join(
            cr.mogrify(
                "(%s,%s::numeric,%s::numeric,%s::numeric,%s::numeric,%s::numeric,%s::numeric,"
                "%s::numeric,%s::numeric,%s::numeric,%s::numeric,%s::float8,%s::int,%s::bool,"
                "%s::varchar,%s::varchar)",
                row,
            ).decode()
            for row in rows
        )
        sets = ", ".join(f"{f} = v.{f}" for f in FIGURES)
        # column names are constants of this module, values went through mogrify
        cr.execute(  # pylint: disable=sql-injection
            f"""UPDATE res_partner p SET {sets}, b2b_credit_refreshed_at = now() at time zone 'UTC'
                  FROM (VALUES {values}) AS v(id, {", ".join(FIGURES)})
                 WHERE p.id = v.id"""  # noqa: S608
        )
        partners.invalidate_recordset(FIGURES + ["b2b_credit_refreshed_at"])
        if history:
            self.env["smart.dairy.b2b.credit.history"].sudo().create(history)
        if with_score:
            partners._b2b_score_refresh(today)

    def _b2b_score_refresh(self, today=None):
        """Credit score of these commercial partners (grouped queries, nightly cron)."""
        today = today or fields.Date.context_today(self)
        params = self._b2b_credit_params()
        ids = tuple(self.ids) or (0,)
        cr = self.env.cr
        cr.execute(
            """
            SELECT p.commercial_partner_id, SUM(l.balance),
                   SUM(CASE WHEN r.paid_on <= COALESCE(l.date_maturity, l.date)
                            THEN l.balance ELSE 0 END)
              FROM account_move_line l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN account_account a ON a.id = l.account_id
              JOIN (SELECT debit_move_id, MAX(max_date) AS paid_on
                      FROM account_partial_reconcile GROUP BY debit_move_id) r
                ON r.debit_move_id = l.id
             WHERE p.commercial_partner_id IN %(ids)s AND a.account_type = 'asset_receivable'
               AND l.parent_state = 'posted' AND l.reconciled AND l.balance > 0
               AND l.date >= %(since)s
             GROUP BY p.commercial_partner_id
            """,
            {"ids": ids, "since": today - timedelta(days=365)},
        )
        paid = {pid: (total, ontime) for pid, total, ontime in cr.fetchall()}
        cr.execute(
            """
            SELECT p.commercial_partner_id,
                   SUM(CASE WHEN so.date_order >= %(since)s THEN so.amount_total ELSE 0 END),
                   MIN(so.date_order)
              FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
             WHERE p.commercial_partner_id IN %(ids)s AND so.state = 'sale'
             GROUP BY p.commercial_partner_id
            """,
            {"ids": ids, "since": today - timedelta(days=365)},
        )
        orders = {pid: (volume, first) for pid, volume, first in cr.fetchall()}
        for partner in self.sudo():
            total, ontime = paid.get(partner.id, (0.0, 0.0))
            volume, first = orders.get(partner.id, (0.0, None))
            since = min(d for d in (first and first.date(), partner.create_date.date()) if d)
            score, band, factors = credit.credit_score(
                credit.ScoreInput(
                    paid_total=total,
                    paid_on_time=ontime,
                    receivable=partner.b2b_receivable,
                    overdue=partner.b2b_overdue,
                    volume_12m=volume,
                    volume_reference=params["volume_reference"],
                    since=since,
                    today=today,
                )
            )
            partner.write(
                {
                    "b2b_credit_score": score,
                    "b2b_credit_band": band,
                    "b2b_score_payment": factors["payment_history"],
                    "b2b_score_overdue": factors["overdue_ratio"],
                    "b2b_score_volume": factors["order_volume"],
                    "b2b_score_age": factors["age"],
                }
            )

    @api.model
    def _cron_b2b_credit_refresh(self, batch=2000):
        """Nightly: figures, statuses and scores of every B2B partner, committed per batch."""
        partners = self.search([("b2b_status", "!=", "none"), ("is_company", "=", True)])
        for start in range(0, len(partners), batch):
            partners[start : start + batch]._b2b_credit_refresh(with_score=True)
            if not self.env.context.get("b2b_no_commit"):
                # one batch at a time: a failure later keeps the batches already done
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return True
