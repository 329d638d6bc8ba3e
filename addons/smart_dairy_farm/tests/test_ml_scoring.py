# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import tempfile
from datetime import timedelta
from pathlib import Path

import pandas as pd

from odoo import fields
from odoo.tests import tagged

from .ml_common import MlCase


@tagged("post_install", "-at_install")
class TestMlScoring(MlCase):
    def _run_cron(self):
        cron = self.env.ref("smart_dairy_farm.ir_cron_ml_score")
        cron.method_direct_trigger()
        scores = self.env["dairy.ml.score"].search([("animal_id", "in", self.cows.ids)])
        self.assertEqual(len(scores), self.N_COWS, "one score per cow of the test herd")
        return scores

    def test_cron_raises_the_events_the_models_call_for(self):
        scores = self._run_cron()
        as_of = scores[0].as_of
        expected, results = self.expected(as_of)
        # the injected patterns are what the models see (else the test proves nothing)
        self.assertIn((self.HEAT, "heat"), expected)
        self.assertIn((self.KETOSIS, "ketosis"), expected)
        self.assertFalse({c for c in expected if c[0] == self.CONTROL}, expected)
        self.assertEqual(self.open_ml_events(), expected)
        # the stored score and the event carry the model's figures
        heat_score = scores.filtered(lambda s: s.animal_id == self.ml_cow(self.HEAT))
        r = results[self.HEAT]["heat"]
        onset = pd.Timestamp(r["onset_ts"]).tz_convert("UTC").tz_localize(None)
        self.assertEqual(heat_score.heat_onset, onset.to_pydatetime())
        self.assertEqual(heat_score.ai_window_start, heat_score.heat_onset + timedelta(hours=12))
        self.assertEqual(heat_score.ai_window_end, heat_score.heat_onset + timedelta(hours=18))
        self.assertAlmostEqual(heat_score.heat_score, r["score"], delta=0.005)
        event = self.env["dairy.attention.event"].search(
            [
                ("animal_id", "=", self.ml_cow(self.HEAT).id),
                ("cause", "=", "heat"),
                ("is_open", "=", True),
            ]
        )
        self.assertEqual(event.source, "ml")
        self.assertEqual(event.category, "behaviour")
        self.assertIn("Inseminate between", event.description)
        ket = self.env["dairy.attention.event"].search(
            [
                ("animal_id", "=", self.ml_cow(self.KETOSIS).id),
                ("cause", "=", "ketosis"),
                ("is_open", "=", True),
            ]
        )
        self.assertAlmostEqual(
            ket.score, results[self.KETOSIS]["health"]["ketosis"]["probability"], delta=0.001
        )
        self.assertEqual(ket.category, "health")
        # forecast stored and shown on the form
        ctrl = scores.filtered(lambda s: s.animal_id == self.ml_cow(self.CONTROL))
        self.assertEqual(ctrl.forecast_status, "ok")
        self.assertEqual(len(ctrl.forecast), 7)
        self.assertEqual(ctrl.forecast, results[self.CONTROL]["forecast"]["days"])
        self.assertEqual(self.ml_cow(self.CONTROL).ml_score_id, ctrl)

    def test_repeat_refreshes_and_vanished_signal_clears(self):
        Event = self.env["dairy.attention.event"]
        manual = Event.browse(
            Event.raise_attention(
                self.ml_cow(self.CONTROL).id, "mastitis", {"source": "manual", "priority": "2"}
            )
        )
        self.env["dairy.animal"].score_animals(self.cows.ids)
        first = Event.search(
            [("animal_id", "in", self.cows.ids), ("source", "=", "ml"), ("is_open", "=", True)]
        )
        self.assertTrue(first)
        self.env["dairy.animal"].score_animals(self.cows.ids)
        again = Event.search(
            [("animal_id", "in", self.cows.ids), ("source", "=", "ml"), ("is_open", "=", True)]
        )
        self.assertEqual(again, first, "one open event per animal and cause, refreshed")
        self.assertEqual(set(again.mapped("occurrence_count")), {2})
        self.assertEqual(
            self.env["dairy.ml.score"].search_count([("animal_id", "in", self.cows.ids)]),
            self.N_COWS,
            "one score per animal and day, replaced on a re-run",
        )
        # the heat goes away: the cow's collar data becomes ordinary again
        calm = self.hourly.copy()
        cow1 = calm["cow"] == self.HEAT
        calm.loc[cow1, "activity"] = calm.loc[calm["cow"] == self.CONTROL, "activity"].to_numpy()
        calm.loc[cow1, "rumination_min"] = calm.loc[
            calm["cow"] == self.CONTROL, "rumination_min"
        ].to_numpy()
        self._store_hourly(calm[cow1])
        summary = self.env["dairy.animal"].score_animals(self.cows.ids)
        expected, results = self.expected(summary["as_of"], hourly=calm)
        self.assertEqual(results[self.HEAT]["heat"]["status"], "ok")
        self.assertNotIn((self.HEAT, "heat"), expected)
        self.assertEqual(self.open_ml_events(), expected)
        heat = first.filtered(lambda e: e.animal_id == self.ml_cow(self.HEAT) and e.cause == "heat")
        self.assertEqual(heat.state, "cleared")
        self.assertGreaterEqual(summary["cleared"], 1)
        # a person's event is never cleared by the model
        self.assertTrue(manual.is_open)

    def test_bad_input_is_reported_never_raised(self):
        Animal = self.env["dairy.animal"]
        no_data = self._animal("ML-NODATA", years=4)
        self._calve(no_data, 30)
        short = self._animal("ML-SHORT", "050000977100099", years=4, previous_lactations=1)
        self._calve(short, 40)
        hourly, milk = self.hourly, self.milk
        recent_h = hourly[(hourly["cow"] == 5) & (hourly["ts"] > self.end - pd.Timedelta(days=5))]
        recent_m = milk[(milk["cow"] == 5) & (milk["ts"] > self.end - pd.Timedelta(days=5))]
        self._store_hourly(recent_h, refs={5: short.eid})
        self.env["dairy.milk.record"].create(
            [
                {
                    "animal_id": short.id,
                    "yield_l": float(r.yield_l),
                    "milking_time": r.ts.tz_localize(None).to_pydatetime(),
                }
                for r in recent_m.itertuples()
            ]
        )
        odd = self._animal(
            "ML-ODD",
            "050000977100098",
            years=4,
            breed_id=self.env["dairy.breed"].create({"name": "Martian", "code": "MARS"}).id,
        )
        self._calve(odd, 20)
        bull = self.bull
        ids = [
            no_data.id,
            short.id,
            odd.id,
            bull.id,
            self.ml_cow(self.CONTROL).id,
            self.ml_cow(self.PAST_HEAT).id,
            987654321,
        ]
        summary = Animal.score_animals(ids)
        self.assertEqual(summary["scored"], 6)
        self.assertEqual(summary["unknown_ids"], [987654321])
        reasons = {i["tag"]: i["reason"] for i in summary["insufficient"]}
        self.assertEqual(set(reasons), {"ML-NODATA", "ML-SHORT", "ML-ODD", "T-BULL"})
        self.assertIn("heat: no collar data", reasons["ML-NODATA"])
        self.assertIn("ketosis: no milking", reasons["ML-NODATA"])
        self.assertRegex(reasons["ML-SHORT"], r"heat: \d+ days of activity data, need \d+")
        self.assertIn("forecast:", reasons["ML-SHORT"])
        self.assertEqual(summary["ok"], 2)
        odd_score = odd.ml_score_id
        self.assertIn("unknown breed", odd_score.warnings)
        self.assertEqual(odd_score.status, "insufficient_data")
        self.assertFalse(
            self.env["dairy.attention.event"].search_count(
                [
                    ("animal_id", "in", [no_data.id, short.id, odd.id, bull.id]),
                    ("source", "=", "ml"),
                ]
            )
        )
        # nothing to score is not an error either
        self.assertEqual(Animal.score_animals([])["scored"], 0)

    def test_without_sensor_schema_rows_forecast_still_runs(self):
        # cows with milk but no collar data: forecast ok, heat and health insufficient
        cow = self._animal("ML-MILKONLY", "050000977100097", years=4, previous_lactations=1)
        self._calve(cow, 60)
        milk = self.milk[self.milk["cow"] == self.CONTROL]
        self.env["dairy.milk.record"].create(
            [
                {
                    "animal_id": cow.id,
                    "yield_l": float(r.yield_l),
                    "milking_time": r.ts.tz_localize(None).to_pydatetime(),
                }
                for r in milk.itertuples()
            ]
        )
        summary = self.env["dairy.animal"].score_animals([cow.id])
        score = cow.ml_score_id
        self.assertEqual(score.forecast_status, "ok")
        self.assertEqual(score.heat_status, "insufficient_data")
        self.assertEqual(summary["insufficient_data"], 1)
        self.assertIn("no collar", score.reason)

    def test_form_chart_and_ration(self):
        cow = self.ml_cow(self.CONTROL)
        self.env["dairy.animal"].score_animals(cow.ids)
        chart = cow.ml_chart_data
        n = len(chart["labels"])
        self.assertEqual(n, 30 + 7, "30 days of milk and 7 forecast days")
        self.assertEqual(len(chart["actual"]), n)
        self.assertEqual(len(chart["fitted"]), n)
        self.assertEqual(
            [v for v in chart["forecast"] if v is not None],
            [d["yield_kg"] for d in cow.ml_score_id.forecast],
        )
        self.assertTrue(all(v is None for v in chart["actual"][-7:]))
        self.assertTrue(chart["curve"])
        self.assertTrue(all(v > 0 for v in chart["fitted"]))
        html = str(cow.ml_ration_html)
        self.assertIn("o_dairy_ml_ration", html)
        self.assertIn("NRC 2001", html)
        self.assertIn("400 kg assumed", html)
        heifer = self._animal("ML-HEIFER", years=1)
        self.assertIn("lactating cows", str(heifer.ml_ration_html))
        self.assertEqual(heifer.ml_chart_data["labels"], [])

    def test_demo_herd_is_scored(self):
        demo = self.env["dairy.animal"].search(
            [("visual_tag", "=like", "SD-%"), ("status", "=", "lactating")]
        )
        if not demo:
            self.fail("the module demo herd (SD-0001...) is missing: install with demo data")
        summary = self.env["dairy.animal"]._cron_ml_score()
        self.assertGreaterEqual(summary["scored"], len(demo))
        fc = demo.ml_score_id.filtered(lambda s: s.forecast_status == "ok")
        self.assertTrue(fc, "demo cows with six weeks of milk get a forecast")
        for s in fc:
            self.assertEqual(len(s.forecast), 7)
            self.assertTrue(all(d["yield_kg"] > 0 for d in s.forecast))

    def test_ingestor_hook_is_debounced(self):
        # smart_iot_mgmt calls this on the animals that received new data
        first = self.cows._score_new_sensor_data()
        self.assertEqual(first["scored"], self.N_COWS)
        self.assertIn((self.HEAT, "heat"), self.open_ml_events())
        self.assertEqual(self.cows._score_new_sensor_data(), {}, "scored less than 60 min ago")
        self.env["ir.config_parameter"].sudo().set_param("smart_dairy.ml_rescore_minutes", "0")
        again = self.cows._score_new_sensor_data()
        self.assertEqual(again["scored"], self.N_COWS)
        heat = self.env["dairy.attention.event"].search(
            [
                ("animal_id", "=", self.ml_cow(self.HEAT).id),
                ("cause", "=", "heat"),
                ("is_open", "=", True),
            ]
        )
        self.assertEqual(heat.occurrence_count, 2)

    def _ml_state(self, animals):
        """Stored scores {animal id: values} and open ML events {(animal id, cause): values}."""
        Score = self.env["dairy.ml.score"]
        skip = {"id", "create_date", "create_uid", "write_date", "write_uid", "display_name"}
        names = [n for n in Score._fields if n not in skip]
        scores = {}
        for vals in Score.search([("animal_id", "in", animals.ids)]).read(names):
            vals.pop("id")  # read() always adds it
            scores[vals["animal_id"][0]] = vals
        events = {
            (e.animal_id.id, e.cause): (
                e.priority,
                round(e.score, 6),
                e.model_version,
                e.description,
                e.state,
                e.occurrence_count,
            )
            for e in self.env["dairy.attention.event"].search(
                [("animal_id", "in", animals.ids), ("source", "=", "ml"), ("is_open", "=", True)]
            )
        }
        return scores, events

    def test_herd_run_equals_one_animal_at_a_time(self):
        """The whole-herd run (one read, one vectorised scoring, one batch of rows) stores
        the same scores and raises the same events as scoring each animal on its own.

        With the built-in models (no active bundle in the test database); with a trained
        model that uses the herd, see TestMlHerdContext."""
        self.maxDiff = None
        demo = self.env["dairy.animal"].search(
            [("visual_tag", "=like", "SD-%"), ("status", "=", "lactating")], limit=4
        )
        if not demo:
            self.fail("the module demo herd (SD-0001...) is missing: install with demo data")
        animals = self.cows | demo
        Animal = self.env["dairy.animal"]
        as_of = fields.Datetime.to_string(self.now)

        class Undo(Exception):
            pass

        try:
            with self.env.cr.savepoint():
                for animal in animals:
                    Animal.score_animals(animal.ids, as_of=as_of)
                alone = self._ml_state(animals)
                raise Undo
        except Undo:
            self.env.invalidate_all()
        self.assertFalse(self._ml_state(animals)[0], "back to no scores")
        summary = Animal.score_animals(animals.ids, as_of=as_of)
        herd = self._ml_state(animals)
        self.assertEqual(summary["scored"], len(animals))
        self.assertEqual(set(herd[0]), set(animals.ids))
        for animal_id, vals in alone[0].items():
            self.assertEqual(herd[0][animal_id], vals, self.env["dairy.animal"].browse(animal_id))
        self.assertEqual(herd[1], alone[1])
        # the comparison covers alerts, forecasts and both outcomes
        self.assertIn((self.ml_cow(self.HEAT).id, "heat"), herd[1])
        self.assertIn((self.ml_cow(self.KETOSIS).id, "ketosis"), herd[1])
        self.assertEqual({v["status"] for v in herd[0].values()}, {"ok", "insufficient_data"})
        self.assertTrue(all(herd[0][a.id]["forecast_status"] == "ok" for a in demo))

    def test_tie_stall_barn_routes_heat_detection(self):
        """Cows in a tie-stall barn reach the scorer as tie-stall cows (rumination-led heat)."""
        tied = self.env["dairy.barn"].create(
            {"name": "Tie-stall shed", "code": "TS1", "housing_type": "tiestall"}
        )
        self.assertEqual(self.env["dairy.barn"].new({}).housing_type, "freestall")
        heat_cow = self.ml_cow(self.HEAT)
        heat_cow.barn_id = tied
        _hourly, _milk, animals = self.cows._ml_frames(self.now)
        housing = dict(zip(animals["animal_id"], animals["housing"], strict=True))
        self.assertEqual(housing[heat_cow.id], "tiestall")
        others = {housing[c.id] for c in self.cows - heat_cow}
        self.assertEqual(others, {"freestall"})
        # and the herd run scores everybody with the tie-stall cow among them
        self._run_cron()


@tagged("post_install", "-at_install")
class TestMlHerdContext(MlCase):
    """Twelve cows (herd medians need ten): a trained ketosis model uses herd-normalised
    features, so scoring a few cows must see the rest of the herd."""

    N_COWS = 12

    def _results(self):
        """{animal id: stored score_herd result} of the test cows."""
        scores = self.env["dairy.ml.score"].search([("animal_id", "in", self.cows.ids)])
        return {s.animal_id.id: s.result for s in scores}

    def test_ingestor_subset_scores_like_the_daily_run(self):
        from smart_dairy_ml.artifacts import save_artifact
        from smart_dairy_ml.evaluate import train_health
        from smart_dairy_ml.scoring import score_herd

        health = train_health(seeds=(3,), n_cows=80, days=150)
        self.assertIn("rum_rh", health.disease_features_["ketosis"])
        with tempfile.TemporaryDirectory() as tmp:
            save_artifact(
                health,
                Path(tmp) / "health.joblib",
                "health",
                health.features_,
                health.training_summary_,
                {},
            )
            self.env["dairy.ml.model"].import_directory(tmp, name="herd", activate=True)
        # a barn-wide hot spell: every cow ruminates 30 % less over the last two days
        self.env.cr.execute(
            "UPDATE iot.animal_hourly SET sum = sum * 0.7 "
            "WHERE metric = 'rumination_min' AND bucket > %s",
            [self.now - timedelta(hours=48)],
        )
        Animal = self.env["dairy.animal"]
        as_of = fields.Datetime.to_string(self.now)
        herd_summary = Animal.score_animals(self.cows.ids, as_of=as_of)
        self.assertTrue(herd_summary["model"].startswith("herd ("), herd_summary["model"])
        herd = self._results()
        self.assertEqual(len(herd), self.N_COWS)
        self.assertEqual(herd[self.ml_cow(self.KETOSIS).id]["health"]["ketosis"]["status"], "ok")
        # the ingestor's calls: three cows, then one
        few = self.cows[2:5]
        Animal.score_animals(few.ids, as_of=as_of)
        Animal.score_animals(self.cows[7].ids, as_of=as_of)
        self.assertEqual(self._results(), herd)
        # scored without the herd, the hot spell looks like ketosis risk in every cow
        hourly, milkings, animals = few._ml_frames(self.now)
        bundle, _version = self.env["dairy.ml.model"].get_active_bundle()
        alone = score_herd(
            hourly, milkings, animals, models=bundle, as_of=pd.Timestamp(self.now, tz="UTC")
        )
        risk = {r["animal_id"]: r["health"]["ketosis"]["probability"] for r in alone}
        before = {a.id: herd[a.id]["health"]["ketosis"]["probability"] for a in few}
        self.assertTrue(all(risk[a] > before[a] for a in before), (risk, before))
