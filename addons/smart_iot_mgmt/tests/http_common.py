# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, get_db_name

from .common import IotCase


class IotHttpCase(HttpCase, IotCase):
    """IotCase data + a real HTTP server (XML-RPC, REST, tours)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = get_db_name()
        cls.ingestor_key = cls.env["iot.device"].create_ingestor_api_key("test")

    def rpc(self, model, method, *args):
        if not getattr(self, "_uid", None):
            self._uid = self.xmlrpc_common.authenticate(
                self.db, "iot_ingestor", self.ingestor_key, {}
            )
            self.assertTrue(self._uid, "the ingestor's API key must authenticate")
        return self.xmlrpc_object.execute_kw(
            self.db, self._uid, self.ingestor_key, model, method, list(args)
        )
