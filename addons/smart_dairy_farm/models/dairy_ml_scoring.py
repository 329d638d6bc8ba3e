# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""ML scoring inside Odoo: heat, health risks, 7-day yield forecast, yield-drop residual.

``dairy.animal.score_animals(ids)`` (daily cron, the IoT ingestor, the "Score now" button)
builds the frames :func:`smart_dairy_ml.scoring.score_herd` expects from the database -
milk records, and hourly collar data from the ingestor's rollup ``iot.animal_hourly`` when
schema ``iot`` exists - runs the active model bundle, stores one ``dairy.ml.score`` per
animal and day, and raises / refreshes / clears the attention events (one open event per
animal + cause, source "ML model"). Cows without enough data get an "insufficient data"
score with the reason; they never stop the run.
"""

import io
import logging
import time
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models

from .dairy_ml_model import _ml

_logger = logging.getLogger(__name__)

HOURLY_DAYS = 14  # heat baseline (10 d) + recent window; health baseline (10 d) + lag
MILK_DAYS = 60  # milkings given to the scorer: health baselines and the forecaster's history
HOURLY_METRICS = ("activity", "rumination_min", "body_temp_c")
DISEASE_CAUSE = {"ketosis": "ketosis", "mastitis": "mastitis", "illness": "illness"}
ML_CAUSES = ("heat", "ketosis", "mastitis", "illness", "yield_drop")
# breed codes of dairy.breed -> names the package knows
BREED_NAMES = {
    "HFX": "hfxlocal",
    "HF": "holstein friesian",
    "LOC": "local",
    "SAH": "sahiwal",
    "RCC": "red chittagong",
}
RESCORE_PARAM = "smart_dairy.ml_rescore_minutes"
PART_STATUS = [("ok", "OK"), ("insufficient_data", "Insufficient data")]


def _naive_utc(value):
    """ISO string / pandas Timestamp / datetime -> naive UTC datetime (or False)."""
    if value is None or value is False or value == "":
        return False
    import pandas as pd

    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return False
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


def _float(value):
    return float(value) if value is not None else 0.0


class DairyMlScore(models.Model):
    _name = "dairy.ml.score"
    _description = "ML score of an animal for a day"
    _order = "date desc, animal_id"

    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="animal_id.company_id", store=True, index=True)
    date = fields.Date(required=True, index=True)
    as_of = fields.Datetime(required=True, string="Data up to")
    status = fields.Selection(PART_STATUS, required=True)
    reason = fields.Text(help="Why parts of the score could not be computed.")
    warnings = fields.Text()
    model_version = fields.Char()
    heat_status = fields.Selection(PART_STATUS)
    heat_alert = fields.Boolean()
    heat_score = fields.Float(digits=(6, 2))
    heat_confidence = fields.Float(digits=(4, 3))
    heat_onset = fields.Datetime()
    ai_window_start = fields.Datetime(string="Insemination from")
    ai_window_end = fields.Datetime(string="Insemination until")
    ketosis_risk = fields.Float(digits=(4, 3))
    ketosis_alert = fields.Boolean()
    mastitis_risk = fields.Float(digits=(4, 3))
    mastitis_alert = fields.Boolean()
    illness_risk = fields.Float(digits=(4, 3))
    illness_alert = fields.Boolean()
    anomaly_score = fields.Float(digits=(6, 3))
    forecast_status = fields.Selection(PART_STATUS)
    forecast = fields.Json(help="[{date, dim, yield_kg}] for the next 7 days.")
    forecast_day7_kg = fields.Float(string="Forecast day 7 (kg)", digits=(6, 2))
    residual = fields.Float(
        digits=(5, 3), help="Last day's yield vs the 1-day forecast made the day before."
    )
    residual_flag = fields.Boolean(string="Yield below forecast (< -15 %)")
    result = fields.Json(help="Full result of smart_dairy_ml.scoring.score_herd.")

    _sql_constraints = [
        ("animal_date_uniq", "unique(animal_id, date)", "One ML score per animal and day."),
    ]

    @api.depends("animal_id", "date")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = f"{rec.animal_id.visual_tag or ''} {rec.date or ''}"

    @api.model
    def _reason_texts(self):
        """Translated texts of the "not scored because" lines (looked up once per run)."""
        return {
            "no_collar": self.env._(
                "no collar data (activity, rumination, temperature) in the last %s days",
                HOURLY_DAYS,
            ),
            "no_milk": self.env._("no milking in the last %s days", MILK_DAYS),
            "heat": self.env._("heat: %s"),
            "part": self.env._("%(d)s: %(r)s"),
            "forecast": self.env._("forecast: %s"),
        }

    @api.model
    def _vals_from_result(
        self, animal_id, r, as_of, version, has_hourly=True, has_milk=True, texts=None
    ):
        heat = r.get("heat") or {}
        health = r.get("health") or {}
        fc = r.get("forecast") or {}
        res = r.get("residual") or {}
        texts = texts or self._reason_texts()
        no_collar, no_milk = texts["no_collar"], texts["no_milk"]
        reasons = []
        if heat.get("status") != "ok":
            reason = no_collar if not has_hourly else heat.get("reason") or "-"
            reasons.append(texts["heat"] % reason)
        for d in DISEASE_CAUSE:
            part = health.get(d) or {}
            if part.get("status") != "ok":
                reason = part.get("reason") or "-"
                if not has_milk:
                    reason = no_milk
                elif not has_hourly:
                    reason = no_collar
                reasons.append(texts["part"] % {"d": d, "r": reason})
        if fc.get("status") != "ok":
            reasons.append(texts["forecast"] % (fc.get("reason") or "-"))
        window = heat.get("insemination_window") or [None, None]
        days = fc.get("days") or []
        vals = {
            "animal_id": animal_id,
            "date": as_of.date(),
            "as_of": as_of,
            "status": r.get("status") or "insufficient_data",
            "reason": "\n".join(reasons) or False,
            "warnings": "\n".join(r.get("warnings") or []) or False,
            "model_version": version,
            "heat_status": heat.get("status") or "insufficient_data",
            "heat_alert": bool(heat.get("alert")),
            "heat_score": _float(heat.get("score")),
            "heat_confidence": _float(heat.get("confidence")),
            "heat_onset": _naive_utc(heat.get("onset_ts")),
            "ai_window_start": _naive_utc(window[0]),
            "ai_window_end": _naive_utc(window[1]),
            "anomaly_score": _float((health.get("anomaly") or {}).get("score")),
            "forecast_status": fc.get("status") or "insufficient_data",
            "forecast": days,
            "forecast_day7_kg": _float(days[-1]["yield_kg"]) if days else 0.0,
            "residual": _float(res.get("value")),
            "residual_flag": bool(res.get("flag")),
            "result": r,
        }
        for d in DISEASE_CAUSE:
            part = health.get(d) or {}
            vals[f"{d}_risk"] = _float(part.get("probability"))
            vals[f"{d}_alert"] = bool(part.get("alert"))
        return vals


class DairyAnimal(models.Model):
    _inherit = "dairy.animal"

    ml_score_ids = fields.One2many("dairy.ml.score", "animal_id", string="ML scores")
    ml_score_id = fields.Many2one(
        "dairy.ml.score",
        compute="_compute_ml_score_id",
        search="_search_ml_score_id",
        string="Latest ML score",
    )
    ml_status = fields.Selection(related="ml_score_id.status", string="ML status")
    ml_reason = fields.Text(related="ml_score_id.reason", string="Not scored because")
    ml_scored_at = fields.Datetime(related="ml_score_id.as_of", string="Scored with data up to")
    ml_model_version = fields.Char(related="ml_score_id.model_version", string="ML model")
    ml_heat_status = fields.Selection(related="ml_score_id.heat_status", string="Heat")
    ml_heat_alert = fields.Boolean(related="ml_score_id.heat_alert", string="In heat")
    ml_heat_onset = fields.Datetime(related="ml_score_id.heat_onset", string="Heat onset")
    ml_ai_window_start = fields.Datetime(
        related="ml_score_id.ai_window_start", string="Inseminate from"
    )
    ml_ai_window_end = fields.Datetime(
        related="ml_score_id.ai_window_end", string="Inseminate until"
    )
    ml_ketosis_risk = fields.Float(related="ml_score_id.ketosis_risk", string="Ketosis risk")
    ml_mastitis_risk = fields.Float(related="ml_score_id.mastitis_risk", string="Mastitis risk")
    ml_illness_risk = fields.Float(related="ml_score_id.illness_risk", string="Illness risk")
    ml_residual = fields.Float(related="ml_score_id.residual", string="Yield vs forecast")
    ml_residual_flag = fields.Boolean(
        related="ml_score_id.residual_flag", string="Yield below forecast"
    )
    ml_forecast_day7_kg = fields.Float(
        related="ml_score_id.forecast_day7_kg", string="Forecast in 7 days (kg)"
    )
    ml_chart_data = fields.Json(compute="_compute_ml_chart_data", string="Yield chart")
    ml_ration_html = fields.Html(
        compute="_compute_ml_ration_html", sanitize=False, string="Least-cost ration"
    )

    def _compute_ml_score_id(self):
        latest = {}
        if self.ids:
            self.env["dairy.ml.score"].flush_model(["animal_id", "date"])
            self.env.cr.execute(
                "SELECT DISTINCT ON (animal_id) animal_id, id FROM dairy_ml_score "
                "WHERE animal_id = ANY(%s) ORDER BY animal_id, date DESC, id DESC",
                [self.ids],
            )
            latest = dict(self.env.cr.fetchall())
        for animal in self:
            animal.ml_score_id = latest.get(animal.id, False)

    def _search_ml_score_id(self, operator, value):
        # animals having one of these scores (used for cache invalidation of related fields)
        if operator not in ("in", "="):
            return NotImplemented
        ids = [value] if isinstance(value, int) else list(value or [])
        return [("id", "in", self.env["dairy.ml.score"].browse(ids).animal_id.ids)]

    # ================================================================ public API
    @api.model
    def score_animals(self, ids, as_of=False):
        """Score these animals now (or ``as_of``) and refresh their attention events.

        Public entry point for the IoT ingestor (XML-RPC, with the ids of the animals that
        received new data), the daily cron and the "Score now" button. ``ids``: list of
        ``dairy.animal`` ids (unknown or inaccessible ids are reported, not fatal);
        ``as_of``: UTC datetime string, default now.

        Per animal and cause (heat, ketosis, mastitis, illness, yield drop) one open
        attention event with source "ML model": raised or refreshed while the signal is
        present, cleared when that part scores again without it. Animals with too little
        data get an "insufficient data" score with the reason and never stop the run.

        Returns ``{"scored", "ok", "insufficient_data", "insufficient": [{"animal_id",
        "tag", "reason"}], "unknown_ids", "alerts": {cause: n}, "raised", "cleared",
        "model", "as_of", "seconds", "timings": {"load_s", "score_s", "store_s"}}``.
        """
        started = time.perf_counter()
        self.env["dairy.ml.score"].check_access("create")
        self.env["dairy.attention.event"].check_access("create")
        wanted = [int(i) for i in (ids or [])]
        animals = self.browse(wanted).exists()
        # record rules: only animals the caller may read are scored
        animals = self.search([("id", "in", animals.ids)]) if animals else animals
        unknown = sorted(set(wanted) - set(animals.ids))
        when = fields.Datetime.to_datetime(as_of) if as_of else fields.Datetime.now()
        summary = animals._ml_score(when)
        summary["unknown_ids"] = unknown
        summary["seconds"] = round(time.perf_counter() - started, 3)
        return summary

    @api.model
    def _cron_ml_score(self):
        """Daily: score every female that is present (heifers for heat, cows for all)."""
        animals = self.search(
            [("sex", "=", "female"), ("status", "in", ("heifer", "lactating", "dry"))]
        )
        summary = animals._ml_score(fields.Datetime.now())
        _logger.info(
            "ML scoring: %s animals, %s ok, %s insufficient data, %s raised, %s cleared",
            summary["scored"],
            summary["ok"],
            summary["insufficient_data"],
            summary["raised"],
            summary["cleared"],
        )
        return summary

    def _score_new_sensor_data(self):
        """Hook called by ``smart_iot_mgmt`` when the ingestor reports new animal data.

        Debounced per animal: an animal scored less than ``smart_dairy.ml_rescore_minutes``
        (default 60) ago is skipped, so a chatty ingestor does not rescore the herd every
        minute. Returns the scoring summary (``{}`` when nothing was due).
        """
        param = self.env["ir.config_parameter"].sudo().get_param(RESCORE_PARAM, "60")
        try:
            minutes = max(int(param), 0)
        except ValueError:
            minutes = 60
        now = fields.Datetime.now()
        due = self
        if minutes and self:
            self.env["dairy.ml.score"].flush_model(["animal_id", "as_of", "create_date"])
            self.env.cr.execute(
                "SELECT DISTINCT animal_id FROM dairy_ml_score "
                "WHERE animal_id = ANY(%s) AND create_date >= %s",
                [self.ids, now - timedelta(minutes=minutes)],
            )
            recent = {r[0] for r in self.env.cr.fetchall()}
            due = self.filtered(lambda a: a.id not in recent)
        return due._ml_score(now) if due else {}

    def action_ml_score_now(self):
        self.score_animals(self.ids)
        return True

    # ================================================================ scoring run
    def _ml_score(self, as_of):
        """Score ``self`` as of ``as_of`` (naive UTC); store scores, apply events."""
        _ml()
        from smart_dairy_ml.scoring import score_herd

        bundle, version = self.env["dairy.ml.model"].get_active_bundle()
        summary = {
            "scored": len(self),
            "ok": 0,
            "insufficient_data": 0,
            "insufficient": [],
            "alerts": dict.fromkeys(ML_CAUSES, 0),
            "raised": 0,
            "cleared": 0,
            "model": version,
            "as_of": fields.Datetime.to_string(as_of),
        }
        if not self:
            return summary
        import pandas as pd

        t0 = time.perf_counter()
        load_s = 0.0
        results, with_hourly, with_milk = [], set(), set()
        for company in self.company_id:
            mine = self.filtered(lambda a, c=company: a.company_id == c)
            # the rest of the herd is context: herd medians and the tie-stall heat path's
            # hourly herd correction then give these animals the daily run's result
            herd = mine.sudo() | mine._ml_herd_context()
            t = time.perf_counter()
            hourly, milkings, animals = herd._ml_frames(as_of)
            load_s += time.perf_counter() - t
            results += score_herd(
                hourly,
                milkings,
                animals,
                models=bundle,
                as_of=pd.Timestamp(as_of, tz="UTC"),
                score_ids=mine.ids,
            )
            with_hourly |= set(hourly["animal_id"].dropna().astype(int))
            with_milk |= set(milkings["animal_id"].dropna().astype(int))
        t1 = t0 + load_s
        t2 = time.perf_counter()
        Score = self.env["dairy.ml.score"].sudo()  # sudo: rows of animals checked above
        day = as_of.date()
        old = Score.search([("animal_id", "in", self.ids), ("date", "=", day)])
        old.unlink()
        by_id = {r["animal_id"]: r for r in results}
        vals_list = []
        tags = {a.id: a.visual_tag for a in self}
        texts = Score._reason_texts()
        for animal_id in self.ids:
            r = by_id.get(animal_id) or {"status": "insufficient_data"}
            vals = Score._vals_from_result(
                animal_id,
                r,
                as_of,
                version,
                animal_id in with_hourly,
                animal_id in with_milk,
                texts=texts,
            )
            vals_list.append(vals)
            if vals["status"] == "ok":
                summary["ok"] += 1
            else:
                summary["insufficient_data"] += 1
                summary["insufficient"].append(
                    {"animal_id": animal_id, "tag": tags[animal_id], "reason": vals["reason"]}
                )
        scores = Score.create(vals_list)
        t3 = time.perf_counter()
        raised, cleared = self._ml_apply_events(scores, version, by_id)
        summary["raised"] = len(raised)
        summary["cleared"] = cleared
        for cause in raised:
            summary["alerts"][cause[1]] += 1
        summary["timings"] = {
            "load_s": round(t1 - t0, 3),
            "score_s": round(t2 - t1, 3),
            "store_s": round(time.perf_counter() - t2, 3),
            "events_s": round(time.perf_counter() - t3, 3),
        }
        return summary

    def _ml_apply_events(self, scores, version, results=None):
        """Raise/refresh the attention events the scores call for, clear the others.

        ``results``: the ``score_herd`` results by animal id (the scores' ``result``);
        given by the scoring run so the stored JSON is not read back (and copied) again.
        """
        Event = self.env["dairy.attention.event"]
        raise_list, decided = [], set()
        results = results or {}
        for s in scores:
            aid = s.animal_id.id
            result = results.get(aid)
            if result is None:  # not from this run: read the stored JSON
                result = s.result or {}
            if s.heat_status == "ok":
                decided.add((aid, "heat"))
                if s.heat_alert:
                    desc = _(
                        "Heat onset %(on)s (score %(sc).1f, confidence %(cf).0f %%). "
                        "Inseminate between %(a)s and %(b)s (UTC).",
                        on=s.heat_onset,
                        sc=s.heat_score,
                        cf=100 * s.heat_confidence,
                        a=s.ai_window_start,
                        b=s.ai_window_end,
                    )
                    raise_list.append((aid, "heat", "2", s.heat_score, desc))
            parts = result.get("health") or {}
            for d, cause in DISEASE_CAUSE.items():
                if (parts.get(d) or {}).get("status") != "ok":
                    continue
                decided.add((aid, cause))
                if s[f"{d}_alert"]:
                    risk = s[f"{d}_risk"]
                    prio = "3" if risk >= 0.8 else "2"
                    desc = _("%(d)s risk %(p).0f %%.", d=d.capitalize(), p=100 * risk)
                    raise_list.append((aid, cause, prio, risk, desc))
            if (result.get("residual") or {}).get("status") == "ok":
                decided.add((aid, "yield_drop"))
                if s.residual_flag:
                    desc = _(
                        "Yesterday's yield %(r).0f %% against the forecast.", r=100 * s.residual
                    )
                    raise_list.append((aid, "yield_drop", "1", s.residual, desc))
        raising = {(a, c) for a, c, *_rest in raise_list}
        seen_at = fields.Datetime.now()
        for aid, cause, prio, score, desc in raise_list:
            Event.raise_attention(
                aid,
                cause,
                {
                    "priority": prio,
                    "score": score,
                    "model_version": version,
                    "source": "ml",
                    "description": desc,
                    "seen_at": seen_at,
                },
            )
        to_clear = decided - raising
        cleared = 0
        if to_clear:
            open_events = Event.search(
                [
                    ("animal_id", "in", list({a for a, _c in to_clear})),
                    ("cause", "in", list(ML_CAUSES)),
                    ("source", "=", "ml"),
                    ("is_open", "=", True),
                ]
            )
            gone = open_events.filtered(lambda e: (e.animal_id.id, e.cause) in to_clear)
            if gone:
                gone.write({"state": "cleared", "cleared_date": seen_at})
                cleared = len(gone)
        return raising, cleared

    # ================================================================ frames
    def _ml_herd_context(self):
        """The herd the daily run scores together with ``self`` (one company): every female
        present. sudo (frames only): their sensor data feeds the herd medians, nothing of
        them is returned or stored; ``self`` passed the caller's access checks."""
        return self.sudo().search(
            [
                ("company_id", "in", self.company_id.ids),
                ("sex", "=", "female"),
                ("status", "in", ("heifer", "lactating", "dry")),
            ]
        )

    def _ml_frames(self, as_of):
        """(hourly, milkings, animals) frames for ``score_herd`` with one query each."""
        import pandas as pd

        ids = self.ids
        animals = pd.DataFrame(
            [
                {
                    "animal_id": a.id,
                    "parity": a.lactation_number,
                    "calving_date": pd.Timestamp(a.current_calving_date)
                    if a.current_calving_date
                    else pd.NaT,
                    "breed": BREED_NAMES.get(a.breed_id.code, a.breed_id.name)
                    if a.breed_id
                    else None,
                    "pregnant": bool(a.is_pregnant),
                    "housing": a.barn_id.housing_type or "freestall",
                    "body_weight_kg": a.last_weight_kg or float("nan"),
                }
                for a in self
            ]
        )
        treated = dict(
            self.env["dairy.health.event"]._read_group(
                [
                    ("animal_id", "in", ids),
                    ("event_type", "=", "diagnosis"),
                    ("date", "<=", as_of.date()),
                ],
                ["animal_id"],
                ["__count"],
            )
        )
        animals["treatments"] = [treated.get(a, 0) for a in self]

        since = as_of - timedelta(days=MILK_DAYS)
        self.env["dairy.milk.record"].flush_model()
        # streamed with COPY, times as integer microseconds: about half the time of
        # fetchall() + datetime objects for the ~25k milkings of a 255-cow herd
        query = self.env.cr._obj.mogrify(
            """
            COPY (
                SELECT animal_id,
                       (extract(epoch FROM coalesce(milking_time, date::timestamp))
                        * 1000000)::bigint,
                       upper(session), yield_l, nullif(conductivity, 0), nullif(fat_pct, 0)
                  FROM dairy_milk_record
                 WHERE animal_id = ANY(%s) AND date >= %s AND date <= %s
            ) TO STDOUT WITH (FORMAT csv)
            """,
            [ids, since.date(), as_of.date()],
        ).decode()
        buf = io.StringIO()
        self.env.cr._obj.copy_expert(query, buf)
        buf.seek(0)
        milk_cols = ["animal_id", "ts", "session", "yield_l", "conductivity_ms_cm", "fat_pct"]
        if buf.getvalue():
            milkings = pd.read_csv(
                buf,
                header=None,
                names=milk_cols,
                dtype={"animal_id": "int64", "ts": "int64", "session": object},
                float_precision="round_trip",  # the stored doubles, bit for bit
            )
            milkings["ts"] = pd.to_datetime(milkings["ts"], unit="us", utc=True)
        else:
            milkings = pd.DataFrame(columns=milk_cols)
            milkings["ts"] = pd.to_datetime(milkings["ts"], utc=True)
        hourly = self._ml_hourly_frame(as_of)
        return hourly, milkings, animals

    def _ml_hourly_frame(self, as_of):
        """Hourly collar/bolus data from the ingestor's ``iot.animal_hourly`` rollup.

        The ingestor keys animals by EID or visual tag (as in the MQTT topic); both are
        mapped back to the animal. Empty frame when schema ``iot`` does not exist.
        """
        import pandas as pd

        cols = ["animal_id", "ts", *HOURLY_METRICS]
        cr = self.env.cr
        cr.execute("SELECT to_regclass('iot.animal_hourly') IS NOT NULL")
        if not cr.fetchone()[0]:
            return pd.DataFrame(columns=cols)
        refs = {}
        for a in self:
            for ref in (a.eid, a.visual_tag):
                if ref:
                    refs[ref] = a.id
        if not refs:
            return pd.DataFrame(columns=cols)
        # one row per animal and hour, streamed with COPY (5-10x faster than fetchall for
        # the ~90k rows of a 255-cow herd); parameters are bound by mogrify
        query = cr._obj.mogrify(
            """
            COPY (
                SELECT animal_ref, extract(epoch FROM bucket)::bigint,
                       max(avg) FILTER (WHERE metric = 'activity'),
                       max(avg) FILTER (WHERE metric = 'rumination_min'),
                       max(avg) FILTER (WHERE metric = 'body_temp_c')
                  FROM iot.animal_hourly
                 WHERE animal_ref = ANY(%s) AND metric = ANY(%s)
                   AND bucket > %s AND bucket <= %s
                 GROUP BY animal_ref, bucket
            ) TO STDOUT WITH (FORMAT csv)
            """,
            [
                list(refs),
                list(HOURLY_METRICS),
                as_of - timedelta(days=HOURLY_DAYS),
                as_of,
            ],
        ).decode()
        buf = io.StringIO()
        cr._obj.copy_expert(query, buf)
        buf.seek(0)
        if not buf.getvalue():
            return pd.DataFrame(columns=cols)
        wide = pd.read_csv(
            buf,
            header=None,
            names=["ref", "epoch", *HOURLY_METRICS],
            dtype={"ref": str, "epoch": "int64"},
        )
        wide["animal_id"] = wide["ref"].map(refs)
        wide["ts"] = pd.to_datetime(wide["epoch"], unit="s", utc=True)
        return wide[cols]

    # ================================================================ form: chart, ration
    def _ml_lactation_daily(self):
        """[(date, dim, yield)] of the current lactation, complete days (AM + PM) only."""
        self.ensure_one()
        if not self.current_lactation_id:
            return []
        self.env["dairy.milk.record"].flush_model()
        self.env.cr.execute(
            """
            SELECT date, max(dim), sum(yield_l)
              FROM dairy_milk_record
             WHERE animal_id = %s AND lactation_id = %s
             GROUP BY date HAVING count(*) = 2 ORDER BY date
            """,
            [self.id, self.current_lactation_id.id],
        )
        return self.env.cr.fetchall()

    @api.depends("current_lactation_id")
    def _compute_ml_chart_data(self):
        for animal in self:
            animal.ml_chart_data = animal._ml_chart()

    def _ml_chart(self):
        """Actual vs fitted lactation curve vs 7-day forecast (data of the form's chart)."""
        daily = self._ml_lactation_daily()
        out = {"labels": [], "actual": [], "fitted": [], "forecast": [], "curve": "", "note": ""}
        score = self.ml_score_id
        fc_days = (score.forecast or []) if score and score.forecast_status == "ok" else []
        if not daily and not fc_days:
            out["note"] = _("No milk recorded in the current lactation.")
            return out
        first = daily[0][0] if daily else fields.Date.to_date(fc_days[0]["date"])
        first_dim = daily[0][1] if daily else fc_days[0]["dim"]
        ends = [daily[-1][0]] if daily else []
        ends += [fields.Date.to_date(d["date"]) for d in fc_days]
        last = max(ends)
        n = (last - first).days + 1
        labels = [first + timedelta(days=i) for i in range(n)]
        actual = {d: y for d, _dim, y in daily}
        forecast = {fields.Date.to_date(d["date"]): d["yield_kg"] for d in fc_days}
        out["labels"] = [fields.Date.to_string(d) for d in labels]
        out["actual"] = [round(actual[d], 2) if d in actual else None for d in labels]
        out["forecast"] = [forecast.get(d) for d in labels]
        try:
            from smart_dairy_ml.lactation import InsufficientData, LactationCurve

            curve = LactationCurve("best").fit([d[1] for d in daily], [d[2] for d in daily])
            dims = [first_dim + i for i in range(n)]
            out["fitted"] = [round(float(v), 2) for v in curve.predict(dims)]
            out["curve"] = curve.model_
        except (ImportError, InsufficientData, ValueError) as err:
            out["note"] = _("No lactation curve: %s", err)
            out["fitted"] = [None] * n
        return out

    @api.depends("current_lactation_id", "last_weight_kg")
    def _compute_ml_ration_html(self):
        for animal in self:
            animal.ml_ration_html = animal._ml_ration_html()

    def _ml_ration_inputs(self):
        """(body weight, milk kg/day, fat %, DIM, notes) for the ration of this cow."""
        notes = []
        weight = self.last_weight_kg
        if not weight:
            weight = 400.0
            notes.append(_("no weighing recorded: 400 kg assumed"))
        score = self.ml_score_id
        days = (score.forecast or []) if score and score.forecast_status == "ok" else []
        if days:
            milk = sum(d["yield_kg"] for d in days) / len(days)
            notes.append(_("milk = mean of the 7-day forecast"))
        else:
            milk = self.avg_yield_7d
            notes.append(_("milk = average of the last 7 days"))
        self.env.cr.execute(
            "SELECT avg(fat_pct) FROM dairy_milk_record WHERE animal_id = %s AND fat_pct > 0 "
            "AND date >= %s",
            [self.id, fields.Date.context_today(self) - timedelta(days=14)],
        )
        fat = self.env.cr.fetchone()[0] or 4.0
        return weight, milk, float(fat), max(self.days_in_milk, 1), notes

    def _ml_ration_html(self):
        if self.sex != "female" or self.status != "lactating" or not self.current_lactation_id:
            return Markup("<p>%s</p>") % _("Rations are computed for lactating cows.")
        try:
            _ml()
            from smart_dairy_ml.ration import least_cost_ration
        except Exception as err:  # noqa: BLE001 - shown to the user, never blocks the form
            return Markup("<p>%s</p>") % str(err)
        weight, milk, fat, dim, notes = self._ml_ration_inputs()
        try:
            res = least_cost_ration(weight, milk, fat_pct=fat, dim=dim)
        except ValueError as err:
            return Markup("<p>%s</p>") % _("No ration: %s", err)
        head = _(
            "%(w).0f kg, %(m).1f kg milk/day, %(f).1f %% fat, DIM %(d)s (%(n)s)",
            w=weight,
            m=milk,
            f=fat,
            d=dim,
            n="; ".join(notes),
        )
        rows = Markup("").join(
            Markup(
                "<tr><td>%s</td><td class='text-end'>%.2f</td><td class='text-end'>%.2f"
                "</td><td class='text-end'>%.2f</td></tr>"
            )
            % (r["feed"], r["kg_as_fed"], r["kg_dm"], r["cost_bdt"])
            for r in res.ration.to_dict(orient="records")
        )
        status = {
            "optimal": _("Least-cost ration meeting every requirement"),
            "nearest_feasible": _("Nearest feasible ration: %s", res.message),
        }.get(res.status, res.message)
        req = res.required
        return Markup(
            "<p class='o_dairy_ml_ration_status'><b>%s</b></p><p>%s</p>"
            "<table class='table table-sm o_dairy_ml_ration'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody>"
            "<tfoot><tr><th>%s</th><th></th><th class='text-end'>%.2f</th>"
            "<th class='text-end'>%.2f</th></tr></tfoot></table>"
            "<p class='text-muted'>%s</p>"
        ) % (
            status,
            head,
            _("Feed"),
            _("kg as fed"),
            _("kg DM"),
            _("BDT"),
            rows,
            _("Total"),
            res.supplied.get("dmi_kg", 0.0),
            res.cost_bdt,
            escape(
                _(
                    "Requirements (NRC 2001): DMI %(dmi).1f kg, NEL %(nel).1f Mcal, "
                    "CP %(cp).2f kg, NDF ≥ 28 %% DM, forage NDF ≥ 21 %% DM.",
                    dmi=req.get("dmi_kg", 0.0),
                    nel=req.get("nel_mcal", 0.0),
                    cp=req.get("cp_kg", 0.0),
                )
            ),
        )
