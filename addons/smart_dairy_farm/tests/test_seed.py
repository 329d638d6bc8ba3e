# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields
from odoo.tests import TransactionCase, freeze_time, tagged

from ..tools.eid import contract_eid


@tagged("post_install", "-at_install")
class TestSeed(TransactionCase):
    """The seed in a fresh company: identity contract, idempotency, ORM-equal totals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Seed test farm"})
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.Animal = cls.env["dairy.animal"].with_company(cls.company)
        cls.summary = cls.Animal.seed_demo_herd(n_cows=6, days=90, seed=11)

    def test_identity_contract_and_history(self):
        self.assertTrue(self.summary["created"])
        cows = self.Animal.search(
            [("company_id", "=", self.company.id), ("visual_tag", "=like", "SD-0%")],
            order="visual_tag",
        )
        self.assertEqual(cows.mapped("visual_tag"), [f"SD-{i:04d}" for i in range(1, 7)])
        self.assertEqual(cows.mapped("eid"), [contract_eid(i) for i in range(1, 7)])
        self.assertEqual(set(cows.mapped("barn_id.code")), {"B1"})
        self.assertEqual(self.summary["cows"], 6)
        Milk = self.env["dairy.milk.record"]
        milk = Milk.search([("animal_id", "in", cows.ids)])
        self.assertEqual(len(milk), self.summary["milk_records"])
        self.assertGreater(len(milk), 6 * 90)  # most cows in milk, two milkings a day
        # stored fields written by COPY equal what the ORM computes
        sample = milk[:300]
        expected = {
            r.id: (r.lactation_id, r.dim, r.lactation_stage, r.under_withdrawal, r.sellable_yield_l)
            for r in sample
        }
        self.env.add_to_compute(Milk._fields["lactation_id"], sample)
        self.env.add_to_compute(Milk._fields["under_withdrawal"], sample)
        sample._recompute_recordset()
        for r in sample:
            self.assertEqual(
                (r.lactation_id, r.dim, r.lactation_stage, r.under_withdrawal, r.sellable_yield_l),
                expected[r.id],
            )
        for lac in cows.lactation_ids:
            stored = (lac.total_yield, lac.peak_yield, lac.peak_dim)
            lac._compute_yield()
            self.assertEqual(stored, (lac.total_yield, lac.peak_yield, lac.peak_dim))
        lactating = cows.filtered(lambda c: c.status == "lactating")
        self.assertTrue(lactating)
        self.assertTrue(all(c.avg_yield_7d > 0 for c in lactating))
        self.assertTrue(all(c.current_lactation_id for c in lactating))

    def test_no_milking_after_now(self):
        """Seeded early in the (Dhaka) day: today's milkings that have not happened yet
        (evening, 16:30 local = 10:30 UTC) are not written."""
        company = self.env["res.company"].create({"name": "Early seed farm"})
        Animal = (
            self.env["dairy.animal"]
            .with_company(company)
            .with_context(allowed_company_ids=[company.id])
        )
        with freeze_time("2026-03-10 04:00:00"):
            summary = Animal.seed_demo_herd(n_cows=3, days=15, seed=5)
            now = fields.Datetime.now()
        milk = self.env["dairy.milk.record"].search([("company_id", "=", company.id)])
        self.assertEqual(len(milk), summary["milk_records"])
        self.assertTrue(milk)
        self.assertLessEqual(max(milk.mapped("milking_time")), now)
        today = milk.filtered(lambda r: str(r.date) == "2026-03-10")
        self.assertTrue(today, "this morning's milking is there")
        self.assertEqual(set(today.mapped("session")), {"am"})

    def test_second_call_does_nothing(self):
        count = self.env["dairy.milk.record"].search_count([("company_id", "=", self.company.id)])
        again = self.Animal.seed_demo_herd(n_cows=6, days=90, seed=11)
        self.assertFalse(again["created"])
        self.assertEqual(
            self.env["dairy.milk.record"].search_count([("company_id", "=", self.company.id)]),
            count,
        )
        # a larger herd regenerates in place: same animals, no duplicate milkings
        first = self.Animal.search(
            [("visual_tag", "=", "SD-0001"), ("company_id", "=", self.company.id)]
        )
        bigger = self.Animal.seed_demo_herd(n_cows=8, days=30, seed=11)
        self.assertTrue(bigger["created"])
        self.assertEqual(
            self.Animal.search(
                [("visual_tag", "=", "SD-0001"), ("company_id", "=", self.company.id)]
            ),
            first,
        )
        self.assertEqual(
            self.env["dairy.milk.record"].search_count([("company_id", "=", self.company.id)]),
            bigger["milk_records"],
        )
