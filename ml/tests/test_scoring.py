import json
import warnings

import numpy as np
import pandas as pd
import pytest

from smart_dairy_ml.artifacts import ArtifactError, ModelBundle, load_artifact, save_artifact
from smart_dairy_ml.evaluate import train_forecast_sim, train_heat
from smart_dairy_ml.forecast import FEATURES as FC_FEATURES
from smart_dairy_ml.health import DISEASES
from smart_dairy_ml.scoring import _daily, _fallback_forecast, _sanitize, score_herd
from smart_dairy_ml.simulator import HerdSimulator


@pytest.fixture(scope="module")
def herd30():
    return HerdSimulator(n_cows=255, days=30, seed=42).run()


def test_one_result_per_animal_with_statuses(herd30):
    r = herd30
    out = score_herd(r.hourly, r.milkings, r.animals())
    assert len(out) == 255 and [o["animal_id"] for o in out] == list(range(1, 256))
    lact = set(r.milkings.cow_id)
    for o in out:
        assert o["status"] in ("ok", "insufficient_data")
        assert set(o["health"]) == {"ketosis", "mastitis", "illness", "anomaly"}
        if o["animal_id"] in lact and o["forecast"]["status"] == "ok":
            assert len(o["forecast"]["days"]) == 7
            assert all(d["yield_kg"] > 0 for d in o["forecast"]["days"])
    ok = [o for o in out if o["status"] == "ok"]
    assert len(ok) > 150
    dry = [o for o in out if o["animal_id"] not in lact]
    assert all(o["forecast"]["status"] == "insufficient_data" for o in dry)


def test_heat_alert_matches_truth(herd30):
    r = herd30
    out = {
        o["animal_id"]: o
        for o in score_herd(r.hourly, r.milkings, r.animals().assign(pregnant=False))
    }
    as_of = r.hourly.ts.max()
    ev = r.events[
        (r.events.kind == "heat")
        & (r.events.onset_ts >= as_of - pd.Timedelta(hours=40))
        & (r.events.detail == "")
        & (r.events.onset_ts <= as_of - pd.Timedelta(hours=10))
    ]
    assert len(ev) >= 1
    hits = sum(out[c]["heat"]["alert"] for c in ev.cow_id)
    assert hits >= 0.7 * len(ev)
    alerted = [o for o in out.values() if o["heat"]["alert"]]
    a = alerted[0]["heat"]
    on = pd.Timestamp(a["onset_ts"])
    assert pd.Timestamp(a["insemination_window"][0]) == on + pd.Timedelta(hours=12)
    assert pd.Timestamp(a["insemination_window"][1]) == on + pd.Timedelta(hours=18)


def test_bad_cows_never_stop_the_herd(herd30):
    r = herd30
    h = r.hourly.copy()
    m = r.milkings.copy()
    an = r.animals()
    h.loc[h.cow_id == 1, ["activity", "rumination_min", "body_temp_c"]] = np.nan  # missing
    h.loc[h.cow_id == 2, "activity"] = 50.0  # constant
    h.loc[h.cow_id == 3, "activity"] = -3.0  # negative
    m.loc[m.cow_id == 3, "yield_l"] = -1.0
    h = h[~((h.cow_id == 4) & (h.ts < h.ts.max() - pd.Timedelta(days=5)))]  # 5 days only
    m = m[~((m.cow_id == 4) & (m.ts < m.ts.max() - pd.Timedelta(days=5)))]
    an.loc[an.animal_id == 5, "breed"] = "Martian"  # unknown breed
    an.loc[an.animal_id == 6, "calving_date"] = None  # unknown DIM
    an["parity"] = an["parity"].astype(object)
    an.loc[an.animal_id == 7, "parity"] = "x"
    extra = pd.DataFrame({"animal_id": [999], "parity": [2], "calving_date": [None]})
    an = pd.concat([an, extra], ignore_index=True)  # no data at all
    out = {o["animal_id"]: o for o in score_herd(h, m, an)}
    assert len(out) == 256
    for aid in (1, 2, 3):
        assert out[aid]["heat"]["status"] == "insufficient_data", out[aid]["heat"]
    assert out[4]["heat"]["status"] == "insufficient_data"
    assert "need" in out[4]["heat"]["reason"]
    assert out[4]["forecast"]["status"] == "insufficient_data"
    assert any("unknown breed" in w for w in out[5]["warnings"])
    assert out[6]["forecast"]["status"] == "insufficient_data"
    assert out[999]["status"] == "insufficient_data"
    assert out[999]["heat"]["reason"] and out[999]["forecast"]["reason"]
    assert out[10]["heat"]["status"] == "ok"


def test_residual_flag_on_yield_drop(herd30):
    r = herd30
    m = r.milkings.copy()
    cow = int(m.cow_id.iloc[0])
    last_day = m[m.cow_id == cow].ts.max().floor("D")
    sel = (m.cow_id == cow) & (m.ts >= last_day)
    m.loc[sel, "yield_l"] *= 0.6
    out = {o["animal_id"]: o for o in score_herd(r.hourly, m, r.animals())}
    assert out[cow]["residual"]["status"] == "ok"
    assert out[cow]["residual"]["flag"] is True and out[cow]["residual"]["value"] < -0.15
    others = [o for o in out.values() if o["residual"]["status"] == "ok"]
    assert sum(o["residual"]["flag"] for o in others) < 0.1 * len(others)


def test_artifacts_roundtrip_and_validation(tmp_path, herd30):
    det = train_heat(seed=3, n_cows=60, days=60)
    fc = train_forecast_sim(seed=3, n_cows=40, days=400)
    save_artifact(
        det,
        tmp_path / "heat.joblib",
        "heat",
        det.features_,
        det.training_summary_,
        {"sensitivity": 0.9},
    )
    save_artifact(
        fc,
        tmp_path / "forecast.joblib",
        "forecast",
        FC_FEATURES,
        fc.training_summary_,
        {"mape_h7": 5.0},
    )
    a = load_artifact(tmp_path / "forecast.joblib", "forecast")
    assert a["version"] and a["features"] == FC_FEATURES and a["metrics"]["mape_h7"] == 5.0
    assert a["training_summary"]["animals"] > 10 and "scikit-learn" in a["library_versions"]
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path / "forecast.joblib", "heat")
    (tmp_path / "junk.joblib").write_bytes(b"not a joblib file")
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path / "junk.joblib")
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path / "missing.joblib")
    bundle = ModelBundle.load(tmp_path)
    r = herd30
    out = score_herd(r.hourly, r.milkings, r.animals(), models=bundle)
    assert out[0]["models"]["forecast"] == "trained" and out[0]["models"]["heat"] == "trained"
    assert sum(o["forecast"]["status"] == "ok" for o in out) > 150


def _same(a, b):
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def test_herd_run_equals_one_animal_at_a_time(herd30):
    """The vectorised herd run gives every cow exactly what scoring that cow alone gives
    (built-in models; a trained health model's herd-normalised features depend on the herd)."""
    r = herd30
    an = r.animals()
    as_of = r.hourly.ts.max()
    hourly = r.hourly[r.hourly.cow_id != 200]  # cow 200: no collar data at all
    herd = {o["animal_id"]: o for o in score_herd(hourly, r.milkings, an, as_of=as_of)}
    heat_cow = next(a for a, o in herd.items() if o["heat"]["alert"])
    resid_cow = next(a for a, o in herd.items() if o["residual"]["status"] == "ok")
    dry_cow = next(a for a, o in herd.items() if o["forecast"]["status"] != "ok")
    cows = sorted({heat_cow, resid_cow, dry_cow, 1, 128, 200, 255})
    assert herd[200]["heat"]["reason"] == "no activity data"
    for cow in cows:
        (alone,) = score_herd(
            hourly[hourly.cow_id == cow],
            r.milkings[r.milkings.cow_id == cow],
            an[an.animal_id == cow],
            as_of=as_of,
        )
        assert _same(alone, herd[cow]), cow
    assert herd[heat_cow]["heat"]["alert"] and herd[resid_cow]["residual"]["value"] is not None


def test_scored_subset_with_herd_context_equals_the_herd_run():
    """``score_ids``: a few cows scored with the rest of the herd as context get exactly the
    herd run's result, also where the result depends on the herd (trained ketosis model:
    herd-normalised features; tie-stall heat: hourly herd correction). A barn-wide hot spell
    (rumination -30 % for 2 days, body temperature +0.6 C) shows why: scored without the
    herd, the same cows get false heat alerts and a higher ketosis risk."""
    from smart_dairy_ml.evaluate import train_health

    r = HerdSimulator(n_cows=40, days=30, seed=11, housing="tiestall").run()
    an = r.animals()
    models = ModelBundle(health=train_health(seeds=(3,), n_cows=80, days=150))
    assert "rum_rh" in models.health.disease_features_["ketosis"]
    as_of = r.hourly.ts.max()
    hourly = r.hourly.copy()
    hourly.loc[hourly.ts > as_of - pd.Timedelta(hours=48), "rumination_min"] *= 0.7
    hourly.loc[hourly.ts > as_of - pd.Timedelta(hours=20), "body_temp_c"] += 0.6
    herd = {o["animal_id"]: o for o in score_herd(hourly, r.milkings, an, models, as_of)}
    cows = list(range(1, 9))
    sub = score_herd(hourly, r.milkings, an, models, as_of, score_ids=cows)
    assert [o["animal_id"] for o in sub] == cows
    for o in sub:
        assert _same(o, herd[o["animal_id"]]), o["animal_id"]
    assert not any(o["heat"]["alert"] for o in sub)
    alone = score_herd(
        hourly[hourly.cow_id.isin(cows)],
        r.milkings[r.milkings.cow_id.isin(cows)],
        an[an.animal_id.isin(cows)],
        models,
        as_of,
    )
    assert sum(o["heat"]["alert"] for o in alone) >= 2
    ket = [
        (
            o["health"]["ketosis"]["probability"],
            herd[o["animal_id"]]["health"]["ketosis"]["probability"],
        )
        for o in alone
        if o["health"]["ketosis"]["status"] == "ok"
    ]
    assert len(ket) >= 5 and all(a > 2 * h for a, h in ket), ket


def test_one_pass_previous_day_forecast_equals_two_passes(herd30):
    """The residual's 1-day forecast "made yesterday" from one pass over the herd is the
    forecast computed on the data without each cow's last day (the former second pass)."""
    r = herd30
    h, m, a, _as_of = _sanitize(r.hourly, r.milkings, r.animals(), None)
    daily = _daily(m, a)
    last = daily.groupby("animal_id")["date"].max()
    is_last = daily["date"] == daily["animal_id"].map(last)
    out, prev = _fallback_forecast(daily, last_dim=daily[is_last].set_index("animal_id")["dim"])
    out_again, none = _fallback_forecast(daily)
    two_pass, _ = _fallback_forecast(daily[~is_last])
    assert none is None
    pd.testing.assert_frame_equal(out, out_again)
    got = prev[prev.status == "ok"].set_index(["animal_id", "h"]).sort_index()
    want = two_pass[two_pass.status == "ok"].set_index(["animal_id", "h"]).sort_index()
    assert len(got) > 150 * 7
    pd.testing.assert_frame_equal(got, want)
    # by hand for one cow: mean of its last 7 valid days before the left-out day x Wood ratio
    cow = int(got.index.get_level_values(0)[0])
    ys = daily[(daily.animal_id == cow) & ~is_last].sort_values("date")["yield_kg"]
    assert got.loc[(cow, 1), "forecast_kg"] == pytest.approx(ys.tail(7).mean(), rel=0.1)


def test_sanitize_does_not_write_into_slices(herd30):
    """No SettingWithCopyWarning (as_of before the latest data: rows are dropped, the
    kept rows are rewritten) and the caller's frames are left untouched."""
    r = herd30
    h = r.hourly[r.hourly.cow_id <= 40]
    m = r.milkings[r.milkings.cow_id <= 40]
    h_before, m_before = h.copy(), m.copy()
    as_of = r.hourly.ts.max() - pd.Timedelta(hours=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.SettingWithCopyWarning)
        out = score_herd(h, m, r.animals()[lambda d: d.animal_id <= 40], as_of=as_of)
    assert len(out) == 40 and out[0]["as_of"] == as_of.isoformat()
    pd.testing.assert_frame_equal(h, h_before)
    pd.testing.assert_frame_equal(m, m_before)


def test_junk_input_gives_insufficient_data_per_cow(caplog):
    """Text in numbers, infinities, stuck/constant sensors, unparsable timestamps, missing
    sessions, calving in the future, negative parity, duplicated rows, missing frames:
    one result per cow, never a herd-level failure (no "scoring error" retry)."""
    r = HerdSimulator(n_cows=20, days=30, seed=7).run()
    h, m, an = r.hourly.copy(), r.milkings.copy(), r.animals()
    h["activity"] = h["activity"].astype(object)
    h.loc[h.cow_id == 1, "activity"] = "abc"
    h.loc[h.cow_id == 2, "activity"] = np.inf
    m.loc[m.cow_id == 2, "yield_l"] = np.inf
    h.loc[h.cow_id == 3, ["activity", "rumination_min", "body_temp_c"]] = [50.0, 30.0, 38.5]
    m["ts"] = m["ts"].astype(object)
    m.loc[m.cow_id == 4, "ts"] = "not a date"
    m.loc[m.cow_id == 5, "session"] = None
    an.loc[an.animal_id == 6, "calving_date"] = pd.Timestamp("2100-01-01")
    an.loc[an.animal_id == 7, "parity"] = -3
    m.loc[m.cow_id == 8, "yield_l"] = np.nan
    h = pd.concat([h, h[h.cow_id == 9]])
    with caplog.at_level("ERROR", logger="smart_dairy_ml.scoring"):
        out = {o["animal_id"]: o for o in score_herd(h, m, an)}
    assert not caplog.records  # the vectorised parts never failed
    assert len(out) == 20
    for o in out.values():
        parts = [o["heat"], o["forecast"], *(o["health"][d] for d in DISEASES)]
        for p in parts:
            assert p["status"] in ("ok", "insufficient_data")
            assert p["status"] == "ok" or p["reason"], (o["animal_id"], p)
            assert "scoring error" not in str(p.get("reason"))
    assert out[1]["heat"]["status"] == "insufficient_data"  # no numeric activity
    assert out[2]["heat"]["status"] == "insufficient_data"  # infinite activity
    assert out[2]["forecast"]["status"] == "insufficient_data"  # infinite yields
    assert out[3]["heat"]["status"] == "insufficient_data"  # stuck (constant) sensors
    assert out[4]["forecast"]["status"] == "insufficient_data"  # no usable milking times
    assert out[5]["forecast"]["status"] == "ok"  # session inferred from the milking hour
    assert out[6]["forecast"]["status"] == "insufficient_data"  # calving in the future
    assert out[7]["forecast"]["status"] == "ok"  # negative parity = unknown parity
    assert out[8]["forecast"]["status"] == "insufficient_data"  # no yields at all
    assert out[10]["status"] == "ok"  # the other cows are scored normally
    for frames in ((None, m, an), (h, None, an), (None, None, an), (h.iloc[:0], m.iloc[:0], an)):
        res = score_herd(*frames)
        assert len(res) == 20 and all(o["status"] == "insufficient_data" for o in res)
