# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FarmCase, G


@tagged("post_install", "-at_install")
class TestFarmSecurity(FarmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.viewer = cls._user("farm_t_viewer", G + "farm_viewer")
        cls.operator = cls._user("farm_t_operator", G + "farm_operator")
        cls.manager = cls._user("farm_t_manager", G + "farm_manager")
        cls._calve(cls.cow, 30)
        cls.record = cls.env["dairy.milk.record"].create(
            {"animal_id": cls.cow.id, "date": cls.today - timedelta(days=1), "yield_l": 9}
        )

    def test_viewer_reads_only(self):
        as_viewer = self.cow.with_user(self.viewer)
        self.assertEqual(as_viewer.visual_tag, "T-001")
        self.assertEqual(self.record.with_user(self.viewer).yield_l, 9)
        self.assertTrue(self.env["dairy.milk.daily"].with_user(self.viewer).search([]))
        with self.assertRaises(AccessError):
            as_viewer.write({"name": "changed"})
        with self.assertRaises(AccessError):
            self.record.with_user(self.viewer).write({"yield_l": 1})
        with self.assertRaises(AccessError):
            self.Milk.with_user(self.viewer).create({"animal_id": self.cow.id, "yield_l": 1})
        with self.assertRaises(AccessError):
            self.Health.with_user(self.viewer).create(
                {"animal_id": self.cow.id, "event_type": "vet_check"}
            )
        with self.assertRaises(AccessError):
            self.env["dairy.milking.session"].with_user(self.viewer).create(
                {"barn_id": self.barn.id}
            )
        self.assertEqual(self.record.yield_l, 9)

    def test_operator_records_but_does_not_configure_or_delete(self):
        Milk = self.Milk.with_user(self.operator)
        rec = Milk.create({"animal_id": self.cow.id, "date": self.today, "yield_l": 8})
        rec.yield_l = 8.5
        self.Health.with_user(self.operator).create(
            {"animal_id": self.cow.id, "event_type": "vet_check"}
        )
        self.Breeding.with_user(self.operator).create(
            {"animal_id": self.cow2.id, "event_type": "heat"}
        )
        calf = self.Animal.with_user(self.operator).create({"visual_tag": "T-OP-CALF"})
        self.env["dairy.attention.event"].with_user(self.operator).raise_attention(
            self.cow.id, "heat"
        )
        with self.assertRaises(AccessError):
            rec.unlink()
        with self.assertRaises(AccessError):
            calf.with_user(self.operator).unlink()
        with self.assertRaises(AccessError):
            self.barn.with_user(self.operator).write({"capacity": 99})
        with self.assertRaises(AccessError):
            self.env["dairy.barn"].with_user(self.operator).create({"name": "X", "code": "X"})
        with self.assertRaises(AccessError):
            self.breed.with_user(self.operator).write({"name": "X"})

    def test_manager_configures_and_deletes(self):
        self.barn.with_user(self.manager).write({"capacity": 99})
        self.env["dairy.pen"].with_user(self.manager).create({"name": "P", "barn_id": self.barn.id})
        self.record.with_user(self.manager).unlink()
        self.assertFalse(self.record.exists())
        self.cow2.with_user(self.manager).unlink()
        self.assertFalse(self.cow2.exists())

    def test_multi_company_isolation(self):
        other = self.env["res.company"].create({"name": "Other dairy"})
        stranger = self._user("farm_t_other", G + "farm_manager", company=other)
        Animal = self.Animal.with_user(stranger).with_company(other)
        self.assertFalse(Animal.search([("id", "=", self.cow.id)]))
        self.assertFalse(self.Milk.with_user(stranger).search([("id", "=", self.record.id)]))
        self.assertFalse(
            self.env["dairy.barn"].with_user(stranger).search([("id", "=", self.barn.id)])
        )
        with self.assertRaises(AccessError):
            self.cow.with_user(stranger).with_company(other).read(["visual_tag"])
        own = Animal.create({"visual_tag": "T-001", "eid": self.cow.eid})
        self.assertEqual(own.company_id, other)
        self.assertNotIn(own, self.Animal.with_user(self.manager).search([]))
