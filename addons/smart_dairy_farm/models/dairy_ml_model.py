# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Trained model bundles (``smart_dairy_ml`` joblib artifacts) stored in Odoo.

A ``dairy.ml.model`` record holds up to three artifacts (heat, health, forecast) as
attachments, with the metadata every artifact carries (package version, feature list,
training-data summary, metrics). The active bundle is a suite setting
(``smart_dairy.ml_model_id``); without one, scoring uses the package's built-in fallbacks
(default heat detector, single-signal health rules, lactation-curve forecast).

Ways to get a bundle:

* ``train_from_simulator()`` - the package's herd simulator (ground-truth labels);
* ``train_from_database()`` - the 7-day yield forecaster on this database's milk records
  (one lactation per series); heat and health artifacts are taken over from the active
  bundle (the database has no labelled sensor history to train them);
* ``import_directory(path)`` - artifacts written by ``smart-dairy-ml train --out DIR``.
"""

import base64
import json
import logging
import tempfile
import threading
from pathlib import Path

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

KINDS = ("heat", "health", "forecast")
ACTIVE_PARAM = "smart_dairy.ml_model_id"

# loaded bundles per (database, record id, attachment checksums); artifacts are immutable
_BUNDLE_CACHE = {}
_BUNDLE_LOCK = threading.Lock()


def _ml():
    """Import the pure-Python package lazily (clear error when it is not installed)."""
    try:
        import smart_dairy_ml  # noqa: F401
        from smart_dairy_ml import artifacts
    except ImportError as err:  # pragma: no cover - declared as external dependency
        raise UserError(
            _("The smart_dairy_ml package is not installed on the server (%s).", err)
        ) from err
    return artifacts


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


class DairyMlModel(models.Model):
    _name = "dairy.ml.model"
    _description = "Trained ML model bundle"
    _order = "create_date desc, id desc"

    name = fields.Char(required=True)
    version = fields.Char(readonly=True, help="smart_dairy_ml version that wrote the artifacts.")
    trained_at = fields.Datetime(readonly=True)
    source = fields.Selection(
        [("simulator", "Herd simulator"), ("database", "This database"), ("import", "Imported")],
        required=True,
        readonly=True,
        default="import",
    )
    heat_file = fields.Binary(attachment=True, readonly=True, string="Heat artifact")
    health_file = fields.Binary(attachment=True, readonly=True, string="Health artifact")
    forecast_file = fields.Binary(attachment=True, readonly=True, string="Forecast artifact")
    metadata = fields.Json(
        readonly=True,
        help="Per kind: format, version, created, library versions, features, training "
        "summary, metrics, params.",
    )
    kinds = fields.Char(compute="_compute_summary", string="Models")
    summary_html = fields.Html(compute="_compute_summary", sanitize=True, string="Summary")
    is_active = fields.Boolean(compute="_compute_is_active", string="Active")
    company_id = fields.Many2one("res.company", default=lambda s: s.env.company)

    @api.depends("metadata")
    def _compute_summary(self):
        for rec in self:
            meta = rec.metadata or {}
            rec.kinds = ", ".join(k for k in KINDS if k in meta)
            rows = []
            for kind in KINDS:
                if kind not in meta:
                    continue
                m = meta[kind]
                metrics = ", ".join(
                    f"{k}={v:.3g}" if isinstance(v, int | float) else f"{k}={v}"
                    for k, v in (m.get("metrics") or {}).items()
                    if not isinstance(v, dict | list)
                )
                summary = ", ".join(
                    f"{k}={v}" for k, v in (m.get("training_summary") or {}).items()
                )
                rows.append(
                    Markup(
                        "<tr><td><b>%s</b></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
                    )
                    % (
                        kind,
                        m.get("version", ""),
                        ", ".join(m.get("features") or []),
                        summary,
                        metrics,
                    )
                )
            rec.summary_html = (
                Markup(
                    "<table class='table table-sm'><tr><th>Model</th><th>Version</th>"
                    "<th>Features</th><th>Training data</th><th>Metrics</th></tr>%s</table>"
                )
                % Markup("").join(rows)
                if rows
                else False
            )

    def _compute_is_active(self):
        active = self._active_id()
        for rec in self:
            rec.is_active = rec.id == active

    # ------------------------------------------------------------------ active bundle
    @api.model
    def _active_id(self):
        value = self.env["ir.config_parameter"].sudo().get_param(ACTIVE_PARAM)
        try:
            return int(value) if value else False
        except ValueError:
            return False

    @api.model
    def get_active(self):
        """The active bundle record (empty recordset when scoring uses the fallbacks)."""
        # sudo: reading the setting and the bundle is needed by every scorer, it exposes
        # nothing but model metadata
        rid = self._active_id()
        return self.sudo().browse(rid).exists() if rid else self.sudo().browse()

    def action_activate(self):
        self.ensure_one()
        self.env["ir.config_parameter"].sudo().set_param(ACTIVE_PARAM, str(self.id))
        return True

    def load_bundle(self):
        """``smart_dairy_ml.artifacts.ModelBundle`` of this record (cached per process).

        Raises ``UserError`` naming the artifact when a file is not a valid artifact.
        """
        self.ensure_one()
        artifacts = _ml()
        rec = self.sudo()
        atts = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", rec.id),
                    ("res_field", "in", [f"{k}_file" for k in KINDS]),
                ]
            )
        )
        key = (self.env.cr.dbname, rec.id, tuple(sorted((a.res_field, a.checksum) for a in atts)))
        with _BUNDLE_LOCK:
            if key in _BUNDLE_CACHE:
                return _BUNDLE_CACHE[key]
        est, meta = {}, {}
        with tempfile.TemporaryDirectory(prefix="dairy_ml_") as tmp:
            for kind in KINDS:
                data = rec[f"{kind}_file"]
                if not data:
                    continue
                path = Path(tmp) / artifacts.KINDS[kind]
                path.write_bytes(base64.b64decode(data))
                try:
                    art = artifacts.load_artifact(path, kind)
                except artifacts.ArtifactError as err:
                    raise UserError(
                        _("Model %(m)s, %(k)s artifact: %(e)s", m=rec.name, k=kind, e=err)
                    ) from err
                est[kind] = art["estimator"]
                meta[kind] = {k: v for k, v in art.items() if k != "estimator"}
        bundle = artifacts.ModelBundle(
            heat=est.get("heat"),
            health=est.get("health"),
            forecast=est.get("forecast"),
            meta=meta,
        )
        with _BUNDLE_LOCK:
            _BUNDLE_CACHE.clear()  # keep one bundle per process (they can be large)
            _BUNDLE_CACHE[key] = bundle
        return bundle

    @api.model
    def get_active_bundle(self):
        """(bundle or None, version label) used by scoring."""
        model = self.get_active()
        if not model:
            return None, "fallback"
        try:
            return model.load_bundle(), f"{model.name} ({model.version})"
        except UserError as err:
            _logger.error("active ML model %s unusable, scoring with fallbacks: %s", model.id, err)
            return None, "fallback"

    # ------------------------------------------------------------------ creation
    @api.model
    def _create_from_directory(self, directory, name, source, activate=False):
        artifacts = _ml()
        directory = Path(directory)
        vals = {"name": name, "source": source, "metadata": {}}
        versions = set()
        for kind in KINDS:
            path = directory / artifacts.KINDS[kind]
            if not path.exists():
                continue
            try:
                art = artifacts.load_artifact(path, kind)
            except artifacts.ArtifactError as err:
                raise UserError(_("%(k)s artifact refused: %(e)s", k=kind, e=err)) from err
            vals[f"{kind}_file"] = base64.b64encode(path.read_bytes())
            vals["metadata"][kind] = _json_safe({k: v for k, v in art.items() if k != "estimator"})
            versions.add(art["version"])
        if not vals["metadata"]:
            raise UserError(
                _(
                    "No artifact (%(files)s) found in %(dir)s.",
                    files=", ".join(artifacts.KINDS.values()),
                    dir=directory,
                )
            )
        vals["version"] = ", ".join(sorted(versions))
        vals["trained_at"] = fields.Datetime.now()
        record = self.create(vals)
        if activate:
            record.action_activate()
        return record

    @api.model
    def import_directory(self, path, name=None, activate=False):
        """Register the artifacts of ``path`` (``smart-dairy-ml train --out path``).

        Every file is validated (format, kind, metadata, fitted estimator) before anything
        is stored; returns the new record id.
        """
        self._check_trainer()
        path = Path(path)
        if not path.is_dir():
            raise UserError(_("Artifact directory %s does not exist.", path))
        return self._create_from_directory(
            path, name or _("Imported from %s", path.name), "import", activate
        ).id

    @api.model
    def _check_trainer(self):
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("smart_dairy_base.group_farm_manager")
            or user.has_group("base.group_system")
        ):
            raise UserError(
                _("Only farm managers and administrators can train or import ML models.")
            )

    @api.model
    def train_from_simulator(
        self, n_cows=80, days=150, seed=1000, kinds=KINDS, activate=False, name=None
    ):
        """Train the models on the package's herd simulator and store the bundle.

        Small defaults so that the button in the settings answers in about a minute on a
        2-core box; the package CLI (``smart-dairy-ml train``) trains the full-size models.
        Returns the new record id.
        """
        self._check_trainer()
        _ml()
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise UserError(_("Unknown model kinds: %s", ", ".join(sorted(unknown))))
        src = {"source": "simulator", "seed": seed, "cows": n_cows, "days": days}
        with tempfile.TemporaryDirectory(prefix="dairy_ml_train_") as tmp:
            out = Path(tmp)
            try:
                self._train_simulator_kinds(out, kinds, n_cows, days, seed, src)
            except UserError:
                raise
            except Exception as err:  # noqa: BLE001 - any training failure -> clear message
                _logger.exception("ML training on the simulator failed")
                raise UserError(
                    _(
                        "Training on the simulator failed (%(n)s cows, %(d)s days): "
                        "%(t)s: %(e)s. Try a larger herd or more days.",
                        n=n_cows,
                        d=days,
                        t=type(err).__name__,
                        e=err,
                    )
                ) from err
            record = self._create_from_directory(
                out,
                name or _("Simulator seed %(s)s, %(n)s cows", s=seed, n=n_cows),
                "simulator",
                activate,
            )
        return record.id

    @api.model
    def _train_simulator_kinds(self, out, kinds, n_cows, days, seed, src):
        from smart_dairy_ml.artifacts import save_artifact
        from smart_dairy_ml.evaluate import (
            eval_forecast_sim,
            eval_health,
            eval_heat,
            train_forecast_sim,
            train_health,
            train_heat,
        )
        from smart_dairy_ml.forecast import FEATURES as FC_FEATURES

        if "heat" in kinds:
            det = train_heat(seed=seed, n_cows=n_cows, days=min(days, 120))
            met = eval_heat(seed + 1, n_cows=n_cows, days=min(days, 120), detector=det)
            save_artifact(
                det,
                out / "heat.joblib",
                "heat",
                det.features_,
                {**det.training_summary_, "source": "simulator"},
                met["detector"],
                {k: v for k, v in vars(det).items() if not k.endswith("_")},
            )
        if "health" in kinds:
            hm = train_health(seeds=(seed,), n_cows=n_cows, days=days)
            met = eval_health(seed + 1, hm, n_cows=n_cows, days=min(days, 120))["model"]
            save_artifact(
                hm,
                out / "health.joblib",
                "health",
                hm.features_,
                {**hm.training_summary_, "source": "simulator"},
                met,
                {"thresholds": hm.thresholds_},
            )
        if "forecast" in kinds:
            fm = train_forecast_sim(seed=seed, n_cows=n_cows, days=max(days, 120))
            met = eval_forecast_sim(seed + 1, fm, n_cows=n_cows, days=max(days, 120))
            met = {k: v for k, v in met.items() if not isinstance(v, dict)}
            save_artifact(
                fm,
                out / "forecast.joblib",
                "forecast",
                FC_FEATURES,
                {**fm.training_summary_, **src},
                met,
            )

    @api.model
    def _database_daily_frame(self):
        """Daily yields per lactation (AM + PM, complete days only) from the milk records.

        ``animal_id`` is the lactation id (one series per lactation), ``cowno`` the animal.
        """
        import pandas as pd

        self.env["dairy.milk.record"].check_access("read")
        self.env["dairy.milk.record"].flush_model()
        # one grouped query; the company filter mirrors the record rules
        self.env.cr.execute(
            """
            SELECT m.lactation_id, m.animal_id, m.dim, sum(m.yield_l), count(*),
                   max(a.previous_lactations) + (
                       SELECT count(*) FROM dairy_lactation l
                        WHERE l.animal_id = m.animal_id AND l.calving_date <= min(m.date))
              FROM dairy_milk_record m
              JOIN dairy_animal a ON a.id = m.animal_id
             WHERE m.lactation_id IS NOT NULL AND m.dim >= 1 AND m.company_id = ANY(%s)
             GROUP BY m.lactation_id, m.animal_id, m.dim
            HAVING count(*) = 2
            """,
            [self.env.companies.ids],
        )
        rows = self.env.cr.fetchall()
        return pd.DataFrame(
            rows, columns=["animal_id", "cowno", "dim", "yield_kg", "n", "parity"]
        ).drop(columns="n")

    @api.model
    def train_from_database(self, activate=False, name=None, test_frac=0.3, seed=0):
        """Train the 7-day yield forecaster on this database's milk records.

        Metrics are measured on cows held out of the training (``test_frac`` of the
        animals): MAPE at 7 days of the model and of the last-7-days-mean baseline. Heat
        and health artifacts are taken over from the active bundle when there is one (the
        database holds no labelled sensor history to train them); otherwise scoring keeps
        the built-in heat detector and health rules. Returns the new record id.
        """
        self._check_trainer()
        _ml()
        from smart_dairy_ml.artifacts import save_artifact
        from smart_dairy_ml.forecast import FEATURES as FC_FEATURES
        from smart_dairy_ml.forecast import YieldForecaster, evaluate_forecaster, split_by_cow

        daily = self._database_daily_frame()
        series = daily.groupby("animal_id").size() if len(daily) else []
        long_enough = int((series >= 30).sum()) if len(daily) else 0
        if long_enough < 10:
            raise UserError(
                _(
                    "Not enough milk history to train the forecaster: %(n)s lactations with "
                    "at least 30 complete days (need 10).",
                    n=long_enough,
                )
            )
        train, test = split_by_cow(daily, test_frac=test_frac, seed=seed, cow_col="cowno")
        evaluated = YieldForecaster().fit(train)
        metrics = evaluate_forecaster(train, test, model=evaluated, wood_baseline=False)
        metrics = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
        model = YieldForecaster().fit(daily)
        summary = {
            **model.training_summary_,
            "source": "database",
            "database": self.env.cr.dbname,
            "lactations": int(daily["animal_id"].nunique()),
            "cows": int(daily["cowno"].nunique()),
            "days": int(len(daily)),
            "holdout_frac": test_frac,
        }
        active = self.get_active()
        with tempfile.TemporaryDirectory(prefix="dairy_ml_train_") as tmp:
            out = Path(tmp)
            save_artifact(model, out / "forecast.joblib", "forecast", FC_FEATURES, summary, metrics)

            for kind in ("heat", "health"):
                if active and active[f"{kind}_file"]:
                    (out / f"{kind}.joblib").write_bytes(base64.b64decode(active[f"{kind}_file"]))

            record = self._create_from_directory(
                out, name or _("Database %s", self.env.cr.dbname), "database", False
            )
        if activate:
            record.action_activate()
        return record.id

    # ------------------------------------------------------------------ UI actions
    def action_open_models(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("ML models"),
            "res_model": self._name,
            "view_mode": "list,form",
        }

    @api.model
    def action_train_from_database(self):
        record = self.browse(self.train_from_database(activate=True))
        return record._action_show()

    @api.model
    def action_train_from_simulator(self):
        record = self.browse(self.train_from_simulator(activate=True))
        return record._action_show()

    def _action_show(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    smart_dairy_ml_model_id = fields.Many2one(
        "dairy.ml.model",
        string="Active ML model",
        config_parameter=ACTIVE_PARAM,
        help="Artifacts used by the daily scoring and the ingestor's calls. Empty: the "
        "built-in fallbacks (default heat detector, single-signal health rules, "
        "lactation-curve forecast).",
    )
    smart_dairy_ml_model_version = fields.Char(
        related="smart_dairy_ml_model_id.version", string="Package version"
    )
    smart_dairy_ml_model_trained_at = fields.Datetime(
        related="smart_dairy_ml_model_id.trained_at", string="Trained"
    )
    smart_dairy_ml_model_source = fields.Selection(
        related="smart_dairy_ml_model_id.source", string="Trained on"
    )
    smart_dairy_ml_model_kinds = fields.Char(
        related="smart_dairy_ml_model_id.kinds", string="Models"
    )

    def action_dairy_ml_train_database(self):
        return self.env["dairy.ml.model"].action_train_from_database()

    def action_dairy_ml_train_simulator(self):
        return self.env["dairy.ml.model"].action_train_from_simulator()

    def action_dairy_ml_open_models(self):
        return self.env["dairy.ml.model"].action_open_models()
