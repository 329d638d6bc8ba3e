"""Evaluation of every model against its baselines (simulated herds and real milkman data).

Each ``eval_*`` function returns plain dicts; :func:`run_all` aggregates seeds into mean and
standard deviation and :func:`format_table` renders the markdown table recorded in
``ml/README.md``.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .forecast import (
    HORIZON,
    YieldForecaster,
    daily_matrix,
    evaluate_forecaster,
    load_milkman,
)
from .health import HealthRiskModel, evaluate_health, label_sessions, rule_alerts, session_features
from .heat import HeatDetector, rule150_alerts, zscore_alerts
from .heat_tiestall import TieStallHeatDetector
from .lactation import InsufficientData, LactationCurve
from .metrics import heat_cowday_metrics, wilson_interval
from .ration import least_cost_ration, requirements
from .simulator import HerdSimulator

TRAIN_SEED = 1000


def default_milkman_path() -> Path:
    """``<repo>/../shared/data/milkman.csv.gz`` (the file is never part of the repository)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "ml" / "pyproject.toml").exists():
            return parent.parent / "shared" / "data" / "milkman.csv.gz"
    return Path("..") / "shared" / "data" / "milkman.csv.gz"


def sim_daily(res) -> pd.DataFrame:
    """Simulator milkings -> daily frame (animal = cow + lactation) for the forecaster."""
    m = res.milkings.dropna(subset=["yield_l"])
    g = m.groupby(["cow_id", "dim"]).agg(yield_kg=("yield_l", "sum"), n=("yield_l", "size"))
    g = g[g["n"] == 2].reset_index()
    # a new lactation restarts DIM: split animals at DIM decreases
    g["lact"] = g.groupby("cow_id")["dim"].transform(lambda s: (s.diff() < 0).cumsum())
    g["animal_id"] = g["cow_id"].astype(str) + "." + g["lact"].astype(str)
    par = res.cows.set_index("cow_id")["parity"].clip(lower=1)
    g["parity"] = g["cow_id"].map(par) + g["lact"]
    g["cowno"] = g["cow_id"]
    return g[["animal_id", "cowno", "dim", "yield_kg", "parity"]]


# ----------------------------------------------------------------------------- heat
def eval_heat(seed, n_cows=255, days=90, housing="freestall", detector=None):
    det = detector or HeatDetector()
    r = HerdSimulator(n_cows=n_cows, days=days, seed=seed, housing=housing).run()
    ids = r.cows.cow_id.to_numpy()
    t0 = pd.Timestamp(r.params["start"], tz="UTC")
    ev = r.events[r.events.kind == "heat"]
    an = r.animals()
    runs = [("detector", lambda: det.detect(r.hourly, an))]
    if housing == "tiestall":
        # the activity-led path alone, and the tie-stall path without a temperature bolus
        # (threshold 5.5 tuned like the default 10.0 on training seed 1000, never on test seeds)
        act_only = copy.copy(det)
        act_only.tiestall_mode = "activity"
        no_temp = TieStallHeatDetector(temp_weight=0.0, threshold=5.5)
        runs += [
            ("activity_only_detector", lambda: act_only.detect(r.hourly, an)),
            (
                "tiestall_no_temperature",
                lambda: det._suppress_pregnant(no_temp.detect(r.hourly), an),
            ),
        ]
    runs += [
        ("rule150_daily", lambda: rule150_alerts(r.hourly)),
        ("zscore10_2h", lambda: zscore_alerts(r.hourly)),
    ]
    out = {}
    for name, fn in runs:
        out[name] = heat_cowday_metrics(fn(), ev, ids, t0, days, warmup_days=det.baseline_days)
    return out


def train_heat(seed=TRAIN_SEED, n_cows=255, days=90):
    r = HerdSimulator(n_cows=n_cows, days=days, seed=seed).run()
    det = HeatDetector().fit(r.hourly, r.events, r.animals())
    det.features_ = ["activity_2h_log_ratio_z", "rumination_24h_drop", "run_length"]
    det.training_summary_ = {
        "seed": seed,
        "cows": n_cows,
        "days": days,
        "heats": int((r.events.kind == "heat").sum()),
    }
    return det


# ----------------------------------------------------------------------------- health
def health_data(seed, n_cows=255, days=365):
    r = HerdSimulator(n_cows=n_cows, days=days, seed=seed).run()
    f = session_features(r.hourly, r.milkings, r.animals(), r.events)
    f = label_sessions(f, r.events)
    f.attrs["events"] = r.events
    return f


def train_health(seeds=(TRAIN_SEED,), n_cows=255, days=365, **kw):
    feats = [health_data(s, n_cows, days) for s in seeds]
    for x in feats:
        x.attrs = {}  # the event tables differ: pandas cannot compare them when concatenating
    f = pd.concat(feats, ignore_index=True)
    f["animal_id"] = np.concatenate(
        [x["animal_id"].astype(str).radd(f"{i}:").to_numpy() for i, x in enumerate(feats)]
    )
    m = HealthRiskModel(**kw).fit(f)
    m.training_summary_.update({"seeds": list(seeds), "cows": n_cows, "days": days})
    return m


def eval_health(seed, model, n_cows=255, days=180):
    f = health_data(seed, n_cows, days)
    ev = f.attrs["events"]
    return {
        "model": evaluate_health(model.predict_proba(f), f, ev),
        "single_signal_rules": evaluate_health(rule_alerts(f), f, ev),
    }


# ----------------------------------------------------------------------------- forecast
def train_forecast_sim(seed=TRAIN_SEED, n_cows=255, days=450, **kw):
    r = HerdSimulator(n_cows=n_cows, days=days, seed=seed).run()
    return YieldForecaster(**kw).fit(sim_daily(r))


def eval_forecast_sim(seed, model, n_cows=255, days=300):
    r = HerdSimulator(n_cows=n_cows, days=days, seed=seed).run()
    return evaluate_forecaster(None, sim_daily(r), model=model, wood_baseline=False)


def _milkman_cv(d, folds=3, seed=0, wood_baseline=False, **kw):
    """Test rows (features, target, ``pred``) of every fold, pooled, and per-fold results."""
    cows = np.unique(d["cowno"])
    perm = np.random.default_rng(seed).permutation(cows)
    rows, per_fold = [], []
    for k, test_cows in enumerate(np.array_split(perm, folds)):
        te = d[d["cowno"].isin(test_cows)]
        tr = d[~d["cowno"].isin(test_cows)]
        model = YieldForecaster(**kw).fit(tr)
        res = evaluate_forecaster(tr, te, model=model, wood_baseline=wood_baseline and k == 0)
        per_fold.append(res)
        X = model.training_rows(te)
        X["pred"] = model.predict_rows(X)
        rows.append(X)
    return pd.concat(rows, ignore_index=True), per_fold


def milkman_protocols(path=None, folds=3, seed=0, rows=None):
    """h=7 MAPE of the model and of the last-7-days mean under other evaluation protocols.

    The issue quotes ~8.0-8.2 % for the last-7-days mean; the main protocol here gives 8.5 %.
    This shows how the absolute figure moves with choices the issue leaves open (what counts
    as a recording error; which part of the lactation is forecast), each baseline computed
    in the same run as its model. Nothing is tuned here: the forecaster's defaults are used.
    ``rows``: the default protocol's pooled test rows when :func:`eval_forecast_milkman` has
    already made them (same folds and seed), so that cross-validation is not run twice.
    """
    d = load_milkman(path or default_milkman_path())
    out = []

    def row(name, X, keep):
        s = X[keep & (X["h"] == HORIZON)]
        ape = ((s["pred"] - s["target"]).abs() / s["target"]).mean() * 100
        base = ((s["m7"] - s["target"]).abs() / s["target"]).mean() * 100
        out.append(
            {
                "protocol": name,
                "model": float(ape),
                "last7_mean": float(base),
                "relative_improvement": float(1 - ape / base),
                "n": int(len(s)),
            }
        )

    for band in (0.5, 0.4):
        X = (
            rows
            if band == 0.5 and rows is not None
            else _milkman_cv(d, folds, seed, clean_band=band)[0]
        )
        everything = pd.Series(True, index=X.index)
        row(
            f"recording errors outside ±{band * 100:.0f} % of the trailing median, origins DIM >= 10",
            X,
            everything,
        )
        if band == 0.5:
            target_dim = X["dim"] + HORIZON
            for first, last in ((21, 280), (31, 240)):
                row(
                    f"±50 %, origins DIM >= {first}, forecast days DIM < {last}",
                    X,
                    (X["dim"] >= first) & (target_dim < last),
                )
    return out


def eval_forecast_milkman(path=None, folds=3, seed=0, wood_baseline=True, return_rows=False, **kw):
    """Cross-validation by cow (each cow is test once, forecasts use only its past days)."""
    d = load_milkman(path or default_milkman_path())
    X, per_fold = _milkman_cv(d, folds, seed, wood_baseline, **kw)
    ape = (X["pred"] - X["target"]).abs() / X["target"] * 100
    base = (X["m7"] - X["target"]).abs() / X["target"] * 100
    h7 = X["h"] == HORIZON
    out = {
        "folds": folds,
        "n_lactations": int(X["animal_id"].nunique()),
        "n_forecasts_h7": int(h7.sum()),
        "mape_h7": float(ape[h7].mean()),
        "mape_h7_last7_mean": float(base[h7].mean()),
        "mape_h1_7": float(ape.mean()),
        "mape_h1_7_last7_mean": float(base.mean()),
        "fold_mape_h7": [f["mape_h7"] for f in per_fold],
        "fold_mape_h7_last7_mean": [f["mape_h7_last7_mean"] for f in per_fold],
        "mape_h7_wood_fit_fold0": per_fold[0].get("mape_h7_wood_fit"),
    }
    out["relative_improvement_h7"] = 1 - out["mape_h7"] / out["mape_h7_last7_mean"]
    out["relative_improvement_h1_7"] = 1 - out["mape_h1_7"] / out["mape_h1_7_last7_mean"]
    stage = pd.cut(
        X.loc[h7, "dim"] + HORIZON,
        [0, 60, 150, 240, 10**4],
        labels=["early(<=60)", "mid(61-150)", "late(151-240)", "end(>240)"],
    )
    out["by_stage_h7"] = {
        str(s): {
            "model": float(ape[h7][stage == s].mean()),
            "last7_mean": float(base[h7][stage == s].mean()),
        }
        for s in stage.cat.categories
    }
    par = X.loc[h7, "parity"]
    out["by_parity_h7"] = {
        int(p): {
            "model": float(ape[h7][par == p].mean()),
            "last7_mean": float(base[h7][par == p].mean()),
        }
        for p in sorted(par.unique())
    }
    return (out, X) if return_rows else out


# ----------------------------------------------------------------------------- lactation
def eval_lactation_milkman(path=None, fit_days=100):
    """Fit each model on DIM 1..fit_days and compare the 305-d projection with the actual
    total of complete (>= 300 recorded days) lactations; also the in-sample RMSE."""
    d = load_milkman(path or default_milkman_path())
    ids, Y, D, par = daily_matrix(d, max_dim=305)
    out = {}
    for name in ("wood", "wilmink", "ali_schaeffer"):
        errs, rmse, fails = [], [], 0
        for i in range(len(ids)):
            y = Y[i]
            if np.isfinite(y).sum() < 280:
                continue
            actual = np.nansum(y) / np.isfinite(y).sum() * 305
            t = np.arange(1, 306)
            try:
                c = LactationCurve(name).fit(t[:fit_days], y[:fit_days])
                full = LactationCurve(name).fit(t, y)
            except InsufficientData:
                fails += 1
                continue
            proj = float(np.nansum(y[:fit_days]) + c.predict(t[fit_days:]).sum())
            errs.append(abs(proj - actual) / actual * 100)
            rmse.append(-full.score(t, y))
        out[name] = {
            "lactations": len(errs),
            "failed": fails,
            "mape_305d_from_100d": float(np.mean(errs)),
            "rmse_full_kg": float(np.mean(rmse)),
        }
    return out


# ----------------------------------------------------------------------------- ration
def eval_ration():
    """Hand-checked example (450 kg, 12 kg milk 4.0 % fat / 3.2 % protein, DIM 70)."""
    req = requirements(450, 12, 4.0, 3.2, 4.85, 70)
    hand = {"dmi_kg": 12.91, "nel_mcal": 16.68}
    res = least_cost_ration(450, 12, 4.0, 70)
    return {
        "dmi_kg": req.dmi_kg,
        "nel_mcal": req.nel_mcal,
        "hand": hand,
        "dmi_err_pct": abs(req.dmi_kg / hand["dmi_kg"] - 1) * 100,
        "nel_err_pct": abs(req.nel_mcal / hand["nel_mcal"] - 1) * 100,
        "status": res.status,
        "cost_bdt_per_day": res.cost_bdt,
    }


# ----------------------------------------------------------------------------- all
def pooled_sensitivity(per_seed):
    """Cases of all seeds together: detected / cases, Se and its 95 % Wilson interval."""
    cases = [int(c) for c in per_seed["cases"]]
    hits = sum(round(se * c) for se, c in zip(per_seed["sensitivity"], cases, strict=True) if c)
    n = sum(cases)
    lo, hi = wilson_interval(hits, n)
    return {
        "detected": hits,
        "cases": n,
        "sensitivity": hits / n if n else float("nan"),
        "ci95": [lo, hi],
    }


def _agg(dicts, keys):
    out = {}
    for k in keys:
        v = np.array([d[k] for d in dicts], dtype=float)
        out[k] = (float(np.nanmean(v)), float(np.nanstd(v)))
    return out


def run_all(seeds=(1, 2, 3), quick=False, milkman=None, log=print):
    t0 = time.time()
    n_cows = 120 if quick else 255
    results = {"seeds": list(seeds), "quick": quick}
    log(f"[{time.time() - t0:6.1f}s] heat ...")
    heat_keys = ["sensitivity", "ppv", "specificity", "false_alerts_per_100_cows_day"]
    heat = {
        h: [eval_heat(s, n_cows=n_cows, days=90, housing=h) for s in seeds]
        for h in ("freestall", "tiestall")
    }
    results["heat"] = {
        h: {m: _agg([r[m] for r in rs], heat_keys) for m in rs[0]} for h, rs in heat.items()
    }
    results["heat_per_seed"] = {h: {m: [r[m] for r in rs] for m in rs[0]} for h, rs in heat.items()}
    log(f"[{time.time() - t0:6.1f}s] health (training) ...")
    hm = train_health(n_cows=n_cows, days=240 if quick else 365)
    hres = [eval_health(s, hm, n_cows=n_cows, days=120 if quick else 180) for s in seeds]
    hk = ["sensitivity", "specificity", "mean_warning_days", "alerts_per_100_cows_day", "cases"]
    results["health"] = {
        m: {d: _agg([r[m][d] for r in hres], hk) for d in hres[0][m]} for m in hres[0]
    }
    results["health_per_seed"] = {
        d: {k: [r["model"][d][k] for r in hres] for k in hk} for d in hres[0]["model"]
    }
    results["health_pooled"] = {
        d: pooled_sensitivity(v) for d, v in results["health_per_seed"].items()
    }
    log(f"[{time.time() - t0:6.1f}s] forecast on simulated herds ...")
    fm = train_forecast_sim(n_cows=n_cows)
    fres = [eval_forecast_sim(s, fm, n_cows=n_cows) for s in seeds]
    results["forecast_sim"] = _agg(
        fres, ["mape_h7", "mape_h7_last7_mean", "mape_h1_7", "mape_h1_7_last7_mean"]
    )
    path = Path(milkman) if milkman else default_milkman_path()
    if path.exists():
        log(f"[{time.time() - t0:6.1f}s] forecast on milkman (3-fold CV by cow) ...")
        results["forecast_milkman"], rows = eval_forecast_milkman(path, return_rows=True)
        log(f"[{time.time() - t0:6.1f}s] milkman under other protocols ...")
        results["forecast_milkman_protocols"] = milkman_protocols(path, rows=rows)
        log(f"[{time.time() - t0:6.1f}s] lactation curves on milkman ...")
        results["lactation_milkman"] = eval_lactation_milkman(path)
    else:
        results["forecast_milkman"] = f"skipped: {path} not found"
    results["ration"] = eval_ration()
    results["elapsed_s"] = time.time() - t0
    return results


def _f(x, pct=False, nd=1):
    m, s = x
    if pct:
        return f"{100 * m:.{nd}f} ± {100 * s:.{nd}f}"
    return f"{m:.{nd}f} ± {s:.{nd}f}"


def format_table(r) -> str:
    L = [f"Seeds {r['seeds']} (mean ± sd over seeds){' - quick mode' if r['quick'] else ''}", ""]
    L += [
        "### Heat detection (per cow-day, ±1 day)",
        "",
        "| housing | method | Se % | PPV % | Sp % | false alerts /100 cows/day |",
        "|---|---|---|---|---|---|",
    ]
    for h, ms in r["heat"].items():
        for m, v in ms.items():
            L.append(
                f"| {h} | {m} | {_f(v['sensitivity'], True)} | {_f(v['ppv'], True)} | "
                f"{_f(v['specificity'], True, 2)} | "
                f"{_f(v['false_alerts_per_100_cows_day'], False, 2)} |"
            )
    L += [
        "",
        "### Health risk (case Se within window, Sp per cow-day)",
        "",
        "| disease | method | window | cases | Se % | Sp % | warning days | alerts /100 cows/day |",
        "|---|---|---|---|---|---|---|---|",
    ]
    win = {"ketosis": "−120 h..0", "mastitis": "−48 h..0", "illness": "−48 h..0"}
    for m, ds in r["health"].items():
        for d, v in ds.items():
            L.append(
                f"| {d} | {m} | {win[d]} | {_f(v['cases'], False, 0)} | "
                f"{_f(v['sensitivity'], True)} | {_f(v['specificity'], True, 2)} | "
                f"{_f(v['mean_warning_days'], False, 2)} | "
                f"{_f(v['alerts_per_100_cows_day'], False, 2)} |"
            )
    ps = r.get("health_per_seed")
    if ps:

        def seeds_str(d, k, scale=100, nd=0):
            return " / ".join(f"{scale * v:.{nd}f}" for v in ps[d][k])

        L += [
            "",
            f"Model per seed {r['seeds']}: ketosis Se {seeds_str('ketosis', 'sensitivity')} %, "
            f"warning {seeds_str('ketosis', 'mean_warning_days', 1, 2)} d; mastitis Se "
            f"{seeds_str('mastitis', 'sensitivity')} %, Sp "
            f"{seeds_str('mastitis', 'specificity', 100, 2)} %.",
        ]
    pooled = r.get("health_pooled")
    if pooled:
        L += [
            "",
            "Model, cases of all seeds pooled: "
            + "; ".join(
                f"{d} {v['detected']}/{v['cases']} = {100 * v['sensitivity']:.1f} % "
                f"(95 % CI {100 * v['ci95'][0]:.0f}-{100 * v['ci95'][1]:.0f} %)"
                for d, v in pooled.items()
            )
            + ".",
        ]
    fs = r["forecast_sim"]
    L += [
        "",
        "### 7-day yield forecast",
        "",
        "| data | model MAPE h=7 % | last-7-days mean h=7 % | model MAPE h=1..7 % | "
        "last-7 mean h=1..7 % |",
        "|---|---|---|---|---|",
        f"| simulated herds | {_f(fs['mape_h7'], False, 2)} | "
        f"{_f(fs['mape_h7_last7_mean'], False, 2)} | {_f(fs['mape_h1_7'], False, 2)} | "
        f"{_f(fs['mape_h1_7_last7_mean'], False, 2)} |",
    ]
    fm = r.get("forecast_milkman")
    if isinstance(fm, dict):
        L.append(
            f"| milkman (3-fold CV by cow, {fm['n_lactations']} lactations) | "
            f"{fm['mape_h7']:.2f} | {fm['mape_h7_last7_mean']:.2f} | "
            f"{fm['mape_h1_7']:.2f} | {fm['mape_h1_7_last7_mean']:.2f} |"
        )
        L += [
            "",
            f"milkman: relative improvement over last-7-days mean h=7 "
            f"{100 * fm['relative_improvement_h7']:.1f} %, h=1..7 "
            f"{100 * fm['relative_improvement_h1_7']:.1f} %; per fold h=7 model "
            f"{[round(x, 2) for x in fm['fold_mape_h7']]} vs baseline "
            f"{[round(x, 2) for x in fm['fold_mape_h7_last7_mean']]}; plain Wood fit "
            f"(fold 0, every 7th origin) {fm['mape_h7_wood_fit_fold0']:.2f} %.",
            "",
            "| milkman h=7 by stage | model % | last-7 mean % |",
            "|---|---|---|",
        ]
        for s, v in fm["by_stage_h7"].items():
            L.append(f"| {s} | {v['model']:.2f} | {v['last7_mean']:.2f} |")
        L += ["", "| milkman h=7 by parity | model % | last-7 mean % |", "|---|---|---|"]
        for p, v in fm["by_parity_h7"].items():
            L.append(f"| {p} | {v['model']:.2f} | {v['last7_mean']:.2f} |")
        protocols = r.get("forecast_milkman_protocols") or []
        if protocols:
            L += [
                "",
                "| milkman h=7 under other protocols (defaults, nothing tuned) | model % | "
                "last-7 mean % | better by |",
                "|---|---|---|---|",
            ]
            for v in protocols:
                L.append(
                    f"| {v['protocol']} | {v['model']:.2f} | {v['last7_mean']:.2f} | "
                    f"{100 * v['relative_improvement']:.1f} % |"
                )
        lm = r["lactation_milkman"]
        L += [
            "",
            "### Lactation curves on milkman",
            "",
            "| model | lactations | 305-d projection error from DIM 1-100, MAPE % | "
            "RMSE full lactation kg/d |",
            "|---|---|---|---|",
        ]
        for n, v in lm.items():
            L.append(
                f"| {n} | {v['lactations']} | {v['mape_305d_from_100d']:.2f} | "
                f"{v['rmse_full_kg']:.2f} |"
            )
    else:
        L += ["", f"milkman: {fm}"]
    ra = r["ration"]
    L += [
        "",
        "### Ration requirements (hand-checked example: 450 kg, 12 kg milk, 4.0 % fat, DIM 70)",
        "",
        f"DMI {ra['dmi_kg']:.2f} kg (hand {ra['hand']['dmi_kg']}, error "
        f"{ra['dmi_err_pct']:.2f} %), NEL {ra['nel_mcal']:.2f} Mcal (hand "
        f"{ra['hand']['nel_mcal']}, error {ra['nel_err_pct']:.2f} %); least-cost ration "
        f"{ra['status']}, {ra['cost_bdt_per_day']:.0f} BDT/day.",
        "",
        f"(evaluation took {r['elapsed_s']:.0f} s)",
    ]
    return "\n".join(L)
