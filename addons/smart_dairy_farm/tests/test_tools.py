# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure-Python rules (no database needed, but run with the addon's tests)."""

from datetime import date, datetime, timedelta
from unittest import TestCase

from odoo.tests import tagged

from ..tools.eid import (
    NATIONAL_ID_LIMIT,
    contract_barn_code,
    contract_eid,
    contract_tag,
    format_eid,
    is_valid_eid,
    normalize_eid,
    parse_eid,
)
from ..tools.herd_generator import generate_herd
from ..tools.milk import (
    check_range,
    lactation_stage,
    lactation_summary,
    session_from_time,
    time_from_session,
    under_withdrawal,
)
from ..tools.repro import (
    animal_kpis,
    conceptions_from_events,
    pregnancy_rate_21d,
    reproductive_state,
)

D0 = date(2025, 1, 1)


def d(n):
    return D0 + timedelta(days=n)


@tagged("post_install", "-at_install")
class TestEid(TestCase):
    def test_valid(self):
        self.assertEqual(parse_eid("050100000000001"), (50, 100000000001))
        self.assertEqual(normalize_eid("050 1000-0000.0001"), "050100000000001")
        self.assertEqual(format_eid(50, 1), "050000000000001")
        self.assertEqual(
            parse_eid("999" + str(NATIONAL_ID_LIMIT - 1)), (999, NATIONAL_ID_LIMIT - 1)
        )

    def test_invalid(self):
        for bad in (
            "",
            "05010000000000",
            "0501000000000012",
            "05010000000000A",
            None,
            "050" + str(NATIONAL_ID_LIMIT),
        ):
            with self.subTest(bad=bad):
                self.assertFalse(is_valid_eid(bad))
                with self.assertRaises(ValueError) as err:
                    parse_eid(bad)
                self.assertIn("EID", str(err.exception))
        with self.assertRaisesRegex(ValueError, "38 bits"):
            parse_eid("050999999999999")
        with self.assertRaises(ValueError):
            format_eid(1000, 1)

    def test_identity_contract(self):
        self.assertEqual(contract_eid(1), "050000100000001")
        self.assertEqual(contract_eid(255), "050000100000255")
        self.assertTrue(is_valid_eid(contract_eid(255)))
        self.assertEqual(contract_tag(7), "SD-0007")
        self.assertEqual(
            [contract_barn_code(i) for i in (1, 64, 65, 255)], ["B1", "B1", "B2", "B4"]
        )


@tagged("post_install", "-at_install")
class TestMilkRules(TestCase):
    def test_ranges(self):
        self.assertIsNone(check_range("yield_l", 0))
        self.assertIsNone(check_range("yield_l", 60))
        self.assertIn("outside", check_range("yield_l", 60.5))
        self.assertIn("outside", check_range("yield_l", -1))
        self.assertIsNone(check_range("fat_pct", 0))  # not measured
        self.assertIn("outside", check_range("fat_pct", 25))
        self.assertIn("outside", check_range("snf_pct", 3))
        self.assertIsNone(check_range("snf_pct", 8.5))

    def test_sessions_and_time(self):
        utc = time_from_session(date(2026, 3, 10), "am")  # 05:30 in Dhaka (UTC+6)
        self.assertEqual(utc, datetime(2026, 3, 9, 23, 30))
        self.assertEqual(session_from_time(utc), (date(2026, 3, 10), "am"))
        self.assertEqual(
            session_from_time(datetime(2026, 3, 10, 10, 30)), (date(2026, 3, 10), "pm")
        )

    def test_lactation_summary(self):
        daily = {d(i): 10.0 + (i if i < 50 else 50 - (i - 50) * 0.1) for i in range(0, 320)}
        s = lactation_summary(daily, d(0))
        self.assertEqual(s["peak_dim"], 50)
        self.assertEqual(s["peak_yield"], 60.0)
        self.assertEqual(s["days_recorded"], 320)
        self.assertAlmostEqual(s["yield_305"], sum(v for k, v in daily.items() if k < d(305)))
        self.assertGreater(s["total"], s["yield_305"])
        self.assertEqual(
            [lactation_stage(x) for x in (0, 100, 101, 200, 201)],
            ["early", "early", "mid", "mid", "late"],
        )

    def test_withdrawal_window(self):
        windows = [(d(10), d(14))]
        self.assertFalse(under_withdrawal(d(9), windows))
        self.assertTrue(under_withdrawal(d(10), windows))
        self.assertTrue(under_withdrawal(d(13), windows))
        self.assertFalse(under_withdrawal(d(14), windows))


@tagged("post_install", "-at_install")
class TestReproRules(TestCase):
    def test_state_and_conception(self):
        events = [
            (d(0), "calving", None),
            (d(60), "heat", None),
            (d(60), "insemination", None),
            (d(81), "insemination", None),
            (d(120), "pregnancy_check", "pregnant"),
        ]
        state = reproductive_state(events)
        self.assertEqual(state["state"], "pregnant")
        self.assertEqual(state["services"], 2)
        self.assertEqual(state["conception"], d(81))
        self.assertEqual(state["expected_calving"], d(81 + 283))
        # the first calving implies a conception 283 days earlier
        self.assertEqual(conceptions_from_events(events), [d(-283), d(81)])
        # an open check cancels the pregnancy
        state = reproductive_state(events + [(d(150), "pregnancy_check", "open")])
        self.assertEqual(state["state"], "open")
        self.assertIsNone(state["expected_calving"])
        # calving resets
        self.assertEqual(reproductive_state(events + [(d(365), "calving", None)])["state"], "open")

    def test_animal_kpis(self):
        kpis = animal_kpis([d(0), d(380)], [d(60), d(81), d(450)], [d(81)], today=d(500))
        self.assertEqual(kpis["calving_interval"], 380)
        self.assertEqual(kpis["days_open"], 120)  # still open after the 2nd calving
        self.assertEqual(kpis["services_per_conception"], 2.0)

    def test_pregnancy_rate(self):
        cows = [
            {"calvings": [d(0)], "conceptions": [d(70)]},  # conceives in cycle 2
            {"calvings": [d(0)], "conceptions": []},  # never
            {"calvings": [d(40)], "conceptions": []},  # eligible from cycle 3 (DIM ≥ 50)
        ]
        rate, eligible, pregnancies = pregnancy_rate_21d(cows, d(50), d(50 + 63))
        # cycle 1 [50,71): cows 1, 2 → 1 pregnancy; cycle 2 [71,92): cow 2, cow3(DIM 31 no)
        # cycle 3 [92,113): cow 2, cow 3
        self.assertEqual((eligible, pregnancies), (5, 1))
        self.assertEqual(rate, 20.0)


@tagged("post_install", "-at_install")
class TestGenerator(TestCase):
    def test_deterministic_and_plausible(self):
        end = date(2026, 6, 30)
        a = generate_herd(6, 120, seed=3, end=end)
        b = generate_herd(6, 120, seed=3, end=end)
        self.assertEqual(a.milkings, b.milkings)
        self.assertEqual(a.breeding, b.breeding)
        # cow i is the same whatever the herd size
        c = generate_herd(3, 120, seed=3, end=end)
        self.assertEqual([m for m in a.milkings if m[0] <= 3], c.milkings)
        self.assertNotEqual(generate_herd(6, 120, seed=4, end=end).milkings, a.milkings)
        self.assertEqual([cow["eid"] for cow in a.cows][:2], [contract_eid(1), contract_eid(2)])
        for m in a.milkings:
            self.assertTrue(a.start <= m[1] <= end)
            self.assertIsNone(check_range("yield_l", m[3]))
            self.assertIsNone(check_range("fat_pct", m[4]))
            self.assertIsNone(check_range("snf_pct", m[5]))
        # ~ two milkings per lactating cow-day, 4–20 L a day per cow on average
        days = {(m[0], m[1]) for m in a.milkings}
        per_day = sum(m[3] for m in a.milkings) / len(days)
        self.assertTrue(4 < per_day < 20, per_day)
