"""Deterministic herd simulator with ground-truth labels.

The simulator produces, for a herd of HF x Local (Bangladeshi) crossbred cows, hourly collar and
bolus data, twice-daily milkings, barn climate and a ground-truth event table (heats, ketosis,
clinical mastitis, fever, sensor faults).  Everything is vectorised with numpy over an
``(n_cows, n_hours)`` grid, so 255 cows x 730 days simulate in a few seconds.

Calibration (published figures the parameters are taken from)
-----------------------------------------------------------
* Rumination 430-500 min/day with a clear cow-to-cow spread: Schirmann et al. 2012, J Dairy Sci
  95:3212 (mean 463 min/d); Soriani et al. 2012, J Dairy Sci 95:7207.  Cow means are drawn from
  N(465, 22) min/day, with a nocturnal diurnal profile.
* Estrous cycle ~21 d (18-24 d), heat episodes 8-15 h: Forde et al. 2011, Anim Reprod Sci 124:163;
  Roelofs et al. 2005, Theriogenology 63:1366.  Activity during heat 2.75-4x the cow's own
  baseline (Kiddy 1977, J Dairy Sci 60:235: about 4x; Roelofs 2005: 2-4x), and rumination about
  17 % lower on the heat day (Reith & Hoy 2012, J Dairy Sci 95:6416).  Ovulation about 28 h
  after onset of heat (Roelofs et al. 2005: 27.6 +/- 5.4 h).  5 % of heats are weak ("silent",
  1.3-1.8x) as in field data.
* Tie-stall housing: cows cannot walk, so collar activity barely rises in heat (1.1-1.4x);
  rumination still drops (Reith & Hoy 2012).
* Lactation: Wood curve y = a t^b exp(-c t) with a~6.3, b~0.20, c~0.0044 (peak ~11 L around
  day 45) for HF x Local crossbreds in South Asia (e.g. Islam et al. / BLRI reports on
  Holstein-Friesian x Local cows, peak 9-12 L around 6-8 weeks).  Per-cow noise on a, b, c and a
  quarter of F1 (50 % HF) cows with flat or declining curves (b near 0), as observed for
  low-grade crossbreds.  Parity 1 about 15 % lower.
* Subclinical/clinical ketosis incidence 8-12 % in early lactation (DIM 5-30) with rumination
  falling from 2-4 days before diagnosis (Kaufman et al. 2016, J Dairy Sci 99:5604: rumination
  lower from -5 d; Steensels et al. 2017).  Rumination falls 25-35 %, activity ~20 %, yield
  ~15 % at diagnosis; recovery over 4-6 days after treatment.
* Clinical mastitis: ~30 cases / 100 cow-years (twice the rate in the first 60 DIM),
  electrical conductivity rising 12-36 h before clinical signs by 15-40 % with yield loss
  (Norberg et al. 2004, J Dairy Sci 87:1099; Hogeveen et al. 2010, N Z Vet J 58:56).
* Fever: body temperature >= +0.8 C above the cow's own baseline (38.6 +/- 0.15 C;
  Burfeind et al. 2010, J Dairy Sci 93:3635), with rumination and yield loss.
* Bangladesh climate (Dhaka): 18 C mean in January, 29-30 C from April to September, relative
  humidity 60-90 % (Bangladesh Meteorological Department normals); heat stress reduces
  rumination and yield above THI 72.
* Sensor faults: collar or bolus gaps of 6-48 h (NaN) and stuck sensors repeating the last
  value for 12-72 h, plus occasional missing milk-meter readings.
* Confounders that are not heats and are not labelled: short activity bursts (2-5 h, 1.8-3x,
  ~3 % of cow-days: regrouping, flies, mounting partners) and barn-wide disturbances
  (3-6 h, 1.3-1.6x, every ~10 days), and a day-to-day activity spread of ~10 % - the usual
  sources of false heat alerts in collar systems (Roelofs et al. 2010, Theriogenology 74:327).

Identity contract (shared with the Odoo seed and the IoT simulator): cow i = 1..N has
EID ``"050" + f"{100000000 + i:012d}"``, visual tag ``f"SD-{i:04d}"``, collar ``f"COL-{i:04d}"``
and lives in barn ``f"B{(i - 1) // 64 + 1}"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

FARM_CODE = "sd1"
LOCAL_UTC_OFFSET_H = 6  # Asia/Dhaka
AM_MILKING_LOCAL_H = 6
PM_MILKING_LOCAL_H = 17
EVENT_KINDS = ("heat", "ketosis", "mastitis", "fever", "sensor_missing", "sensor_stuck")


def cow_eid(i: int) -> str:
    """EID of cow number ``i`` (15 digits, country code 050 = Bangladesh)."""
    return "050" + f"{100000000 + int(i):012d}"


def cow_tag(i: int) -> str:
    return f"SD-{int(i):04d}"


def cow_barn(i: int) -> str:
    return f"B{(int(i) - 1) // 64 + 1}"


def collar_code(i: int) -> str:
    return f"COL-{int(i):04d}"


def wood(t, a, b, c):
    """Wood (1967) curve ``a * t**b * exp(-c t)``."""
    t = np.asarray(t, dtype=float)
    return a * np.power(np.maximum(t, 1e-9), b) * np.exp(-c * t)


@dataclass
class SimResult:
    cows: pd.DataFrame
    hourly: pd.DataFrame
    milkings: pd.DataFrame
    environment: pd.DataFrame
    events: pd.DataFrame
    lactations: pd.DataFrame
    params: dict = field(default_factory=dict)

    def animals(self) -> pd.DataFrame:
        """Animal frame in the shape :func:`smart_dairy_ml.scoring.score_herd` expects."""
        c = self.cows
        return pd.DataFrame(
            {
                "animal_id": c["cow_id"].to_numpy(),
                "breed": c["breed"].to_numpy(),
                "parity": c["parity"].to_numpy(),
                "calving_date": c["calving_date"].to_numpy(),
                "pregnant": c["pregnant_at_end"].to_numpy(),
                "conception_date": c["conception_date"].to_numpy(),
                "body_weight_kg": c["body_weight_kg"].to_numpy(),
                "housing": c["housing"].to_numpy(),
            }
        )


class HerdSimulator:
    """Simulate a herd.  Deterministic for a given ``seed`` and parameters.

    Parameters are the knobs of the scenario; the published calibration lives in the module
    docstring.  ``run()`` returns a :class:`SimResult`.
    """

    def __init__(
        self,
        n_cows: int = 255,
        start: str = "2026-01-01",
        days: int = 30,
        seed: int = 42,
        housing: str = "freestall",
        ketosis_incidence: float = 0.10,
        mastitis_rate_per_cow_year: float = 0.30,
        fever_rate_per_cow_year: float = 0.18,
        sensor_missing_rate_per_cow_year: float = 0.7,
        sensor_stuck_rate_per_cow_year: float = 0.35,
        silent_heat_fraction: float = 0.05,
        burst_rate_per_cow_day: float = 0.03,
    ):
        self.n_cows = n_cows
        self.start = start
        self.days = days
        self.seed = seed
        self.housing = housing
        self.ketosis_incidence = ketosis_incidence
        self.mastitis_rate_per_cow_year = mastitis_rate_per_cow_year
        self.fever_rate_per_cow_year = fever_rate_per_cow_year
        self.sensor_missing_rate_per_cow_year = sensor_missing_rate_per_cow_year
        self.sensor_stuck_rate_per_cow_year = sensor_stuck_rate_per_cow_year
        self.silent_heat_fraction = silent_heat_fraction
        self.burst_rate_per_cow_day = burst_rate_per_cow_day

    # ------------------------------------------------------------------ helpers
    def _rngs(self):
        ss = np.random.SeedSequence(self.seed)
        names = ["cows", "lact", "heat", "disease", "act", "rum", "temp", "milk", "env", "fault"]
        return dict(
            zip(names, (np.random.default_rng(s) for s in ss.spawn(len(names))), strict=True)
        )

    def run(self) -> SimResult:
        if self.housing not in ("freestall", "tiestall"):
            raise ValueError("housing must be 'freestall' or 'tiestall'")
        if self.n_cows < 1 or self.days < 1:
            raise ValueError("n_cows and days must be >= 1")
        r = self._rngs()
        n, days = int(self.n_cows), int(self.days)
        nh = days * 24
        t0 = pd.Timestamp(self.start, tz="UTC").normalize()
        hours = pd.date_range(t0, periods=nh, freq="h")
        local_hour = (np.arange(nh) + LOCAL_UTC_OFFSET_H) % 24
        day_idx = np.arange(nh) // 24

        cows = self._make_cows(r["cows"], n)
        env, thi_day = self._environment(r["env"], t0, days, nh, local_hour)

        # ---------------------------------------------------------- lactations / heats
        dim = np.full((n, days), np.nan)  # days in milk per day (NaN = dry)
        parity_day = np.zeros((n, days), dtype=int)
        lact_rows, heat_rows, calvings = [], [], []
        rl, rh = r["lact"], r["heat"]
        for k in range(n):
            dim_start = rl.uniform(-50, 330)
            calving = -dim_start  # day index (float) of calving relative to t0
            parity_now = int(cows.at[k, "parity"])
            while calving < days:
                # heats from DIM ~ 25-45, conception prob 0.35 after DIM 50
                t_heat = calving + rl.uniform(25, 45)
                conception = None
                while conception is None:
                    onset_h = t_heat * 24 + rh.uniform(0, 24)
                    heat_rows.append((k, onset_h))
                    if t_heat - calving > 50 and rl.uniform() < 0.35:
                        conception = t_heat
                        break
                    t_heat += float(np.clip(rh.normal(21.0, 1.3), 18, 24))
                    if t_heat > days + 400:
                        break
                next_calving = (conception + 280.0 + rl.normal(0, 3)) if conception else np.inf
                dry_off = min(calving + 305.0, next_calving - 60.0)
                lo, hi = int(np.ceil(max(calving, 0))), int(np.floor(min(dry_off, days - 1)))
                if hi >= lo:
                    dd = np.arange(lo, hi + 1)
                    dim[k, dd] = dd - calving + 1
                    parity_day[k, dd] = parity_now
                lact_rows.append(
                    {
                        "cow_id": k + 1,
                        "parity": parity_now,
                        "calving_day": calving,
                        "conception_day": conception,
                        "dry_off_day": dry_off,
                    }
                )
                if 0 <= calving < days:
                    calvings.append((k, calving))
                # pregnancy means no more heats until next calving
                if not np.isfinite(next_calving):
                    break
                calving = next_calving
                parity_now += 1
        # keep only heats inside the window; heats must fall while the cow is cycling
        heats = []
        for k, onset_h in heat_rows:
            if 0 <= onset_h < nh - 1:
                heats.append((k, onset_h))

        # cows frame: state at the start (calving date / parity of the lactation in progress)
        lact_df = pd.DataFrame(lact_rows)
        cur = lact_df[lact_df.calving_day <= 0].sort_values("calving_day").groupby("cow_id").tail(1)
        cal_map = dict(zip(cur.cow_id, cur.calving_day, strict=True))
        par_map = dict(zip(cur.cow_id, cur.parity, strict=True))
        cows["calving_date"] = [
            (t0 + pd.Timedelta(days=float(cal_map.get(i, np.nan)))).date()
            if i in cal_map
            else pd.NaT
            for i in cows.cow_id
        ]
        cows["parity"] = [
            int(par_map.get(i, p - 1)) for i, p in zip(cows.cow_id, cows.parity, strict=True)
        ]
        end_day = days
        preg_end, conc_end = [], []
        for i in cows.cow_id:
            rows = lact_df[lact_df.cow_id == i]
            p, cdate = False, pd.NaT
            for _, row in rows.iterrows():
                cd = row.conception_day
                if cd is not None and np.isfinite(cd) and cd <= end_day and cd + 280 > end_day:
                    p, cdate = True, t0 + pd.Timedelta(days=float(cd))
            preg_end.append(p)
            conc_end.append(cdate)
        cows["pregnant_at_end"] = preg_end
        cows["conception_date"] = pd.to_datetime(pd.Series(conc_end, dtype="object"), utc=True)

        # ---------------------------------------------------------- hourly baselines
        ra, rr, rt = r["act"], r["rum"], r["temp"]
        act_prof = np.array(
            [
                0.45,
                0.4,
                0.38,
                0.4,
                0.55,
                0.9,
                1.5,
                1.7,
                1.5,
                1.2,
                1.0,
                0.95,
                0.9,
                0.95,
                1.0,
                1.2,
                1.5,
                1.7,
                1.5,
                1.2,
                0.9,
                0.7,
                0.55,
                0.5,
            ]
        )
        act_prof = act_prof / act_prof.mean()
        rum_prof = np.array(
            [
                1.45,
                1.5,
                1.5,
                1.45,
                1.3,
                1.0,
                0.6,
                0.55,
                0.7,
                0.9,
                1.0,
                1.05,
                1.0,
                0.9,
                0.85,
                0.8,
                0.6,
                0.55,
                0.7,
                0.9,
                1.1,
                1.25,
                1.35,
                1.4,
            ]
        )
        rum_prof = rum_prof / rum_prof.mean()
        tmp_prof = 0.22 * np.sin((local_hour - 10) / 24 * 2 * np.pi)

        act_base = cows["activity_base"].to_numpy()[:, None]
        rum_base = cows["rumination_base_min"].to_numpy()[:, None] / 24.0
        tmp_base = cows["temp_base_c"].to_numpy()[:, None]
        hf = cows["hf_pct"].to_numpy()[:, None]

        day_act = np.exp(ra.normal(0, 0.10, (n, days)))[:, day_idx]
        activity = (
            act_base * act_prof[local_hour][None, :] * day_act * np.exp(ra.normal(0, 0.22, (n, nh)))
        )
        thi_h = thi_day[day_idx][None, :]
        heat_stress = np.clip((thi_h - 72.0) / 100.0, 0, 0.12) * (0.6 + hf / 100.0)
        day_rum = np.exp(rr.normal(0, 0.04, (n, days)))[:, day_idx]
        rum_f = np.ones((n, nh))
        act_f = np.ones((n, nh))
        temp_add = np.zeros((n, nh))
        yield_f = np.ones((n, days))
        cond_f = np.ones((n, days * 2))
        events = []

        def hslice(a, b):
            return slice(max(int(a), 0), min(int(b), nh))

        # heats
        tie = self.housing == "tiestall"
        for k, onset_h in heats:
            dur = rh.uniform(8, 15)
            silent = rh.uniform() < self.silent_heat_fraction
            if silent:
                mult = rh.uniform(1.3, 1.8)
            elif tie:
                mult = rh.uniform(1.1, 1.4)
            else:
                mult = rh.uniform(2.75, 4.0)
            h0 = int(onset_h)
            ramp = np.ones(int(np.ceil(dur)))
            ramp[0] = 0.6
            ramp[-1] = 0.6
            sl = hslice(h0, h0 + len(ramp))
            seg = ramp[: sl.stop - sl.start]
            act_f[k, sl] *= 1 + (mult - 1) * seg
            temp_add[k, sl] += 0.3 * seg
            rs = hslice(h0 - 6, h0 + 18)
            rum_f[k, rs] *= 1 - rh.uniform(0.12, 0.22)
            d = h0 // 24
            if d < days:
                yield_f[k, d] *= 1 - rh.uniform(0.02, 0.08)
            events.append(
                {
                    "cow_id": k + 1,
                    "kind": "heat",
                    "onset_ts": hours[0] + pd.Timedelta(hours=onset_h),
                    "end_ts": hours[0] + pd.Timedelta(hours=onset_h + dur),
                    "diagnosis_ts": pd.NaT,
                    "ovulation_ts": hours[0] + pd.Timedelta(hours=onset_h + rh.normal(28, 4)),
                    "detail": "silent" if silent else ("tiestall" if tie else ""),
                    "sensor": "",
                }
            )

        # diseases
        rd = r["disease"]
        lact_mask = np.isfinite(dim)
        for k, calving in [(k, c) for k, c in calvings] + self._calvings_before(lact_df, days):
            if rd.uniform() < self.ketosis_incidence:
                # diagnosed at the morning vet round (09:00 local = 03:00 UTC)
                diag_d = np.floor(calving + rd.uniform(7, 28))
                lead = rd.uniform(2.0, 4.0)
                diag_h = diag_d * 24 + 3.0
                on_h = diag_h - lead * 24
                if diag_h < 0 or on_h >= nh:
                    continue
                rec_h = diag_h + rd.uniform(4, 6) * 24
                drop_r, drop_a, drop_y = (
                    rd.uniform(0.25, 0.35),
                    rd.uniform(0.15, 0.25),
                    rd.uniform(0.1, 0.2),
                )
                self._ramp(rum_f, k, on_h, diag_h, rec_h, drop_r, nh)
                self._ramp(act_f, k, on_h, diag_h, rec_h, drop_a, nh)
                self._ramp_daily(yield_f, k, on_h / 24, diag_h / 24, rec_h / 24, drop_y)
                events.append(self._ev(hours[0], k, "ketosis", on_h, rec_h, diag_h))
        # mastitis / fever: Poisson process per lactating cow-day
        p_mast = self.mastitis_rate_per_cow_year / 365.0
        p_fev = self.fever_rate_per_cow_year / 365.0
        early = np.where(lact_mask & (np.nan_to_num(dim) <= 60), 2.0, 1.0)
        u_m = rd.uniform(size=(n, days))
        u_f = rd.uniform(size=(n, days))
        mast = np.argwhere(lact_mask & (u_m < p_mast * early))
        fev = np.argwhere(u_f < p_fev)
        for k, d in mast:
            # clinical signs seen by the milker: at the end of the AM or PM milking
            diag_h = d * 24 + (0.0 if rd.uniform() < 0.5 else 11.0) + 1.7
            on_h = diag_h - rd.uniform(12, 36)
            rec_h = diag_h + rd.uniform(3, 5) * 24
            rise = rd.uniform(0.10, 0.35)
            drop_y = rd.uniform(0.08, 0.25)
            self._ramp_daily(cond_f, k, on_h / 12, diag_h / 12, rec_h / 12, -rise)
            self._ramp_daily(yield_f, k, on_h / 24, diag_h / 24, rec_h / 24, drop_y)
            if rd.uniform() < 0.3:
                self._ramp(
                    temp_add,
                    k,
                    diag_h - 12,
                    diag_h,
                    rec_h - 48,
                    -rd.uniform(0.9, 1.6),
                    nh,
                    additive=True,
                )
                self._ramp(rum_f, k, diag_h - 12, diag_h, rec_h - 48, 0.15, nh)
            events.append(self._ev(hours[0], k, "mastitis", on_h, rec_h, diag_h))
        for k, d in fev:
            on_h = d * 24 + rd.uniform(0, 24)
            peak_h = on_h + rd.uniform(6, 12)
            diag_h = on_h + rd.uniform(12, 36)
            end_h = on_h + rd.uniform(1, 3) * 24
            self._ramp(temp_add, k, on_h, peak_h, end_h, -rd.uniform(0.9, 2.0), nh, additive=True)
            self._ramp(rum_f, k, on_h, peak_h, end_h, rd.uniform(0.2, 0.35), nh)
            self._ramp(act_f, k, on_h, peak_h, end_h, rd.uniform(0.1, 0.25), nh)
            self._ramp_daily(yield_f, k, on_h / 24, peak_h / 24, end_h / 24, rd.uniform(0.08, 0.2))
            events.append(self._ev(hours[0], k, "fever", on_h, end_h, diag_h))

        # confounders that are *not* heats (unlabelled, as in farm data): short bursts of
        # activity (regrouping, flies, mounting partners of a cow in heat) and barn-wide
        # disturbances (pen cleaning, feed delivery delays)
        nb = rh.poisson(self.burst_rate_per_cow_day * days, n)
        for k in np.nonzero(nb)[0]:
            for _ in range(nb[k]):
                h0 = rh.uniform(0, nh)
                sl = hslice(h0, h0 + rh.uniform(2, 5))
                act_f[k, sl] *= rh.uniform(1.8, 3.0)
        barn_idx = (cows["cow_id"].to_numpy() - 1) // 64
        for bi in np.unique(barn_idx):
            for _ in range(rh.poisson(days / 10.0)):
                h0 = rh.uniform(0, nh)
                sl = hslice(h0, h0 + rh.uniform(3, 6))
                act_f[barn_idx == bi, sl] *= rh.uniform(1.3, 1.6)
        activity = activity * act_f
        rumination = np.clip(
            rum_base
            * rum_prof[local_hour][None, :]
            * day_rum
            * rum_f
            * (1 - heat_stress)
            * np.exp(rr.normal(0, 0.12, (n, nh))),
            0,
            60,
        )
        temp = (
            tmp_base
            + tmp_prof[None, :]
            + temp_add
            + 0.015 * np.clip(thi_h - 72, 0, None)
            + rt.normal(0, 0.1, (n, nh))
        )

        # sensor faults
        rf = r["fault"]
        for kind, rate in (
            ("sensor_missing", self.sensor_missing_rate_per_cow_year),
            ("sensor_stuck", self.sensor_stuck_rate_per_cow_year),
        ):
            cnt = rf.poisson(rate * days / 365.0, n)
            for k in np.nonzero(cnt)[0]:
                for _ in range(cnt[k]):
                    on_h = rf.uniform(0, nh)
                    dur = rf.uniform(6, 48) if kind == "sensor_missing" else rf.uniform(12, 72)
                    sensor = "collar" if rf.uniform() < 0.7 else "bolus"
                    sl = hslice(on_h, on_h + dur)
                    arrs = (activity, rumination) if sensor == "collar" else (temp,)
                    for arr in arrs:
                        if kind == "sensor_missing":
                            arr[k, sl] = np.nan
                        else:
                            arr[k, sl] = arr[k, max(sl.start - 1, 0)]
                    ev = self._ev(hours[0], k, kind, on_h, on_h + dur, None)
                    ev["sensor"] = sensor
                    events.append(ev)

        activity = np.round(activity, 1)
        rumination = np.round(rumination, 1)
        temp = np.round(temp, 2)
        # dry cows keep their collars; they are simply not milked
        hourly = pd.DataFrame(
            {
                "cow_id": np.repeat(np.arange(1, n + 1), nh),
                "ts": np.tile(hours.values, n),
                "activity": activity.ravel(),
                "rumination_min": rumination.ravel(),
                "body_temp_c": temp.ravel(),
            }
        )
        hourly["ts"] = (
            hourly["ts"].dt.tz_localize("UTC") if hourly["ts"].dt.tz is None else hourly["ts"]
        )

        milkings = self._milkings(
            r["milk"], cows, dim, parity_day, yield_f, cond_f, thi_day, t0, days
        )
        ev = pd.DataFrame(
            events,
            columns=[
                "cow_id",
                "kind",
                "onset_ts",
                "end_ts",
                "diagnosis_ts",
                "ovulation_ts",
                "detail",
                "sensor",
            ],
        )
        for c in ("onset_ts", "end_ts", "diagnosis_ts", "ovulation_ts"):
            ev[c] = pd.to_datetime(ev[c], utc=True)
        ev["detail"] = ev["detail"].fillna("")
        ev["sensor"] = ev["sensor"].fillna("")
        ev = ev.sort_values(["onset_ts", "cow_id"], kind="stable").reset_index(drop=True)
        lact_df["calving_date"] = [t0 + pd.Timedelta(days=float(x)) for x in lact_df.calving_day]
        return SimResult(
            cows=cows,
            hourly=hourly,
            milkings=milkings,
            environment=env,
            events=ev,
            lactations=lact_df,
            params={
                "n_cows": n,
                "start": str(t0.date()),
                "days": days,
                "seed": self.seed,
                "housing": self.housing,
            },
        )

    # ------------------------------------------------------------------ pieces
    @staticmethod
    def _calvings_before(lact_df, days):
        out = []
        for row in lact_df.itertuples():
            if -30 < row.calving_day < 0:
                out.append((row.cow_id - 1, row.calving_day))
        return out

    @staticmethod
    def _ev(t0, k, kind, on_h, end_h, diag_h):
        return {
            "cow_id": k + 1,
            "kind": kind,
            "onset_ts": t0 + pd.Timedelta(hours=float(on_h)),
            "end_ts": t0 + pd.Timedelta(hours=float(end_h)),
            "diagnosis_ts": (t0 + pd.Timedelta(hours=float(diag_h)))
            if diag_h is not None
            else pd.NaT,
            "ovulation_ts": pd.NaT,
            "detail": "",
            "sensor": "",
        }

    @staticmethod
    def _ramp(arr, k, on, peak, end, drop, nh, additive=False):
        """Multiply (or add to) ``arr[k]`` a triangle: 0 at ``on``, ``-drop`` at ``peak``, 0 at end."""
        hh = np.arange(max(int(on), 0), min(int(np.ceil(end)), nh))
        if hh.size == 0:
            return
        w = np.where(
            hh < peak, (hh - on) / max(peak - on, 1e-6), (end - hh) / max(end - peak, 1e-6)
        )
        w = np.clip(w, 0, 1)
        if additive:
            arr[k, hh] += -drop * w
        else:
            arr[k, hh] *= 1 - drop * w

    @staticmethod
    def _ramp_daily(arr, k, on, peak, end, drop):
        n = arr.shape[1]
        dd = np.arange(max(int(np.floor(on)), 0), min(int(np.ceil(end)), n))
        if dd.size == 0:
            return
        mid = dd + 0.5
        w = np.where(
            mid < peak, (mid - on) / max(peak - on, 1e-6), (end - mid) / max(end - peak, 1e-6)
        )
        arr[k, dd] *= 1 - drop * np.clip(w, 0, 1)

    def _make_cows(self, rng, n):
        ids = np.arange(1, n + 1)
        hf_pct = rng.choice([50.0, 62.5, 75.0], size=n, p=[0.4, 0.3, 0.3])
        parity = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.3, 0.25, 0.2, 0.13, 0.08, 0.04])
        a = 6.3 * np.exp(rng.normal(0, 0.15, n)) * (0.9 + 0.2 * (hf_pct - 50) / 25)
        a *= np.where(parity == 1, 0.85, np.where(parity >= 3, 1.08, 1.0))
        b = np.clip(rng.normal(0.20, 0.04, n), 0.05, 0.35)
        c = np.clip(rng.normal(0.0044, 0.0007, n), 0.0025, 0.007)
        flat = (hf_pct == 50.0) & (rng.uniform(size=n) < 0.25)
        b = np.where(flat, rng.uniform(0.0, 0.06, n), b)
        c = np.where(flat, rng.uniform(0.002, 0.004, n), c)
        a = np.where(flat, a * 1.25, a)
        return pd.DataFrame(
            {
                "cow_id": ids,
                "eid": [cow_eid(i) for i in ids],
                "tag": [cow_tag(i) for i in ids],
                "collar": [collar_code(i) for i in ids],
                "barn": [cow_barn(i) for i in ids],
                "breed": np.where(hf_pct == 50.0, "HFxLocal F1", "HFxLocal"),
                "hf_pct": hf_pct,
                "parity": parity,
                "body_weight_kg": np.round(rng.normal(380, 35, n) + (hf_pct - 50) * 1.5, 0),
                "housing": self.housing,
                "activity_base": np.round(np.exp(rng.normal(np.log(50), 0.25, n)), 2),
                "rumination_base_min": np.round(np.clip(rng.normal(465, 22, n), 400, 540), 1),
                "temp_base_c": np.round(rng.normal(38.6, 0.15, n), 2),
                "conductivity_base_ms_cm": np.round(rng.normal(5.0, 0.3, n), 2),
                "wood_a": a,
                "wood_b": b,
                "wood_c": c,
                "flat_curve": flat,
            }
        )

    def _environment(self, rng, t0, days, nh, local_hour):
        doy = (t0.dayofyear + np.arange(days)) % 365
        # Dhaka normals: Jan ~18 C, Apr-May ~30, monsoon ~29, Dec ~20
        t_mean = (
            24.5
            - 6.2 * np.cos((doy - 15) / 365 * 2 * np.pi)
            + 1.5 * np.sin((doy - 15) / 365 * 4 * np.pi)
        )
        rh_mean = 74 + 12 * np.sin((doy - 100) / 365 * 2 * np.pi)
        t_day = t_mean + rng.normal(0, 1.2, days)
        rh_day = np.clip(rh_mean + rng.normal(0, 4, days), 40, 98)
        thi_day = (1.8 * t_day + 32) - (0.55 - 0.0055 * rh_day) * (1.8 * t_day - 26)
        rows = []
        barns = [f"B{k}" for k in range(1, (self.n_cows - 1) // 64 + 2)]
        hours = pd.date_range(t0, periods=nh, freq="h")
        diurnal = -np.cos((local_hour - 3) / 24 * 2 * np.pi)
        for j, barn in enumerate(barns):
            temp = t_day[np.arange(nh) // 24] + 4.5 * diurnal + j * 0.3 + rng.normal(0, 0.4, nh)
            hum = np.clip(
                rh_day[np.arange(nh) // 24] - 12 * diurnal + rng.normal(0, 2, nh), 30, 100
            )
            nh3 = np.clip(8 + 6 * (diurnal < 0) + rng.normal(0, 2, nh) + j, 1, None)
            rows.append(
                pd.DataFrame(
                    {
                        "barn": barn,
                        "ts": hours,
                        "temperature_c": temp.round(1),
                        "humidity_pct": hum.round(1),
                        "ammonia_ppm": nh3.round(1),
                    }
                )
            )
        return pd.concat(rows, ignore_index=True), thi_day

    def _milkings(self, rng, cows, dim, parity_day, yield_f, cond_f, thi_day, t0, days):
        n = len(cows)
        a = cows["wood_a"].to_numpy()[:, None]
        b = cows["wood_b"].to_numpy()[:, None]
        c = cows["wood_c"].to_numpy()[:, None]
        hf = cows["hf_pct"].to_numpy()[:, None]
        t = np.nan_to_num(dim, nan=1.0)
        hs = 1 - np.clip((thi_day[None, :] - 72.0) / 100.0, 0, 0.12) * (0.6 + hf / 100.0)
        daily = wood(t, a, b, c) * yield_f * hs * np.exp(rng.normal(0, 0.05, (n, days)))
        cond_day = np.exp(rng.normal(0, 0.03, (n, days)))
        am_share = np.clip(rng.normal(0.56, 0.025, (n, days)), 0.45, 0.65)
        lact = np.isfinite(dim)
        k_idx, d_idx = np.nonzero(lact)
        out = []
        offs = ((cows["cow_id"].to_numpy() - 1) % 64) * 1.5  # minutes in the parlour queue
        for s, (sess, lh, share) in enumerate(
            (("AM", AM_MILKING_LOCAL_H, am_share), ("PM", PM_MILKING_LOCAL_H, 1 - am_share))
        ):
            y = daily[k_idx, d_idx] * share[k_idx, d_idx]
            cond = cows["conductivity_base_ms_cm"].to_numpy()[k_idx] * cond_f[k_idx, d_idx * 2 + s]
            # composite-milk conductivity is noisy (session, fat, temperature effects)
            cond = cond * np.exp(rng.normal(0, 0.05, k_idx.size)) * cond_day[k_idx, d_idx]
            ts = (
                t0
                + pd.to_timedelta(d_idx, unit="D")
                + pd.Timedelta(hours=lh - LOCAL_UTC_OFFSET_H)
                + pd.to_timedelta(offs[k_idx], unit="min")
            )
            dimv = dim[k_idx, d_idx]
            fat = (
                4.6
                - 0.6 * np.exp(-(((dimv - 50) / 60) ** 2))
                + 0.003 * np.maximum(dimv - 150, 0)
                - 0.01 * (hf[k_idx, 0] - 50)
                + rng.normal(0, 0.15, k_idx.size)
            )
            snf = (
                8.5
                - 0.02 * (hf[k_idx, 0] - 50) / 5
                + rng.normal(0, 0.08, k_idx.size)
                - 0.6 * (cond_f[k_idx, d_idx * 2 + s] - 1)
            )
            missing = rng.uniform(size=k_idx.size) < 0.005
            y = np.where(missing, np.nan, np.round(y, 2))
            out.append(
                pd.DataFrame(
                    {
                        "cow_id": k_idx + 1,
                        "ts": ts,
                        "session": sess,
                        "yield_l": y,
                        "fat_pct": np.round(fat, 2),
                        "snf_pct": np.round(snf, 2),
                        "conductivity_ms_cm": np.round(cond, 2),
                        "milk_temp_c": np.round(37.0 + rng.normal(0, 0.25, k_idx.size), 2),
                        "dim": dimv.astype(int),
                    }
                )
            )
        m = pd.concat(out, ignore_index=True).sort_values(["cow_id", "ts"], kind="stable")
        return m.reset_index(drop=True)
