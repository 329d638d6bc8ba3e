# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FarmCase


@tagged("post_install", "-at_install")
class TestAnimal(FarmCase):
    def test_eid_is_validated_and_normalised(self):
        animal = self._animal("T-100", "050 0000 0090 0100")
        self.assertEqual(animal.eid, "050000000900100")
        for bad in ("12345", "05000000090010X", "050999999999999"):
            with self.subTest(bad=bad):
                with self.assertRaisesRegex(ValidationError, "EID"):
                    self._animal("T-BAD", bad)
                self.assertFalse(self.Animal.search([("visual_tag", "=", "T-BAD")]))
        with self.assertRaisesRegex(ValidationError, "EID"):
            animal.write({"eid": "1"})
        self.assertEqual(animal.eid, "050000000900100")

    def test_duplicate_eid_and_tag(self):
        with self.assertRaisesRegex(ValidationError, "EID.*already used"):
            self._animal("T-NEW", self.cow.eid)
        with self.assertRaisesRegex(ValidationError, "Visual tag.*already used"):
            self._animal("T-001", "050000000900555")
        with self.assertRaisesRegex(ValidationError, "appears twice"):
            self.Animal.create(
                [
                    {"visual_tag": "T-X1", "eid": "050000000900777"},
                    {"visual_tag": "T-X2", "eid": "050000000900777"},
                ]
            )
        self.assertFalse(self.Animal.search([("visual_tag", "in", ("T-NEW", "T-X1", "T-X2"))]))
        with self.assertRaisesRegex(ValidationError, "Visual tag"):
            self.cow2.visual_tag = "T-001"
        # same tag in another company is fine
        other = self.env["res.company"].create({"name": "Other farm"})
        twin = self.Animal.create(
            {"visual_tag": "T-001", "eid": self.cow.eid, "company_id": other.id}
        )
        self.assertEqual(twin.visual_tag, "T-001")

    def test_birth_date_and_parents(self):
        with self.assertRaisesRegex(ValidationError, "Birth date"):
            self._animal("T-FUT", years=-0.1)
        with self.assertRaisesRegex(ValidationError, "Dam.*not a female"):
            self._animal("T-C1", years=1, dam_id=self.bull.id)
        with self.assertRaisesRegex(ValidationError, "Dam.*not older"):
            self._animal("T-C2", years=5, dam_id=self.cow.id)
        with self.assertRaisesRegex(ValidationError, "Sire.*not a male"):
            self._animal("T-C3", years=1, sire_id=self.cow2.id)
        calf = self._animal("T-C4", years=1, dam_id=self.cow.id, sire_id=self.bull.id)
        self.assertEqual(self.cow.offspring_ids, calf)
        # no pedigree cycle, even without birth dates
        a = self._animal("T-A", birth_date=False)
        b = self._animal("T-B", birth_date=False, dam_id=a.id)
        with self.assertRaisesRegex(ValidationError, "own ancestor"):
            a.dam_id = b
        with self.assertRaisesRegex(ValidationError, "HF"):
            self._animal("T-HF", hf_pct=120)

    def test_exit_needs_a_date(self):
        with self.assertRaisesRegex(ValidationError, "Exit date"):
            self.cow2.status = "sold"
        self.cow2.write({"status": "sold", "exit_date": self.today, "exit_reason": "low yield"})
        self.assertEqual(self.cow2.status, "sold")

    def test_computed_columns(self):
        self.assertEqual(self.cow.age_months, 47)
        self.assertIn("3y", self.cow.age_display)
        self.assertEqual(self.cow.breed_display, "75% HF × Local")
        self.assertEqual(self.cow.lactation_number, 0)
        self._calve(self.cow, 30)
        self.assertEqual(self.cow.status, "lactating")
        self.assertEqual(self.cow.lactation_number, 1)
        self.assertEqual(self.cow.days_in_milk, 30)
        self.assertIn(self.cow, self.Animal.search([("days_in_milk", ">=", 30)]))
        self.assertNotIn(self.cow, self.Animal.search([("days_in_milk", ">", 30)]))
        self.assertIn(self.cow, self.Animal.search([("age_months", ">=", 47)]))
        self.assertNotIn(self.cow2, self.Animal.search([("age_months", ">=", 47)]))
        self.cow.previous_lactations = 2
        self.assertEqual(self.cow.lactation_number, 3)

    def test_weights(self):
        self.env["dairy.animal.weight"].create(
            [
                {
                    "animal_id": self.cow.id,
                    "date": self.today - timedelta(days=30),
                    "weight_kg": 400,
                },
                {"animal_id": self.cow.id, "date": self.today, "weight_kg": 410},
            ]
        )
        self.assertEqual(self.cow.last_weight_kg, 410)
        with self.assertRaisesRegex(ValidationError, "before birth"):
            self.env["dairy.animal.weight"].create(
                {
                    "animal_id": self.cow.id,
                    "date": self.cow.birth_date - timedelta(days=1),
                    "weight_kg": 30,
                }
            )

    def test_barn_occupancy(self):
        self.assertEqual(self.barn.occupancy, 3)
        self.assertAlmostEqual(self.barn.occupancy_pct, 30.0)
        self.assertEqual(self.barn.display_name, "[TST] Test barn")
        self.assertIn(self.barn, self.env["dairy.barn"].search([("display_name", "ilike", "TST")]))
