# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..routers import b2b_router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(
        selection_add=[("smart_b2b", "Smart Dairy B2B API")],
        ondelete={"smart_b2b": "cascade"},
    )

    def _get_fastapi_routers(self):
        if self.app == "smart_b2b":
            return self._smart_b2b_routers()
        return super()._get_fastapi_routers()

    @api.model
    def _smart_b2b_routers(self):
        return [b2b_router]


class ResUsers(models.Model):
    _inherit = "res.users"

    def b2b_generate_api_key(self, name="B2B API"):
        """A new API key (scope ``b2b``) for this portal user; shown once, stored hashed.

        Allowed to the user himself, his company's B2B admin, or a B2B manager.
        """
        self.ensure_one()
        me = self.env.user
        if not (
            self.env.su
            or me == self
            or me.has_group("smart_dairy_base.group_b2b_manager")
            or (
                me.b2b_role == "admin"
                and me.partner_id.commercial_partner_id == self.partner_id.commercial_partner_id
            )
        ):
            raise AccessError(self.env._("You may not create an API key for this user."))
        # sudo: core only lets a user create his own keys interactively; the check above says
        # who may ask. Keys expire after a year.
        return (
            self.env["res.users.apikeys"]
            .sudo()
            .with_user(self)
            .sudo()
            ._generate("b2b", name, fields.Datetime.add(fields.Datetime.now(), days=365))
        )
