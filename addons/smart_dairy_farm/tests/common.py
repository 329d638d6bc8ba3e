# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase

G = "smart_dairy_base.group_"


class FarmCase(TransactionCase):
    """A private barn with a few cows, independent of the demo herd."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.today = fields.Date.context_today(cls.env["dairy.animal"])
        cls.Animal = cls.env["dairy.animal"]
        cls.Milk = cls.env["dairy.milk.record"]
        cls.Breeding = cls.env["dairy.breeding.event"]
        cls.Health = cls.env["dairy.health.event"]
        cls.breed = cls.env.ref("smart_dairy_farm.breed_hf_local")
        cls.barn = cls.env["dairy.barn"].create(
            {"name": "Test barn", "code": "TST", "capacity": 10}
        )
        cls.cow = cls._animal("T-001", "050000000900001", years=4)
        cls.cow2 = cls._animal("T-002", "050000000900002", years=3)
        cls.bull = cls._animal("T-BULL", "050000000900099", years=5, sex="male")
        cls.medicine = cls.env["product.product"].create(
            {
                "name": "Test antibiotic",
                "dairy_is_medicine": True,
                "dairy_milk_withdrawal_days": 4,
            }
        )

    @classmethod
    def _animal(cls, tag, eid=False, years=3, sex="female", **extra):
        vals = {
            "visual_tag": tag,
            "eid": eid,
            "sex": sex,
            "breed_id": cls.breed.id,
            "hf_pct": 75.0,
            "barn_id": cls.barn.id,
            "status": "heifer",
            "birth_date": cls.today - timedelta(days=int(365 * years)),
        }
        vals.update(extra)
        return cls.env["dairy.animal"].create(vals)

    @classmethod
    def _calve(cls, cow, days_ago, **extra):
        return cls.env["dairy.breeding.event"].create(
            dict(
                {
                    "animal_id": cow.id,
                    "event_type": "calving",
                    "date": cls.today - timedelta(days=days_ago),
                },
                **extra,
            )
        )

    @classmethod
    def _user(cls, login, *groups, company=None):
        company = company or cls.env.company
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "groups_id": [(6, 0, [cls.env.ref(g).id for g in groups])],
            }
        )

    @contextmanager
    def assertRaisesRegex(self, exception, regex):
        """Like Odoo's ``assertRaises`` (rolled back to a savepoint) plus a message check."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertRegex(str(cm.exception), regex)

    def _milk(self, cow, days_ago, session="am", yield_l=10.0, **extra):
        return self.Milk.create(
            dict(
                {
                    "animal_id": cow.id,
                    "date": self.today - timedelta(days=days_ago),
                    "session": session,
                    "yield_l": yield_l,
                },
                **extra,
            )
        )
