# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FakeAlertCase

G = "smart_dairy_base.group_"


@tagged("post_install", "-at_install")
class TestSecurityGroups(FakeAlertCase):
    def test_farm_chain(self):
        manager = self._user("t_farm_mgr", G + "farm_manager")
        self.assertTrue(manager.has_group(G + "farm_operator"))
        self.assertTrue(manager.has_group(G + "farm_viewer"))
        viewer = self._user("t_farm_viewer", G + "farm_viewer")
        self.assertFalse(viewer.has_group(G + "farm_operator"))
        self.assertFalse(viewer.has_group(G + "farm_manager"))
        operator = self._user("t_farm_op", G + "farm_operator")
        self.assertTrue(operator.has_group(G + "farm_viewer"))
        self.assertFalse(operator.has_group(G + "farm_manager"))

    def test_iot_and_b2b_chains(self):
        iot = self._user("t_iot_mgr", G + "iot_manager")
        self.assertTrue(iot.has_group(G + "iot_operator"))
        # IoT staff must see the animals a collar is on, nothing more on the farm side.
        self.assertTrue(iot.has_group(G + "farm_viewer"))
        self.assertFalse(iot.has_group(G + "farm_operator"))
        b2b = self._user("t_b2b_mgr", G + "b2b_manager")
        self.assertTrue(b2b.has_group(G + "b2b_user"))
        self.assertFalse(b2b.has_group(G + "farm_viewer"))
        b2b_user = self._user("t_b2b_user", G + "b2b_user")
        self.assertFalse(b2b_user.has_group(G + "b2b_manager"))

    def test_administrator_implies_every_manager(self):
        admin = self._user("t_sd_admin", G + "smart_dairy_admin")
        for group in (
            "farm_manager",
            "iot_manager",
            "b2b_manager",
            "bi_executive",
            "migration_operator",
            "farm_viewer",
            "iot_operator",
            "b2b_user",
        ):
            self.assertTrue(admin.has_group(G + group), group)
        self.assertTrue(self.env.ref("base.user_admin").has_group(G + "smart_dairy_admin"))
        # but being a manager somewhere does not make you an administrator
        self.assertFalse(self._user("t_fm", G + "farm_manager").has_group(G + "smart_dairy_admin"))

    def test_farm_viewer_cannot_write(self):
        alert = self.Alert.create({"name": "Barn hot", "source": "B1", "subject": "temp"})
        viewer = self._user("t_viewer_w", G + "farm_viewer")
        # reading is allowed …
        self.assertEqual(alert.with_user(viewer).name, "Barn hot")
        # … writing, creating and acknowledging are not
        with self.assertRaises(AccessError):
            alert.with_user(viewer).write({"name": "changed"})
        with self.assertRaises(AccessError):
            self.Alert.with_user(viewer).create({"name": "x", "source": "a", "subject": "b"})
        with self.assertRaises(AccessError):
            alert.with_user(viewer).action_acknowledge()
        self.assertEqual(alert.state, "active")
        operator = self._user("t_operator_w", G + "farm_operator")
        alert.with_user(operator).action_acknowledge()
        self.assertEqual(alert.state, "acknowledged")
        self.assertEqual(alert.acknowledged_by_id, operator)

    def test_menu_visibility(self):
        # The root menu is for Smart Dairy staff; a menu without visible children is
        # hidden by Odoo, so what the farm viewer sees is tested with the farm menus.
        root = self.env.ref("smart_dairy_base.menu_smart_dairy_root")
        settings = self.env.ref("smart_dairy_base.menu_smart_dairy_settings")
        menus = self.env["ir.ui.menu"]
        admin_visible = menus.with_user(self.env.ref("base.user_admin"))._visible_menu_ids()
        self.assertIn(root.id, admin_visible)
        self.assertIn(settings.id, admin_visible)
        plain = self._user("t_menu_plain", "base.group_user")
        plain_visible = menus.with_user(plain)._visible_menu_ids()
        self.assertNotIn(root.id, plain_visible)
        viewer = self._user("t_menu_viewer", G + "farm_viewer")
        self.assertNotIn(settings.id, menus.with_user(viewer)._visible_menu_ids())
        self.assertIn(self.env.ref(G + "farm_viewer"), root.groups_id)
