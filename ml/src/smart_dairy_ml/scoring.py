"""Score a whole herd for one day: heat, health risks, 7-day yield forecast, residual flag.

This is the single entry point Odoo (daily cron, ``score_animals(ids)``) and the IoT ingestor
use.  It never raises for one bad cow: each part of each result carries a ``status`` of
``"ok"`` or ``"insufficient_data"`` with a ``reason``.

Input frames (extra columns are ignored; ``cow_id`` is accepted instead of ``animal_id``):

``hourly``
    ``animal_id``, ``ts`` (UTC, tz-aware or naive UTC; one row per hour), ``activity``
    (collar activity index), ``rumination_min`` (minutes ruminating in that hour),
    ``body_temp_c``.  NaN = missing reading.
``milkings``
    ``animal_id``, ``ts`` (UTC), ``session`` ("AM"/"PM"), ``yield_l``, ``conductivity_ms_cm``;
    optional ``fat_pct``.
``animals``
    ``animal_id``, ``parity`` (int), ``calving_date`` (date of the current lactation's calving,
    NaT when dry/unknown); optional ``breed``, ``pregnant`` (bool, confirmed pregnancy
    suppresses heat alerts), ``housing`` ("freestall"/"tiestall"), ``body_weight_kg``,
    ``treatments`` (number of earlier diagnosed cases).

Result: a list with one dict per animal of ``animals`` (see :func:`score_herd`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import __version__
from .artifacts import ModelBundle
from .forecast import HORIZON, MIN_HISTORY_DAYS, _wood_coef, clean_causal
from .health import DISEASES, rule_probabilities, session_features
from .heat import HeatDetector, _truthy, _utc

_log = logging.getLogger(__name__)
KNOWN_BREEDS = {
    "hfxlocal",
    "hfxlocal f1",
    "hf",
    "holstein",
    "holstein friesian",
    "local",
    "sahiwal",
    "jersey",
    "red chittagong",
    "rdm",
    "crossbred",
}
RESIDUAL_FLAG = -0.15
HEAT_RECENT_H = 48
STUCK_HOURS = 6


def _norm(df, cols):
    if df is None:
        return pd.DataFrame(columns=cols)
    d = df.copy()
    if "animal_id" not in d.columns and "cow_id" in d.columns:
        d = d.rename(columns={"cow_id": "animal_id"})
    for c in cols:
        if c not in d.columns:
            d[c] = np.nan
    return d


def _to_utc(values):
    """Timestamps -> tz-aware UTC (unparsable -> NaT); datetime columns skip the parser."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    return pd.to_datetime(values, utc=True, errors="coerce")


def _sanitize(hourly, milkings, animals, as_of):
    h = _norm(hourly, ["animal_id", "ts", "activity", "rumination_min", "body_temp_c"])
    m = _norm(milkings, ["animal_id", "ts", "session", "yield_l", "conductivity_ms_cm"])
    a = _norm(animals, ["animal_id", "parity", "calving_date"])
    for d in (h, m):
        d["ts"] = _to_utc(d["ts"])
        d.dropna(subset=["ts", "animal_id"], inplace=True)
    if as_of is None:
        cand = [x["ts"].max() for x in (h, m) if len(x)]
        as_of = max(cand) if cand else pd.Timestamp.now(tz="UTC")
    as_of = _utc(as_of)
    # own copies (not views of the filtered frames): the columns are rewritten below
    h = h.loc[h["ts"] <= as_of].copy()
    m = m.loc[m["ts"] <= as_of].copy()
    for c, lo, hi in (("activity", 0, None), ("rumination_min", 0, 60), ("body_temp_c", 30, 45)):
        v = pd.to_numeric(h[c], errors="coerce")
        h[c] = v.where((v >= lo) & ((v <= hi) if hi is not None else np.isfinite(v)))
    # stuck sensors: the same non-zero value repeated for >= 6 hours is not a reading
    h = h.sort_values(["animal_id", "ts"], kind="stable")
    new_cow = h["animal_id"].ne(h["animal_id"].shift()).to_numpy()
    for c in ("activity", "rumination_min", "body_temp_c"):
        v = h[c].to_numpy(dtype=float)
        changed = np.ones(len(v), dtype=bool)
        changed[1:] = v[1:] != v[:-1]  # NaN != NaN: every missing hour is its own run
        run = np.cumsum(new_cow | changed)
        length = np.bincount(run)[run]
        h[c] = np.where((length >= STUCK_HOURS) & (v != 0), np.nan, v)
    for c in ("yield_l", "conductivity_ms_cm"):
        v = pd.to_numeric(m[c], errors="coerce")
        m[c] = v.where((v >= 0) & np.isfinite(v))
    m["session"] = (
        m["session"]
        .astype(str)
        .str.upper()
        .where(
            m["session"].astype(str).str.upper().isin(["AM", "PM"]),
            np.where(m["ts"].dt.hour < 6, "AM", "PM"),
        )
    )
    parity = pd.to_numeric(a["parity"], errors="coerce")
    a["parity"] = parity.where(parity >= 0)  # negative = unknown
    a["calving_date"] = pd.to_datetime(a["calving_date"], errors="coerce", utc=True)
    return h, m, a, as_of


def _daily(m, a):
    """Milkings -> daily frame (animal_id, date, dim, yield_kg, parity) for the forecaster."""
    if m.empty:
        return pd.DataFrame(columns=["animal_id", "date", "dim", "yield_kg", "parity"])
    d = m.assign(date=m["ts"].dt.floor("D"))
    g = d.groupby(["animal_id", "date"]).agg(y=("yield_l", "sum"), n=("yield_l", "count"))
    g = g[g["n"] >= 2].reset_index()
    cal = g["animal_id"].map(a.set_index("animal_id")["calving_date"])
    g["dim"] = ((g["date"] - cal) / pd.Timedelta(days=1)).round() + 1
    g["parity"] = g["animal_id"].map(a.set_index("animal_id")["parity"]).fillna(2)
    g = g[np.isfinite(g["dim"]) & (g["dim"] >= 1)]
    g["dim"] = g["dim"].astype(int)
    return g.rename(columns={"y": "yield_kg"})[["animal_id", "date", "dim", "yield_kg", "parity"]]


def _fallback_forecast(daily, last_dim=None):
    """No trained forecaster: last-7-day mean x Wood-curve expected change.

    Returns ``(forecast, previous)``: the 1-7-day forecast after each animal's last day and,
    when ``last_dim`` (animal_id -> DIM of its last day) is given, the forecast made the day
    before (the last day left out), used for the residual; else ``previous`` is None.
    The yield cleaning and the Wood coefficients only look back, so one pass over the herd
    serves both: leaving the last day out only blanks that day's column.
    """
    from .forecast import daily_matrix

    ids, Y, D, _par = daily_matrix(daily)
    H = clean_causal(Y)
    coef = _wood_coef(H, D)
    out = _fallback_rows(ids, H, D, coef)
    if last_dim is None:
        return out, None
    col = pd.Series(ids).map(last_dim).to_numpy(dtype=float) - 1
    rows = np.nonzero(np.isfinite(col) & (col >= 0) & (col < H.shape[1]))[0]
    Hp = H.copy()
    Hp[rows, col[rows].astype(int)] = np.nan
    return out, _fallback_rows(ids, Hp, D, coef)


def _fallback_rows(ids, H, D, coef):
    """Vectorised per-animal forecast rows from cleaned history ``H`` (see above)."""
    n, L = H.shape
    cols = ["animal_id", "h", "dim", "forecast_kg", "status", "reason"]
    if n == 0:
        return pd.DataFrame(columns=cols)
    fin = np.isfinite(H)
    ok = fin.sum(axis=1) >= MIN_HISTORY_DAYS
    j = L - 1 - np.argmax(fin[:, ::-1], axis=1)  # last valid day (meaningless where not ok)
    r = np.arange(n)
    win = j[:, None] + np.arange(-6, 1)
    W = np.where(win >= 0, H[r[:, None], np.clip(win, 0, None)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        m7 = np.nanmean(np.where(ok[:, None], W, 1.0), axis=1)
    c = coef[r, j]
    dj = D[r, j]

    def lw(t):
        return c[:, :1] + c[:, 1:2] * np.log(np.maximum(t, 1)) - c[:, 2:3] * t

    now = lw(dj[:, None] - np.arange(7)).mean(axis=1)
    hs = np.arange(1, HORIZON + 1)
    ratio = np.clip(np.exp(lw(dj[:, None] + hs) - now[:, None]), 0.5, 2.0)
    fc = np.where(ok[:, None], m7[:, None] * ratio, np.nan)
    dim = np.where(ok[:, None], dj[:, None] + hs, np.nan)
    return pd.DataFrame(
        {
            "animal_id": np.repeat(ids, HORIZON),
            "h": np.tile(hs, n),
            "dim": dim.ravel(),
            "forecast_kg": fc.ravel(),
            "status": np.repeat(np.where(ok, "ok", "insufficient_data"), HORIZON),
            "reason": np.repeat(
                np.where(ok, "", f"fewer than {MIN_HISTORY_DAYS} valid days"), HORIZON
            ),
        },
        columns=cols,
    )


def _rule_health(feat):
    """No trained health model: transparent logistic scores of the single-signal rules."""
    out = pd.DataFrame({"animal_id": feat["animal_id"].to_numpy()}, index=feat.index)
    for d, p in rule_probabilities(feat).items():
        out[f"p_{d}"] = p
        out[f"alert_{d}"] = p >= 0.5
    out["anomaly"] = np.nan
    out["alert_anomaly"] = False
    return out


def _ts(x):
    return None if x is None or pd.isna(x) else pd.Timestamp(x).isoformat()


def score_herd(
    hourly: pd.DataFrame,
    milkings: pd.DataFrame,
    animals: pd.DataFrame,
    models: ModelBundle | dict | None = None,
    as_of=None,
    score_ids=None,
) -> list[dict]:
    """Score every animal of ``animals`` as of ``as_of`` (default: latest data).

    ``score_ids``: score only these animals. The other animals of the frames are then the
    herd context: the herd medians of the ketosis features and the tie-stall heat path's
    hour-by-hour herd correction use them, so a few animals score exactly as they do in the
    whole-herd run (the IoT ingestor rescoring the cows that just sent data).

    Returns one dict per animal::

        {"animal_id", "as_of", "status": "ok" | "insufficient_data", "warnings": [...],
         "heat": {"status", "reason", "alert", "onset_ts", "score", "confidence",
                  "insemination_window": [start, end], "acceptable_window": [start, end],
                  "expected_ovulation_ts", "flags"},
         "health": {disease: {"status", "reason", "probability", "alert"}
                    for disease in ("ketosis", "mastitis", "illness")}
                   + {"anomaly": {"status", "score", "alert"}},
         "forecast": {"status", "reason", "days": [{"date", "dim", "yield_kg"}]},
         "residual": {"status", "value", "flag"},   # last day vs expected, flag < -15 %
         "models": {...}}
    """
    if isinstance(models, dict):
        models = ModelBundle(**models)
    models = models or ModelBundle()
    h, m, a, as_of = _sanitize(hourly, milkings, animals, as_of)
    herd = list(pd.unique(a["animal_id"]))
    ids = herd if score_ids is None else list(pd.unique(pd.Series(list(score_ids), dtype=object)))
    res = {aid: _empty_result(aid, as_of, models) for aid in ids}
    h = h[h["animal_id"].isin(herd)]
    m = m[m["animal_id"].isin(herd)]
    mine = a["animal_id"].isin(ids)
    own = a[mine]
    for aid, br in zip(
        own["animal_id"], own.get("breed", pd.Series([None] * len(own))), strict=True
    ):
        if br is not None and not pd.isna(br) and str(br).strip().lower() not in KNOWN_BREEDS:
            res[aid]["warnings"].append(f"unknown breed {br!r}: breed defaults not applied")
    # heat: the scored cows, plus the herd's tie-stall cows when a scored cow is one of them
    # (that path removes the herd median of every hour); the hour grid starts with the herd
    tie = a["housing"].astype(str).eq("tiestall") if "housing" in a else pd.Series(False, a.index)
    heat_a = a[mine | (tie & bool((tie & mine).any()))]
    start = h["ts"].min().floor("D") if len(h) else None
    # small predictions: OpenMP thread start-up costs more than it saves (and hurts a busy box)
    with threadpool_limits(limits=1):
        _guard(
            _score_heat,
            res,
            h[h["animal_id"].isin(heat_a["animal_id"])],
            heat_a,
            models,
            as_of,
            start,
        )
        _guard(_score_health, res, h, m, a, models, as_of)
        _guard(_score_forecast, res, m[m["animal_id"].isin(ids)], own, models, as_of)
    for r in res.values():
        parts = [r["heat"]["status"], r["forecast"]["status"]] + [
            r["health"][d]["status"] for d in DISEASES
        ]
        r["status"] = "ok" if all(p == "ok" for p in parts) else "insufficient_data"
    return [res[aid] for aid in ids]


def _guard(fn, res, *args):
    """Run a vectorised part; if it fails, rerun it per animal so one cow cannot stop the herd."""
    try:
        fn(res, *args)
        return
    except Exception:  # noqa: BLE001
        _log.exception("herd-level %s failed, retrying per animal", fn.__name__)
    frames = [x for x in args if isinstance(x, pd.DataFrame)]
    others = [x for x in args if not isinstance(x, pd.DataFrame)]
    for aid in list(res):
        sub = {aid: res[aid]}
        try:
            fn(sub, *[f[f["animal_id"] == aid] for f in frames], *others)
        except Exception as e:  # noqa: BLE001
            _mark(res[aid], fn.__name__, f"{type(e).__name__}: {e}")


def _mark(r, part, reason):
    key = {
        "_score_heat": ["heat"],
        "_score_forecast": ["forecast"],
        "_score_health": list(DISEASES),
    }[part]
    for k in key:
        tgt = r["health"][k] if k in DISEASES else r[k]
        tgt["status"] = "insufficient_data"
        tgt["reason"] = f"scoring error: {reason}"


def _empty_result(aid, as_of, models):
    return {
        "animal_id": aid.item() if hasattr(aid, "item") else aid,
        "as_of": as_of.isoformat(),
        "status": "ok",
        "warnings": [],
        "heat": {"status": "insufficient_data", "reason": "no activity data", "alert": False},
        "health": {
            **{
                d: {
                    "status": "insufficient_data",
                    "reason": "no milking data",
                    "probability": None,
                    "alert": False,
                }
                for d in DISEASES
            },
            "anomaly": {"status": "insufficient_data", "score": None, "alert": False},
        },
        "forecast": {"status": "insufficient_data", "reason": "no milking data", "days": []},
        "residual": {"status": "insufficient_data", "value": None, "flag": False},
        "models": {
            "version": __version__,
            "heat": "trained" if models.heat is not None else "default",
            "health": "trained" if models.health is not None else "rules",
            "forecast": "trained" if models.forecast is not None else "curve_fallback",
        },
    }


def _score_heat(res, h, a, models, as_of, start=None):
    det = models.heat or HeatDetector()
    if h.empty:
        return
    seen = h.loc[h["activity"].notna(), ["animal_id", "ts"]]
    days_data = seen.assign(day=seen["ts"].dt.floor("D")).groupby("animal_id")["day"].nunique()
    start = h["ts"].min().floor("D") if start is None else start
    n_hours = int((as_of.floor("h") - start) / pd.Timedelta(hours=1)) + 1
    n_hours = int(np.ceil(n_hours / 24) * 24)
    alerts = det.detect(h, a, start=start, n_hours=n_hours)
    recent = alerts[alerts["onset_ts"] >= as_of - pd.Timedelta(hours=HEAT_RECENT_H)]
    latest = recent.sort_values("onset_ts").groupby("animal_id").tail(1).set_index("animal_id")
    preg = set(a.loc[a.get("pregnant", pd.Series(False, index=a.index)).map(_truthy), "animal_id"])
    for aid, r in res.items():
        nd = int(days_data.get(aid, 0))
        if nd == 0:
            continue  # same result as scoring this animal alone: "no activity data"
        if nd < det.baseline_days:
            r["heat"] = {
                "status": "insufficient_data",
                "alert": False,
                "reason": f"{nd} days of activity data, need {det.baseline_days}",
            }
            continue
        hd = {"status": "ok", "reason": "", "alert": False}
        if aid in preg:
            hd["reason"] = "confirmed pregnant: heat alerts suppressed"
        if aid in latest.index:
            x = latest.loc[aid]
            hd.update(
                alert=True,
                onset_ts=_ts(x.onset_ts),
                score=float(x.score),
                confidence=float(x.confidence),
                insemination_window=[_ts(x.ai_window_start), _ts(x.ai_window_end)],
                acceptable_window=[_ts(x.ai_acceptable_start), _ts(x.ai_acceptable_end)],
                expected_ovulation_ts=_ts(x.expected_ovulation_ts),
                flags=[f for f in str(x.flags).split(",") if f],
            )
        r["heat"] = hd


def _score_health(res, h, m, a, models, as_of):
    if m.empty or h.empty:
        return
    feat = session_features(h, m, a)
    if feat.empty:
        return
    last = feat.sort_values("ts").groupby("animal_id").tail(1)
    last = last[last["animal_id"].isin(list(res))]  # the herd context is not scored
    if last.empty:
        return
    n_sess = feat.groupby("animal_id").size()
    if models.health is not None:
        p = models.health.predict_proba(last)
        p.index = last.index
    else:
        p = _rule_health(last)
    sig = [last[c].to_numpy() for c in ("animal_id", "rum_r", "cond_r", "y_r", "temp_ex")]
    for idx, aid, rum_r, cond_r, y_r, temp_ex in zip(last.index, *sig, strict=True):
        if aid not in res:
            continue
        r = res[aid]
        enough = n_sess.get(aid, 0) >= 2 * MIN_HISTORY_DAYS
        have = {
            "ketosis": np.isfinite(rum_r),
            "mastitis": np.isfinite(cond_r) or np.isfinite(y_r),
            "illness": np.isfinite(temp_ex) or np.isfinite(rum_r),
        }
        for d in DISEASES:
            if not enough or not have[d]:
                reason = (
                    f"{int(n_sess.get(aid, 0))} milkings, need {2 * MIN_HISTORY_DAYS}"
                    if not enough
                    else "no baseline for the signals of this disease"
                )
                r["health"][d] = {
                    "status": "insufficient_data",
                    "reason": reason,
                    "probability": None,
                    "alert": False,
                }
            else:
                r["health"][d] = {
                    "status": "ok",
                    "reason": "",
                    "probability": float(p.at[idx, f"p_{d}"]),
                    "alert": bool(p.at[idx, f"alert_{d}"]),
                }
        an = p.at[idx, "anomaly"]
        r["health"]["anomaly"] = {
            "status": "ok" if enough and np.isfinite(an) else "insufficient_data",
            "score": None if not np.isfinite(an) else float(an),
            "alert": bool(p.at[idx, "alert_anomaly"]),
        }


def _score_forecast(res, m, a, models, as_of):
    daily = _daily(m, a)
    if daily.empty:
        for r in res.values():
            r["forecast"]["reason"] = "no complete milking days with a known calving date"
        return
    fc = models.forecast
    last_date = daily.groupby("animal_id")["date"].max()
    lastv = daily[daily["date"] == daily["animal_id"].map(last_date)].set_index("animal_id")
    if fc is None:
        # residual: last day's yield vs the 1-day forecast made the day before
        out, p1 = _fallback_forecast(daily, last_dim=lastv["dim"])
    else:
        both = fc.predict(daily, lags=(0, 1))
        out, p1 = both[both["lag"] == 0], both[both["lag"] == 1]
    p1 = p1[p1["h"] == 1]
    prev = {
        aid: float(v)
        for aid, v, st in zip(p1["animal_id"], p1["forecast_kg"], p1["status"], strict=True)
        if st == "ok"
    }
    last_y = lastv["yield_kg"].to_dict()
    out = out.sort_values(["animal_id", "h"], kind="stable")
    o_id = out["animal_id"].to_numpy()
    o_h = out["h"].to_numpy().astype(int)
    o_dim = out["dim"].to_numpy(dtype=float)
    o_kg = out["forecast_kg"].to_numpy(dtype=float)
    o_ok = out["status"].to_numpy() == "ok"
    o_reason = out["reason"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, o_id[1:] != o_id[:-1], True]) if len(o_id) else [0]
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        aid = o_id[s]
        if aid not in res:
            continue
        r = res[aid]
        if not o_ok[s:e].all():
            r["forecast"] = {"status": "insufficient_data", "reason": o_reason[s], "days": []}
            continue
        d0 = last_date[aid].date()
        r["forecast"] = {
            "status": "ok",
            "reason": "",
            "days": [
                {
                    "date": (d0 + timedelta(days=int(o_h[k]))).isoformat(),
                    "dim": int(o_dim[k]),
                    "yield_kg": round(float(o_kg[k]), 2),
                }
                for k in range(s, e)
            ],
        }
        if aid in prev and aid in last_y:
            exp = prev[aid]
            val = float(last_y[aid]) / exp - 1 if exp > 0 else np.nan
            if np.isfinite(val):
                r["residual"] = {
                    "status": "ok",
                    "value": round(val, 4),
                    "flag": bool(val < RESIDUAL_FLAG),
                }
    for r in res.values():
        if r["forecast"]["status"] != "ok" and r["forecast"]["reason"] == "no milking data":
            r["forecast"]["reason"] = "no complete milking days with a known calving date"
