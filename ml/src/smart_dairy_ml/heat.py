"""Heat (estrus) detection from collar activity and rumination.

Method (:class:`HeatDetector`):

1. Hourly activity is summed into ``bin_hours`` bins (2 h by default) and log-transformed.
2. Each cow gets her own baseline for every bin-of-day slot: the median of the previous
   ``baseline_days`` days at that slot, computed twice - the second pass masks the days flagged
   as heat by the first pass ("excluding earlier heat days").  The spread is the cow's own mean
   absolute residual over the same window.
3. Score per bin: z = (log activity - baseline) / spread.  A heat candidate needs
   ``persistence`` consecutive bins with z >= ``z_enter`` (short bursts from regrouping or
   flies are rejected).  Its score is the mean z of the run (capped at 4 bins), plus a
   duration term (``dur_weight`` per bin beyond ``persistence``, heats last 8-15 h), plus a
   rumination term: the drop of rumination in the 24 h around onset against the cow's own
   10-day baseline, in units of ``rum_scale``.
4. Cycle plausibility: a candidate 4-16 days after the previous alert of the same cow is
   flagged ``implausible_interval`` and needs a higher score; cows in confirmed pregnancy are
   suppressed; tie-stall cows are flagged (activity barely rises there).
5. Output per alert: onset time, score, confidence (logistic in the margin over the
   threshold) and the insemination window onset + 12-18 h (acceptable 8-24 h), ovulation being
   expected about 28 h after onset.

Baselines for comparison (:func:`rule150_alerts`, :func:`zscore_alerts`): the original
"activity > 150 % of the cow's previous 10-day baseline" rule on daily activity, and a plain
10-day z-score on 2-h bins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import heat_cowday_metrics

OPTIMAL_AI_H = (12.0, 18.0)
ACCEPTABLE_AI_H = (8.0, 24.0)


# Columns of an alert frame (``HeatDetector.detect``; the tie-stall detector returns the same).
ALERT_COLUMNS = [
    "animal_id",
    "onset_ts",
    "score",
    "confidence",
    "activity_z",
    "rumination_drop",
    "ai_window_start",
    "ai_window_end",
    "ai_acceptable_start",
    "ai_acceptable_end",
    "expected_ovulation_ts",
    "flags",
]


def _id_col(df: pd.DataFrame) -> str:
    return "animal_id" if "animal_id" in df.columns else "cow_id"


def _truthy(x) -> bool:
    """True for True/1/"true"/"yes"; False for NaN/None/False/0/anything else."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return False
    if isinstance(x, str):
        return x.strip().lower() in ("1", "true", "yes", "y", "t")
    return bool(x)


def _utc(x) -> pd.Timestamp:
    t = pd.Timestamp(x)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def hourly_matrix(hourly: pd.DataFrame, column: str, start=None, n_hours=None):
    """Pivot an hourly long frame into (ids, t0, matrix[n_ids, n_hours]) with NaN gaps."""
    idc = _id_col(hourly)
    ts = pd.to_datetime(hourly["ts"], utc=True).dt.floor("h")
    t0 = _utc(start).floor("D") if start is not None else ts.min().floor("D")
    hidx = ((ts - t0) // pd.Timedelta(hours=1)).to_numpy()
    if n_hours is None:
        n_hours = int(hidx.max()) + 1
        n_hours = int(np.ceil(n_hours / 24) * 24)
    ids, inv = np.unique(hourly[idc].to_numpy(), return_inverse=True)
    mat = np.full((len(ids), n_hours), np.nan)
    ok = (hidx >= 0) & (hidx < n_hours)
    vals = pd.to_numeric(hourly[column], errors="coerce").to_numpy(dtype=float)
    mat[inv[ok], hidx[ok]] = vals[ok]
    return ids, t0, mat


def _bin(mat, bin_hours):
    n, nh = mat.shape
    nb = nh // bin_hours
    m = mat[:, : nb * bin_hours].reshape(n, nb, bin_hours)
    cnt = np.isfinite(m).sum(axis=2)
    s = np.nansum(m, axis=2)
    mean = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
    return mean * bin_hours  # activity per bin (missing hours imputed with the bin mean)


def _stuck_mask(mat, min_len=6):
    """True where an hourly series repeats the same value for >= min_len hours (stuck sensor)."""
    same = np.zeros_like(mat, dtype=bool)
    same[:, 1:] = np.isclose(mat[:, 1:], mat[:, :-1]) & np.isfinite(mat[:, 1:])
    # run length of consecutive "same" flags
    run = np.zeros(mat.shape, dtype=int)
    for j in range(1, mat.shape[1]):
        run[:, j] = np.where(same[:, j], run[:, j - 1] + 1, 0)
    stuck = run >= (min_len - 1)
    # propagate backwards over the run
    for j in range(mat.shape[1] - 2, -1, -1):
        stuck[:, j] |= stuck[:, j + 1] & same[:, j + 1]
    return stuck


def _rolling_slot_median(L, spd, days, mask=None):
    """Per cow and slot: median of the previous ``days`` days at that slot (NaN if < 3)."""
    n, nb = L.shape
    nd = nb // spd
    X = L[:, : nd * spd].reshape(n, nd, spd)
    if mask is not None:
        X = np.where(mask[:, : nd * spd].reshape(n, nd, spd), np.nan, X)
    # sliding window over days; vectorised over cows and slots
    from numpy.lib.stride_tricks import sliding_window_view

    pad = np.concatenate([np.full((n, days, spd), np.nan), X], axis=1)
    win = sliding_window_view(pad, days, axis=1)[:, :nd]  # (n, nd, spd, days) days before d
    srt = np.sort(win, axis=3)  # NaN sorts last
    cnt = np.isfinite(win).sum(axis=3)
    lo = np.clip((cnt - 1) // 2, 0, days - 1)[..., None]
    hi = np.clip(cnt // 2, 0, days - 1)[..., None]
    med = 0.5 * (np.take_along_axis(srt, lo, axis=3) + np.take_along_axis(srt, hi, axis=3))[..., 0]
    out = np.where(cnt >= 3, med, np.nan)
    return out.reshape(n, nd * spd)


class HeatDetector:
    """Per-cow heat detector (scikit-learn style: parameters in ``__init__``).

    ``fit`` is optional (the detector is unsupervised); when given ground-truth events it
    tunes ``threshold`` on the training herd to maximise min(sensitivity, PPV) subject to
    specificity >= 99 %.
    """

    def __init__(
        self,
        bin_hours=2,
        baseline_days=10,
        z_enter=2.0,
        persistence=2,
        threshold=6.5,
        rum_scale=0.06,
        rum_weight=1.0,
        dur_weight=0.25,
        spread_floor=0.12,
        refractory_days=4,
        implausible_penalty=1.0,
        tiestall_mode="rumination",
        tiestall_detector=None,
    ):
        self.bin_hours = bin_hours
        self.baseline_days = baseline_days
        self.z_enter = z_enter
        self.persistence = persistence
        self.threshold = threshold
        self.rum_scale = rum_scale
        self.rum_weight = rum_weight
        self.dur_weight = dur_weight
        self.spread_floor = spread_floor
        self.refractory_days = refractory_days
        self.implausible_penalty = implausible_penalty
        self.tiestall_mode = tiestall_mode
        self.tiestall_detector = tiestall_detector

    # ---------------------------------------------------------------- scoring
    def candidates(self, hourly: pd.DataFrame, start=None, n_hours=None) -> pd.DataFrame:
        """All persistent activity runs with their scores (before thresholding)."""
        bh = self.bin_hours
        spd = 24 // bh
        ids, t0, act = hourly_matrix(hourly, "activity", start, n_hours)
        _, _, rum = hourly_matrix(hourly, "rumination_min", t0, act.shape[1])
        act = np.where(_stuck_mask(act), np.nan, act)
        rum = np.where(_stuck_mask(rum), np.nan, rum)
        A = _bin(act, bh)
        L = np.log(np.maximum(A, 0) + 1.0)
        n, nb = L.shape
        nd = nb // spd
        base = _rolling_slot_median(L, spd, self.baseline_days)
        resid = L - base
        z = self._z(resid, spd, nd)
        # second pass: mask the days of first-pass heat runs out of the baseline
        hot = self._runs(z)[0]
        day_hot = np.zeros((n, nd), dtype=bool)
        for k, b0, _b1 in hot:
            d = b0 // spd
            day_hot[k, max(d, 0) : min(d + 2, nd)] = True
        mask = np.repeat(day_hot, spd, axis=1)
        base = _rolling_slot_median(L, spd, self.baseline_days, mask)
        resid = L - base
        z = self._z(np.where(mask, np.nan, resid), spd, nd, raw=resid)
        runs, zr = self._runs(z)
        # rumination: 24 h around onset (onset - 6 h .. + 18 h) vs the cow's 10-day daily median
        nh = rum.shape[1]
        r3 = rum.reshape(n, nh // 24, 24)
        rc = np.isfinite(r3).sum(axis=2)
        rum_day = np.where(rc >= 18, np.nansum(r3, axis=2) / np.maximum(rc, 1) * 24, np.nan)
        rum_day_masked = np.where(day_hot[:, : rum_day.shape[1]], np.nan, rum_day)
        rum_base = _rolling_slot_median(rum_day_masked, 1, self.baseline_days)
        rows = []
        cr = np.nancumsum(np.nan_to_num(rum, nan=0.0), axis=1)
        cc = np.cumsum(np.isfinite(rum), axis=1)
        for k, b0, b1 in runs:
            h0 = b0 * bh
            lo, hi = max(h0 - 6, 0), min(h0 + 18, nh) - 1
            cnt = cc[k, hi] - (cc[k, lo - 1] if lo > 0 else 0)
            s = cr[k, hi] - (cr[k, lo - 1] if lo > 0 else 0)
            d = h0 // 24
            rb = rum_base[k, d] if d < rum_base.shape[1] else np.nan
            if cnt >= 12 and np.isfinite(rb) and rb > 0:
                rum_drop = 1 - (s / cnt * 24) / rb
            else:
                rum_drop = np.nan
            zz = zr[k, b0 : min(b1, b0 + 4)]
            act_score = float(np.nanmean(zz))
            rum_term = (
                0.0
                if not np.isfinite(rum_drop)
                else float(np.clip(rum_drop / self.rum_scale, -2, 4))
            )
            rows.append(
                (
                    ids[k],
                    t0 + pd.Timedelta(hours=h0),
                    (b1 - b0) * bh,
                    act_score,
                    rum_drop,
                    act_score
                    + self.rum_weight * rum_term
                    + self.dur_weight * min(b1 - b0 - self.persistence, 6),
                    np.isfinite(base[k, b0]),
                )
            )
        cand = pd.DataFrame(
            rows,
            columns=[
                "animal_id",
                "onset_ts",
                "duration_h",
                "activity_z",
                "rumination_drop",
                "score",
                "has_baseline",
            ],
        )
        if cand.empty:
            return cand.drop(columns="has_baseline")
        keep = cand["has_baseline"].to_numpy(dtype=bool)
        return cand.loc[keep].drop(columns="has_baseline").reset_index(drop=True)

    def _z(self, resid, spd, nd, raw=None):
        n = resid.shape[0]
        absr = np.abs(resid[:, : nd * spd]).reshape(n, nd, spd)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                day_mad = np.nanmean(absr, axis=2)
        spread = _rolling_slot_median(day_mad, 1, self.baseline_days) * 1.25
        spread = np.maximum(np.nan_to_num(spread, nan=np.inf), self.spread_floor)
        r = resid if raw is None else raw
        return r / np.repeat(spread, spd, axis=1)

    def _runs(self, z):
        """Runs of >= persistence consecutive bins with z >= z_enter -> [(cow, b0, b1)], z."""
        above = np.nan_to_num(z, nan=-np.inf) >= self.z_enter
        n, nb = above.shape
        pad = np.zeros((n, 1), dtype=bool)
        edges = np.diff(np.concatenate([pad, above, pad], axis=1).astype(np.int8), axis=1)
        runs = []
        for k in range(n):
            st = np.nonzero(edges[k] == 1)[0]
            en = np.nonzero(edges[k] == -1)[0]
            for b0, b1 in zip(st, en, strict=True):
                if b1 - b0 >= self.persistence:
                    runs.append((k, int(b0), int(b1)))
        # merge runs of the same cow separated by a single gap bin
        merged = []
        for r in runs:
            if merged and merged[-1][0] == r[0] and r[1] - merged[-1][2] <= 1:
                merged[-1] = (r[0], merged[-1][1], r[2])
            else:
                merged.append(r)
        return merged, z

    # ---------------------------------------------------------------- alerts
    def detect(
        self, hourly: pd.DataFrame, animals: pd.DataFrame | None = None, start=None, n_hours=None
    ) -> pd.DataFrame:
        """Heat alerts: one row per alert with onset, score, confidence and AI window.

        Tie-stall cows (``animals.housing == "tiestall"``) are scored by the rumination- and
        temperature-led :class:`~smart_dairy_ml.heat_tiestall.TieStallHeatDetector` unless
        ``tiestall_mode == "activity"``; their alerts carry both tie-stall flags.
        """
        cand = self.candidates(hourly, start, n_hours)
        alerts = self.alerts_from_candidates(cand, animals)
        if getattr(self, "tiestall_mode", "activity") != "rumination" or animals is None:
            return alerts
        if "housing" not in animals or not len(animals):
            return alerts
        idc = _id_col(animals)
        tie = set(animals.loc[animals["housing"].astype(str) == "tiestall", idc])
        hid = _id_col(hourly)
        sub = hourly[hourly[hid].isin(tie)]
        if not tie or sub.empty:
            return alerts
        from .heat_tiestall import TieStallHeatDetector

        det = getattr(self, "tiestall_detector", None) or TieStallHeatDetector()
        if start is None:
            start = pd.to_datetime(hourly["ts"], utc=True).min()
        ta = det.detect(sub, start=start, n_hours=n_hours)
        ta["flags"] = "tiestall_low_activity_response," + ta["flags"]
        ta = self._suppress_pregnant(ta, animals)
        keep = alerts[~alerts["animal_id"].isin(tie)]
        if not len(ta):
            out = keep
        elif not len(keep):  # every alert from the tie-stall path (no empty frame in concat)
            out = ta[alerts.columns]
        else:
            out = pd.concat([keep, ta[alerts.columns]], ignore_index=True)
        return out.reset_index(drop=True)

    @staticmethod
    def _suppress_pregnant(alerts, animals):
        """Drop alerts of pregnant cows after conception + 1 day (no date: all of them)."""
        if "pregnant" not in animals or alerts.empty:
            return alerts
        idc = _id_col(animals)
        pa = animals[animals["pregnant"].map(_truthy)]
        if "conception_date" in pa:
            cd = pd.to_datetime(pa["conception_date"], utc=True, errors="coerce")
        else:
            cd = pd.Series(pd.NaT, index=pa.index, dtype="datetime64[ns, UTC]")
        conc = pd.to_datetime(
            alerts["animal_id"].map(dict(zip(pa[idc], cd, strict=True))), utc=True
        )
        preg = alerts["animal_id"].isin(set(pa[idc]))
        after = conc.isna() | (alerts["onset_ts"] >= conc + pd.Timedelta(days=1))
        return alerts[~(preg & after.to_numpy())].reset_index(drop=True)

    def alerts_from_candidates(self, cand, animals=None):
        """Threshold, refractory period, cycle plausibility, pregnancy and housing flags."""
        cols = ALERT_COLUMNS
        if cand.empty:
            return pd.DataFrame(columns=cols)
        preg, tie = {}, set()
        if animals is not None and len(animals):
            idc = _id_col(animals)
            if "pregnant" in animals:
                pa = animals[animals["pregnant"].map(_truthy)]
                if "conception_date" in pa:
                    cd = pd.to_datetime(pa["conception_date"], utc=True, errors="coerce")
                else:
                    cd = pd.Series(pd.NaT, index=pa.index, dtype="datetime64[ns, UTC]")
                # alerts after conception (+1 day) are suppressed; no date = whole window
                preg = dict(zip(pa[idc], cd, strict=True))
            if "housing" in animals:
                tie = set(animals.loc[animals["housing"].astype(str) == "tiestall", idc])
        out = []
        # candidates below the base threshold can never become alerts (penalties only add)
        cand = cand[cand["score"] >= self.threshold]
        for aid, g in cand.sort_values("onset_ts").groupby("animal_id", sort=False):
            last = None
            for row in g.itertuples(index=False):
                flags = []
                thr = self.threshold
                if last is not None:
                    gap = (row.onset_ts - last).total_seconds() / 86400
                    if gap < self.refractory_days:
                        continue
                    if gap < 16:
                        flags.append("implausible_interval")
                        thr += self.implausible_penalty
                if row.score < thr:
                    continue
                if aid in preg and (
                    pd.isna(preg[aid]) or row.onset_ts >= preg[aid] + pd.Timedelta(days=1)
                ):
                    flags.append("suppressed_pregnant")
                if aid in tie:
                    flags.append("tiestall_low_activity_response")
                last = row.onset_ts
                conf = float(1 / (1 + np.exp(-(row.score - thr) * 1.5)))
                out.append(
                    (
                        aid,
                        row.onset_ts,
                        row.score,
                        conf,
                        row.activity_z,
                        row.rumination_drop,
                        row.onset_ts + pd.Timedelta(hours=OPTIMAL_AI_H[0]),
                        row.onset_ts + pd.Timedelta(hours=OPTIMAL_AI_H[1]),
                        row.onset_ts + pd.Timedelta(hours=ACCEPTABLE_AI_H[0]),
                        row.onset_ts + pd.Timedelta(hours=ACCEPTABLE_AI_H[1]),
                        row.onset_ts + pd.Timedelta(hours=28),
                        ",".join(flags),
                    )
                )
        res = pd.DataFrame(out, columns=cols)
        active = ~res["flags"].str.contains("suppressed_pregnant")
        return res[active].reset_index(drop=True)

    def fit(self, hourly, events=None, animals=None, start=None, n_hours=None):
        """Tune ``threshold`` on a training herd (needs ground-truth heat events)."""
        if events is None:
            return self
        cand = self.candidates(hourly, start, n_hours)
        ev = events[events.kind == "heat"]
        ids, t0, act = hourly_matrix(hourly, "activity", start, n_hours)
        n_days = act.shape[1] // 24
        best, best_val = self.threshold, -1.0
        for thr in np.arange(3.0, 10.01, 0.25):
            self.threshold = float(thr)
            m = heat_cowday_metrics(
                self.alerts_from_candidates(cand, animals),
                ev,
                ids,
                t0,
                n_days,
                warmup_days=self.baseline_days,
            )
            val = min(m["sensitivity"], m["ppv"]) if m["specificity"] >= 0.99 else -1.0
            if val > best_val:
                best, best_val = float(thr), val
        self.threshold = best
        self.fitted_ = True
        return self


def daily_activity(hourly: pd.DataFrame, start=None, n_hours=None):
    ids, t0, act = hourly_matrix(hourly, "activity", start, n_hours)
    n, nh = act.shape
    x = act.reshape(n, nh // 24, 24)
    cnt = np.isfinite(x).sum(axis=2)
    day = np.where(cnt >= 18, np.nansum(x, axis=2) / np.maximum(cnt, 1) * 24, np.nan)
    return ids, t0, day


def rule150_alerts(hourly: pd.DataFrame, ratio=1.5, days=10, start=None, n_hours=None):
    """Baseline: day activity > 150 % of the cow's mean daily activity of the previous 10 days."""
    ids, t0, day = daily_activity(hourly, start, n_hours)
    base = pd.DataFrame(day.T).rolling(days, min_periods=5).mean().shift(1).to_numpy().T
    hit = np.nan_to_num(day, nan=0) > ratio * np.nan_to_num(base, nan=np.inf)
    rows = []
    for k, d in zip(*np.nonzero(hit), strict=True):
        if d > 0 and hit[k, d - 1]:
            continue  # same episode
        rows.append((ids[k], t0 + pd.Timedelta(days=int(d), hours=12)))
    return pd.DataFrame(rows, columns=["animal_id", "onset_ts"])


def zscore_alerts(hourly: pd.DataFrame, z_thr=3.0, days=10, bin_hours=2, start=None, n_hours=None):
    """Baseline: plain z-score of 2-h activity against the previous 10 days (all bins)."""
    ids, t0, act = hourly_matrix(hourly, "activity", start, n_hours)
    A = _bin(act, bin_hours)
    spd = 24 // bin_hours
    df = pd.DataFrame(A.T)
    w = days * spd
    mu = df.rolling(w, min_periods=w // 2).mean().shift(1).to_numpy().T
    sd = df.rolling(w, min_periods=w // 2).std().shift(1).to_numpy().T
    z = (A - mu) / sd
    hit = np.nan_to_num(z, nan=0) > z_thr
    rows = []
    for k in range(hit.shape[0]):
        last = -(10**9)
        for b in np.nonzero(hit[k])[0]:
            if b - last > spd:  # one alert per 24 h
                rows.append((ids[k], t0 + pd.Timedelta(hours=int(b) * bin_hours)))
            last = b
    return pd.DataFrame(rows, columns=["animal_id", "onset_ts"])
