"""Heat detection for tie-stall cows: rumination- and temperature-led.

In a tie-stall cows cannot walk, so collar activity rises only 1.1-1.4x in heat (the
activity-led :class:`~smart_dairy_ml.heat.HeatDetector` finds about 5 % of those heats).  What
still changes is rumination (about 17 % lower on the heat day; Reith & Hoy 2012, J Dairy Sci
95:6416; Pahl et al. 2015, J Dairy Sci 98:148) and body/vaginal temperature (+0.2-0.5 °C for
the duration of estrus; Kyle et al. 1998, Theriogenology 49:1437; Suthar et al. 2011, J Dairy
Sci 94:4806).  :class:`TieStallHeatDetector` combines the three signals on 2-h bins:

1. Herd correction: every hour the herd median is removed (temperature: difference; activity
   and rumination: ratio), so barn climate (THI) and barn-wide disturbances do not look like
   heats.  Hours with fewer than ``MIN_HERD`` cows reading are not corrected (a cow scored on
   her own keeps her signal; the per-slot baseline still absorbs the daily rhythm).
2. Per cow and bin-of-day slot, the baseline is the median of the previous ``baseline_days``
   days at that slot (a median is not moved by the one earlier heat day in the window).
3. For a candidate onset at bin ``b``: mean temperature excess and mean log activity ratio over
   the next ``window_h`` hours, and the rumination drop over the 24 h around onset (onset - 6 h
   .. + 18 h, as in the activity detector).  Each term is divided by the cow's own robust
   spread (rolling median absolute value over the previous ``baseline_days`` days) and the
   score is their weighted sum.
4. A bin whose temperature excess reaches ``fever_c`` is illness, not heat (fever is
   >= +0.8 °C); the alert onset is the best-scoring bin of a run above ``threshold``; one alert
   per ``refractory_days``.

Output columns are those of :meth:`HeatDetector.detect` (onset, score, confidence, insemination
window onset + 12-18 h, acceptable 8-24 h, expected ovulation + 28 h) with the flag
``tiestall_rumination_temperature``.  ``fit`` tunes ``threshold`` on a training herd with
ground truth (max min(Se, PPV) at Sp >= 99 %), never on the herd it is evaluated on.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .heat import (
    ACCEPTABLE_AI_H,
    ALERT_COLUMNS,
    OPTIMAL_AI_H,
    _rolling_slot_median,
    _stuck_mask,
    hourly_matrix,
)
from .metrics import heat_cowday_metrics

MIN_HERD = 10  # cows with a reading in the same hour needed for the herd correction


def _nanmedian_rows(M, neutral):
    """Herd median of every hour; ``neutral`` where fewer than MIN_HERD cows have a reading
    (scoring a few animals alone must not subtract the cows' own signal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(M, axis=0) if M.shape[0] else np.full(M.shape[1], np.nan)
    return np.where(np.isfinite(M).sum(axis=0) >= MIN_HERD, med, neutral)


def _bin_mean(M, bh):
    n, nh = M.shape
    nb = nh // bh
    x = M[:, : nb * bh].reshape(n, nb, bh)
    cnt = np.isfinite(x).sum(axis=2)
    return np.where(cnt * 2 >= bh, np.nansum(x, axis=2) / np.maximum(cnt, 1), np.nan)


def _window_mean(M, start, length):
    """Mean of bins b+start .. b+start+length-1 for every bin b (NaN if < half present)."""
    n, nb = M.shape
    c = np.zeros((n, nb + 1))
    c[:, 1:] = np.cumsum(np.nan_to_num(M), axis=1)
    k = np.zeros((n, nb + 1))
    k[:, 1:] = np.cumsum(np.isfinite(M), axis=1)
    b = np.arange(nb)
    lo = np.clip(b + start, 0, nb)
    hi = np.clip(b + start + length, 0, nb)
    s = c[:, hi] - c[:, lo]
    cnt = k[:, hi] - k[:, lo]
    return np.where(cnt * 2 >= length, s / np.maximum(cnt, 1), np.nan)


def _robust_spread(X, spd, days, floor):
    """Per cow: rolling median of |X| over the previous ``days`` days x 1.4826, floored."""
    a = pd.DataFrame(np.abs(X).T)
    s = a.rolling(days * spd, min_periods=days * spd // 2).median().shift(spd).to_numpy().T
    return np.maximum(np.nan_to_num(s * 1.4826, nan=np.inf), floor)


class TieStallHeatDetector:
    """Rumination- and temperature-led heat detector for tie-stall cows (sklearn-style)."""

    def __init__(
        self,
        bin_hours=2,
        baseline_days=10,
        window_h=8,
        temp_weight=1.0,
        activity_weight=1.0,
        rumination_weight=1.0,
        threshold=10.0,
        fever_c=0.7,
        refractory_days=4,
    ):
        self.bin_hours = bin_hours
        self.baseline_days = baseline_days
        self.window_h = window_h
        self.temp_weight = temp_weight
        self.activity_weight = activity_weight
        self.rumination_weight = rumination_weight
        self.threshold = threshold
        self.fever_c = fever_c
        self.refractory_days = refractory_days

    def scores(self, hourly: pd.DataFrame, start=None, n_hours=None):
        """(ids, t0, score, temp_excess_c, activity_z, rumination_drop) on 2-h bins."""
        bh = self.bin_hours
        spd = 24 // bh
        ids, t0, act = hourly_matrix(hourly, "activity", start, n_hours)
        nh = act.shape[1]
        _, _, rum = hourly_matrix(hourly, "rumination_min", t0, nh)
        _, _, tmp = hourly_matrix(hourly, "body_temp_c", t0, nh)
        act = np.where(_stuck_mask(act) | (act < 0), np.nan, act)
        rum = np.where(_stuck_mask(rum) | (rum < 0), np.nan, rum)
        tmp = np.where(_stuck_mask(tmp, 4) | (tmp < 35) | (tmp > 43), np.nan, tmp)
        with np.errstate(all="ignore"):
            # herd correction per hour (climate, barn-wide disturbances)
            tmp = tmp - _nanmedian_rows(tmp, 0.0)[None, :]
            la = np.log(act + 1.0)
            la = la - _nanmedian_rows(la, 0.0)[None, :]
            rum = rum / np.maximum(_nanmedian_rows(rum, 1.0), 1e-6)[None, :]
            T = _bin_mean(tmp, bh)
            A = _bin_mean(la, bh)
            R = _bin_mean(rum, bh)
            w = max(self.window_h // bh, 1)
            rT = T - _rolling_slot_median(T, spd, self.baseline_days)
            rA = A - _rolling_slot_median(A, spd, self.baseline_days)
            # rumination of the 24 h around onset (-6 h .. +18 h) vs the same 24-h sums before
            R24 = _window_mean(R, -6 // bh, spd)
            rR = np.log(R24 / _rolling_slot_median(R24, spd, self.baseline_days))
            eT = _window_mean(rT, 0, w)
            eA = _window_mean(rA, 0, w)
            zT = eT / _robust_spread(eT, spd, self.baseline_days, 0.02)
            zA = eA / _robust_spread(eA, spd, self.baseline_days, 0.03)
            zR = -rR / _robust_spread(rR, spd, self.baseline_days, 0.01)
            score = (
                self.temp_weight * np.clip(np.nan_to_num(zT), -3, 8)
                + self.activity_weight * np.clip(np.nan_to_num(zA), -3, 8)
                + self.rumination_weight * np.clip(np.nan_to_num(zR), -3, 8)
            )
            ok = np.isfinite(eT) | np.isfinite(eA) | np.isfinite(rR)
            ok &= np.isfinite(_rolling_slot_median(R24, spd, self.baseline_days)) | np.isfinite(
                _rolling_slot_median(T, spd, self.baseline_days)
            )
            score = np.where(ok & ~(eT >= self.fever_c), score, np.nan)
        return ids, t0, score, eT, zA, -rR

    def candidates(self, hourly: pd.DataFrame, start=None, n_hours=None) -> pd.DataFrame:
        """Best-scoring bin of every run of bins above ``threshold`` (before refractory)."""
        ids, t0, S, eT, zA, drop = self.scores(hourly, start, n_hours)
        return self._candidates(ids, t0, S, zA, drop, self.threshold)

    def _candidates(self, ids, t0, S, zA, drop, thr):
        bh = self.bin_hours
        above = np.nan_to_num(S, nan=-np.inf) >= thr
        rows = []
        for k in np.nonzero(above.any(axis=1))[0]:
            b = np.nonzero(above[k])[0]
            # runs of bins above threshold (gaps of up to 2 bins are the same episode)
            brk = np.nonzero(np.diff(b) > 3)[0]
            for seg in np.split(b, brk + 1):
                j = int(seg[np.argmax(S[k, seg])])
                rows.append((ids[k], j * bh, float(S[k, j]), float(zA[k, j]), float(drop[k, j])))
        cand = pd.DataFrame(rows, columns=["animal_id", "h", "score", "activity_z", "drop"])
        cand["onset_ts"] = t0 + pd.to_timedelta(cand["h"], unit="h")
        return cand

    def _alerts(self, cand, thr):
        out = []
        for aid, g in cand.sort_values("onset_ts").groupby("animal_id", sort=False):
            last = None
            for r in g.itertuples(index=False):
                if r.score < thr:
                    continue
                if last is not None and (r.onset_ts - last) < pd.Timedelta(
                    days=self.refractory_days
                ):
                    continue
                last = r.onset_ts
                on = r.onset_ts
                out.append(
                    (
                        aid,
                        on,
                        r.score,
                        float(1 / (1 + np.exp(-(r.score - thr) * 0.5))),
                        r.activity_z,
                        r.drop,
                        on + pd.Timedelta(hours=OPTIMAL_AI_H[0]),
                        on + pd.Timedelta(hours=OPTIMAL_AI_H[1]),
                        on + pd.Timedelta(hours=ACCEPTABLE_AI_H[0]),
                        on + pd.Timedelta(hours=ACCEPTABLE_AI_H[1]),
                        on + pd.Timedelta(hours=28),
                        "tiestall_rumination_temperature",
                    )
                )
        return pd.DataFrame(out, columns=ALERT_COLUMNS)

    def detect(self, hourly: pd.DataFrame, animals=None, start=None, n_hours=None):
        """Heat alerts (same columns as :meth:`HeatDetector.detect`)."""
        ids, t0, S, eT, zA, drop = self.scores(hourly, start, n_hours)
        cand = self._candidates(ids, t0, S, zA, drop, self.threshold)
        return self._alerts(cand, self.threshold)

    def fit(self, hourly, events=None, animals=None, start=None, n_hours=None):
        """Tune ``threshold`` on a training herd with ground-truth heat events."""
        if events is None:
            return self
        ids, t0, S, eT, zA, drop = self.scores(hourly, start, n_hours)
        n_days = S.shape[1] * self.bin_hours // 24
        grid = np.arange(4.0, 16.01, 0.5)
        ev = events[events.kind == "heat"]
        best, best_val = self.threshold, -1.0
        for thr in grid:
            cand = self._candidates(ids, t0, S, zA, drop, thr)
            m = heat_cowday_metrics(
                self._alerts(cand, thr), ev, ids, t0, n_days, warmup_days=self.baseline_days
            )
            val = min(m["sensitivity"], m["ppv"]) if m["specificity"] >= 0.99 else -1.0
            if val > best_val:
                best, best_val = float(thr), val
        self.threshold = best
        self.fitted_ = True
        return self
