# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib import roles


class ResUsers(models.Model):
    _inherit = "res.users"

    b2b_role = fields.Selection(
        list(roles.ROLES),
        string="B2B role",
        help="Role of a partner's portal user: admin manages users, manager approves orders, "
        "buyer orders up to a personal limit, viewer reads only. Record rules follow it.",
    )
    b2b_order_limit = fields.Float(
        string="Order limit (BDT)",
        digits="Product Price",
        help="Maximum amount of one order a buyer may place (0 = no personal limit).",
    )

    @api.constrains("b2b_role", "groups_id")
    def _check_b2b_role(self):
        for user in self.filtered("b2b_role"):
            if not user.share:
                raise ValidationError(
                    self.env._("B2B roles are for partners' portal users, not employees.")
                )
            if user.b2b_order_limit < 0:
                raise ValidationError(self.env._("An order limit cannot be negative."))

    def _b2b_check_role_write(self, vals):
        if {"b2b_role", "b2b_order_limit"} & set(vals) and not (
            self.env.su or self.env.user.has_group("smart_dairy_base.group_b2b_manager")
        ):
            raise AccessError(self.env._("Only B2B managers or partner admins set B2B roles."))

    def _b2b_role_groups_vals(self, role):
        group = self.env.ref("smart_dairy_b2b.group_b2b_portal")
        return [fields.Command.link(group.id)] if role else [fields.Command.unlink(group.id)]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "b2b_role" in vals:
                self._b2b_check_role_write(vals)
                vals.setdefault("groups_id", [])
                vals["groups_id"] = list(vals["groups_id"]) + self._b2b_role_groups_vals(
                    vals["b2b_role"]
                )
        return super().create(vals_list)

    def write(self, vals):
        if "b2b_role" in vals:
            self._b2b_check_role_write(vals)
            vals = dict(vals, groups_id=list(vals.get("groups_id", []))) if vals else vals
            vals["groups_id"] += self._b2b_role_groups_vals(vals["b2b_role"])
        elif "b2b_order_limit" in vals:
            self._b2b_check_role_write(vals)
        res = super().write(vals)
        if "b2b_role" in vals:
            # Record rules read user.b2b_role; their domains are cached per user.
            self.env.registry.clear_cache()
        return res

    # ------------------------------------------------------------------ business
    def _b2b_can(self, action):
        self.ensure_one()
        return roles.can(self.b2b_role, action)

    def _b2b_portal_ok(self):
        """True when this user may use the B2B portal pages right now."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        return bool(self.b2b_role) and self.share and partner.b2b_status == "approved"

    def _b2b_check_can_order(self, amount):
        self.ensure_one()
        if not self._b2b_portal_ok():
            raise AccessError(self.env._("Your company's B2B account is not active."))
        try:
            roles.check_order_limit(self.b2b_role, self.b2b_order_limit, amount)
        except ValueError as exc:
            raise AccessError(str(exc)) from None

    def _b2b_company_users(self):
        """Portal users of the same partner company (for its admins)."""
        self.ensure_one()
        # sudo: portal users cannot search res.users; the domain restricts the result to
        # users of the caller's own commercial partner.
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
                    ("share", "=", True),
                    ("b2b_role", "!=", False),
                ],
                order="id",
            )
        )

    def _b2b_add_company_user(self, name, email, role, order_limit=0.0):
        """A partner admin invites a colleague: new contact + portal user + invitation."""
        self.ensure_one()
        if not self._b2b_portal_ok() or not self._b2b_can("manage_users"):
            raise AccessError(self.env._("Only your company's B2B admin can add users."))
        if role not in dict(roles.ROLES):
            raise ValidationError(self.env._("Unknown role %s.", role))
        if not name or not email or "@" not in email:
            raise ValidationError(self.env._("A name and a valid e-mail are required."))
        if order_limit < 0:
            raise ValidationError(self.env._("An order limit cannot be negative."))
        # sudo: portal admins cannot create partners/users; everything created is attached
        # to the admin's own commercial partner.
        env = self.env(su=True)
        if (
            env["res.users"]
            .with_context(active_test=False)
            .search_count([("login", "=ilike", email)])
        ):
            raise ValidationError(self.env._("A user with login %s already exists.", email))
        contact = env["res.partner"].create(
            {"name": name, "email": email, "parent_id": self.commercial_partner_id.id}
        )
        return contact._b2b_grant_portal(role, order_limit)

    def _b2b_set_company_user(self, target, role=None, active=None, order_limit=None):
        self.ensure_one()
        if not self._b2b_portal_ok() or not self._b2b_can("manage_users"):
            raise AccessError(self.env._("Only your company's B2B admin can manage users."))
        target = target.sudo().with_context(active_test=False)
        if target not in self._b2b_company_users():
            raise AccessError(self.env._("This user is not one of your company's users."))
        if target == self and (active is False or (role and role != "admin")):
            raise ValidationError(self.env._("You cannot disable or demote yourself."))
        vals = {}
        if role is not None:
            vals["b2b_role"] = role
        if order_limit is not None:
            vals["b2b_order_limit"] = order_limit
        if active is not None:
            vals["active"] = active
        target.write(vals)
        return target
