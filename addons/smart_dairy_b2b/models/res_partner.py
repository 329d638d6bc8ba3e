# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.l10n_bd_smart import bd_identifiers

PARTNER_TYPES = [
    ("distributor", "Distributor"),
    ("retailer", "Retailer"),
    ("horeca", "HORECA"),
    ("institutional", "Institutional"),
]
B2B_STATUSES = [
    ("none", "Not a B2B partner"),
    ("pending", "Pending approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("suspended", "Suspended"),
]
# Statuses in which the partner may not be sold to nor use the B2B portal.
BLOCKED_STATUSES = ("pending", "rejected", "suspended")
# What a delivery location (child address of type "delivery") may carry, from a form or the API.
DELIVERY_LOCATION_FIELDS = (
    "name",
    "street",
    "street2",
    "bd_district_id",
    "bd_upazila_id",
    "zip",
    "phone",
    "comment",
    "b2b_opening_hours",
    "b2b_delivery_window",
    "b2b_latitude",
    "b2b_longitude",
)
# Only B2B managers (or the approval workflow running as superuser) change these.
PROTECTED_FIELDS = {"b2b_status", "b2b_tier_id", "b2b_contract_pricelist_id"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    b2b_status = fields.Selection(
        B2B_STATUSES, string="B2B status", default="none", required=True, tracking=True, index=True
    )
    b2b_partner_type = fields.Selection(PARTNER_TYPES, string="Partner type", tracking=True)
    b2b_tier_id = fields.Many2one(
        "smart.dairy.b2b.tier", string="Tier", tracking=True, ondelete="restrict", index=True
    )
    b2b_tier_history_ids = fields.One2many(
        "smart.dairy.b2b.tier.history", "partner_id", string="Tier history"
    )
    b2b_trade_licence = fields.Char(string="Trade licence no.", copy=False, index=True)
    b2b_vat_registration = fields.Char(string="VAT registration", copy=False)
    b2b_contract_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Contract pricelist",
        copy=False,
        help="Partner-specific prices; its last rule falls back to the tier pricelist.",
    )
    b2b_application_ids = fields.One2many(
        "smart.dairy.b2b.application", "partner_id", string="B2B applications"
    )
    # Delivery locations are child addresses of type "delivery" with these extra fields.
    b2b_opening_hours = fields.Char(string="Opening hours")
    b2b_delivery_window = fields.Char(string="Preferred delivery window")
    b2b_latitude = fields.Float(string="Latitude", digits=(10, 7))
    b2b_longitude = fields.Float(string="Longitude", digits=(10, 7))

    # ------------------------------------------------------------------ constraints
    @api.constrains("b2b_trade_licence")
    def _check_b2b_trade_licence_unique(self):
        commercial = self.filtered(lambda p: p.b2b_trade_licence and not p.parent_id)
        if not commercial:
            return
        clash = self.search(
            [
                ("b2b_trade_licence", "in", commercial.mapped("b2b_trade_licence")),
                ("id", "not in", commercial.ids),
                ("parent_id", "=", False),
            ],
            limit=1,
        )
        if clash:
            raise ValidationError(
                self.env._(
                    "Trade licence %(licence)s is already registered for %(name)s.",
                    licence=clash.b2b_trade_licence,
                    name=clash.name,
                )
            )

    @api.constrains("b2b_latitude", "b2b_longitude")
    def _check_b2b_geolocation(self):
        for partner in self:
            if not (-90 <= partner.b2b_latitude <= 90 and -180 <= partner.b2b_longitude <= 180):
                raise ValidationError(self.env._("Latitude/longitude out of range."))

    # ------------------------------------------------------------------ ORM
    def _b2b_check_protected_write(self, vals):
        if PROTECTED_FIELDS & set(vals) and not (
            self.env.su or self.env.user.has_group("smart_dairy_base.group_b2b_manager")
        ):
            raise AccessError(
                self.env._("Only B2B managers can change a partner's B2B status, tier or prices.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("b2b_status", "none") not in ("none", "pending"):
                self._b2b_check_protected_write({"b2b_status": vals["b2b_status"]})
            if vals.get("b2b_tier_id") or vals.get("b2b_contract_pricelist_id"):
                self._b2b_check_protected_write(vals)
        partners = super().create(vals_list)
        partners.filtered("b2b_tier_id")._b2b_apply_pricelist()
        return partners

    def write(self, vals):
        self._b2b_check_protected_write(vals)
        tier_change = "b2b_tier_id" in vals
        if tier_change:
            new_tier = self.env["smart.dairy.b2b.tier"].browse(vals["b2b_tier_id"] or [])
            history = [
                {
                    "partner_id": partner.id,
                    "old_tier_id": partner.b2b_tier_id.id,
                    "new_tier_id": new_tier.id,
                    "reason": self.env.context.get("b2b_tier_change_reason"),
                }
                for partner in self
                if partner.b2b_tier_id != new_tier
            ]
        res = super().write(vals)
        if tier_change and history:
            self.env["smart.dairy.b2b.tier.history"].sudo().create(history)
            reason = self.env.context.get("b2b_tier_change_reason")
            for partner in self:
                partner.message_post(
                    body=self.env._(
                        "Tier set to %(tier)s by %(user)s. Reason: %(reason)s",
                        tier=new_tier.name or "-",
                        user=self.env.user.name,
                        reason=reason or "-",
                    )
                )
        if tier_change or "b2b_contract_pricelist_id" in vals:
            self._b2b_apply_pricelist()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for partner, vals in zip(self, vals_list, strict=True):
            # A copy of a B2B partner is a new applicant: it must go through approval again
            # (and gets no tier, contract prices or identifiers of the original).
            if partner.b2b_status != "none" and "b2b_status" not in (default or {}):
                vals["b2b_status"] = "pending"
                vals.pop("b2b_tier_id", None)
        return vals_list

    # ------------------------------------------------------------------ business
    def _b2b_apply_pricelist(self):
        """The partner's sale pricelist is its contract pricelist, else its tier's."""
        for partner in self:
            pricelist = partner.b2b_contract_pricelist_id or partner.b2b_tier_id.pricelist_id
            if pricelist and partner.property_product_pricelist != pricelist:
                partner.sudo().property_product_pricelist = pricelist

    def _b2b_pricelist(self):
        """Pricelist of a B2B partner: contract, else tier, else the usual property.

        Read from the B2B fields rather than the company-dependent property so that every
        company of a multi-company database prices a partner the same way.
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        # sudo: portal users may not read their own tier record; only its pricelist is used.
        partner_sudo = partner.sudo()
        pricelist = partner_sudo.b2b_contract_pricelist_id or partner_sudo.b2b_tier_id.pricelist_id
        return (
            self.env["product.pricelist"].browse(pricelist.id) or partner.property_product_pricelist
        )

    def _b2b_is_blocked(self):
        self.ensure_one()
        return self.commercial_partner_id.b2b_status in BLOCKED_STATUSES

    def action_b2b_suspend(self):
        self._b2b_check_protected_write({"b2b_status": "suspended"})
        for partner in self:
            partner.sudo().b2b_status = "suspended"
            partner.message_post(
                body=self.env._("B2B account suspended by %s.", self.env.user.name)
            )

    def action_b2b_reactivate(self):
        self._b2b_check_protected_write({"b2b_status": "approved"})
        for partner in self.filtered(lambda p: p.b2b_status == "suspended"):
            partner.sudo().b2b_status = "approved"
            partner.message_post(
                body=self.env._("B2B account reactivated by %s.", self.env.user.name)
            )

    def action_b2b_create_contract_pricelist(self):
        """Create the partner's contract pricelist, falling back to its tier's pricelist."""
        self.ensure_one()
        self._b2b_check_protected_write({"b2b_contract_pricelist_id": True})
        if not self.b2b_tier_id:
            raise ValidationError(self.env._("Set a tier before adding contract prices."))
        if not self.b2b_contract_pricelist_id:
            tier_pricelist = self.b2b_tier_id.pricelist_id
            pricelist = self.env["product.pricelist"].create(
                {
                    "name": self.env._("Contract - %s", self.name),
                    "currency_id": tier_pricelist.currency_id.id,
                    "b2b_partner_id": self.id,
                    "b2b_family_breaks": tier_pricelist.b2b_family_breaks,
                    "item_ids": [
                        fields.Command.create(
                            {
                                "applied_on": "3_global",
                                "compute_price": "formula",
                                "base": "pricelist",
                                "base_pricelist_id": tier_pricelist.id,
                            }
                        )
                    ],
                }
            )
            self.b2b_contract_pricelist_id = pricelist
        return {
            "type": "ir.actions.act_window",
            "res_model": "product.pricelist",
            "res_id": self.b2b_contract_pricelist_id.id,
            "view_mode": "form",
        }

    def action_b2b_change_tier(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change tier"),
            "res_model": "smart.dairy.b2b.tier.change.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    @api.model
    def b2b_seed_demo(self, n_partners=120, seed=42):
        """Demo catalog and approved partners, idempotent (``make demo``, ``odoo-bin shell``).

        ``env["res.partner"].b2b_seed_demo(n_partners=120, seed=42)``; returns a summary dict.
        """
        return self.env["smart.dairy.b2b.demo.seed"]._seed(n_partners=n_partners, seed=seed)

    def _b2b_grant_portal(self, role, order_limit=0.0):
        """Give this contact portal access (core portal wizard: user + invitation e-mail)."""
        self.ensure_one()
        # sudo: approvers and partner admins are not user administrators; the wizard only
        # gives portal (share) access to this one contact of an approved partner.
        wizard = self.env["portal.wizard"].sudo().create({"partner_ids": [(6, 0, self.ids)]})
        line = wizard.user_ids.filtered(lambda w: w.partner_id == self)
        line.action_grant_access()
        user = line.user_id.sudo()
        user.write({"b2b_role": role, "b2b_order_limit": order_limit})
        return user

    # ------------------------------------------------------------------ delivery locations
    @api.model
    def _b2b_delivery_location_vals(self, loc, label=None):
        """Checked, normalised values of one delivery location (registration form, API, portal).

        ``loc`` holds keys of ``DELIVERY_LOCATION_FIELDS`` (district / upazila as ids, geolocation
        as numbers or text). Raises ``ValidationError`` prefixed with ``label`` (e.g. "Delivery
        location 2") naming what is wrong; reads the geography once per location, writes nothing.
        """
        env = self.env
        prefix = f"{label}: " if label else ""
        vals = {k: loc[k] for k in DELIVERY_LOCATION_FIELDS if k in loc}
        for key in ("name", "street", "street2", "zip", "phone", "comment"):
            if isinstance(vals.get(key), str):
                vals[key] = vals[key].strip() or False
        if not (vals.get("name") or vals.get("street")):
            raise ValidationError(prefix + env._("give the location a name or a street."))
        try:
            if vals.get("phone"):
                vals["phone"] = bd_identifiers.normalize_phone(vals["phone"])
            if vals.get("zip"):
                vals["zip"] = bd_identifiers.normalize_postcode(vals["zip"])
        except ValueError as exc:
            raise ValidationError(prefix + str(exc)) from None
        for key, bound in (("b2b_latitude", 90), ("b2b_longitude", 180)):
            raw = vals.get(key)
            if raw in (None, False, ""):
                vals.pop(key, None)
                continue
            try:
                number = float(raw)
            except (TypeError, ValueError):
                raise ValidationError(
                    prefix + env._("geolocation must be a number (got %s).", raw)
                ) from None
            if not -bound <= number <= bound:
                raise ValidationError(
                    prefix
                    + env._("%(value)s is out of range (±%(bound)s).", value=raw, bound=bound)
                )
            vals[key] = number
        # sudo: the static geography is public reference data (anonymous registration).
        district = env["l10n_bd_smart.district"].sudo().browse(vals.get("bd_district_id") or [])
        upazila = env["l10n_bd_smart.upazila"].sudo().browse(vals.get("bd_upazila_id") or [])
        if (district and not district.exists()) or (upazila and not upazila.exists()):
            raise ValidationError(prefix + env._("unknown district or upazila."))
        if upazila and district and upazila.district_id != district:
            raise ValidationError(
                prefix
                + env._(
                    "%(upazila)s is not in district %(district)s.",
                    upazila=upazila.name,
                    district=district.name,
                )
            )
        if upazila and not district:
            vals["bd_district_id"] = upazila.district_id.id
            district = upazila.district_id
        vals["bd_district_id"] = district.id or False
        vals["bd_upazila_id"] = upazila.id or False
        if district:
            vals["state_id"] = district.state_id.id
            vals["city"] = (upazila or district).name
        vals["country_id"] = env.ref("base.bd").id
        vals["type"] = "delivery"
        vals.setdefault("name", vals.get("street"))
        return vals

    def _b2b_delivery_locations(self, active_test=True):
        """The delivery addresses of this commercial partner (and of its contacts)."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return self.with_context(active_test=active_test).search(
            [("commercial_partner_id", "=", commercial.id), ("type", "=", "delivery")],
            order="active desc, name, id",
        )

    # Portal management of delivery locations (``/my/b2b/locations``). Portal users have no
    # write access on partners: these methods check the user, then write with sudo on
    # addresses of the user's own commercial partner only.
    @api.model
    def _b2b_portal_location(self, user, location_id):
        """The delivery address ``location_id`` if it belongs to ``user``'s company, else empty."""
        commercial = user.partner_id.commercial_partner_id
        location = self.sudo().with_context(active_test=False).browse(int(location_id)).exists()
        if (
            not location
            or location.type != "delivery"
            or location.commercial_partner_id != commercial
        ):
            return self.browse()
        return location

    @api.model
    def _b2b_portal_check_location_admin(self, user):
        if not (user._b2b_portal_ok() and user._b2b_can("manage_users")):
            raise AccessError(
                self.env._("Only your company's B2B admin can change delivery locations.")
            )

    @api.model
    def _b2b_portal_save_location(self, user, loc, location_id=None):
        """Create or update one delivery location of ``user``'s company; returns it (sudo)."""
        self._b2b_portal_check_location_admin(user)
        commercial = user.partner_id.commercial_partner_id
        location = self.browse()
        if location_id:
            location = self._b2b_portal_location(user, location_id)
            if not location:
                raise AccessError(self.env._("This is not one of your company's locations."))
        vals = self._b2b_delivery_location_vals(loc)
        # a field emptied on the form is emptied on the address
        vals.setdefault("b2b_latitude", 0.0)
        vals.setdefault("b2b_longitude", 0.0)
        Partner = self.sudo()
        if location:
            location.write(vals)
            body = self.env._(
                "Delivery location %(name)s updated by %(user)s.",
                name=location.name,
                user=user.name,
            )
        else:
            location = Partner.create(dict(vals, parent_id=commercial.id))
            body = self.env._(
                "Delivery location %(name)s added by %(user)s.", name=location.name, user=user.name
            )
        commercial.sudo().message_post(body=body)
        return location

    @api.model
    def _b2b_portal_set_location_active(self, user, location_id, active):
        self._b2b_portal_check_location_admin(user)
        location = self._b2b_portal_location(user, location_id)
        if not location:
            raise AccessError(self.env._("This is not one of your company's locations."))
        location.active = bool(active)
        commercial = user.partner_id.commercial_partner_id
        body = (
            self.env._(
                "Delivery location %(name)s restored by %(user)s.",
                name=location.name,
                user=user.name,
            )
            if active
            else self.env._(
                "Delivery location %(name)s archived by %(user)s.",
                name=location.name,
                user=user.name,
            )
        )
        commercial.sudo().message_post(body=body)
        return location
