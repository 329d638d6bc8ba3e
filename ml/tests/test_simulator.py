import numpy as np
import pandas as pd
import pytest

from smart_dairy_ml.simulator import EVENT_KINDS, HerdSimulator, cow_eid


def test_identity_contract_and_columns():
    r = HerdSimulator(n_cows=130, days=3, seed=1).run()
    c = r.cows
    assert list(c.cow_id[:2]) == [1, 2]
    assert c.eid.iloc[0] == "050000100000001" and len(c.eid.iloc[0]) == 15
    assert cow_eid(255) == "050" + f"{100000000 + 255:012d}"
    assert int(c.eid.iloc[-1][3:]) < 2**38
    assert c.tag.iloc[64] == "SD-0065" and c.barn.iloc[63] == "B1" and c.barn.iloc[64] == "B2"
    assert c.collar.iloc[0] == "COL-0001"
    assert set(c.barn) == {"B1", "B2", "B3"}
    assert {"cow_id", "ts", "activity", "rumination_min", "body_temp_c"} <= set(r.hourly)
    assert str(r.hourly.ts.dt.tz) == "UTC"
    assert {
        "cow_id",
        "ts",
        "session",
        "yield_l",
        "fat_pct",
        "snf_pct",
        "conductivity_ms_cm",
        "milk_temp_c",
    } <= set(r.milkings)
    assert set(r.milkings.session) == {"AM", "PM"}
    assert {"barn", "ts", "temperature_c", "humidity_pct", "ammonia_ppm"} <= set(r.environment)
    assert {"cow_id", "kind", "onset_ts", "end_ts", "diagnosis_ts"} <= set(r.events)
    assert set(r.events.kind) <= set(EVENT_KINDS)
    assert len(r.hourly) == 130 * 3 * 24


def test_deterministic_per_seed():
    a = HerdSimulator(n_cows=20, days=15, seed=5).run()
    b = HerdSimulator(n_cows=20, days=15, seed=5).run()
    c = HerdSimulator(n_cows=20, days=15, seed=6).run()
    pd.testing.assert_frame_equal(a.hourly, b.hourly)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not a.hourly.activity.equals(c.hourly.activity)


def test_bad_parameters():
    with pytest.raises(ValueError):
        HerdSimulator(housing="barn").run()
    with pytest.raises(ValueError):
        HerdSimulator(n_cows=0).run()


def test_calibration_against_published_figures(herd_long):
    r = herd_long
    h = r.hourly
    day = h.assign(d=h.ts.dt.floor("D")).groupby(["cow_id", "d"]).rumination_min.sum(min_count=24)
    per_cow = day.groupby("cow_id").median()
    assert 430 <= per_cow.mean() <= 500  # rumination 430-500 min/day
    assert per_cow.std() > 10  # cow-to-cow spread
    heats = r.events[r.events.kind == "heat"].sort_values(["cow_id", "onset_ts"])
    dur = (heats.end_ts - heats.onset_ts).dt.total_seconds() / 3600
    assert dur.between(8, 15).all()
    gaps = heats.groupby("cow_id").onset_ts.diff().dt.total_seconds().dropna() / 86400
    assert gaps.min() >= 17 and 20 <= gaps[gaps < 30].mean() <= 22
    ov = (heats.ovulation_ts - heats.onset_ts).dt.total_seconds() / 3600
    assert 26 <= ov.mean() <= 30
    # Wood curve: peak 9-12 L around day 30-70
    m = r.milkings
    by = m.groupby(pd.cut(m.dim, [0, 20, 35, 70, 120, 200, 305]), observed=True).yield_l.mean() * 2
    assert by.idxmax().left in (20, 35) and 9 <= by.max() <= 12.5
    # ketosis 8-12 % of calvings (only calvings whose risk window lies in the simulation)
    lac = r.lactations
    calv = lac[(lac.calving_day > 0) & (lac.calving_day < 730 - 30)]
    ket = r.events[r.events.kind == "ketosis"]
    assert 0.06 <= len(ket) / len(calv) <= 0.14
    lead = (ket.diagnosis_ts - ket.onset_ts).dt.total_seconds() / 86400
    assert (lead >= 1.5).all()
    for k in ("mastitis", "fever", "sensor_missing", "sensor_stuck"):
        assert (r.events.kind == k).sum() > 20
    assert h.activity.isna().any() and h.body_temp_c.isna().any()


def test_heat_signal_and_tiestall():
    for housing, lo, hi in (("freestall", 2.4, 4.5), ("tiestall", 1.0, 1.6)):
        r = HerdSimulator(n_cows=60, days=60, seed=3, housing=housing).run()
        h = r.hourly.set_index(["cow_id", "ts"]).activity
        ratios = []
        for e in r.events[(r.events.kind == "heat") & (r.events.detail != "silent")].itertuples():
            s = h.loc[e.cow_id]
            base = s[
                (s.index < e.onset_ts - pd.Timedelta(days=1))
                & (s.index >= e.onset_ts - pd.Timedelta(days=8))
            ].mean()
            inside = s[(s.index >= e.onset_ts) & (s.index < e.end_ts)].mean()
            if np.isfinite(base) and np.isfinite(inside):
                ratios.append(inside / base)
        assert lo <= np.median(ratios) <= hi, (housing, np.median(ratios))


def test_disease_signals():
    r = HerdSimulator(n_cows=255, days=120, seed=4).run()
    h = r.hourly.set_index(["cow_id", "ts"])
    fev = r.events[r.events.kind == "fever"]
    rises = []
    for e in fev.itertuples():
        s = h.loc[e.cow_id].body_temp_c
        base = s[s.index < e.onset_ts].tail(24 * 7).max()
        peak = s[(s.index >= e.onset_ts) & (s.index <= e.end_ts)].max()
        rises.append(peak - base)
    assert np.nanmedian(rises) >= 0.8
    m = r.milkings.set_index("cow_id")
    rel = []
    for e in r.events[r.events.kind == "mastitis"].itertuples():
        if e.cow_id not in m.index:
            continue
        s = m.loc[[e.cow_id]].set_index("ts").conductivity_ms_cm
        base = s[s.index < e.onset_ts].tail(20).median()
        at = s[(s.index <= e.diagnosis_ts) & (s.index >= e.onset_ts)].max()
        rel.append(at / base - 1)
    assert np.nanmedian(rel) > 0.08
