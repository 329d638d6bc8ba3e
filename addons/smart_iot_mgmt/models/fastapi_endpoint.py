# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..routers import iot_router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(
        selection_add=[("smart_iot", "Smart Dairy IoT ingestion")],
        ondelete={"smart_iot": "cascade"},
    )

    def _get_fastapi_routers(self):
        if self.app == "smart_iot":
            return self._smart_iot_routers()
        return super()._get_fastapi_routers()

    @api.model
    def _smart_iot_routers(self):
        """Routers of the IoT app; another module adds its own by extending this list."""
        return [iot_router]
