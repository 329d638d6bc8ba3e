# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import single_email_re

from odoo.addons.l10n_bd_smart import bd_identifiers

from .res_partner import PARTNER_TYPES


class B2bApplication(models.Model):
    """A company's request to become a B2B partner, reviewed in stages.

    The stages (document verification -> credit assessment -> final approval) are
    ``tier.definition`` records of OCA ``base_tier_validation``: reviewers, sequence, comments
    and the chatter trail come from that mixin. The application moves ``submitted`` ->
    ``approved`` only once every stage is validated.
    """

    _name = "smart.dairy.b2b.application"
    _description = "B2B Partner Application"
    _inherit = ["mail.thread", "mail.activity.mixin", "tier.validation"]
    _order = "id desc"

    _state_field = "state"
    _state_from = ["submitted"]
    _state_to = ["approved"]
    _cancel_state = "rejected"
    _tier_validation_manual_config = False

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Under review"),
            ("more_info", "More documents requested"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("suspended", "Suspended"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    company_name = fields.Char(required=True, tracking=True)
    partner_type = fields.Selection(PARTNER_TYPES, required=True, tracking=True)
    contact_name = fields.Char(string="Contact person", required=True)
    email = fields.Char(required=True)
    phone = fields.Char(required=True)
    trade_licence = fields.Char(string="Trade licence no.", required=True)
    bd_bin = fields.Char(string="BIN", required=True)
    bd_etin = fields.Char(string="e-TIN")
    vat_registration = fields.Char(string="VAT registration")
    street = fields.Char()
    street2 = fields.Char()
    district_id = fields.Many2one("l10n_bd_smart.district", required=True)
    upazila_id = fields.Many2one(
        "l10n_bd_smart.upazila",
        string="Thana / Upazila",
        domain="[('district_id', '=', district_id)]",
    )
    zip = fields.Char(string="Postcode")
    partner_id = fields.Many2one("res.partner", readonly=True, copy=False, index=True)
    contact_id = fields.Many2one("res.partner", readonly=True, copy=False)
    delivery_ids = fields.One2many(
        related="partner_id.child_ids", string="Addresses and delivery locations"
    )
    document_ids = fields.One2many("smart.dairy.b2b.document", "application_id", copy=False)
    missing_document_type_ids = fields.Many2many(
        "smart.dairy.b2b.document.type", compute="_compute_missing_document_type_ids"
    )
    tier_id = fields.Many2one("smart.dairy.b2b.tier", tracking=True)
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.BDT", raise_if_not_found=False)
    )
    credit_limit = fields.Monetary(tracking=True)
    payment_term_id = fields.Many2one("account.payment.term", tracking=True)
    decision_reason = fields.Text(readonly=True, tracking=True)
    user_id = fields.Many2one("res.users", string="Partner admin user", readonly=True, copy=False)
    ip_address = fields.Char(readonly=True, copy=False)
    access_token = fields.Char(copy=False, groups="base.group_system")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    # ------------------------------------------------------------------ computes / checks
    @api.depends("document_ids.type_id")
    def _compute_missing_document_type_ids(self):
        mandatory = self.env["smart.dairy.b2b.document.type"].search([("mandatory", "=", True)])
        for app in self:
            app.missing_document_type_ids = mandatory - app.document_ids.type_id

    @api.model
    def _normalize_vals(self, vals):
        """Canonical identifiers; a ValidationError names the field that is wrong."""
        vals = dict(vals)
        checks = {
            "bd_bin": bd_identifiers.normalize_bin,
            "bd_etin": bd_identifiers.normalize_etin,
            "phone": bd_identifiers.normalize_phone,
            "zip": bd_identifiers.normalize_postcode,
        }
        for fname, func in checks.items():
            if vals.get(fname):
                try:
                    vals[fname] = func(vals[fname])
                except ValueError as exc:
                    raise ValidationError(str(exc)) from None
        if vals.get("email"):
            email = vals["email"].strip().lower()
            if not single_email_re.match(email):
                raise ValidationError(self.env._("%s is not a valid e-mail address.", email))
            vals["email"] = email
        if vals.get("trade_licence"):
            vals["trade_licence"] = vals["trade_licence"].strip().upper()
        return vals

    # Not on "state": a rejected application never comes back (no transition leaves
    # "rejected"), so only new identifiers need checking; the workflow's state writes stay cheap.
    @api.constrains("bd_bin", "trade_licence")
    def _check_duplicates(self):
        for app in self.filtered(lambda a: a.state not in ("rejected",)):
            # one query for both identifiers
            clash = self.search_read(
                [
                    ("id", "!=", app.id),
                    ("state", "not in", ("rejected",)),
                    "|",
                    ("bd_bin", "=", app.bd_bin),
                    ("trade_licence", "=", app.trade_licence),
                ],
                ["bd_bin"],
                limit=1,
            )
            if clash:
                same_bin = clash[0]["bd_bin"] == app.bd_bin
                raise ValidationError(
                    self.env._(
                        "%(label)s %(value)s has already been used by another application.",
                        label="BIN" if same_bin else "Trade licence",
                        value=app.bd_bin if same_bin else app.trade_licence,
                    )
                )
            partner_clash = self.env["res.partner"].search(
                [
                    ("parent_id", "=", False),
                    ("id", "!=", app.partner_id.id),
                    "|",
                    ("bd_bin", "=", app.bd_bin),
                    ("b2b_trade_licence", "=", app.trade_licence),
                ],
                limit=1,
            )
            if partner_clash:
                raise ValidationError(
                    self.env._(
                        "A partner with this BIN or trade licence already exists (%s).",
                        partner_clash.name,
                    )
                )

    @api.onchange("tier_id")
    def _onchange_tier_id(self):
        if self.tier_id:
            self.credit_limit = self.tier_id.default_credit_limit
            self.payment_term_id = self.tier_id.payment_term_id

    # ------------------------------------------------------------------ ORM
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize_vals(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("smart.dairy.b2b.application")
            vals.setdefault("access_token", secrets.token_urlsafe(24))
        return super().create(vals_list)

    def write(self, vals):
        return super().write(self._normalize_vals(vals))

    # Reviewers fill the commercial terms and verify documents while the review runs.
    _b2b_review_fields = ["tier_id", "credit_limit", "payment_term_id", "document_ids"]

    @api.model
    def _get_under_validation_exceptions(self):
        return super()._get_under_validation_exceptions() + self._b2b_review_fields

    @api.model
    def _get_all_validation_exceptions(self):
        return super()._get_all_validation_exceptions() + self._b2b_review_fields

    # ------------------------------------------------------------------ workflow
    def _prepare_partner_vals(self):
        self.ensure_one()
        return {
            "name": self.company_name,
            "is_company": True,
            "email": self.email,
            "phone": self.phone,
            "street": self.street,
            "street2": self.street2,
            "zip": self.zip,
            "city": (self.upazila_id or self.district_id).name,
            "bd_district_id": self.district_id.id,
            "bd_upazila_id": self.upazila_id.id,
            "country_id": self.env.ref("base.bd").id,
            "bd_bin": self.bd_bin,
            "bd_etin": self.bd_etin,
            "b2b_trade_licence": self.trade_licence,
            "b2b_vat_registration": self.vat_registration,
            "b2b_partner_type": self.partner_type,
            "b2b_status": "pending",
            "company_id": False,
        }

    def action_submit(self, delivery_locations=None):
        """Create the (pending) partner, its contact and delivery addresses; start reviews."""
        for app in self:
            if app.state not in ("draft", "more_info"):
                raise UserError(self.env._("Only draft applications can be submitted."))
            # No "created" note on the partner and its addresses: the application's chatter
            # tells the story (one message less per record created).
            Partner = self.env["res.partner"].sudo().with_context(mail_create_nolog=True)
            if not app.partner_id:
                partner = Partner.create(app._prepare_partner_vals())
                # contact and delivery addresses in one batch
                children = Partner.create(
                    [
                        {
                            "name": app.contact_name,
                            "parent_id": partner.id,
                            "type": "contact",
                            "email": app.email,
                            "phone": app.phone,
                        }
                    ]
                    + [
                        dict(
                            Partner._b2b_delivery_location_vals(
                                loc, label=self.env._("Delivery location %s", index)
                            ),
                            parent_id=partner.id,
                        )
                        for index, loc in enumerate(delivery_locations or [], start=1)
                    ]
                )
                app.write(
                    {"partner_id": partner.id, "contact_id": children[0].id, "state": "submitted"}
                )
            else:
                app.partner_id.sudo().b2b_status = "pending"
                app.state = "submitted"
            if app.review_ids:
                app.restart_validation()
            else:
                app.request_validation()
            app._b2b_refresh_reviews()
            app.message_post(body=self.env._("Application submitted for review."))
        return True

    def _b2b_refresh_reviews(self):
        """Move the next stage to "pending" now (core does it lazily when the form reads it)."""
        self.review_ids._compute_can_review()
        self.env.flush_all()
        # need_validation / can_review are non-stored computes without dependencies: drop them.
        self.invalidate_recordset(["validation_status", "need_validation", "can_review"])

    def _validate_tier(self, tiers=False):
        res = super()._validate_tier(tiers)
        self._b2b_refresh_reviews()
        return res

    def _send_template(self, xmlid):
        template = self.env.ref(xmlid)
        for app in self:
            # sudo: the applicant is anonymous; the template only reads this application.
            template.sudo().send_mail(app.id, force_send=False)

    def _check_approvable(self):
        self.ensure_one()
        if self.state != "submitted":
            raise UserError(self.env._("Only applications under review can be approved."))
        if self.missing_document_type_ids:
            raise ValidationError(
                self.env._(
                    "Missing mandatory documents: %s. Request them from the applicant first.",
                    ", ".join(self.missing_document_type_ids.mapped("name")),
                )
            )
        if not self.tier_id:
            raise ValidationError(self.env._("Assign a tier before approving."))
        if not self.payment_term_id:
            raise ValidationError(self.env._("Assign payment terms before approving."))
        if self.credit_limit < 0:
            raise ValidationError(self.env._("The credit limit cannot be negative."))
        if self.validation_status != "validated":
            raise ValidationError(
                self.env._(
                    "Every review stage must be validated first (%s).", self.next_review or "-"
                )
            )

    def action_approve(self):
        """Final approval: terms on the partner, first portal user as partner admin."""
        if not (self.env.su or self.env.user.has_group("smart_dairy_base.group_b2b_manager")):
            raise AccessError(self.env._("Only B2B managers approve partners."))
        self._b2b_refresh_reviews()
        for app in self:
            app._check_approvable()
            app.state = "approved"
            partner = app.partner_id
            # sudo: credit fields are reserved to accounting groups; the B2B manager's authority
            # to set them is this approval (checked above: manager group + validated stages).
            partner.sudo().with_context(
                b2b_tier_change_reason=self.env._("Approval of %s", app.name)
            ).write(
                {
                    "b2b_status": "approved",
                    "b2b_tier_id": app.tier_id.id,
                    "credit_limit": app.credit_limit,
                    "use_partner_credit_limit": True,
                    "property_payment_term_id": app.payment_term_id.id,
                }
            )
            user = app.contact_id._b2b_grant_portal("admin")
            app.user_id = user
            msg = self.env._(
                "Approved by %(user)s: tier %(tier)s, credit limit %(limit)s, %(terms)s. "
                "Portal invitation sent to %(email)s.",
                user=self.env.user.name,
                tier=app.tier_id.name,
                limit=app.credit_limit,
                terms=app.payment_term_id.name,
                email=app.email,
            )
            app.message_post(body=msg)
            partner.message_post(body=msg)
        return True

    def _action_decide(self, action, reason):
        """reject / more_info / suspend with a reason (wizard and tests call this)."""
        if not (reason or "").strip():
            raise ValidationError(self.env._("Give a reason; the applicant will read it."))
        for app in self:
            if action == "reject":
                if app.state not in ("submitted", "more_info", "draft"):
                    raise UserError(self.env._("This application can no longer be rejected."))
                pending = app.review_ids.filtered(lambda r: r.status in ("waiting", "pending"))
                pending.sudo().write({"status": "rejected", "done_by": self.env.uid})
                app.write({"state": "rejected", "decision_reason": reason})
                app.partner_id.sudo().b2b_status = "rejected"
                app._send_template("smart_dairy_b2b.mail_template_b2b_application_rejected")
            elif action == "more_info":
                if app.state != "submitted":
                    raise UserError(self.env._("Documents can be requested during review only."))
                app.with_context(skip_validation_check=True).write(
                    {"state": "more_info", "decision_reason": reason}
                )
                app._send_template("smart_dairy_b2b.mail_template_b2b_application_more_info")
            elif action == "suspend":
                if app.state != "approved":
                    raise UserError(self.env._("Only approved partners can be suspended."))
                app.write({"state": "suspended", "decision_reason": reason})
                app.partner_id.action_b2b_suspend()
            else:
                raise UserError(self.env._("Unknown decision %s.", action))
            app.message_post(
                body=self.env._(
                    "%(action)s by %(user)s: %(reason)s",
                    action={
                        "reject": self.env._("Rejected"),
                        "more_info": self.env._("More documents requested"),
                        "suspend": self.env._("Suspended"),
                    }[action],
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return True

    def _open_decision_wizard(self, action):
        return {
            "type": "ir.actions.act_window",
            "res_model": "smart.dairy.b2b.application.action.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_application_id": self.id, "default_action": action},
        }

    def action_reject_wizard(self):
        return self._open_decision_wizard("reject")

    def action_more_info_wizard(self):
        return self._open_decision_wizard("more_info")

    def action_suspend_wizard(self):
        return self._open_decision_wizard("suspend")

    def _b2b_upload_url(self):
        self.ensure_one()
        base = self.get_base_url()
        return f"{base}/b2b/application/{self.id}/documents?token={self.sudo().access_token}"

    @api.model
    def _get_tier_validation_model_names(self):
        return [self._name]


class TierDefinition(models.Model):
    _inherit = "tier.definition"

    @api.model
    def _get_tier_validation_model_names(self):
        return super()._get_tier_validation_model_names() + ["smart.dairy.b2b.application"]
