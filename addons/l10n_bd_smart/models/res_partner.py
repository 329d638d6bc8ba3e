# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import bd_identifiers


class ResPartner(models.Model):
    _inherit = "res.partner"

    bd_bin = fields.Char(
        string="BIN",
        size=14,
        copy=False,
        index=True,
        help="Business Identification Number (NBR VAT): 13 digits, stored as digits only, "
        "printed 9-4.",
    )
    bd_bin_display = fields.Char(string="BIN (9-4)", compute="_compute_bd_bin_display")
    bd_etin = fields.Char(string="e-TIN", size=12, copy=False, help="12-digit e-TIN.")
    bd_district_id = fields.Many2one(
        "l10n_bd_smart.district",
        string="District",
        ondelete="restrict",
        domain="[('state_id', '=?', state_id)]",
    )
    bd_upazila_id = fields.Many2one(
        "l10n_bd_smart.upazila",
        string="Thana / Upazila",
        ondelete="restrict",
        domain="[('district_id', '=?', bd_district_id)]",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["bd_bin", "bd_etin"]

    @api.depends("bd_bin")
    def _compute_bd_bin_display(self):
        for partner in self:
            try:
                partner.bd_bin_display = (
                    bd_identifiers.format_bin(partner.bd_bin) if partner.bd_bin else False
                )
            except ValueError:
                partner.bd_bin_display = partner.bd_bin

    # Normalisation happens on the way in, so every client (form, import, RPC) stores the
    # canonical form and the constraints below compare like with like.
    @api.model
    def _bd_normalize_vals(self, vals):
        vals = dict(vals)
        for fname, func in (
            ("bd_bin", bd_identifiers.normalize_bin),
            ("bd_etin", bd_identifiers.normalize_etin),
        ):
            if vals.get(fname):
                try:
                    vals[fname] = func(vals[fname])
                except ValueError as exc:
                    raise ValidationError(str(exc)) from None
        if vals.get("bd_upazila_id") and not vals.get("bd_district_id"):
            upazila = self.env["l10n_bd_smart.upazila"].browse(vals["bd_upazila_id"])
            vals["bd_district_id"] = upazila.district_id.id
        if vals.get("bd_district_id") and not vals.get("state_id"):
            district = self.env["l10n_bd_smart.district"].browse(vals["bd_district_id"])
            vals["state_id"] = district.state_id.id
            vals.setdefault("country_id", district.state_id.country_id.id)
        for fname in ("phone", "mobile"):
            value = vals.get(fname)
            if value and self._bd_phone_applies(vals):
                # Foreign or free-form numbers stay as typed; B2B registration checks
                # its own phone field strictly.
                with contextlib.suppress(ValueError):
                    vals[fname] = bd_identifiers.normalize_phone(value)
        return vals

    def _bd_phone_applies(self, vals):
        """Only Bangladeshi partners (explicit country) get their numbers rewritten."""
        if "country_id" in vals:
            return self.env["res.country"].browse(vals["country_id"]).code == "BD"
        return bool(self) and all(p.country_id.code == "BD" for p in self)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._bd_normalize_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._bd_normalize_vals(vals))

    @api.constrains("bd_bin", "bd_etin")
    def _check_bd_identifiers(self):
        for partner in self:
            for value, func in (
                (partner.bd_bin, bd_identifiers.normalize_bin),
                (partner.bd_etin, bd_identifiers.normalize_etin),
            ):
                if value:
                    try:
                        func(value)
                    except ValueError as exc:
                        raise ValidationError(str(exc)) from None
        # One commercial entity per BIN (children inherit it as a commercial field).
        commercial = self.filtered(lambda p: p.bd_bin and p.commercial_partner_id == p)
        if not commercial:
            return
        clashes = self.search_read(
            [
                ("bd_bin", "in", commercial.mapped("bd_bin")),
                ("id", "not in", commercial.ids),
                ("parent_id", "=", False),
            ],
            ["bd_bin", "name"],
        )
        if clashes:
            raise ValidationError(
                self.env._(
                    "BIN %(bin)s is already registered for %(name)s.",
                    bin=bd_identifiers.format_bin(clashes[0]["bd_bin"]),
                    name=clashes[0]["name"],
                )
            )

    @api.constrains("bd_district_id", "bd_upazila_id", "state_id")
    def _check_bd_geography(self):
        for partner in self:
            upazila = partner.bd_upazila_id
            if upazila and upazila.district_id != partner.bd_district_id:
                raise ValidationError(
                    self.env._(
                        "Upazila %(upazila)s is not in district %(district)s.",
                        upazila=partner.bd_upazila_id.name,
                        district=partner.bd_district_id.name or "-",
                    )
                )
            if (
                partner.bd_district_id
                and partner.state_id
                and partner.bd_district_id.state_id != partner.state_id
            ):
                raise ValidationError(
                    self.env._(
                        "District %(district)s is in %(division)s division, not %(state)s.",
                        district=partner.bd_district_id.name,
                        division=partner.bd_district_id.state_id.name,
                        state=partner.state_id.name,
                    )
                )

    @api.onchange("bd_upazila_id")
    def _onchange_bd_upazila_id(self):
        if self.bd_upazila_id:
            self.bd_district_id = self.bd_upazila_id.district_id

    @api.onchange("bd_district_id")
    def _onchange_bd_district_id(self):
        if self.bd_district_id:
            self.state_id = self.bd_district_id.state_id
            self.country_id = self.bd_district_id.state_id.country_id
            if self.bd_upazila_id.district_id != self.bd_district_id:
                self.bd_upazila_id = False
