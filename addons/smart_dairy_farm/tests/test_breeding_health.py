# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FarmCase


@tagged("post_install", "-at_install")
class TestBreeding(FarmCase):
    def _event(self, cow, kind, days_ago, **extra):
        return self.Breeding.create(
            dict(
                {
                    "animal_id": cow.id,
                    "event_type": kind,
                    "date": self.today - timedelta(days=days_ago),
                },
                **extra,
            )
        )

    def test_calving_opens_lactation_and_registers_calf(self):
        self._event(self.cow, "insemination", 300, sire_id=self.bull.id)
        calving = self._calve(
            self.cow, 20, calf_sex="female", calf_tag="T-CALF", calf_eid="050000000900500"
        )
        calf = calving.calf_id
        self.assertEqual(calf.visual_tag, "T-CALF")
        self.assertEqual(calf.dam_id, self.cow)
        self.assertEqual(calf.sire_id, self.bull)
        self.assertEqual(calf.birth_date, calving.date)
        self.assertEqual(calf.status, "calf")
        self.assertEqual(calf.barn_id, self.barn)
        lac = calving.lactation_id
        self.assertEqual(lac.calving_date, calving.date)
        self.assertEqual(lac.number, 1)
        self.assertEqual(lac.state, "open")
        self.assertEqual(self.cow.current_lactation_id, lac)
        self.assertEqual(self.cow.status, "lactating")
        # dry-off closes it, the next calving opens lactation 2
        self._event(self.cow, "dry_off", 10)
        self.assertEqual(lac.state, "closed")
        self.assertEqual(self.cow.status, "dry")
        self.assertFalse(self.cow.current_lactation_id)
        second = self._calve(self.cow, 1)
        self.assertEqual(second.lactation_id.number, 2)
        self.assertEqual(self.cow.lactation_number, 2)
        self.assertFalse(second.calf_id)  # no calf data given, none registered

    def test_bad_breeding_input(self):
        with self.assertRaisesRegex(ValidationError, "Animal.*male"):
            self._calve(self.bull, 5)
        self.assertFalse(self.bull.lactation_ids)
        with self.assertRaisesRegex(ValidationError, "Date.*before .* was born"):
            self.Breeding.create(
                {
                    "animal_id": self.cow.id,
                    "event_type": "heat",
                    "date": self.cow.birth_date - timedelta(days=1),
                }
            )
        with self.assertRaisesRegex(ValidationError, "no open lactation"):
            self._event(self.cow2, "dry_off", 1)
        self.assertFalse(self.Breeding.search([("animal_id", "=", self.cow2.id)]))
        with self.assertRaisesRegex(ValidationError, "Result"):
            self._event(self.cow2, "pregnancy_check", 1)
        # a calving whose calf cannot be registered leaves nothing behind
        with self.assertRaisesRegex(ValidationError, "Visual tag"):
            self._calve(self.cow2, 3, calf_sex="male", calf_tag=self.cow.visual_tag)
        self.assertFalse(self.cow2.lactation_ids)
        self.assertFalse(self.Breeding.search([("animal_id", "=", self.cow2.id)]))

    def test_reproductive_state_and_kpis(self):
        self._calve(self.cow, 120)
        self._event(self.cow, "heat", 60, heat_source="detected")
        self._event(self.cow, "insemination", 60, semen_straw="HF-2031")
        self.assertEqual(self.cow.repro_status, "inseminated")
        service = self._event(self.cow, "insemination", 39, semen_straw="HF-2031")
        self.assertEqual(service.expected_calving_date, service.date + timedelta(days=283))
        check = self._event(self.cow, "pregnancy_check", 2, pregnancy_result="pregnant")
        self.assertEqual(check.expected_calving_date, service.date + timedelta(days=283))
        self.assertTrue(self.cow.is_pregnant)
        self.assertEqual(self.cow.services_since_calving, 2)
        self.assertEqual(self.cow.conception_date, service.date)
        self.assertEqual(self.cow.expected_calving_date, service.date + timedelta(days=283))
        self.assertEqual(self.cow.days_open, 120 - 39)
        self.assertEqual(self.cow.services_per_conception, 2.0)
        due = self.Animal.search(
            [
                ("is_pregnant", "=", True),
                ("expected_calving_date", "<=", self.today + timedelta(days=300)),
            ]
        )
        self.assertIn(self.cow, due)
        not_due = self.Animal.search(
            [
                ("is_pregnant", "=", True),
                ("expected_calving_date", "<=", self.today + timedelta(days=30)),
            ]
        )
        self.assertNotIn(self.cow, not_due)
        self._event(self.cow, "abortion", 1)
        self.assertEqual(self.cow.repro_status, "open")
        self.assertFalse(self.cow.expected_calving_date)

    def test_herd_kpis(self):
        self._calve(self.cow, 200)
        self._event(self.cow, "insemination", 140)
        self._event(self.cow, "pregnancy_check", 100, pregnancy_result="pregnant")
        kpis = self.Animal.compute_herd_kpis(self.today - timedelta(days=365), self.today)
        self.assertGreaterEqual(kpis["pregnant"], 1)
        self.assertGreaterEqual(kpis["cows"], 1)
        wizard = self.env["dairy.herd.kpi"].create({})
        self.assertEqual(wizard.pregnant, kpis["pregnant"])
        self.assertEqual(wizard.pregnancy_rate_21d, kpis["pregnancy_rate_21d"])


@tagged("post_install", "-at_install")
class TestHealth(FarmCase):
    def test_health_event_rules(self):
        vac = self.Health.create(
            {
                "animal_id": self.cow.id,
                "event_type": "vaccination",
                "disease": "fmd",
                "state": "planned",
                "date": self.today + timedelta(days=10),
            }
        )
        due = self.Health.search(
            [
                ("event_type", "=", "vaccination"),
                ("state", "=", "planned"),
                ("date", "<=", self.today + timedelta(days=30)),
            ]
        )
        self.assertIn(vac, due)
        vac.action_mark_done()
        self.assertEqual((vac.state, vac.date), ("done", self.today))
        with self.assertRaisesRegex(ValidationError, "Date.*future"):
            self.Health.create(
                {
                    "animal_id": self.cow.id,
                    "event_type": "treatment",
                    "date": self.today + timedelta(days=1),
                }
            )
        with self.assertRaisesRegex(ValidationError, "Date.*before .* was born"):
            self.Health.create(
                {
                    "animal_id": self.cow.id,
                    "event_type": "vet_check",
                    "date": self.cow.birth_date - timedelta(days=3),
                }
            )
        with self.assertRaisesRegex(ValidationError, "withdrawal"):
            self.Health.create(
                {"animal_id": self.cow.id, "event_type": "treatment", "withdrawal_days": -2}
            )
        treat = self.Health.create(
            {
                "animal_id": self.cow.id,
                "event_type": "treatment",
                "disease": "mastitis",
                "product_id": self.medicine.id,
            }
        )
        self.assertEqual(treat.name, "Treatment – Mastitis – Test antibiotic")
        self.assertEqual(treat.milk_sellable_from, self.today + timedelta(days=4))
        treat.withdrawal_days = 7  # the vet can extend it
        self.assertEqual(self.cow.milk_sellable_from, self.today + timedelta(days=7))
