import numpy as np
import pytest

from smart_dairy_ml.lactation import (
    InsufficientData,
    LactationCurve,
    fit_all_models,
    wood,
)


def test_wood_recovers_parameters_and_peak():
    t = np.arange(1, 306)
    rng = np.random.default_rng(0)
    y = wood(t, 6.3, 0.20, 0.0044) * np.exp(rng.normal(0, 0.03, t.size))
    c = LactationCurve("wood").fit(t, y)
    a, b, cc = c.params_
    assert abs(a - 6.3) < 0.6 and abs(b - 0.2) < 0.03 and abs(cc - 0.0044) < 0.0005
    pk_day, pk = c.peak()
    assert 35 <= pk_day <= 55 and 10.5 <= pk <= 11.6
    assert abs(c.total_305() - y.sum()) / y.sum() < 0.01


def test_flat_declining_curve_has_no_peak():
    t = np.arange(1, 200)
    y = 9.0 - 0.02 * t
    for name in ("wilmink", "ali_schaeffer"):
        c = LactationCurve(name).fit(t, y)
        assert c.peak() is None, name
        assert c.score(t, y) > -0.5
    # Wood cannot draw a straight line: the bounds let b go to ~0 (no real peak)
    w = LactationCurve("wood").fit(t, y)
    assert w.params_[1] < 0.05
    assert w.peak() is None or w.peak()[0] <= 10
    assert w.score(t, y) > -0.5


def test_best_and_all_models():
    t = np.arange(1, 150)
    y = wood(t, 6.0, 0.25, 0.005)
    res = fit_all_models(t, y)
    assert set(res) == {"wood", "wilmink", "ali_schaeffer"}
    assert LactationCurve("best").fit(t, y).rmse_ < 0.2


@pytest.mark.parametrize(
    "y",
    [
        np.full(5, 10.0),  # too little history
        np.full(30, np.nan),  # all missing
        -np.ones(30),  # negative values
    ],
)
def test_insufficient_data(y):
    with pytest.raises(InsufficientData):
        LactationCurve().fit(np.arange(1, len(y) + 1), y)


def test_unknown_model():
    with pytest.raises(ValueError):
        LactationCurve("gompertz").fit(np.arange(1, 40), np.ones(39) * 5)
