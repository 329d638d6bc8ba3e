# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestGeography(TransactionCase):
    """The upazila list covers the whole country (source: nuhil/bangladesh-geocode, MIT)."""

    def test_every_district_has_upazilas(self):
        districts = self.env["l10n_bd_smart.district"].search([])
        self.assertEqual(len(districts), 64)
        groups = self.env["l10n_bd_smart.upazila"]._read_group(
            [], groupby=["district_id"], aggregates=["__count"]
        )
        counts = dict(groups)
        empty = districts.filtered(lambda d: not counts.get(d))
        self.assertFalse(empty, f"districts without upazila: {empty.mapped('name')}")

    def test_total_matches_source(self):
        # 494 upazilas in the source: 170 of them in the 18 districts loaded first (where our
        # 235 rows also list the metropolitan thanas), 324 in the other 46 districts.
        upazila = self.env["l10n_bd_smart.upazila"]
        self.assertEqual(upazila.search_count([]), 235 + 324)

    def test_counts_per_district_spot_checks(self):
        # hand-checked against the source file: Cumilla 17, Cox's Bazar 9 (with Eidgaon),
        # Sunamganj 12 (with Madhyanagar), Madaripur 5 (with Dasar), Bhola 7, Dhaka 49
        expected = {"08": 17, "11": 9, "61": 12, "36": 5, "07": 7, "13": 49}
        for code, count in expected.items():
            district = self.env.ref(f"l10n_bd_smart.district_bd_{code}")
            with self.subTest(district=district.name):
                self.assertEqual(len(district.upazila_ids), count)

    def test_existing_xml_ids_are_stable(self):
        adabor = self.env.ref("l10n_bd_smart.upazila_bd_13_01")
        self.assertEqual(adabor.name, "Adabor")
        self.assertEqual(adabor.district_id, self.env.ref("l10n_bd_smart.district_bd_13"))
        teknaf = self.env["l10n_bd_smart.upazila"].search([("name", "=", "Teknaf")], limit=1)
        self.assertEqual(teknaf.district_id.name, "Cox's Bazar")
        self.assertEqual(teknaf.state_id, self.env.ref("l10n_bd.state_bd_b"))
