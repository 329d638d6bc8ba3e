# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo_test_helper import FakeModelLoader

from odoo.tests import TransactionCase


class FakeAlertCase(TransactionCase):
    """TransactionCase with the throw-away ``smart.dairy.test.alert`` model loaded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .fake_models import SmartDairyTestAlert

        cls.loader.update_registry((SmartDairyTestAlert,))
        cls.addClassCleanup(cls.loader.restore_registry)
        cls.Alert = cls.env["smart.dairy.test.alert"]
        model = cls.env["ir.model"]._get("smart.dairy.test.alert")
        base = "smart_dairy_base.group_"
        cls.env["ir.model.access"].create(
            [
                {
                    "name": "test alert viewer",
                    "model_id": model.id,
                    "group_id": cls.env.ref(base + "farm_viewer").id,
                    "perm_read": True,
                },
                {
                    "name": "test alert operator",
                    "model_id": model.id,
                    "group_id": cls.env.ref(base + "farm_operator").id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                },
            ]
        )

    @classmethod
    def _user(cls, login, *group_xmlids):
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "groups_id": [(6, 0, [cls.env.ref(x).id for x in group_xmlids])],
            }
        )
