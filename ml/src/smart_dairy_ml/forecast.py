"""Per-cow 1-7 day milk-yield forecaster.

The forecaster combines the cow's fitted lactation curve with her recent residuals: the level
is the mean of the last 7 (cleaned) days - i.e. curve + recent residual - and a gradient-boosted
model learns, from many cows, the multiplicative correction for horizon h given the lactation
stage, the curve's expected change (a Wood curve fitted on the history to date by regularised
log-linear least squares), the recent trend (3/14/28-day means), the variability and the parity.
It is trained with absolute loss weighted by 1/ratio, which minimises the MAPE directly.

Recording errors (a day below 50 % or above 150 % of the cow's trailing 9-day median) are removed
from the history before forecasting (causally: only past days are used).  For evaluation the
targets are cleaned with a centred 15-day median, and the baseline "mean of the last 7 days"
gets exactly the same cleaned history.

Input frame for :meth:`YieldForecaster.fit` / :meth:`predict` ("daily frame"):
``animal_id``, ``dim`` (days in milk, int >= 1), ``yield_kg`` (AM + PM), ``parity`` (int).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from .metrics import mape

FEATURES = ["dim", "h", "r3", "r14", "r28", "rl", "cv", "mx", "mn", "wr", "parity"]
HORIZON = 7
MIN_HISTORY_DAYS = 10


def clean_causal(vals, lo=0.5, hi=1.5, window=9):
    """Mark days outside [lo, hi] x trailing median as NaN (uses only past days)."""
    med = pd.DataFrame(vals.T).rolling(window, min_periods=3).median().shift(1).to_numpy().T
    out = vals.astype(float).copy()
    with np.errstate(invalid="ignore"):
        bad = (vals < lo * med) | (vals > hi * med) | (vals <= 0)
    out[bad] = np.nan
    return out


def clean_centred(vals, lo=0.5, hi=1.5, window=15):
    med = pd.DataFrame(vals.T).rolling(window, center=True, min_periods=5).median().to_numpy().T
    out = vals.astype(float).copy()
    with np.errstate(invalid="ignore"):
        bad = (vals < lo * med) | (vals > hi * med) | (vals <= 0)
    out[bad] = np.nan
    return out


def _roll(M, w, mp, fn="mean"):
    r = pd.DataFrame(M.T).rolling(w, min_periods=mp)
    return getattr(r, fn)().to_numpy().T


def _wood_coef(H, D):
    """Regularised log-linear Wood fit on all history up to each column (cumulative sums)."""
    n, L = H.shape
    ok = np.isfinite(H) & np.isfinite(D) & (D >= 4)
    t = np.where(ok, D, 1.0)
    ly = np.where(ok, np.log(np.where(ok, H, 1.0)), 0.0)
    X = [np.ones((n, L)), np.log(t), -t]
    w = ok.astype(float)
    S = np.zeros((n, L, 3, 3))
    B = np.zeros((n, L, 3))
    for a in range(3):
        B[:, :, a] = np.cumsum(w * X[a] * ly, axis=1)
        for b in range(3):
            S[:, :, a, b] = np.cumsum(w * X[a] * X[b], axis=1)
    lam = np.array([1e-6, 5.0, 5000.0])
    prior = np.array([0.0, 0.2, 0.004])
    S = S + np.diag(lam)
    B = B + lam * prior
    return np.linalg.solve(S, B[..., None])[..., 0]


def feature_matrices(Y, D, band=0.5):
    """Rolling statistics of the causally cleaned daily matrix (each n x L) + Wood coefs.

    ``band``: days outside (1 -/+ band) x the trailing median are recording errors."""
    H = clean_causal(Y, 1 - band, 1 + band)
    return {
        "m7": _roll(H, 7, 4),
        "m3": _roll(H, 3, 1),
        "m14": _roll(H, 14, 7),
        "m28": _roll(H, 28, 10),
        "sd7": _roll(H, 7, 4, "std"),
        "mx7": _roll(H, 7, 4, "max"),
        "mn7": _roll(H, 7, 4, "min"),
        "last": pd.DataFrame(H.T).ffill(limit=3).to_numpy().T,
        "coef": _wood_coef(H, D),
    }


def gather_features(mats, D, parity, rows, cols, horizons=range(1, HORIZON + 1)):
    """Feature rows for origins (rows[k], cols[k]) and every horizon."""
    rows = np.asarray(rows, dtype=int)
    cols = np.asarray(cols, dtype=int)
    base = mats["m7"][rows, cols]
    cj = mats["coef"][rows, cols]
    dj = D[rows, cols]

    def lw(t):
        return cj[:, 0] + cj[:, 1] * np.log(np.maximum(t, 1)) - cj[:, 2] * t

    now = np.mean([lw(dj - k) for k in range(7)], axis=0)
    par = np.minimum(np.asarray(parity, dtype=float)[rows], 4)
    frames = []
    with np.errstate(all="ignore"):
        common = {
            "row": rows,
            "col": cols,
            "m7": base,
            "r3": mats["m3"][rows, cols] / base,
            "r14": mats["m14"][rows, cols] / base,
            "r28": mats["m28"][rows, cols] / base,
            "rl": mats["last"][rows, cols] / base,
            "cv": mats["sd7"][rows, cols] / base,
            "mx": mats["mx7"][rows, cols] / base,
            "mn": mats["mn7"][rows, cols] / base,
            "parity": par,
        }
        for h in horizons:
            frames.append(
                pd.DataFrame(
                    {**common, "dim": dj, "h": h, "wr": np.clip(np.exp(lw(dj + h) - now), 0.5, 2.0)}
                )
            )
    return pd.concat(frames, ignore_index=True)


def build_features(Y, D, parity, horizons=range(1, HORIZON + 1), columns=None, band=0.5):
    """Feature frame for origins at ``columns`` (default: all) of the daily matrix ``Y``.

    ``Y`` (n x L) daily yields, NaN for missing; ``D`` (n x L) DIM of each cell; ``parity`` (n,).
    Origin column j means days up to and including column j are known; horizon h targets
    column j + h.  Returns a frame with FEATURES plus ``row``, ``col``, ``m7``.
    """
    n, L = Y.shape
    cols = np.arange(L) if columns is None else np.asarray(columns)
    mats = feature_matrices(Y, D, band)
    rr, cc = np.meshgrid(np.arange(n), cols, indexing="xy")
    return gather_features(mats, D, parity, rr.ravel(), cc.ravel(), horizons)


def daily_matrix(daily: pd.DataFrame, max_dim=400):
    """Daily frame -> (ids, Y[n, max_dim] by DIM, D, parity) for lactation-indexed training."""
    d = daily[(daily["dim"] >= 1) & (daily["dim"] <= max_dim)]
    ids, inv = np.unique(d["animal_id"].to_numpy(), return_inverse=True)
    Y = np.full((len(ids), max_dim), np.nan)
    Y[inv, d["dim"].to_numpy(dtype=int) - 1] = d["yield_kg"].to_numpy(dtype=float)
    D = np.tile(np.arange(1, max_dim + 1, dtype=float), (len(ids), 1))
    par = d.groupby("animal_id")["parity"].first().reindex(ids).fillna(2).to_numpy()
    return ids, Y, D, par


class YieldForecaster:
    """Per-cow 1-7 day yield forecaster (scikit-learn estimator API)."""

    def __init__(
        self,
        max_iter=150,
        learning_rate=0.1,
        max_leaf_nodes=31,
        min_samples_leaf=200,
        first_origin_dim=10,
        origin_step=2,
        random_state=0,
        clean_band=0.5,
    ):
        self.origin_step = origin_step
        self.clean_band = clean_band
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.first_origin_dim = first_origin_dim
        self.random_state = random_state

    def _band(self):
        return getattr(self, "clean_band", 0.5)  # artifacts written before the parameter

    def training_rows(self, daily, step=1):
        ids, Y, D, par = daily_matrix(daily)
        band = self._band()
        T = clean_centred(Y, 1 - band, 1 + band)
        L = Y.shape[1]
        cols = np.arange(self.first_origin_dim - 1, L - HORIZON, step)
        X = build_features(Y, D, par, columns=cols, band=band)
        X["target"] = T[X["row"].to_numpy(), X["col"].to_numpy() + X["h"].to_numpy()]
        X["animal_id"] = ids[X["row"].to_numpy()]
        ok = np.isfinite(X["target"]) & (X["target"] > 0) & np.isfinite(X["m7"]) & (X["m7"] > 0)
        return X[ok].reset_index(drop=True)

    def fit(self, daily, y=None):
        # neighbouring forecast origins are nearly identical: every ``origin_step``-th is enough
        X = self.training_rows(daily, step=self.origin_step)
        r = (X["target"] / X["m7"]).to_numpy()
        self.model_ = HistGradientBoostingRegressor(
            loss="absolute_error",
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state,
        )
        self.model_.fit(X[FEATURES], r, sample_weight=1.0 / r)
        self.features_ = list(FEATURES)
        self.training_summary_ = {"rows": int(len(X)), "animals": int(X["animal_id"].nunique())}
        return self

    def predict_rows(self, X):
        return self.model_.predict(X[FEATURES]) * X["m7"].to_numpy()

    def predict(self, daily, lags=(0,)):
        """Forecast h = 1..7 after each animal's last recorded day.

        Returns ``animal_id, h, dim, forecast_kg, status, reason`` (+ ``lag``); animals with
        < 10 days of usable history get ``status='insufficient_data'`` and NaN forecasts.
        ``lags=(0, 1)`` also returns the forecasts made one day earlier (origin = last day - 1),
        used for the residual of the last day.
        """
        ids, Y, D, par = daily_matrix(daily)
        last_col = np.array(
            [np.max(np.nonzero(np.isfinite(r))[0]) if np.isfinite(r).any() else -1 for r in Y]
        )
        mats = None
        parts = []
        for lag in lags:
            rows = np.nonzero(last_col - lag >= 0)[0]
            if rows.size == 0:
                continue
            mats = mats or feature_matrices(Y, D, self._band())
            parts.append(gather_features(mats, D, par, rows, last_col[rows] - lag).assign(lag=lag))
        if not parts:
            return pd.DataFrame(
                columns=["animal_id", "h", "dim", "forecast_kg", "status", "reason", "lag"]
            )
        X = pd.concat(parts, ignore_index=True)
        band = self._band()
        n_valid = np.isfinite(clean_causal(Y, 1 - band, 1 + band)).sum(axis=1)
        X["animal_id"] = ids[X["row"].to_numpy()]
        ok = (
            np.isfinite(X["m7"])
            & (X["m7"] > 0)
            & (n_valid[X["row"].to_numpy()] >= MIN_HISTORY_DAYS)
        )
        X["forecast_kg"] = np.nan
        if ok.any():
            X.loc[ok, "forecast_kg"] = self.predict_rows(X[ok])
        X["dim"] = X["dim"] + X["h"]
        X["status"] = np.where(ok, "ok", "insufficient_data")
        X["reason"] = np.where(
            ok,
            "",
            f"fewer than {MIN_HISTORY_DAYS} valid days in the last "
            "lactation window or no recent yields",
        )
        return X[["animal_id", "h", "dim", "forecast_kg", "status", "reason", "lag"]]

    def score(self, daily, y=None):
        """Negative 7-day-ahead MAPE on a daily frame (higher is better)."""
        X = self.training_rows(daily)
        X = X[X["h"] == HORIZON]
        return -mape(X["target"], self.predict_rows(X))


# --------------------------------------------------------------------------- evaluation
def load_milkman(path) -> pd.DataFrame:
    """milkman.csv.gz (doBy) -> daily frame (AM + PM; days with a missing milking dropped)."""
    d = pd.read_csv(path)
    p = d.pivot_table(index=["cowlact", "dfc"], columns="ampm", values="my", aggfunc="sum")
    y = (p[1] + p[2]).rename("yield_kg").reset_index()
    info = d.groupby("cowlact").agg(
        parity=("lactno", "first"), cowno=("cowno", "first"), breed=("race", "first")
    )
    y = y.merge(info, left_on="cowlact", right_index=True)
    y = y.rename(columns={"cowlact": "animal_id", "dfc": "dim"})
    return y[np.isfinite(y["yield_kg"])].reset_index(drop=True)


def split_by_cow(daily, test_frac=0.3, seed=0, cow_col="cowno"):
    cows = np.unique(daily[cow_col] if cow_col in daily else daily["animal_id"])
    rng = np.random.default_rng(seed)
    test = set(rng.choice(cows, int(round(len(cows) * test_frac)), replace=False))
    col = daily[cow_col] if cow_col in daily else daily["animal_id"]
    mask = col.isin(test)
    return daily[~mask].reset_index(drop=True), daily[mask].reset_index(drop=True)


def _wood_baseline(Y, cols, horizon=HORIZON, every=7):
    """Plain per-cow Wood fit on the history to date, predicting ``horizon`` days ahead."""
    from .lactation import InsufficientData, LactationCurve

    preds = {}
    for i in range(Y.shape[0]):
        for j in cols[::every]:
            t = np.arange(1, j + 2)
            try:
                c = LactationCurve("wood").fit(t, Y[i, : j + 1])
                preds[(i, j)] = float(c.predict([j + 1 + horizon])[0])
            except InsufficientData:
                continue
    return preds


def evaluate_forecaster(train_daily, test_daily, model=None, wood_baseline=True):
    """Fit on ``train_daily`` (other cows), evaluate on ``test_daily`` origins DIM >= 10.

    Returns a dict with the 7-day-ahead MAPE (h = 7) and the mean over h = 1..7 for the model,
    the last-7-days mean and (optionally, on every 7th origin) a plain Wood fit, plus
    breakdowns by parity and lactation stage.
    """
    model = model or YieldForecaster()
    if not hasattr(model, "model_"):
        model.fit(train_daily)
    X = model.training_rows(test_daily)
    X["pred"] = model.predict_rows(X)
    X["ape"] = (X["pred"] - X["target"]).abs() / X["target"] * 100
    X["ape_base"] = (X["m7"] - X["target"]).abs() / X["target"] * 100
    h7 = X[X["h"] == HORIZON]
    res = {
        "n_test_animals": int(X["animal_id"].nunique()),
        "n_forecasts_h7": int(len(h7)),
        "mape_h7": float(h7["ape"].mean()),
        "mape_h7_last7_mean": float(h7["ape_base"].mean()),
        "mape_h1_7": float(X["ape"].mean()),
        "mape_h1_7_last7_mean": float(X["ape_base"].mean()),
    }
    res["relative_improvement_h7"] = 1 - res["mape_h7"] / res["mape_h7_last7_mean"]
    res["relative_improvement_h1_7"] = 1 - res["mape_h1_7"] / res["mape_h1_7_last7_mean"]
    stage = pd.cut(
        h7["dim"] + HORIZON,
        [0, 60, 150, 240, 10**4],
        labels=["early(<=60)", "mid(61-150)", "late(151-240)", "end(>240)"],
    )
    res["by_stage_h7"] = {
        str(k): {
            "model": float(g["ape"].mean()),
            "last7_mean": float(g["ape_base"].mean()),
            "n": int(len(g)),
        }
        for k, g in h7.groupby(stage, observed=True)
    }
    res["by_parity_h7"] = {
        int(k): {
            "model": float(g["ape"].mean()),
            "last7_mean": float(g["ape_base"].mean()),
            "n": int(len(g)),
        }
        for k, g in h7.groupby(h7["parity"])
    }
    if wood_baseline:
        ids, Y, D, par = daily_matrix(test_daily)
        cols = np.arange(model.first_origin_dim - 1, Y.shape[1] - HORIZON)
        band = model._band()
        preds = _wood_baseline(clean_causal(Y, 1 - band, 1 + band), cols)
        T = clean_centred(Y, 1 - band, 1 + band)
        e = []
        for (i, j), p in preds.items():
            a = T[i, j + HORIZON]
            if np.isfinite(a) and a > 0:
                e.append(abs(p - a) / a * 100)
        res["mape_h7_wood_fit"] = float(np.mean(e)) if e else float("nan")
    # residual health signal: yesterday's 1-day-ahead forecast vs actual
    h1 = X[X["h"] == 1]
    res["share_residual_below_minus15pct"] = float(((h1["target"] / h1["pred"] - 1) < -0.15).mean())
    return res
