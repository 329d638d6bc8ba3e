"""Evaluation metrics the dairy-science literature uses (per cow-day, per case)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _day_index(ts, t0):
    ts = pd.to_datetime(pd.Series(ts), utc=True)
    return ((ts - t0) // pd.Timedelta(days=1)).to_numpy()


def heat_cowday_metrics(
    alerts: pd.DataFrame,
    heat_events: pd.DataFrame,
    ids,
    t0,
    n_days,
    warmup_days=10,
    tolerance_days=1,
) -> dict:
    """Sensitivity, specificity, PPV and false alerts per 100 cows/day, per cow-day.

    A true heat (onset day) is detected when an alert of the same cow falls within
    +/- ``tolerance_days``.  An alert is a true positive when it matches a true heat (each heat
    matched once).  Specificity is computed over the cow-days that are not within the tolerance
    of any true heat: 1 - (cow-days with an unmatched alert) / (negative cow-days).
    The first ``warmup_days`` (no baseline yet) are excluded from everything.
    """
    idc = "animal_id" if "animal_id" in heat_events.columns else "cow_id"
    ids = np.asarray(ids)
    pos = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    truth_day = np.zeros((n, n_days), dtype=bool)
    tev = heat_events[heat_events[idc].isin(pos)]
    td = _day_index(tev["onset_ts"], t0)
    tk = np.array([pos[x] for x in tev[idc]], dtype=int)
    keep = (td >= warmup_days) & (td < n_days)
    td, tk = td[keep], tk[keep]
    near = np.zeros((n, n_days), dtype=bool)
    for k, d in zip(tk, td, strict=True):
        truth_day[k, d] = True
        near[k, max(d - tolerance_days, 0) : d + tolerance_days + 1] = True
    aidc = "animal_id" if "animal_id" in alerts.columns else "cow_id"
    al = alerts[alerts[aidc].isin(pos)] if len(alerts) else alerts
    ad = _day_index(al["onset_ts"], t0) if len(al) else np.array([], dtype=int)
    ak = np.array([pos[x] for x in al[aidc]], dtype=int) if len(al) else np.array([], dtype=int)
    keep = (ad >= warmup_days) & (ad < n_days)
    ad, ak = ad[keep], ak[keep]
    matched_truth = set()
    tp = fp = 0
    fp_day = np.zeros((n, n_days), dtype=bool)
    truth_list = {}
    for k, d in zip(tk, td, strict=True):
        truth_list.setdefault(k, []).append(d)
    for k, d in sorted(zip(ak, ad, strict=True), key=lambda x: (x[0], x[1])):
        cands = [
            t
            for t in truth_list.get(k, [])
            if abs(t - d) <= tolerance_days and (k, t) not in matched_truth
        ]
        if cands:
            matched_truth.add((k, min(cands, key=lambda t: abs(t - d))))
            tp += 1
        elif any(abs(t - d) <= tolerance_days for t in truth_list.get(k, [])):
            continue  # second alert for an already detected heat: neither TP nor FP
        else:
            fp += 1
            fp_day[k, d] = True
    n_true = int(len(td))
    cow_days = n * (n_days - warmup_days)
    neg_days = int((~near[:, warmup_days:]).sum())
    fp_days = int(fp_day[:, warmup_days:].sum())
    return {
        "heats": n_true,
        "alerts": int(tp + fp),
        "sensitivity": len(matched_truth) / n_true if n_true else float("nan"),
        "ppv": tp / (tp + fp) if tp + fp else float("nan"),
        "specificity": 1 - fp_days / neg_days if neg_days else float("nan"),
        "false_alerts_per_100_cows_day": 100.0 * fp / cow_days if cow_days else float("nan"),
        "cow_days": cow_days,
    }


def mape(y_true, y_pred) -> float:
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    ok = np.isfinite(y_true) & np.isfinite(y_pred) & (y_true > 0)
    return float(np.mean(np.abs(y_pred[ok] - y_true[ok]) / y_true[ok]) * 100)


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (95 % by default); (nan, nan) if n = 0.

    Used for case sensitivities: with ~30 cases per simulated herd one case is 3 points, so a
    per-seed figure alone says little; the pooled count and its interval say how sure it is.
    """
    if n <= 0:
        return float("nan"), float("nan")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)
