# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A small herd with injected heat / ketosis patterns, stored where Odoo reads it.

Collar data goes to the ingestor's rollup ``iot.animal_hourly`` (created in the test
transaction when schema ``iot`` is absent, i.e. without ``smart_iot_mgmt``), milkings to
``dairy.milk.record``. The same frames are returned so that a test computes its expectation
with :func:`smart_dairy_ml.scoring.score_herd` instead of hard-coding it.
"""

from datetime import timedelta

import numpy as np
import pandas as pd

from odoo import fields

from .common import FarmCase

HOURLY_DDL = """
CREATE SCHEMA IF NOT EXISTS iot;
CREATE TABLE IF NOT EXISTS iot.animal_hourly (
    animal_ref text NOT NULL,
    metric text NOT NULL,
    bucket timestamptz NOT NULL,
    n bigint NOT NULL,
    sum double precision NOT NULL,
    min double precision NOT NULL,
    max double precision NOT NULL,
    avg double precision GENERATED ALWAYS AS (sum / NULLIF(n, 0)) STORED,
    last_ts timestamptz NOT NULL,
    PRIMARY KEY (animal_ref, metric, bucket)
)
"""
METRICS = ("activity", "rumination_min", "body_temp_c")


def synth_herd(
    n_cows,
    end,
    heat_cow=None,
    ketosis_cow=None,
    past_heat_cow=None,
    hourly_days=14,
    milk_days=30,
    seed=5,
):
    """(hourly, milkings) frames for cows 1..n (``end``: tz-aware UTC, last hour of data).

    Heat: activity x3.5 from 20 h to 8 h before ``end``, rumination -10 % that day; past
    heat: the same 6 days earlier (no alert any more, as in any herd some cow was in heat
    in the last two weeks).
    Ketosis: rumination -38 %, activity -20 % over the last 3 days, yield -15 % the last
    2 days. Milkings stop the day before ``end`` (AM 00:00 and PM 11:00 UTC).
    """
    rng = np.random.default_rng(seed)
    end = end.floor("h")
    hours = pd.date_range(end - pd.Timedelta(hours=24 * hourly_days - 1), end, freq="h")
    age = ((end - hours) / pd.Timedelta(hours=1)).to_numpy()
    frames = []
    for c in range(1, n_cows + 1):
        base = rng.uniform(40, 60)
        diurnal = 1 + 0.35 * np.sin((hours.hour.to_numpy() - 6) / 24 * 2 * np.pi)
        act = base * diurnal * rng.lognormal(0, 0.15, len(hours))
        rum = np.clip(19.5 + rng.normal(0, 2.0, len(hours)), 0, 60)
        tmp = 38.6 + rng.normal(0, 0.08, len(hours))
        if c == heat_cow:
            act = np.where((age <= 20) & (age > 8), act * 3.5, act)
            rum = np.where(age <= 24, rum * 0.9, rum)
        if c == past_heat_cow:
            act = np.where((age <= 164) & (age > 152), act * 3.5, act)
        if c == ketosis_cow:
            act = np.where(age <= 72, act * 0.8, act)
            rum = np.where(age <= 72, rum * 0.62, rum)
        frames.append(
            pd.DataFrame(
                {
                    "cow": c,
                    "ts": hours,
                    "activity": act.round(2),
                    "rumination_min": rum.round(2),
                    "body_temp_c": tmp.round(2),
                }
            )
        )
    hourly = pd.concat(frames, ignore_index=True)
    rows = []
    last_day = end.floor("D") - pd.Timedelta(days=1)
    for c in range(1, n_cows + 1):
        level = rng.uniform(5, 7)
        for d in range(milk_days - 1, -1, -1):
            day = last_day - pd.Timedelta(days=d)
            for session, hh in (("AM", 0), ("PM", 11)):
                y = level * rng.lognormal(0, 0.04) * (0.85 if c == ketosis_cow and d <= 1 else 1)
                rows.append(
                    (
                        c,
                        day + pd.Timedelta(hours=hh),
                        session,
                        round(y, 2),
                        round(5.0 + rng.normal(0, 0.1), 2),
                    )
                )
    milk = pd.DataFrame(rows, columns=["cow", "ts", "session", "yield_l", "conductivity_ms_cm"])
    return hourly, milk


class MlCase(FarmCase):
    """Five lactating cows (60 DIM, 2nd lactation): cow 1 in heat, cow 2 with ketosis,
    cow 4 was in heat 6 days ago."""

    N_COWS = 5
    HEAT, KETOSIS, CONTROL, PAST_HEAT = 1, 2, 3, 4

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now().replace(second=0, microsecond=0)
        cls.end = pd.Timestamp(cls.now, tz="UTC")
        cls.calving = cls.today - timedelta(days=60)
        cls.cows = cls.env["dairy.animal"]
        for i in range(1, cls.N_COWS + 1):
            cow = cls._animal(f"ML-{i:03d}", f"0500009771{i:05d}", years=4, previous_lactations=1)
            cls._calve(cow, 60)
            cls.cows |= cow
        cls.hourly, cls.milk = synth_herd(
            cls.N_COWS,
            cls.end,
            heat_cow=cls.HEAT,
            ketosis_cow=cls.KETOSIS,
            past_heat_cow=cls.PAST_HEAT,
        )
        cls._store_milk(cls.milk)
        cls._store_hourly(cls.hourly)

    @classmethod
    def ml_cow(cls, number):
        return cls.cows[number - 1]

    @classmethod
    def _store_milk(cls, milk):
        cls.env["dairy.milk.record"].create(
            [
                {
                    "animal_id": cls.ml_cow(int(r.cow)).id,
                    "milking_time": r.ts.tz_convert("UTC").tz_localize(None).to_pydatetime(),
                    "yield_l": float(r.yield_l),
                    "conductivity": float(r.conductivity_ms_cm),
                    "source": "meter",
                }
                for r in milk.itertuples(index=False)
            ]
        )

    @classmethod
    def _store_hourly(cls, hourly, refs=None):
        """Write the frame as the ingestor's hourly rollup rows (one reading per hour)."""
        cr = cls.env.cr
        cr.execute(HOURLY_DDL)
        refs = refs or {c: cls.ml_cow(c).eid for c in hourly["cow"].unique()}
        long = hourly.melt(id_vars=["cow", "ts"], value_vars=list(METRICS), var_name="metric")
        long = long.dropna(subset=["value"])
        cr.execute(
            """
            INSERT INTO iot.animal_hourly AS h (animal_ref, metric, bucket, n, sum, min, max,
                                                last_ts)
            SELECT r, m, b, 1, v, v, v, b
              FROM unnest(%s::text[], %s::text[], %s::timestamptz[], %s::float8[])
                   AS t(r, m, b, v)
            ON CONFLICT (animal_ref, metric, bucket)
            DO UPDATE SET n = 1, sum = excluded.sum, min = excluded.min, max = excluded.max
            """,
            [
                [refs[int(c)] for c in long["cow"]],
                list(long["metric"]),
                [t.to_pydatetime() for t in long["ts"]],
                [float(v) for v in long["value"]],
            ],
        )

    def expected(self, as_of, hourly=None, milk=None, animals=None):
        """What ``score_herd`` says about the injected frames: {(cow number, cause)}."""
        from smart_dairy_ml.scoring import score_herd

        hourly = self.hourly if hourly is None else hourly
        milk = self.milk if milk is None else milk
        if animals is None:
            animals = pd.DataFrame(
                {
                    "animal_id": range(1, self.N_COWS + 1),
                    "parity": 2,
                    "calving_date": pd.Timestamp(self.calving),
                    "breed": "hfxlocal",
                    "pregnant": False,
                    "treatments": 0,
                }
            )
        out = score_herd(
            hourly.rename(columns={"cow": "animal_id"}),
            milk.rename(columns={"cow": "animal_id"}),
            animals,
            as_of=pd.Timestamp(as_of, tz="UTC"),
        )
        causes = set()
        for r in out:
            if r["heat"].get("alert"):
                causes.add((r["animal_id"], "heat"))
            for d in ("ketosis", "mastitis", "illness"):
                if r["health"][d].get("alert"):
                    causes.add((r["animal_id"], d))
            if r["residual"].get("flag"):
                causes.add((r["animal_id"], "yield_drop"))
        return causes, {r["animal_id"]: r for r in out}

    def open_ml_events(self):
        """{(cow number, cause)} of the open ML attention events of the test herd."""
        number = {c.id: i + 1 for i, c in enumerate(self.cows)}
        events = self.env["dairy.attention.event"].search(
            [
                ("animal_id", "in", self.cows.ids),
                ("is_open", "=", True),
                ("source", "=", "ml"),
            ]
        )
        return {(number[e.animal_id.id], e.cause) for e in events}
