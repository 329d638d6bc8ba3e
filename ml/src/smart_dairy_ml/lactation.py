"""Lactation curves: Wood, Wilmink and Ali-Schaeffer fitted per cow.

* Wood (1967): ``y = a t^b exp(-c t)``
* Wilmink (1987): ``y = a + b exp(-0.05 t) + c t``
* Ali & Schaeffer (1987): ``y = a + b s + c s^2 + d l + e l^2`` with ``s = t/305`` and
  ``l = ln(305/t)``

Fits use :func:`scipy.optimize.curve_fit` with bounds wide enough for curves without a peak
(b <= 0 for Wood, flat or declining F1 crossbreds): a peak is reported only when the fitted curve
has an interior maximum.  The 305-day projection adds the recorded yield to date and the fitted
curve for the remaining days.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import curve_fit

MIN_POINTS = 10


def wood(t, a, b, c):
    t = np.asarray(t, dtype=float)
    return a * np.power(np.maximum(t, 1e-6), b) * np.exp(-c * t)


def wilmink(t, a, b, c):
    t = np.asarray(t, dtype=float)
    return a + b * np.exp(-0.05 * t) + c * t


def ali_schaeffer(t, a, b, c, d, e):
    t = np.maximum(np.asarray(t, dtype=float), 1e-6)
    s = t / 305.0
    lg = np.log(305.0 / t)
    return a + b * s + c * s**2 + d * lg + e * lg**2


MODELS = {
    # name: (function, p0, lower bounds, upper bounds)
    "wood": (wood, (6.0, 0.2, 0.004), (0.01, -1.0, -0.01), (200.0, 2.0, 0.1)),
    "wilmink": (wilmink, (12.0, -5.0, -0.02), (-100.0, -200.0, -1.0), (200.0, 200.0, 1.0)),
    "ali_schaeffer": (ali_schaeffer, (10.0, -5.0, 0.0, -1.0, 0.0), (-500,) * 5, (500,) * 5),
}


class InsufficientData(ValueError):
    """Raised when a series cannot support a fit (callers turn it into a status)."""


def clean_series(dim, y):
    dim = np.asarray(dim, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(dim) & np.isfinite(y) & (y > 0) & (dim >= 1)
    return dim[ok], y[ok]


class LactationCurve:
    """Per-cow lactation curve estimator (``model`` in wood / wilmink / ali_schaeffer / best)."""

    def __init__(self, model="wood", min_points=MIN_POINTS):
        self.model = model
        self.min_points = min_points

    def fit(self, dim, y):
        t, v = clean_series(dim, y)
        if t.size < self.min_points or np.unique(t).size < self.min_points:
            raise InsufficientData(f"need >= {self.min_points} valid days, got {t.size}")
        if np.nanstd(v) == 0 and t.size < 30:
            raise InsufficientData("constant series")
        names = list(MODELS) if self.model == "best" else [self.model]
        if any(n not in MODELS for n in names):
            raise ValueError(f"unknown model {self.model!r}")
        best = None
        for name in names:
            fn, p0, lo, hi = MODELS[name]
            # Ali-Schaeffer has 5 parameters: needs points spread over the lactation
            if name == "ali_schaeffer" and t.size < 20:
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    p, _ = curve_fit(fn, t, v, p0=p0, bounds=(lo, hi), maxfev=5000)
            except (RuntimeError, ValueError):
                continue
            rmse = float(np.sqrt(np.mean((fn(t, *p) - v) ** 2)))
            if best is None or rmse < best[2]:
                best = (name, p, rmse)
        if best is None:
            raise InsufficientData("no curve could be fitted")
        self.model_, self.params_, self.rmse_ = best
        self.n_points_ = int(t.size)
        self.last_dim_ = float(t.max())
        self._obs = (t, v)
        return self

    def predict(self, dim):
        fn = MODELS[self.model_][0]
        return np.maximum(fn(np.asarray(dim, dtype=float), *self.params_), 0.0)

    def score(self, dim, y):
        """Negative RMSE (higher is better, scikit-learn convention)."""
        t, v = clean_series(dim, y)
        return -float(np.sqrt(np.mean((self.predict(t) - v) ** 2)))

    def peak(self):
        """(peak DIM, peak yield) if the fitted curve has an interior maximum in 1..305."""
        grid = np.arange(1, 306)
        yy = self.predict(grid)
        i = int(np.argmax(yy))
        if 0 < i < len(grid) - 1:
            return float(grid[i]), float(yy[i])
        return None

    def total_305(self):
        """Recorded yield to date + fitted curve for the remaining days up to 305."""
        t, v = self._obs
        rec = {int(d): float(y) for d, y in zip(t, v, strict=True) if d <= 305}
        days = np.arange(1, 306)
        pred = self.predict(days)
        return float(sum(rec.get(int(d), pred[i]) for i, d in enumerate(days)))


def fit_all_models(dim, y):
    """Fit the three models; returns {name: LactationCurve or InsufficientData message}."""
    out = {}
    for name in MODELS:
        try:
            out[name] = LactationCurve(name).fit(dim, y)
        except InsufficientData as e:
            out[name] = str(e)
    return out
