# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSettings(TransactionCase):
    def test_settings_persist_to_parameters(self):
        settings = self.env["res.config.settings"].create(
            {"smart_dairy_farm_code": "north-farm", "smart_dairy_alert_reopen_window": 45}
        )
        settings.execute()
        icp = self.env["ir.config_parameter"]
        self.assertEqual(icp.get_param("smart_dairy.farm_code"), "north-farm")
        self.assertEqual(icp.get_param("smart_dairy.alert_reopen_window_minutes"), "45")
        self.assertEqual(
            self.env["res.config.settings"].create({}).smart_dairy_farm_code, "north-farm"
        )

    def test_bad_farm_code_is_refused(self):
        for bad in ("Has Space", "farm/1", "#", "x" * 40):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self.env["res.config.settings"].create({"smart_dairy_farm_code": bad})

    def test_negative_values_are_refused(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"smart_dairy_alert_reopen_window": -1})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"smart_dairy_milk_price_bdt": -5})


@tagged("post_install", "-at_install")
class TestSettingsTour(HttpCase):
    def test_settings_tour(self):
        self.start_tour("/odoo/smart-dairy-settings", "smart_dairy_settings_tour", login="admin")
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("smart_dairy.farm_code"), "tour-farm"
        )
