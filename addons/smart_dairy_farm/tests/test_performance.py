# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from lxml import etree

from odoo.tests import tagged

from .common import FarmCase


@tagged("post_install", "-at_install")
class TestQueryCounts(FarmCase):
    """The herd list and the session save must not run one query per animal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.herd_barn = cls.env["dairy.barn"].create({"name": "Perf", "code": "PERF"})
        calvings, animals = [], []
        for i in range(60):
            animals.append(
                {
                    "visual_tag": f"PERF-{i:03d}",
                    "eid": "050" + f"{800000 + i:012d}",
                    "birth_date": cls.today - timedelta(days=1500 + i),
                    "status": "lactating",
                    "barn_id": cls.herd_barn.id,
                    "breed_id": cls.breed.id,
                    "hf_pct": 62.5,
                }
            )
        cls.herd = cls.env["dairy.animal"].create(animals)
        for i, cow in enumerate(cls.herd):
            calvings.append(
                {
                    "animal_id": cow.id,
                    "event_type": "calving",
                    "date": cls.today - timedelta(days=20 + i),
                }
            )
        cls.env["dairy.breeding.event"].create(calvings)
        cls.env["dairy.milk.record"].create(
            [
                {
                    "animal_id": cow.id,
                    "date": cls.today - timedelta(days=d),
                    "session": s,
                    "yield_l": 7.0,
                }
                for cow in cls.herd
                for d in (1, 2)
                for s in ("am", "pm")
            ]
        )
        view = cls.env.ref("smart_dairy_farm.dairy_animal_view_list")
        Animal = cls.env["dairy.animal"]
        names = [n.get("name") for n in etree.fromstring(view.arch_db.encode()).iter("field")]
        cls.spec = {
            name: {"fields": {"display_name": {}}}
            if Animal._fields[name].type == "many2one"
            else {}
            for name in names
        }

    def _count_list_queries(self, n):
        self.env.invalidate_all()
        domain = [("id", "in", self.herd[:n].ids)]
        before = self.env.cr.sql_log_count
        result = self.env["dairy.animal"].web_search_read(domain, self.spec, limit=80)
        count = self.env.cr.sql_log_count - before
        self.assertEqual(result["length"], n)
        return count

    def test_herd_list_query_count_is_flat(self):
        self.assertIn("days_in_milk", self.spec)
        self.assertIn("avg_yield_7d", self.spec)
        self._count_list_queries(5)  # warm caches (ir.rule, translations...)
        small = self._count_list_queries(5)
        large = self._count_list_queries(60)
        self.assertEqual(small, large, "herd list queries grow with the number of animals")
        self.assertLess(large, 15)

    def test_session_batch_create_query_count_is_flat(self):
        def save(cows, day):
            vals = [
                {
                    "animal_id": c.id,
                    "date": self.today - timedelta(days=day),
                    "session": "am",
                    "yield_l": 6.5,
                    "fat_pct": 4.1,
                }
                for c in cows
            ]
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self.env["dairy.milk.record"].create(vals)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        save(self.herd[:3], 3)  # warm-up
        small = save(self.herd[:10], 4)
        large = save(self.herd, 5)
        self.assertLessEqual(
            large, small + 2, f"batch create: {small} queries for 10 rows, {large} for 60"
        )

    def test_ml_scoring_query_count_is_flat(self):
        """score_animals reads the herd with set-based queries and stores the scores in one
        batch: scoring 60 animals runs no more queries than scoring 10."""

        def score(cows):
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            summary = self.env["dairy.animal"].score_animals(cows.ids)
            self.env.flush_all()
            self.assertEqual(summary["scored"], len(cows))
            return self.env.cr.sql_log_count - before

        score(self.herd[:5])  # warm-up (imports, ir.rule, translations)
        small = score(self.herd[5:15])
        large = score(self.herd[15:])
        self.assertEqual(len(self.herd[15:]), 45)
        self.assertLessEqual(
            large, small + 2, f"ML scoring: {small} queries for 10 animals, {large} for 45"
        )
        scores = self.env["dairy.ml.score"].search([("animal_id", "in", self.herd.ids)])
        self.assertEqual(len(scores), 60)
