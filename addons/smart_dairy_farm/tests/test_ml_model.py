# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import tempfile
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import G
from .ml_common import MlCase


@tagged("post_install", "-at_install")
class TestMlModels(MlCase):
    def test_train_forecaster_from_database_and_activate_in_settings(self):
        from smart_dairy_ml import __version__
        from smart_dairy_ml.forecast import FEATURES

        Model = self.env["dairy.ml.model"]
        record = Model.browse(Model.train_from_database(name="DB forecaster"))
        self.assertEqual(record.source, "database")
        self.assertEqual(record.version, __version__)
        self.assertTrue(record.forecast_file)
        self.assertFalse(record.heat_file, "no active bundle: heat keeps the built-in detector")
        meta = record.metadata["forecast"]
        self.assertEqual(meta["features"], FEATURES)
        self.assertEqual(meta["training_summary"]["source"], "database")
        lactations = self.env["dairy.lactation"].search_count([])
        self.assertLessEqual(meta["training_summary"]["lactations"], lactations)
        self.assertGreaterEqual(meta["training_summary"]["cows"], 10)
        for key in ("mape_h7", "mape_h7_last7_mean", "relative_improvement_h7"):
            self.assertIn(key, meta["metrics"])
        self.assertIn("mape_h7", str(record.summary_html))
        self.assertFalse(record.is_active)
        # the suite settings select the active model
        settings = self.env["res.config.settings"].create({"smart_dairy_ml_model_id": record.id})
        settings.execute()
        record.invalidate_recordset(["is_active"])
        self.assertTrue(record.is_active)
        self.assertEqual(Model.get_active(), record)
        self.assertEqual(
            self.env["res.config.settings"].create({}).smart_dairy_ml_model_version, __version__
        )
        # and scoring uses it
        self.env["dairy.animal"].score_animals(self.cows.ids)
        score = self.ml_cow(self.CONTROL).ml_score_id
        self.assertEqual(score.result["models"]["forecast"], "trained")
        self.assertEqual(score.result["models"]["heat"], "default")
        self.assertIn("DB forecaster", score.model_version)
        self.assertEqual(score.forecast_status, "ok")

    def test_train_on_simulator_and_import_cli_artifacts(self):
        from smart_dairy_ml.artifacts import save_artifact
        from smart_dairy_ml.evaluate import train_heat

        Model = self.env["dairy.ml.model"]
        record = Model.browse(
            Model.train_from_simulator(n_cows=20, days=40, seed=3, kinds=("heat",), activate=True)
        )
        self.assertEqual(record.source, "simulator")
        self.assertEqual(record.kinds, "heat")
        meta = record.metadata["heat"]
        self.assertEqual(meta["training_summary"]["cows"], 20)
        self.assertIn("sensitivity", meta["metrics"])
        self.assertTrue(record.is_active)
        bundle = record.load_bundle()
        self.assertEqual(bundle.heat.threshold, meta["params"]["threshold"])
        self.env["dairy.animal"].score_animals(self.cows.ids)
        self.assertEqual(self.ml_cow(self.HEAT).ml_score_id.result["models"]["heat"], "trained")
        # artifacts written by the package CLI are imported with their metadata
        with tempfile.TemporaryDirectory() as tmp:
            det = train_heat(seed=4, n_cows=20, days=40)
            save_artifact(
                det,
                Path(tmp) / "heat.joblib",
                "heat",
                det.features_,
                det.training_summary_,
                {"sensitivity": 0.9},
            )
            imported = Model.browse(Model.import_directory(tmp, name="CLI"))
            self.assertEqual(imported.metadata["heat"]["metrics"], {"sensitivity": 0.9})
            self.assertEqual(imported.metadata["heat"]["features"], det.features_)
            # a file that is not an artifact is refused, nothing stored
            (Path(tmp) / "health.joblib").write_bytes(b"not a joblib file")
            count = Model.search_count([])
            with self.assertRaisesRegex(UserError, "health artifact refused"):
                Model.import_directory(tmp)
            self.assertEqual(Model.search_count([]), count)
        with self.assertRaisesRegex(UserError, "does not exist"):
            Model.import_directory("/nonexistent/dir")

    def test_only_managers_train(self):
        operator = self._user("ml_operator", G + "farm_operator")
        with self.assertRaisesRegex(UserError, "farm managers"):
            self.env["dairy.ml.model"].with_user(operator).train_from_database()

    def test_broken_active_model_falls_back(self):
        Model = self.env["dairy.ml.model"]
        record = Model.create(
            {"name": "broken", "metadata": {"heat": {}}, "heat_file": b"bm90IGEgam9ibGli"}
        )
        record.action_activate()
        with self.assertRaisesRegex(UserError, "broken, heat artifact"):
            record.load_bundle()
        summary = self.env["dairy.animal"].score_animals(self.cows.ids)
        self.assertEqual(summary["model"], "fallback")
        self.assertEqual(summary["scored"], self.N_COWS)
