"""Health risk: ketosis, clinical mastitis and generic illness (fever) per cow and milking.

Scoring happens at every milking (twice a day), because conductivity and yield arrive with the
milking.  Features, all relative to the cow's *own* baseline (median of the previous 10 days,
leaving out the last 2 days so that a developing disease does not hide in its own baseline):

* rumination and activity of the last 24 h (ratio to baseline), same 24 h earlier, 2-day minimum
* maximum body temperature of the last 12 h minus the cow's baseline maximum
* yield of this milking vs the cow's baseline for the same session (AM/PM), previous milking
* conductivity of this milking vs baseline, previous milking, change between milkings
* days in milk, parity, number of earlier diagnosed cases (treatment history)
* ketosis only: rumination, activity and yield ratios divided by the herd median of the same
  milking (heat stress and barn-wide effects cancel), the 2-day change and 2-day mean of the
  herd-normalised rumination, and the larger conductivity ratio of the last two milkings
* an unsupervised anomaly score (IsolationForest on the per-cow-normalised signals)

:class:`HealthRiskModel` trains one calibrated gradient-boosting classifier per disease
(isotonic calibration) and picks each alert threshold on the training herd so that the cow-day
specificity stays >= ``target_sp``.  Reporting (see :func:`evaluate_health`) is per case and per
cow-day like the literature does it: sensitivity within the time window, specificity per
cow-day, days of warning before diagnosis, alerts per 100 cows per day - never plain accuracy.

Frames (same columns as :func:`smart_dairy_ml.scoring.score_herd`):
hourly ``animal_id|cow_id, ts, activity, rumination_min, body_temp_c``;
milkings ``animal_id|cow_id, ts, session, yield_l, conductivity_ms_cm``;
animals ``animal_id, parity, calving_date`` (+ optional ``treatments`` = earlier cases).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, IsolationForest

from .heat import _stuck_mask, hourly_matrix

DISEASES = ("ketosis", "mastitis", "illness")
DISEASE_EVENT = {"ketosis": "ketosis", "mastitis": "mastitis", "illness": "fever"}
# time window (hours before diagnosis) in which an alert counts as a detection
WINDOW_H = {"ketosis": 5 * 24, "mastitis": 48, "illness": 48}
FEVER_C = 0.8
MIN_POSITIVES = 10
SIGNALS = ["rum_r", "act_r", "temp_ex", "y_r", "cond_r"]
FEATURES = [
    "rum_r",
    "rum_r_lag",
    "rum_min",
    "rum_mean4",
    "rum_z",
    "act_r",
    "act_r_lag",
    "act_mean4",
    "temp_ex",
    "temp_ex_lag",
    "y_r",
    "y_r_lag",
    "y_mean4",
    "y_z",
    "cond_r",
    "cond_r_lag",
    "cond_d",
    "cond_mean2",
    "cond_z",
    "dim",
    "parity",
    "prior_cases",
    "iso",
]
# ketosis develops over 2-4 days: its model also sees herd-normalised signals (the herd median
# of the same milking removes heat stress and barn-wide effects) and the 2-day rumination trend
HERD_FEATURES = ["rum_rh", "act_rh", "y_rh", "rum_d2", "rumh_mean4", "cond_max2"]
DISEASE_FEATURES = {
    "ketosis": FEATURES + HERD_FEATURES,
    "mastitis": FEATURES,
    "illness": FEATURES,
}
MIN_HERD = 10  # cows milked in the same session needed for the herd median


def _idc(df):
    return "animal_id" if "animal_id" in df.columns else "cow_id"


def session_features(
    hourly: pd.DataFrame,
    milkings: pd.DataFrame,
    animals: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    start=None,
) -> pd.DataFrame:
    """One row per milking with the health features (see module docstring)."""
    ids, t0, act = hourly_matrix(hourly, "activity", start)
    nh = act.shape[1]
    _, _, rum = hourly_matrix(hourly, "rumination_min", t0, nh)
    _, _, tmp = hourly_matrix(hourly, "body_temp_c", t0, nh)
    act = np.where(_stuck_mask(act), np.nan, act)
    rum = np.where(_stuck_mask(rum), np.nan, rum)
    tmp = np.where(_stuck_mask(tmp, 4), np.nan, tmp)
    tmp = np.where((tmp < 35) | (tmp > 43), np.nan, tmp)

    def csum(M):
        c = np.zeros((M.shape[0], M.shape[1] + 1))
        c[:, 1:] = np.cumsum(np.nan_to_num(M, nan=0.0), axis=1)
        n = np.zeros_like(c)
        n[:, 1:] = np.cumsum(np.isfinite(M), axis=1)
        return c, n

    rc, rn = csum(rum)
    ac, an = csum(act)
    tmax = pd.DataFrame(tmp.T).rolling(12, min_periods=4).max().to_numpy().T

    m = milkings.copy()
    idc = _idc(m)
    m = m.rename(columns={idc: "animal_id"})
    m["ts"] = pd.to_datetime(m["ts"], utc=True)
    pos = {k: i for i, k in enumerate(ids)}
    m = m[m["animal_id"].isin(pos)].sort_values(["animal_id", "ts"]).reset_index(drop=True)
    k = m["animal_id"].map(pos).to_numpy()
    e = ((m["ts"] - t0) // pd.Timedelta(hours=1)).to_numpy().astype(int) + 1
    e = np.clip(e, 0, nh)
    lo = np.clip(e - 24, 0, nh)
    cnt_r = rn[k, e] - rn[k, lo]
    cnt_a = an[k, e] - an[k, lo]
    m["rum24"] = np.where(cnt_r >= 16, (rc[k, e] - rc[k, lo]) / np.maximum(cnt_r, 1) * 24, np.nan)
    m["act24"] = np.where(cnt_a >= 16, (ac[k, e] - ac[k, lo]) / np.maximum(cnt_a, 1) * 24, np.nan)
    m["tmax12"] = tmax[k, np.clip(e - 1, 0, nh - 1)]
    y = pd.to_numeric(m.get("yield_l"), errors="coerce")
    m["yield_l"] = y.where(y > 0)
    c = pd.to_numeric(m.get("conductivity_ms_cm"), errors="coerce")
    m["conductivity_ms_cm"] = c.where((c > 1) & (c < 20))

    g = m.groupby("animal_id", sort=False)

    aid = m["animal_id"]

    def base(col, by=None, n=20, lag=4):
        keys = aid if by is None else [aid, m["session"]]
        sh = m[col].groupby(keys, sort=False).shift(lag)
        r = sh.groupby(keys, sort=False).rolling(n, min_periods=max(n // 3, 4)).median()
        return r.reset_index(level=list(range(r.index.nlevels - 1)), drop=True).reindex(m.index)

    m["rum_r"] = m["rum24"] / base("rum24") - 1
    m["act_r"] = m["act24"] / base("act24") - 1
    m["temp_ex"] = m["tmax12"] - base("tmax12")
    m["cond_r"] = m["conductivity_ms_cm"] / base("conductivity_ms_cm") - 1
    m["y_r"] = m["yield_l"] / base("yield_l", by="session", n=10, lag=2) - 1
    g = m.groupby("animal_id", sort=False)
    m["rum_r_lag"] = g["rum_r"].shift(2)
    rmin = g["rum_r"].rolling(4, min_periods=1).min()
    m["rum_min"] = rmin.reset_index(level=0, drop=True).reindex(m.index)
    m["act_r_lag"] = g["act_r"].shift(2)
    m["temp_ex_lag"] = g["temp_ex"].shift(2)
    m["y_r_lag"] = g["y_r"].shift(1)
    m["cond_r_lag"] = g["cond_r"].shift(1)
    m["cond_d"] = m["cond_r"] - m["cond_r_lag"]

    def gmean(col, n):
        r = m[col].groupby(aid, sort=False).rolling(n, min_periods=1).mean()
        return r.reset_index(level=0, drop=True).reindex(m.index)

    def gz(col, n=20, lag=4):
        sh = m[col].groupby(aid, sort=False).shift(lag)
        sd = sh.groupby(aid, sort=False).rolling(n, min_periods=6).std()
        sd = sd.reset_index(level=0, drop=True).reindex(m.index)
        return m[col] / sd.clip(lower=0.01)

    m["rum_mean4"] = gmean("rum_r", 4)
    m["act_mean4"] = gmean("act_r", 4)
    m["y_mean4"] = gmean("y_r", 4)
    m["cond_mean2"] = gmean("cond_r", 2)
    m["rum_z"] = gz("rum_r")
    # herd-normalised ratios: divided by the herd median of the same day and session
    # (no correction when fewer than MIN_HERD cows were milked in that session)
    day = (m["ts"] - t0) // pd.Timedelta(days=1)
    sess = pd.factorize(m["session"])[0] if "session" in m else 0
    key = (day * 4 + sess).to_numpy()
    for col in ("rum_r", "act_r", "y_r"):
        grp = m[col].groupby(key)
        med = grp.transform("median").where(grp.transform("count") >= MIN_HERD, 0.0)
        m[col + "h"] = (1 + m[col]) / (1 + med) - 1
    g = m.groupby("animal_id", sort=False)
    lags = [g["rum_rh"].shift(k).to_numpy() for k in range(4)]
    m["rum_d2"] = lags[0] - g["rum_rh"].shift(4).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all four NaN -> NaN
        m["rumh_mean4"] = np.nanmean(np.vstack(lags), axis=0)
    m["cond_max2"] = np.fmax(m["cond_r"].to_numpy(), g["cond_r"].shift(1).to_numpy())
    m["y_z"] = gz("y_r")
    m["cond_z"] = gz("cond_r")

    # lactation info
    m["dim"] = m["dim"] if "dim" in m.columns else np.nan
    m["parity"] = np.nan
    m["prior_cases"] = 0.0
    if animals is not None and len(animals):
        a = animals.rename(columns={_idc(animals): "animal_id"}).set_index("animal_id")
        if "calving_date" in a and m["dim"].isna().all():
            cd = pd.to_datetime(m["animal_id"].map(a["calving_date"]), errors="coerce", utc=True)
            m["dim"] = ((m["ts"] - cd) / pd.Timedelta(days=1)).to_numpy()
        if "parity" in a:
            m["parity"] = pd.to_numeric(m["animal_id"].map(a["parity"]), errors="coerce")
        if "treatments" in a:
            m["prior_cases"] = pd.to_numeric(
                m["animal_id"].map(a["treatments"]), errors="coerce"
            ).fillna(0)
    if events is not None and len(events):
        ev = events[events["kind"].isin(DISEASE_EVENT.values()) & events["diagnosis_ts"].notna()]
        ev = ev.rename(columns={_idc(ev): "animal_id"})
        if len(ev):
            diag = ev[["animal_id", "diagnosis_ts"]].sort_values("diagnosis_ts")
            # earlier diagnosed cases of this cow before each milking (treatment history)
            cnt = np.zeros(len(m))
            mts = _ns(m["ts"])
            maid = m["animal_id"].to_numpy()
            for a_id, dg in diag.groupby("animal_id"):
                idx = np.nonzero(maid == a_id)[0]
                cnt[idx] = np.searchsorted(_ns(dg["diagnosis_ts"]), mts[idx], side="right")
            m["prior_cases"] = cnt
    return m


def _ns(series) -> np.ndarray:
    """tz-aware datetime Series -> int64 ns since epoch (fast, no object arrays)."""
    s = pd.to_datetime(series, utc=True)
    return s.dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype(np.int64)


def label_sessions(feat: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Add ``y_<disease>`` (1 from onset to diagnosis) and ``x_<disease>`` (treated: excluded)."""
    ev = events.rename(columns={_idc(events): "animal_id"})
    out = feat.copy()
    aid = out["animal_id"].to_numpy()
    ts = _ns(out["ts"])
    for dis, kind in DISEASE_EVENT.items():
        y = np.zeros(len(out), dtype=bool)
        x = np.zeros(len(out), dtype=bool)
        for r in ev[ev["kind"] == kind].itertuples(index=False):
            sel = aid == r.animal_id
            on, dg, en = (pd.Timestamp(v).value for v in (r.onset_ts, r.diagnosis_ts, r.end_ts))
            y |= sel & (ts >= on) & (ts <= dg)
            x |= sel & (ts > dg) & (ts <= en)
        out[f"y_{dis}"] = y
        out[f"x_{dis}"] = x & ~y
    return out


class HealthRiskModel:
    """Calibrated per-disease classifiers + IsolationForest anomaly layer."""

    def __init__(
        self,
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=15,
        target_sp=0.99,
        contamination=0.02,
        negative_fraction=0.15,
        random_state=0,
    ):
        self.max_leaf_nodes = max_leaf_nodes
        self.negative_fraction = negative_fraction
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.target_sp = target_sp
        self.contamination = contamination
        self.random_state = random_state

    def _iso_input(self, X):
        return X[SIGNALS].fillna(0.0).clip(-3, 3).to_numpy()

    def fit(self, feat: pd.DataFrame, y=None):
        """``feat``: output of :func:`label_sessions` (features + y_/x_ columns)."""
        X = feat.copy()
        self.iso_ = IsolationForest(
            n_estimators=100,
            contamination=self.contamination,
            max_samples=4096,
            random_state=self.random_state,
        )
        self.iso_.fit(self._iso_input(X))
        X["iso"] = -self.iso_.score_samples(self._iso_input(X))
        self.models_, self.thresholds_ = {}, {}
        for dis in DISEASES:
            keep = ~X[f"x_{dis}"].to_numpy()
            yall = X[f"y_{dis}"].to_numpy()
            # negatives are subsampled (weighted back) to keep training fast
            rng = np.random.default_rng(self.random_state)
            keep &= yall | (rng.uniform(size=len(X)) < self.negative_fraction)
            cols = DISEASE_FEATURES[dis]
            Xd, yd = X.loc[keep, cols], yall[keep].astype(int)
            w = np.where(yd == 1, 1.0, 1.0 / self.negative_fraction)
            if yd.sum() < MIN_POSITIVES:
                # too few cases to learn from: this disease falls back to its clinical rule
                self.models_[dis] = None
                self.thresholds_[dis] = 0.5
                continue
            clf = CalibratedClassifierCV(
                HistGradientBoostingClassifier(
                    max_iter=self.max_iter,
                    learning_rate=self.learning_rate,
                    max_leaf_nodes=self.max_leaf_nodes,
                    random_state=self.random_state,
                ),
                method="isotonic",
                cv=3,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(Xd, yd, sample_weight=w)
            self.models_[dis] = clf
            p = clf.predict_proba(X[cols])[:, 1]
            self.thresholds_[dis] = self._pick_threshold(X, p, dis)
        self.features_ = list(FEATURES)
        self.disease_features_ = {d: list(DISEASE_FEATURES[d]) for d in DISEASES}
        self.training_summary_ = {
            "sessions": int(len(X)),
            "animals": int(X["animal_id"].nunique()),
            "cases": {d: int(X[f"y_{d}"].sum()) for d in DISEASES},
        }
        return self

    def _pick_threshold(self, X, p, dis):
        day = X["ts"].dt.floor("D")
        neg = ~(X[f"y_{dis}"] | X[f"x_{dis}"])
        best = 0.99
        grid = np.unique(np.quantile(p, np.linspace(0.5, 0.9999, 200)))
        for thr in grid:
            alert = p >= thr
            d = pd.DataFrame({"a": alert & neg, "n": neg, "k": X["animal_id"], "day": day})
            cd = d.groupby(["k", "day"]).agg(a=("a", "max"), n=("n", "min"))
            sp = 1 - cd.loc[cd.n, "a"].mean()
            if sp >= self.target_sp:
                best = float(thr)
                break
        return best

    def predict_proba(self, feat: pd.DataFrame) -> pd.DataFrame:
        X = feat.copy()
        X["iso"] = -self.iso_.score_samples(self._iso_input(X))
        out = pd.DataFrame(
            {
                "animal_id": X["animal_id"].to_numpy(),
                "ts": X["ts"].to_numpy(),
                "anomaly": X["iso"].to_numpy(),
            }
        )
        rules = rule_probabilities(X)
        for dis, clf in self.models_.items():
            if clf is None:
                out[f"p_{dis}"] = rules[dis]
            else:
                # artifacts written before per-disease feature lists use features_ throughout
                cols = getattr(self, "disease_features_", {}).get(dis, self.features_)
                out[f"p_{dis}"] = clf.predict_proba(X[cols])[:, 1]
            out[f"alert_{dis}"] = out[f"p_{dis}"] >= self.thresholds_[dis]
        # the clinical definition of fever (>= +0.8 C over the cow's own baseline) always
        # raises an illness alert, whatever the model says
        fever = (X["temp_ex"] >= FEVER_C).to_numpy()
        out["alert_illness"] = out["alert_illness"].to_numpy() | fever
        out["p_illness"] = np.where(fever, np.maximum(out["p_illness"], 0.5), out["p_illness"])
        iso_thr = -self.iso_.offset_
        out["alert_anomaly"] = out["anomaly"] >= iso_thr
        return out

    def predict(self, feat):
        p = self.predict_proba(feat)
        return p[[f"alert_{d}" for d in DISEASES]].to_numpy()

    def score(self, feat, y=None):
        """Mean over diseases of case sensitivity at the fitted thresholds."""
        res = evaluate_health(self.predict_proba(feat), feat)
        return float(np.mean([res[d]["sensitivity"] for d in DISEASES]))


def evaluate_alerts(
    alerts: pd.DataFrame,
    feat: pd.DataFrame,
    events: pd.DataFrame,
    dis: str,
    alert_col: str,
    warmup_days=12,
) -> dict:
    """Case sensitivity within the window, warning days, cow-day Sp, alerts per 100 cows/day."""
    kind = DISEASE_EVENT[dis]
    ev = events.rename(columns={_idc(events): "animal_id"})
    t_start = feat["ts"].min().floor("D") + pd.Timedelta(days=warmup_days)
    ev = ev[
        (ev["kind"] == kind)
        & (ev["diagnosis_ts"] >= t_start + pd.Timedelta(days=3))
        & (ev["diagnosis_ts"] <= feat["ts"].max())
    ]
    a = alerts.loc[alerts[alert_col].astype(bool) & (alerts["ts"] >= t_start), ["animal_id", "ts"]]
    win = pd.Timedelta(hours=WINDOW_H[dis])
    det, warn = 0, []
    a = a.assign(tsn=_ns(a["ts"]))
    by_cow = {k: np.sort(g["tsn"].to_numpy()) for k, g in a.groupby("animal_id")}
    for r in ev.itertuples(index=False):
        tsn = by_cow.get(r.animal_id)
        if tsn is None:
            continue
        dg = pd.Timestamp(r.diagnosis_ts).value
        hit = tsn[(tsn >= dg - win.value) & (tsn <= dg)]
        if hit.size:
            det += 1
            warn.append((dg - hit.min()) / 3.6e12 / 24)
    f = feat[feat["ts"] >= t_start]
    day = f["ts"].dt.floor("D")
    neg = ~(f[f"y_{dis}"] | f[f"x_{dis}"])
    al = alerts.loc[f.index, alert_col].astype(bool) if len(f) else pd.Series(dtype=bool)
    cd = pd.DataFrame({"k": f["animal_id"], "day": day, "a": al, "an": al & neg, "n": neg})
    cd = cd.groupby(["k", "day"]).agg(a=("a", "max"), an=("an", "max"), n=("n", "min"))
    n_cases = int(len(ev))
    return {
        "cases": n_cases,
        "sensitivity": det / n_cases if n_cases else float("nan"),
        "specificity": float(1 - cd.loc[cd.n, "an"].mean()) if len(cd) else float("nan"),
        "mean_warning_days": float(np.mean(warn)) if warn else float("nan"),
        "alerts_per_100_cows_day": float(100 * cd["a"].mean()) if len(cd) else float("nan"),
        "window_h": WINDOW_H[dis],
    }


def rule_probabilities(feat: pd.DataFrame) -> dict:
    """Transparent logistic scores of the single-signal rules (0.5 at the rule threshold)."""

    def sig(x):
        return 1 / (1 + np.exp(-np.clip(x, -30, 30)))

    return {
        "ketosis": sig((-feat["rum_min"].fillna(0).to_numpy() - 0.15) / 0.03),
        "mastitis": sig((feat["cond_r"].fillna(0).to_numpy() - 0.15) / 0.03),
        "illness": sig((feat["temp_ex"].fillna(0).to_numpy() - FEVER_C) / 0.1),
    }


def rule_alerts(feat: pd.DataFrame) -> pd.DataFrame:
    """Single-signal baselines: conductivity alone (mastitis, +15 %), rumination drop (ketosis,
    -15 % over 24 h), temperature (illness, +0.8 C over the cow's baseline maximum)."""
    return pd.DataFrame(
        {
            "animal_id": feat["animal_id"].to_numpy(),
            "ts": feat["ts"].to_numpy(),
            "alert_mastitis": (feat["cond_r"] > 0.15).to_numpy(),
            "alert_ketosis": (feat["rum_r"] < -0.15).to_numpy(),
            "alert_illness": (feat["temp_ex"] >= 0.8).to_numpy(),
        },
        index=feat.index,
    )


def evaluate_health(
    pred: pd.DataFrame, feat: pd.DataFrame, events: pd.DataFrame | None = None, warmup_days=12
) -> dict:
    pred = pred.set_axis(feat.index)
    pred["ts"] = feat["ts"]
    pred["animal_id"] = feat["animal_id"]
    ev = events if events is not None else feat.attrs.get("events")
    return {d: evaluate_alerts(pred, feat, ev, d, f"alert_{d}", warmup_days) for d in DISEASES}
