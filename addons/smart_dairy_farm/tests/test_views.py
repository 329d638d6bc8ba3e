# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import tagged

from .common import FarmCase, G


@tagged("post_install", "-at_install")
class TestViews(FarmCase):
    """Every farm window action opens for a Farm Viewer (views + first page of data)."""

    def test_actions_load_for_viewer(self):
        viewer = self._user("farm_t_view_all", G + "farm_viewer")
        self._calve(self.cow, 10)
        self._milk(self.cow, 1)
        actions = self.env["ir.actions.act_window"].search(
            [
                (
                    "id",
                    "in",
                    self.env["ir.model.data"]
                    .search(
                        [
                            ("module", "=", "smart_dairy_farm"),
                            ("model", "=", "ir.actions.act_window"),
                        ]
                    )
                    .mapped("res_id"),
                ),
            ]
        )
        self.assertGreaterEqual(len(actions), 15)
        for action in actions:
            if action.res_model in ("dairy.milking.session",):
                continue  # operator-only wizard, covered by test_session
            with self.subTest(action=action.name):
                Model = self.env[action.res_model].with_user(viewer)
                modes = action.view_mode.split(",")
                views = Model.get_views([(False, m) for m in modes])
                self.assertEqual(set(views["views"]), set(modes))
                if "list" in views["views"]:
                    arch = etree.fromstring(views["views"]["list"]["arch"])
                    spec = {
                        n.get("name"): {}
                        for n in arch.iter("field")
                        if n.getparent().tag != "field"
                    }
                    spec = {
                        k: (
                            {"fields": {"display_name": {}}}
                            if Model._fields[k].type == "many2one"
                            else {}
                        )
                        for k in spec
                        if k in Model._fields
                        and Model._fields[k].type not in ("one2many", "many2many")
                    }
                    Model.web_search_read([], spec, limit=20)
                if "pivot" in views["views"]:
                    date_field = "date" if "date" in Model._fields else "create_date"
                    Model.read_group([], [], [f"{date_field}:month"], lazy=False)
